/**
 * A torrent's download and upload speeds: its byte counters sampled once a second while it runs.
 */
import { RateMeter } from '../core/session/rate.js';

export class TransferRates {
  private readonly downMeter = new RateMeter(() => Date.now());
  private readonly upMeter = new RateMeter(() => Date.now());
  private lastDown = 0;
  private lastUp = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** @param totals the bytes downloaded and uploaded so far */
  constructor(private readonly totals: () => { downloaded: number; uploaded: number }) {}

  /** Bytes per second. */
  get download(): number {
    return this.downMeter.rate();
  }
  get upload(): number {
    return this.upMeter.rate();
  }

  /** Starts sampling (again running: nothing changes). */
  start(): void {
    this.timer ??= setInterval(() => this.sample(), 1000);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const { downloaded: down, uploaded: up } = this.totals();
    this.downMeter.add(Math.max(0, down - this.lastDown));
    this.upMeter.add(Math.max(0, up - this.lastUp));
    this.lastDown = down;
    this.lastUp = up;
  }
}
