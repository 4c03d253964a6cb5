/**
 * Transfer rate over a sliding window of one-second buckets, on an injected clock.
 */
export class RateMeter {
  /** Bytes per second of the window, a ring. A plain array: a typed array of five costs a connection twice the memory. */
  private readonly buckets: number[];
  private bucketStart = 0;
  private head = 0;
  private readonly created: number;
  total = 0;

  constructor(
    private readonly now: () => number,
    /** Window length in seconds. */
    private readonly seconds = 5,
  ) {
    this.buckets = new Array<number>(seconds).fill(0);
    this.bucketStart = Math.floor(now() / 1000);
    this.created = now();
  }

  add(bytes: number): void {
    this.advance();
    this.buckets[this.head] = this.buckets[this.head]! + bytes;
    this.total += bytes;
  }

  /** Bytes per second over the window (the current, partial second counted in proportion). */
  rate(): number {
    this.advance();
    let sum = 0;
    for (const b of this.buckets) sum += b;
    const elapsedInBucket = (this.now() % 1000) / 1000;
    const span = this.seconds - 1 + Math.max(elapsedInBucket, 0.001);
    // A meter younger than its window has seen only its age of traffic: dividing by the whole
    // window would understate a new connection's rate (and so its request pipeline) for seconds.
    const age = Math.max((this.now() - this.created) / 1000, 1);
    return sum / Math.min(span, age);
  }

  private advance(): void {
    const second = Math.floor(this.now() / 1000);
    let steps = second - this.bucketStart;
    if (steps <= 0) return;
    if (steps > this.seconds) steps = this.seconds;
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.seconds;
      this.buckets[this.head] = 0;
    }
    this.bucketStart = second;
  }
}
