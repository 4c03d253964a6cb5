/** A minimal typed event emitter for the core (which has no DOM `EventTarget` to lean on). */
export type Listener<T> = (value: T) => void;

export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Calls `fn` on each `type` event; returns a function that stops it. */
  on<K extends keyof Events>(type: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const fn of this.listeners.get(type) ?? []) (fn as Listener<Events[K]>)(value);
  }
}
