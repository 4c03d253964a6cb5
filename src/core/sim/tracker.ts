/**
 * A WebSocket tracker as the simulator sees it: a swarm of the peers that announced to it, and the
 * messages it carries. Each announce brings up to N offers; the tracker hands each to one other
 * peer of its swarm, picked at random without repeats (as bittorrent-tracker does), and relays the
 * answers back. It knows nothing of the connections that result, so it may well introduce two
 * peers that are already connected, or one that has no room left: the offer is then wasted.
 */

export interface TrackerCounts {
  /** Announces received (the first and every periodic one). */
  announces: number;
  /** Offers handed to another peer. */
  offersRelayed: number;
  /** Answers relayed back to the offering peer. */
  answersRelayed: number;
}

export function emptyCounts(): TrackerCounts {
  return { announces: 0, offersRelayed: 0, answersRelayed: 0 };
}

/** The messages a tracker carried: announces, offers relayed and answers relayed. */
export function messagesOf(c: TrackerCounts): number {
  return c.announces + c.offersRelayed + c.answersRelayed;
}

export class SimTracker {
  readonly counts = emptyCounts();
  private readonly members: number[] = [];
  private readonly known = new Set<number>();

  constructor(
    readonly id: number,
    private readonly random: () => number,
  ) {}

  /** Peers in its swarm. */
  get size(): number {
    return this.members.length;
  }

  has(peer: number): boolean {
    return this.known.has(peer);
  }

  /**
   * `peer` announces with `offers` offers: it joins the swarm (if new), and the tracker picks whom
   * each offer goes to (fewer than `offers` if the swarm has fewer other peers; the rest go nowhere).
   */
  announce(peer: number, offers: number): number[] {
    this.counts.announces++;
    if (!this.known.has(peer)) {
      this.known.add(peer);
      this.members.push(peer);
    }
    const others = this.members.length - 1;
    const n = Math.min(Math.max(0, Math.floor(offers)), others);
    const picked = new Set<number>();
    if (n * 2 >= others) {
      // Most of the swarm: a partial shuffle of everyone else.
      const pool = this.members.filter((m) => m !== peer);
      for (let i = 0; i < n; i++) {
        const j = i + Math.floor(this.random() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        picked.add(pool[i]!);
      }
    } else {
      while (picked.size < n) {
        const m = this.members[Math.floor(this.random() * this.members.length)]!;
        if (m !== peer) picked.add(m);
      }
    }
    this.counts.offersRelayed += picked.size;
    return [...picked];
  }

  /** An answer to one of the offers it handed out goes back through it. */
  relayAnswer(): void {
    this.counts.answersRelayed++;
  }
}
