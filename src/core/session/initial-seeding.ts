/**
 * Initial seeding: while some piece has never been uploaded, a seeder tells each peer about only a
 * few pieces at a time (with `have` messages, after an empty bitfield), choosing the pieces it has
 * uploaded and revealed the least. Each piece then leaves the seeder about once before any leaves it
 * twice, and the leechers spread the rest among themselves: the seeder's upload — the scarcest
 * resource of a new swarm — is spent on new data. (Like BEP 16 super-seeding, without waiting for
 * the piece to be seen elsewhere, so a lone downloader is not slowed.)
 * Once every piece has been uploaded once, every peer is told about every piece.
 *
 * Super seeding (an option) goes on from there instead: a peer is told of the pieces that no other
 * peer of ours can give it (held by no other leecher, nor revealed to one), and of others only while
 * it gets nothing from anyone else (for {@link STARVED_MS}). Each piece then leaves the seeder about
 * once in all — at the price of time when the seeder's upload is faster than the leechers': a
 * swarm finishing as fast as it can needs, of a seeder `k` times as fast as each of `n` leechers,
 * `n·k / (k + n)` times the file (the swarm simulator's `--super-seed` compares).
 */
import { extentPieces } from '../geometry.js';

/** A peer that got no piece from anyone else for this long is revealed pieces others hold. */
export const STARVED_MS = 1500;
/** Seconds of a peer's upload rate kept revealed ahead of it (not when super seeding). */
const AHEAD_SECONDS = 2;

export interface RevealPeer {
  readonly id: string;
  hasPiece(index: number): boolean;
  /** Bytes per second we upload to it. */
  uploadRate(): number;
  /** How many pieces it has. */
  piecesHeld(): number;
  /** We choke it: it cannot fetch what we reveal. */
  readonly amChoking: boolean;
}

export interface InitialSeedingOptions {
  pieceCount: number;
  pieceSize: (index: number) => number;
  pieceLength: number;
  random: () => number;
  now: () => number;
  /** Go on after every piece was uploaded once (see above). */
  superSeeding?: boolean | undefined;
}

interface PeerReveal {
  revealed: Set<number>;
  /** Revealed pieces not yet fully served to it nor obtained elsewhere. */
  pending: Set<number>;
  /** Bytes served per piece, for pieces not yet fully served. */
  served: Map<number, number>;
  peer: RevealPeer;
  /** Pieces it held when last heard of, and pieces we served it since. */
  held: number;
  fromUs: number;
  /** When it last got a piece from another peer (or joined). */
  elsewhereAt: number;
  /** The extent (see EXTENT_BYTES) of the last piece revealed to it (-1: none). */
  extent: number;
}

export class InitialSeeding {
  active = true;
  /** Super seeding, after every piece was uploaded once. */
  private sparing = false;
  private readonly pieceCount: number;
  /** Pieces kept revealed ahead at least: 4, and at least 1 MiB of small pieces. */
  private readonly minAhead: number;
  /** Pieces per extent (see EXTENT_BYTES). */
  private readonly extentSize: number;
  private readonly uploads: Uint32Array;
  private readonly reveals: Uint32Array;
  private neverUploaded: number;
  private readonly peers = new Map<string, PeerReveal>();

  constructor(private readonly o: InitialSeedingOptions) {
    const pieceCount = (this.pieceCount = o.pieceCount);
    this.minAhead = Math.max(4, Math.ceil((1024 * 1024) / o.pieceLength));
    this.extentSize = extentPieces(o.pieceLength);
    this.uploads = new Uint32Array(pieceCount);
    this.reveals = new Uint32Array(pieceCount);
    this.neverUploaded = pieceCount;
  }

