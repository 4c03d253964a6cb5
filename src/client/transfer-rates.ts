/**
 * A torrent's download and upload speeds, from its byte counters sampled four times a second while it
 * runs.
 *
 * A speed is the bytes counted over the last {@link WINDOW_MS}, over the time they took. When bytes
 * began to flow less than a window ago, it is the bytes since then over the time since then (from the
 * last sample before they began): the first figure comes with the first bytes, not once a window of
 * one-second buckets has filled (a meter that waited for whole seconds read 0 B/s for the first 1–2 s
 * of a download that was already at 13 %).
 */

/** How often the counters are sampled while the torrent runs. */
export const SAMPLE_MS = 250;
/** The window a steady speed is averaged over. */
export const WINDOW_MS = 5000;

/** The speed of one byte counter, from samples of it; time in milliseconds on any clock. */
export class CounterSpeed {
  private readonly samples: { at: number; total: number }[] = [];

  constructor(private readonly windowMs = WINDOW_MS) {}

  /** Records the counter's value. A counter that went back (or a clock that did) starts afresh. */
  sample(at: number, total: number): void {
    const s = this.samples;
    const last = s.at(-1);
    if (last && (total < last.total || at < last.at)) s.length = 0;
    s.push({ at, total });
    // Older samples go, but one at or before the window's start stays: it starts the window.
    while (s.length > 2 && s[1]!.at <= at - this.windowMs) s.shift();
  }

  /** Forgets every sample (the counter stopped: its speed is 0 until sampled again). */
  reset(): void {
    this.samples.length = 0;
  }

  /** Bytes per second at `at`, when the counter reads `total`. */
  rate(at: number, total: number): number {
    const s = this.samples;
    if (s.length === 0 || total <= s[0]!.total || at <= s[0]!.at) return 0;
    // The window's start, or the last sample that had not seen any of the window's bytes yet.
    let from = 0;
    while (from + 1 < s.length && s[from + 1]!.total === s[0]!.total) from++;
    const start = s[from]!;
    const elapsed = Math.max(at - start.at, SAMPLE_MS);
    return ((total - start.total) * 1000) / elapsed;
  }
}

export class TransferRates {
  private readonly down = new CounterSpeed();
  private readonly up = new CounterSpeed();
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param totals the bytes downloaded and uploaded so far
   * @param now the clock, in milliseconds
   */
  constructor(
    private readonly totals: () => { downloaded: number; uploaded: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes per second. */
  get download(): number {
    return this.down.rate(this.now(), this.totals().downloaded);
  }
  get upload(): number {
    return this.up.rate(this.now(), this.totals().uploaded);
  }

  /** Starts sampling (again running: nothing changes). */
  start(): void {
    if (this.timer !== undefined) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  /** Stops sampling: both speeds read 0 until started again. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.down.reset();
    this.up.reset();
  }

  /** Takes one sample of both counters (the timer's work; public for tests on a made-up clock). */
  sample(): void {
    const at = this.now();
    const { downloaded, uploaded } = this.totals();
    this.down.sample(at, downloaded);
    this.up.sample(at, uploaded);
  }
}

/**
 * The share ratio: bytes uploaded (the session's count of piece data handed to the peers' channels,
 * whose send queues hold some 30 ms of traffic) over bytes downloaded, or over the torrent's length
 * for a torrent that downloaded nothing (seeded from this tab): its one receiver having everything
 * makes it 1.
 */
export function shareRatio(uploaded: number, downloaded: number, length: number): number {
  const base = downloaded > 0 ? downloaded : length;
  return base > 0 ? uploaded / base : 0;
}
