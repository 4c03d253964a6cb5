/**
 * Picks the best few pieces out of one linear scan, without sorting every candidate: just enough
 * of the best to supply `needed` blocks. Lower keys are better: `rank` first (priority and tier),
 * then `avail` (rarest first), then `tie` (the caller's random tie-breaker, distinct per piece).
 */

export interface Candidate {
  readonly index: number;
  readonly rank: number;
  readonly avail: number;
  readonly tie: number;
  /** Blocks this piece can supply. */
  readonly blocks: number;
}

function compare(a: Candidate, b: Candidate): number {
  return a.rank - b.rank || a.avail - b.avail || a.tie - b.tie;
}

export class BestPieces {
  private readonly list: Candidate[] = [];
  private supply = 0;

  constructor(private readonly needed: number) {}

  /** Considers a piece. */
  offer(index: number, rank: number, avail: number, tie: number, blocks: number): void {
    const worst = this.list[this.list.length - 1];
    if (this.supply >= this.needed && worst !== undefined) {
      if (rank !== worst.rank ? rank > worst.rank : avail !== worst.avail ? avail > worst.avail : tie >= worst.tie) return;
    }
    const c: Candidate = { index, rank, avail, tie, blocks };
    let at = this.list.length;
    while (at > 0 && compare(c, this.list[at - 1]!) < 0) at--;
    this.list.splice(at, 0, c);
    this.supply += blocks;
    // Drop the worst while the rest still supply enough.
    for (;;) {
      const last = this.list[this.list.length - 1];
      if (last === undefined || this.list.length === 1 || this.supply - last.blocks < this.needed) break;
      this.list.pop();
      this.supply -= last.blocks;
    }
  }

  /** The chosen pieces, best first. */
  result(): readonly Candidate[] {
    return this.list;
  }
}
