/**
 * Initial seeding as peers meet it: the strategy (initial-seeding.ts) says which pieces to reveal to
 * whom; this sends the `have`s, at the moments the session reports (a peer greeted, unchoked,
 * choked, told us what it has, was served a block, asked for pieces with `ts_want`, left).
 * Inactive unless the torrent starts as a seed of more than one piece, and for good once every piece
 * has been uploaded once (then every peer is told about every piece).
 */
import type { Peer } from './peer.js';
import { InitialSeeding } from './initial-seeding.js';
import type { PieceGeometry } from '../geometry.js';
import { decodeWantMessage } from '../wire/index.js';
import { errorMessage } from '../errors.js';

export class SeedingAnnouncer {
  private seeding: InitialSeeding | undefined;

  constructor(
    private readonly peer: (id: string) => Peer | undefined,
    /**
     * Pieces the peer will ask for next, the uploader reads them ahead: those just revealed to a new
     * peer, and those a streaming reader there waits for (its ts_want).
     */
    private readonly revealed: (peer: Peer, pieces: readonly number[]) => void = () => {},
  ) {}

  /** Starts initial seeding (a seed of more than one piece, at start); `superSeeding`: goes on after it (see initial-seeding.ts). */
  begin(geometry: PieceGeometry, o: { random: () => number; now: () => number; superSeeding?: boolean | undefined }): void {
    if (geometry.pieceCount < 2) return;
    this.seeding = new InitialSeeding({ ...o, pieceCount: geometry.pieceCount, pieceSize: (i) => geometry.pieceSize(i), pieceLength: geometry.pieceLength });
  }

  /** Whether pieces are revealed a few at a time now (the handshake then carries no bitfield). */
  get active(): boolean {
    return this.seeding?.active ?? false;
  }

  /** After our handshake: the first piece revealed to the peer. */
  greeted(peer: Peer): void {
    if (this.seeding?.active) this.revealToNewPeer(peer, this.seeding.addPeer(peer));
  }

  /** The peer told us what it has, or we unchoked it: more pieces revealed. */
  updated(peer: Peer): void {
    if (this.seeding?.active) this.revealToNewPeer(peer, this.seeding.peerUpdated(peer));
  }

  /** Before the peer asks for anything (greeted, or told us what it has, or unchoked). */
  private revealToNewPeer(peer: Peer, pieces: readonly number[]): void {
    announce(peer, pieces);
    if (pieces.length > 0 && peer.uploaded.total === 0) this.revealed(peer, pieces);
  }

  /** Every second: super seeding reveals pieces others hold to peers that get nothing elsewhere. */
  tick(): void {
    for (const [id, pieces] of this.seeding?.tick() ?? []) {
      const p = this.peer(id);
      if (p) announce(p, pieces);
    }
  }

  choked(peer: Peer): void {
    this.seeding?.choked(peer.id);
  }

  gone(peer: Peer): void {
    this.seeding?.removePeer(peer.id);
  }

  /**
   * A `ts_want` message: a streaming reader at the peer waits for these pieces, so those of them we
   * have (`have`) are revealed to it next. Returns why the peer should be dropped when the message is malformed.
   */
  wanted(peer: Peer, payload: Uint8Array, have: (index: number) => boolean): string | undefined {
    let pieces: number[];
    try {
      pieces = decodeWantMessage(payload);
    } catch (e) {
      return `bad ${errorMessage(e)}`;
    }
    if (!this.seeding?.active) return undefined;
    const revealed = this.seeding.wanted(peer, pieces.filter(have));
    announce(peer, revealed);
    if (revealed.length > 0) this.revealed(peer, revealed);
    return undefined;
  }

  /** We sent `bytes` of piece `index` to the peer; when that ends initial seeding, every peer hears of every piece. */
  served(peer: Peer, index: number, bytes: number): void {
    if (!this.seeding?.active) return;
    const { next, finished } = this.seeding.served(peer, index, bytes);
    announce(peer, next);
    for (const [id, rest] of finished ?? []) {
      const p = this.peer(id);
      if (p) announce(p, rest);
    }
  }
}

function announce(peer: Peer, pieces: readonly number[]): void {
  for (const index of pieces) peer.send({ type: 'have', index });
}
