/**
 * A timer that runs only while the page is visible: calls `tick` every `everyMs`, stops while the
 * page is hidden, and ticks at once when it shows again (the numbers are stale by then).
 */
export class VisibleTicker {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly tick: () => void,
    private readonly everyMs: number,
  ) {}

  /** Starts listening to the page's visibility, and ticking if it is visible. */
  connect(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
    this.start();
  }

  disconnect(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.stop();
  }

  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'visible') {
      this.start();
      this.tick();
    } else {
      this.stop();
    }
  };

  private start(): void {
    if (this.timer !== undefined || document.visibilityState === 'hidden') return;
    this.timer = setInterval(() => this.tick(), this.everyMs);
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
