/**
 * A rate limit shared by every torrent of a client: a token bucket on the injected clock.
 * `rate` is in bytes per second; 0 means no limit. A burst of up to `burstSeconds` of the rate
 * may pass at once (but at least one 16 KiB block).
 */
import type { Clock } from './clock.js';

export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private rateValue = 0,
    private readonly burstSeconds = 0.25,
  ) {
    this.last = clock.now();
    this.tokens = this.burst;
  }

  get rate(): number {
    return this.rateValue;
  }

  set rate(bytesPerSecond: number) {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) throw new RangeError(`a rate limit is a number of bytes per second ≥ 0, not ${bytesPerSecond}`);
    this.refill();
    this.rateValue = bytesPerSecond;
    this.tokens = Math.min(this.tokens, this.burst);
  }

  get limited(): boolean {
    return this.rateValue > 0;
  }

  private get burst(): number {
    return Math.max(16 * 1024, this.rateValue * this.burstSeconds);
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.rateValue > 0) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rateValue);
    this.last = now;
  }

  /**
   * Takes `bytes` (going into debt if need be) and returns the milliseconds to wait before
   * using them: 0 when they were available.
   */
  take(bytes: number): number {
    if (!this.limited) return 0;
    this.refill();
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rateValue) * 1000;
  }

  /** Bytes that may be used now without waiting (0 when in debt); Infinity without a limit. */
  available(): number {
    if (!this.limited) return Infinity;
    this.refill();
    return Math.max(0, this.tokens);
  }

  /** Milliseconds until `bytes` are available (0 if they are). */
  msUntil(bytes: number): number {
    if (!this.limited) return 0;
    this.refill();
    return this.tokens >= bytes ? 0 : ((bytes - this.tokens) / this.rateValue) * 1000;
  }
}
