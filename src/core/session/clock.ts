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
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** The earliest live timer, skipping cancelled ones. */
  private pop(): Timer | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && less(h[l]!, h[m]!)) m = l;
          if (r < h.length && less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      if (!top.cancelled) return top;
    }
    return undefined;
  }
}

function less(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
