/**
 * Groups of peers joined by connections (union-find with path halving): how many swarms a
 * simulated mesh formed. Peers are numbered 0, 1, 2, … in the order they are added.
 */
export class Components {
  private readonly parent: number[] = [];

  /** A new peer, alone in its group; returns its number. */
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }

  /** A connection between `a` and `b`: their groups become one. */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[ra] = rb;
  }

  /** How many groups there are (1: one swarm). */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.parent.length; i++) if (this.find(i) === i) n++;
    return n;
  }

  private find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
}
