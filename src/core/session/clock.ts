/** Time as the engine sees it: injected, so that tests and the simulator run on a virtual clock. */

/** Whatever the clock's setTimeout returned (a number in browsers, an object in Node and here); only good for its clearTimeout. */
export type TimerHandle = object | number;

export interface Clock {
  /** Milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
};

/**
 * A virtual clock: time moves only when `run` advances it to the next timer. Between timers it
 * lets pending promise work settle through `settle` (in Node: `() => new Promise(setImmediate)`).
 *
 * The timers wait in a binary heap ordered by (due time, creation order). The keys live in two
 * typed arrays beside the heap of callbacks, so that sifting compares numbers laid out together
 * rather than fields of objects spread over memory (a thousand-peer simulation keeps tens of
 * thousands of timers pending), and a timer's handle is its sequence number: no object per timer.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private size = 0;
  private ats = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private fns: (() => void)[] = [];
  /** Sequence numbers of timers cleared before they fired (forgotten when they come up). */
  private readonly cancelled = new Set<number>();
  /** Due time of the timer `popLive` returned last, and its sequence number. */
  private poppedAt = 0;
  private poppedSeq = 0;

  constructor(private readonly settle: () => Promise<void>) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const seq = this.seq++;
    this.push(this.time + Math.max(0, ms), seq, fn);
    return seq;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number' && handle < this.seq) this.cancelled.add(handle);
  }

  get pending(): number {
    return this.size;
  }

  /** Runs timers in time order until `done()` holds, no timer is left, or `limit` ms is reached. */
  async run(done: () => boolean, limit = Infinity): Promise<void> {
    await this.settle();
    while (this.step(done, limit)) await this.settle();
  }

  /**
   * As `run`, but between instants it calls `schedule(next)` rather than awaiting `settle`: `schedule`
   * must call `next` once every pending promise job has run (in Node: a microtask that calls
   * `process.nextTick(next)`; a tick set from a tick would run before the promise jobs). The same
   * timers in the same order, without a promise and an async resumption per instant.
   */
  runScheduled(done: () => boolean, limit: number, schedule: (next: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const next = (): void => {
        try {
          if (this.step(done, limit)) schedule(next);
          else resolve();
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      };
      this.settle().then(next, reject);
    });
  }

  /** Runs the timers of the next instant; false when the run is over (`done()`, no timer left, or past `limit`). */
  private step(done: () => boolean, limit: number): boolean {
    if (done()) return false;
    const next = this.popLive();
    if (!next) return false;
    if (this.poppedAt > limit) {
      this.push(this.poppedAt, this.poppedSeq, next);
      this.time = limit;
      return false;
    }
    this.time = this.poppedAt;
    next();
    // Run every other timer due at this same instant before letting promises settle. A cleared timer
    // due now can hide a later one behind it: popLive skips the cleared one and returns the later,
    // which goes back (it used to run early, at this instant).
    while (this.size > 0 && this.ats[0] === this.time) {
      const fn = this.popLive();
      if (!fn) break;
      if (this.poppedAt !== this.time) {
        this.push(this.poppedAt, this.poppedSeq, fn);
        break;
      }
      fn();
    }
    return true;
  }

  private push(at: number, seq: number, fn: () => void): void {
    if (this.size === this.ats.length) this.grow();
    const ats = this.ats;
    const seqs = this.seqs;
    const fns = this.fns;
    // Sift up by moving parents down into the hole, then place the timer once.
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pa = ats[parent]!;
      if (!(at < pa || (at === pa && seq < seqs[parent]!))) break;
      ats[i] = pa;
      seqs[i] = seqs[parent]!;
      fns[i] = fns[parent]!;
      i = parent;
    }
    ats[i] = at;
    seqs[i] = seq;
    fns[i] = fn;
  }

  private grow(): void {
    const ats = new Float64Array(this.ats.length * 2);
    const seqs = new Float64Array(this.seqs.length * 2);
    ats.set(this.ats);
    seqs.set(this.seqs);
    this.ats = ats;
    this.seqs = seqs;
  }

  /** The earliest live timer's callback, skipping cleared ones (its due time and sequence in `poppedAt`, `poppedSeq`). */
  private popLive(): (() => void) | undefined {
    const ats = this.ats;
    const seqs = this.seqs;
    const fns = this.fns;
    while (this.size > 0) {
      const top = fns[0]!;
      this.poppedAt = ats[0]!;
      this.poppedSeq = seqs[0]!;
      const n = --this.size;
      const last = fns.pop()!;
      const lastAt = ats[n]!;
      const lastSeq = seqs[n]!;
      if (n > 0) {
        // Sift the last timer down from the root by moving the smaller child up into the hole.
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= n) break;
          const r = l + 1;
          let m = l;
          let mAt = ats[l]!;
          if (r < n) {
            const rAt = ats[r]!;
            if (rAt < mAt || (rAt === mAt && seqs[r]! < seqs[l]!)) {
              m = r;
              mAt = rAt;
            }
          }
          if (!(mAt < lastAt || (mAt === lastAt && seqs[m]! < lastSeq))) break;
          ats[i] = mAt;
          seqs[i] = seqs[m]!;
          fns[i] = fns[m]!;
          i = m;
        }
        ats[i] = lastAt;
        seqs[i] = lastSeq;
        fns[i] = last;
      }
      if (this.cancelled.size === 0 || !this.cancelled.delete(this.poppedSeq)) return top;
    }
    return undefined;
  }
}
