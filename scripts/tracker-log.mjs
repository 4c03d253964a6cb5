// The tracker's log: refusals, closes and evictions are counted per reason and printed as one line a
// minute (and once more on close), never as a line per event: a flood of bad messages is a number.

const format = (n) => n.toLocaleString('en-US');

export class EventSummary {
  /**
   * @param {{
   *   print: (line: string) => void,
   *   periodMs?: number,
   *   now?: () => number,
   *   setInterval?: (fn: () => void, ms: number) => unknown,
   *   clearInterval?: (timer: unknown) => void,
   * }} options
   */
  constructor(options) {
    this.print = options.print;
    this.now = options.now ?? Date.now;
    this.clear = options.clearInterval ?? clearInterval;
    /** reason → [count, first detail or undefined], for the current period. */
    this.counts = new Map();
    this.since = this.now();
    const every = options.setInterval ?? setInterval;
    this.timer = every(() => this.flush(), options.periodMs ?? 60_000);
    this.timer?.unref?.();
  }

  /** One more event for `reason`; `detail` (say, an unexpected error's message) is kept for the first one of a period. */
  count(reason, detail) {
    const entry = this.counts.get(reason);
    if (entry) entry[0]++;
    else this.counts.set(reason, [1, detail]);
  }

  /** Prints the period's counts as one line (nothing if nothing happened) and starts a new period. */
  flush() {
    const now = this.now();
    const seconds = Math.max(0, Math.round((now - this.since) / 1000));
    this.since = now;
    if (this.counts.size === 0) return;
    const parts = [...this.counts]
      .sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1))
      .map(([reason, [n, detail]]) => `${reason} ${format(n)}${detail ? ` (first: ${String(detail).slice(0, 120)})` : ''}`);
    this.counts.clear();
    this.print(`[tracker] last ${seconds} s: ${parts.join(', ')}`);
  }

  /** Prints what is left and stops the timer. */
  close() {
    this.clear(this.timer);
    this.flush();
  }
}
