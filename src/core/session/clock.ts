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

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A virtual clock: time moves only when `run` advances it to the next timer. Between timers it
 * lets pending promise work settle through `settle` (in Node: `() => new Promise(setImmediate)`).
 */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private heap: Timer[] = [];

  constructor(private readonly settle: () => Promise<void>) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'object' && 'cancelled' in handle) (handle as Timer).cancelled = true;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Runs timers in time order until `done()` holds, no timer is left, or `limit` ms is reached. */
  async run(done: () => boolean, limit = Infinity): Promise<void> {
    await this.settle();
    while (!done()) {
      const next = this.pop();
      if (!next) return;
      if (next.at > limit) {
        this.push(next);
        this.time = limit;
        return;
      }
      this.time = next.at;
      next.fn();
      // Run every other timer due at this same instant before letting promises settle.
      while (this.heap.length > 0 && this.heap[0]!.at === this.time) {
        const t = this.pop();
        if (t) t.fn();
      }
      await this.settle();
    }
  }

  private push(t: Timer): void {
    // Sift up by moving parents down into the hole, then place the timer once.
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!less(t, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = t;
  }

  /** The earliest live timer, skipping cancelled ones. */
  private pop(): Timer | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      const n = h.length;
      if (n > 0) {
        // Sift the last timer down from the root by moving the smaller child up into the hole.
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= n) break;
          const r = l + 1;
          let m = l;
          let child = h[l]!;
          if (r < n) {
            const right = h[r]!;
            if (less(right, child)) {
              m = r;
              child = right;
            }
          }
          if (!less(child, last)) break;
          h[i] = child;
          i = m;
        }
        h[i] = last;
      }
      if (!top.cancelled) return top;
    }
    return undefined;
  }
}

function less(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