  /**
   * A new peer, still choked: one piece is revealed so that it can become interested (and so be
   * unchoked); it is not counted as pending, since a choked peer cannot fetch it yet.
   */
  addPeer(peer: RevealPeer): number[] {
    const state: PeerReveal = {
      revealed: new Set(),
      pending: new Set(),
      served: new Map(),
      peer,
      held: peer.piecesHeld(),
      fromUs: 0,
      elsewhereAt: this.o.now(),
      extent: -1,
    };
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
   * The peer told us which pieces it has (a have, a bitfield, have all), or we unchoked it: revealed
   * pieces it got elsewhere need not come from us. Returns pieces to announce next; while we choke it
   * (before super seeding) only one it lacks (see revealOneMore), since a piece kept pending for a
   * peer that cannot fetch it would be withheld from those that can.
   */
  peerUpdated(peer: RevealPeer): number[] {
    const state = this.peers.get(peer.id);
    if (!state) return [];
    const held = peer.piecesHeld();
    // More pieces than we served it since: some came from elsewhere.
    if (held - state.held > state.fromUs) state.elsewhereAt = this.o.now();
    state.held = held;
    state.fromUs = 0;
    for (const i of state.pending) {
      if (!peer.hasPiece(i)) continue;
      state.pending.delete(i);
      this.reveals[i] = this.reveals[i]! - 1;
    }
    return peer.amChoking && !this.sparing ? this.revealOneMore(peer, state) : this.revealMore(peer);
  }

  /**
   * A choked peer that holds every piece revealed to it is shown one more (not pending, as at the
   * greeting), so that it can be interested and so be unchoked.
   */
  private revealOneMore(peer: RevealPeer, state: PeerReveal): number[] {
    if (!this.active) return [];
    for (const i of state.revealed) if (!peer.hasPiece(i)) return [];
    const next = this.leastSpread(peer, state);
    if (next === undefined) return [];
    state.revealed.add(next);
    return [next];
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
    if (total < this.o.pieceSize(index)) {
      state.served.set(index, total);
      return { next: [] };
    }
    state.served.delete(index);
    state.fromUs++;
    if (this.uploads[index] === 0) this.neverUploaded--;
    this.uploads[index] = this.uploads[index]! + 1;
    if (state.pending.delete(index)) this.reveals[index] = this.reveals[index]! - 1;
    if (this.neverUploaded === 0 && !this.o.superSeeding) return { next: [], finished: this.finish() };
    this.sparing = this.neverUploaded === 0;
    return { next: this.revealMore(peer) };
  }

  /** Every second or so, while super seeding: pieces to reveal to peers that get nothing elsewhere. */
  tick(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    if (!this.sparing) return out;
    for (const [id, state] of this.peers) {
      const next = this.revealMore(state.peer);
      if (next.length > 0) out.set(id, next);
    }
    return out;
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
    // Super seeding keeps few ahead: what a peer was told of, it fetches from us, even once others have it.
    const ahead = this.o.superSeeding ? this.minAhead : Math.max(this.minAhead, Math.ceil((peer.uploadRate() * AHEAD_SECONDS) / this.o.pieceLength));
    const out: number[] = [];
    const score = this.sparing ? this.heldScore(state) : this.spreadScore;
    while (state.pending.size < ahead) {
      const next = this.lowest(peer, state, score);
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
    return this.lowest(peer, state, this.spreadScore);
  }

  private readonly spreadScore = (i: number): number => this.uploads[i]! * 65536 + this.reveals[i]!;

  /**
   * Super seeding's score for the peer: how many other leechers of ours hold a piece or were revealed
   * it (seeds serve by their own rules); a piece another holds is no candidate unless the peer is starved.
   */
  private heldScore(state: PeerReveal): (index: number) => number | undefined {
    const others = [...this.peers.values()].filter((o) => o !== state && o.peer.piecesHeld() < this.pieceCount).map((o) => o.peer);
    const starved = this.o.now() - state.elsewhereAt >= STARVED_MS;
    return (i) => {
      let score = this.reveals[i]!;
      for (const o of others) if (o.hasPiece(i)) score++;
      return score > 0 && !starved ? undefined : score;
    };
  }

  /**
   * The piece the peer lacks and was not shown of the lowest score (undefined: not a candidate); of
   * equal scores, one in the extent of the last piece revealed to it, else the first from a random
   * start. The pieces a peer fetches from us then come an extent at a time, and a tab seeding from
   * its files reads each extent once (see EXTENT_BYTES) instead of once per piece.
   */
  private lowest(peer: RevealPeer, state: PeerReveal, scoreOf: (index: number) => number | undefined): number | undefined {
    let best: number | undefined;
    let bestKey = Infinity;
    const start = Math.floor(this.o.random() * this.pieceCount);
    for (let k = 0; k < this.pieceCount; k++) {
      const i = (start + k) % this.pieceCount;
      if (state.revealed.has(i) || peer.hasPiece(i)) continue;
      const score = scoreOf(i);
      if (score === undefined) continue;
      const key = score * 2 + (Math.floor(i / this.extentSize) === state.extent ? 0 : 1);
      if (key >= bestKey) continue;
      bestKey = key;
      best = i;
      if (key === 0) break;
    }
    if (best !== undefined) state.extent = Math.floor(best / this.extentSize);
    return best;
  }
}
