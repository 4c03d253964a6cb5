/**
 * When a torrent announces next (issue 19). On the tracker's interval as a rule; but a torrent
 * that starves (no connected peer has a piece it lacks; TorrentSession.starving) asks again after
 * the minimum interval, then after twice that, and so on up to the regular interval, for as long
 * as it starves. When the timer of such an early announce fires and the torrent no longer
 * starves, it does not announce: it waits for the end of its regular interval instead. The tracker
 * client (connection.ts) and the simulator's tracker model (sim/mesh.ts) both run this timer.
 */
import type { Clock, TimerHandle } from '../session/clock.js';

/** Early announces after failed connections, in a row, at most (see `AnnounceTimer.afterFailure`). */
const FAILURE_RETRIES = 3;

/**
 * ms from an announce to the next one. `starved`: announces in a row made while starving, this
 * one included (0: it was not starving).
 */
export function announceDelay(starved: number, interval: number, minInterval: number): number {
  if (starved <= 0) return interval;
  return Math.min(interval, minInterval * 2 ** Math.min(starved - 1, 30));
}

/** One torrent's announces to one tracker: when the last was sent, and the timer of the next. */
export class AnnounceTimer {
  /** When the last announce was sent; undefined before the first (and after a lost socket). */
  lastSent: number | undefined;
  /** When the timer fires, if one is set. */
  at = 0;
  /** Announces in a row sent while the torrent starved. */
  starved = 0;
  /** Early announces set by `afterFailure` since the torrent last announced fed (the caller resets it). */
  failures = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    /** ms: the regular interval, and where a starving torrent's backoff starts. */
    public interval: number,
    public minInterval: number,
    private readonly starving: () => boolean,
    private readonly fire: () => void,
  ) {}

  /** An announce was sent now. */
  sent(): void {
    this.lastSent = this.clock.now();
  }

  /** After a periodic announce: the next one on the interval, or sooner if the torrent starves now. */
  next(): void {
    this.starved = this.starving() ? this.starved + 1 : 0;
    this.scheduleNext();
  }

  /**
   * An announce `gap` ms after the last one, unless one is due by then: 'now' if that moment has
   * passed (the caller announces), 'set' if the timer now fires then, undefined if nothing changed.
   * `recheck`: it fires only if the torrent still starves then (else the regular announce follows).
   */
  after(gap: number, recheck: boolean): 'now' | 'set' | undefined {
    const now = this.clock.now();
    const earliest = (this.lastSent ?? -Infinity) + gap;
    if (earliest <= now) return 'now';
    if (this.timer !== undefined && this.at <= earliest) return undefined;
    this.set(earliest - now, recheck);
    return 'set';
  }

  /**
   * A connection of the starving torrent failed before it opened: an announce `retry` ms after the
   * last, then twice and four times that (at most `cap`), rather than the minimum interval; no more of
   * these until `failures` is reset (a swarm it cannot reach is left to the starving backoff).
   */
  afterFailure(retry: number, cap: number): 'now' | 'set' | undefined {
    if (this.failures >= FAILURE_RETRIES) return undefined;
    const result = this.after(Math.min(cap, retry * 2 ** this.failures), true);
    if (result) this.failures++;
    return result;
  }

  /** New intervals from the tracker: a pending periodic announce moves with them. */
  setIntervals(interval: number | undefined, minInterval: number | undefined): void {
    const before = this.delay();
    if (interval !== undefined) this.interval = interval;
    if (minInterval !== undefined) this.minInterval = minInterval;
    if (this.delay() !== before && this.timer !== undefined && this.lastSent !== undefined) this.scheduleNext();
  }

  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private delay(): number {
    return announceDelay(this.starved, this.interval, this.minInterval);
  }

  private scheduleNext(): void {
    const delay = this.delay();
    const now = this.clock.now();
    this.set(Math.max(0, (this.lastSent ?? now) + delay - now), delay < this.interval);
  }

  /** `recheck`: an early announce, made only if the torrent still starves when it is due. */
  private set(delay: number, recheck: boolean): void {
    this.clear();
    this.at = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!recheck || this.starving()) return this.fire();
      this.starved = 0;
      this.scheduleNext();
    }, delay);
  }
}
