/**
 * Cooperative time-slicing for work that grows with what a stranger sends (a .torrent of 100,000
 * files): the work calls `check()` every few thousand steps, and once its slice of time is used up,
 * `check()` waits for a turn of the event loop (a page's input, rendering, timers) before it goes on.
 * A timer is the only yield the core has, in Node and in browsers alike.
 */

/** How long work runs before it lets the event loop have a turn. */
export const SLICE_MS = 25;

export class Slicer {
  private sliceStart = Date.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Whether the current slice of time is used up. */
  get due(): boolean {
    return Date.now() - this.sliceStart >= this.sliceMs;
  }

  /** Resolves at once while time is left in the slice; else after a turn of the event loop, in a new slice. */
  check(): Promise<void> | undefined {
    return this.due ? this.pause() : undefined;
  }

  private async pause(): Promise<void> {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.sliceStart = Date.now();
  }
}

/** A slicer that never pauses: for work too small to need it, and for callers that want it done at once. */
export const UNSLICED: Slicer = new (class extends Slicer {
  override get due(): boolean {
    return false;
  }
})();
