/**
 * Readers waiting for pieces of a torrent: woken when their piece is verified, or all at once when
 * the torrent stops on an error.
 */
export class PieceWaiters {
  private readonly waiters = new Map<number, (() => void)[]>();

  /** Resolves when piece `index` is verified or `wakeAll` is called. */
  wait(index: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const list = this.waiters.get(index) ?? [];
      list.push(resolve);
      this.waiters.set(index, list);
    });
  }

  /** Wakes the readers of piece `index`. */
  wake(index: number): void {
    const list = this.waiters.get(index);
    this.waiters.delete(index);
    for (const w of list ?? []) w();
  }

  /** Wakes every reader. */
  wakeAll(): void {
    for (const [, list] of this.waiters) for (const w of list) w();
    this.waiters.clear();
  }
}
