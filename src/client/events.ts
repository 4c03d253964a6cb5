/**
 * An EventTarget whose events are typed by a map of event names to CustomEvents, for `Client` and
 * `Torrent`: `addEventListener('progress', (e) => e.detail.progress)` type-checks, and
 * `emit(type, detail)` dispatches a CustomEvent of the right shape.
 */
/** What the implementations take: a typed listener (it receives only its own events) or any listener. */
type Listener = ((ev: never) => void) | EventListenerOrEventListenerObject | null;

export class TypedEventTarget<M extends { [K in keyof M]: CustomEvent }> extends EventTarget {
  override addEventListener<K extends keyof M & string>(type: K, listener: (ev: M[K]) => void, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: Listener, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  override removeEventListener<K extends keyof M & string>(type: K, listener: (ev: M[K]) => void, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: Listener, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  /** Dispatches event `type` with `detail`. */
  protected emit<K extends keyof M & string>(type: K, detail: M[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
