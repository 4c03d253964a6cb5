/**
 * Initial seeding: while some piece has never been uploaded, a seeder tells each peer about only a
 * few pieces at a time (with `have` messages, after an empty bitfield), choosing the pieces it has
 * uploaded and revealed the least. Each piece then leaves the seeder about once before any leaves it
 * twice, and the leechers spread the rest among themselves: the seeder's upload — the scarcest
 * resource of a new swarm — is spent on new data. (Like BEP 16 super-seeding, without waiting for
 * the piece to be seen elsewhere, so a lone downloader is not slowed.)
 * Once every piece has been uploaded once, every peer is told about every piece.
 */

export interface RevealPeer {
  readonly id: string;
  hasPiece(index: number): boolean;
  /** Bytes per second we upload to it. */
  uploadRate(): number;
}

interface PeerReveal {
  revealed: Set<number>;
  /** Revealed pieces not yet fully served to it nor obtained elsewhere. */
  pending: Set<number>;
  /** Bytes served per piece, for pieces not yet fully served. */
  served: Map<number, number>;
}

export class InitialSeeding {
  active = true;
  private readonly uploads: Uint32Array;
  private readonly reveals: Uint32Array;
  private neverUploaded: number;
  private readonly peers = new Map<string, PeerReveal>();

  constructor(
    private readonly pieceCount: number,
    private readonly pieceSize: (index: number) => number,
    private readonly pieceLength: number,
    private readonly random: () => number,
    /** Seconds of a peer's upload rate to keep revealed ahead. */
    private readonly aheadSeconds = 2,
    /** Pieces kept revealed ahead at least: 4, and at least 1 MiB of small pieces. */
    private readonly minAhead = Math.max(4, Math.ceil((1024 * 1024) / pieceLength)),
  ) {
    this.uploads = new Uint32Array(pieceCount);
    this.reveals = new Uint32Array(pieceCount);
    this.neverUploaded = pieceCount;
  }

  /**
   * A new peer, still choked: one piece is revealed so that it can become interested (and so be
   * unchoked); it is not counted as pending, since a choked peer cannot fetch it yet.
   */
  addPeer(peer: RevealPeer): number[] {
    const state: PeerReveal = { revealed: new Set(), pending: new Set(), served: new Map() };
    this.peers.set(peer.id, state);
    const first = this.leastSpread(peer, state);
    if (first === undefined) return [];
    state.revealed.add(first);
    return [first];
  }

  removePeer(id: string): void {
    this.choked(id);
    this.peers.delete(id);
  }

  /**
   * We choked the peer: it cannot fetch what we revealed to it, so those pieces are free to be
   * revealed to others (the peer still knows we have them).
   */
  choked(id: string): void {
    const state = this.peers.get(id);
    if (!state) return;
    for (const i of state.pending) this.reveals[i] = this.reveals[i]! - 1;
    state.pending.clear();
  }

  /** Whether `index` has been revealed to the peer (so a `have` for it would be a repeat). */
  isRevealed(id: string, index: number): boolean {
    return this.peers.get(id)?.revealed.has(index) ?? false;
  }

  /**
   * The peer told us which pieces it has (a have, a bitfield, have all): revealed pieces it got
   * elsewhere need not come from us. Returns pieces to announce next.
   */
  peerUpdated(peer: RevealPeer): number[] {
    const state = this.peers.get(peer.id);
    if (!state) return [];
    for (const i of state.pending) {
      if (!peer.hasPiece(i)) continue;
      state.pending.delete(i);
      this.reveals[i] = this.reveals[i]! - 1;
    }
    return this.revealMore(peer);
  }

  /**
   * The peer waits for these pieces (a streaming reader's, most urgent first): those it lacks and
   * was not told about are revealed now, ahead of the least spread ones. Returns them.
   */
  wanted(peer: RevealPeer, pieces: readonly number[]): number[] {
    const state = this.peers.get(peer.id);
    if (!state || !this.active) return [];
    const out: number[] = [];
    for (const i of pieces) {
      if (!Number.isInteger(i) || i < 0 || i >= this.pieceCount || state.revealed.has(i) || peer.hasPiece(i)) continue;
      state.revealed.add(i);
      state.pending.add(i);
      this.reveals[i] = this.reveals[i]! + 1;
      out.push(i);
    }
    return out;
  }

  /**
   * We sent `bytes` of piece `index` to the peer. Returns pieces to announce next; or, when this
   * completes the initial seeding, `done` with every piece to announce to each peer.
   */
  served(peer: RevealPeer, index: number, bytes: number): { next: number[]; finished?: Map<string, number[]> } {
    const state = this.peers.get(peer.id);
    if (!state) return { next: [] };
    const total = (state.served.get(index) ?? 0) + bytes;
    if (total < this.pieceSize(index)) {
      state.served.set(index, total);
      return { next: [] };
    }
    state.served.delete(index);
    if (this.uploads[index] === 0) this.neverUploaded--;
    this.uploads[index] = this.uploads[index]! + 1;
    if (state.pending.delete(index)) this.reveals[index] = this.reveals[index]! - 1;
    if (this.neverUploaded === 0) return { next: [], finished: this.finish() };
    return { next: this.revealMore(peer) };
  }

  /** Ends initial seeding: for each peer, the pieces not yet revealed to it. */
  private finish(): Map<string, number[]> {
    this.active = false;
    const out = new Map<string, number[]>();
    for (const [id, state] of this.peers) {
      const rest: number[] = [];
      for (let i = 0; i < this.pieceCount; i++) if (!state.revealed.has(i)) rest.push(i);
      out.set(id, rest);
    }
    this.peers.clear();
    return out;
  }

  private revealMore(peer: RevealPeer): number[] {
    const state = this.peers.get(peer.id);
    if (!state || !this.active) return [];
    const ahead = Math.max(this.minAhead, Math.ceil((peer.uploadRate() * this.aheadSeconds) / this.pieceLength));
    const out: number[] = [];
    while (state.pending.size < ahead) {
      const next = this.leastSpread(peer, state);
      if (next === undefined) break;
      state.revealed.add(next);
      state.pending.add(next);
      this.reveals[next] = this.reveals[next]! + 1;
      out.push(next);
    }
    return out;
  }

  /**
   * The piece that the peer lacks, uploaded the fewest times and then revealed the fewest times
   * (to peers that can fetch it now); ties at random.
   */
  private leastSpread(peer: RevealPeer, state: PeerReveal): number | undefined {
    let best: number | undefined;
    let bestScore = Infinity;
    const start = Math.floor(this.random() * this.pieceCount);
    for (let k = 0; k < this.pieceCount; k++) {
      const i = (start + k) % this.pieceCount;
      if (state.revealed.has(i) || peer.hasPiece(i)) continue;
      const score = this.uploads[i]! * 65536 + this.reveals[i]!;
      if (score < bestScore) {
        bestScore = score;
        best = i;
        if (score === 0) break;
      }
    }
    return best;
  }
}
