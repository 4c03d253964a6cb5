/**
 * What a session has once the metadata is known: the pieces' geometry, the picker and the verifier,
 * and the path a block takes from the wire to a verified, stored piece — checked against the
 * torrent, matched with our request (requester.ts), assembled and hashed (verifier.ts), and then
 * either announced or blamed. It decides nothing about peers but what their data earned them: the
 * session is told through `DownloadHost` to ban a peer, announce a piece or give up.
 */
import type { Peer } from './peer.js';
import type { Requester } from './requester.js';
import type { Hasher, PieceStore } from './store.js';
import type { MemoryBudget } from './memory.js';
import { PieceVerifier } from './verifier.js';
import { PiecePicker } from '../picker/index.js';
import { MAX_BLOCK } from '../wire/index.js';
import { PieceGeometry } from '../geometry.js';
import type { Metainfo } from '../metainfo.js';

/** Bytes counted by the session: kept as they came, uploaded, thrown away. */
export interface Totals {
  downloaded: number;
  uploaded: number;
  wasted: number;
}

/** What the downloads need of their session. */
export interface DownloadHost {
  peers(): Iterable<Peer>;
  peer(id: string): Peer | undefined;
  /** The peer sent bad data: ban it (by id, when it has left). */
  ban(peer: Peer | string, reason: string): void;
  drop(peer: Peer, reason: string): void;
  /** A piece is verified and stored. */
  verified(index: number, data: Uint8Array): void;
  /** The hasher or the store failed: the torrent cannot go on. */
  fail(error: Error): void;
  warn(message: string): void;
}

export interface DownloadOptions {
  hasher: Hasher;
  store: PieceStore;
  budget: MemoryBudget;
  random: () => number;
  requester: Requester;
  totals: Totals;
  host: DownloadHost;
}

export class Downloads {
  readonly geometry: PieceGeometry;
  readonly picker: PiecePicker;
  private readonly verifier: PieceVerifier;

  constructor(
    readonly info: Metainfo,
    private readonly o: DownloadOptions,
  ) {
    const geometry = (this.geometry = new PieceGeometry(info));
    this.picker = new PiecePicker({
      geometry,
      pieceCount: geometry.pieceCount,
      pieceLength: info.pieceLength,
      totalLength: info.length,
      random: o.random,
      budget: o.budget,
    });
    this.verifier = new PieceVerifier({
      hasher: o.hasher,
      store: o.store,
      budget: o.budget,
      pieceSize: (i) => geometry.pieceSize(i),
      pieceHash: (i) => info.pieces[i]!,
    });
  }

  /** Whether a peer may ask for this range: inside the torrent and no longer than a block. */
  validRequest(index: number, begin: number, length: number): boolean {
    return index < this.geometry.pieceCount && length > 0 && length <= MAX_BLOCK && this.geometry.containsRange(index, begin, length);
  }

  /** A block from `peer`: kept when we asked for it, and its piece verified once complete. */
  block(peer: Peer, index: number, begin: number, block: Uint8Array): void {
    const { requester, totals, host } = this.o;
    if (!this.geometry.containsRange(index, begin, block.length)) {
      return host.drop(peer, `sent a block outside the torrent (piece ${index}, offset ${begin}, ${block.length} bytes)`);
    }
    const arrival = requester.blockArrived(peer, index, begin, block.length);
    if (arrival.kind === 'unasked') {
      totals.wasted += block.length;
      return;
    }
    peer.downloaded.add(block.length);
    totals.downloaded += block.length;
    if (arrival.kind === 'duplicate') {
      totals.wasted += block.length;
    } else {
      this.verifier.receive(index, begin, block);
      if (arrival.pieceComplete) void this.verify(index);
    }
    requester.fill(peer);
  }

  private async verify(index: number): Promise<void> {
    const { picker, o } = this;
    picker.pieceVerifying(index);
    const v = await this.verifier.verify(index, picker.blockSenders(index));
    switch (v.kind) {
      case 'skipped':
        return;
      case 'error':
        picker.pieceFailed(index);
        o.host.fail(v.error);
        return;
      case 'failed':
        o.totals.wasted += v.bytes;
        o.host.warn(`piece ${index} failed its hash check`);
        for (const id of v.culprits) o.host.ban(o.host.peer(id) ?? id, `sent corrupt data for piece ${index}`);
        // Fetch the retry from a single peer, so that a second failure names its sender.
        picker.pieceFailed(index, { exclusive: v.suspects.size > 0 });
        o.requester.fillAll();
        return;
      case 'verified':
        picker.pieceVerified(index);
        for (const id of v.culprits) o.host.ban(o.host.peer(id) ?? id, `sent corrupt data for piece ${index}`);
        o.host.verified(index, v.data);
        return;
    }
  }

  /**
   * Partial pieces that no connected peer has and nobody is fetching are given up, so that blocks
   * from peers that left hold no memory (a peer that has the piece may come later and send it all).
   */
  abandonStranded(): void {
    for (const index of this.verifier.partialPieces()) {
      let offered = false;
      for (const p of this.o.host.peers()) if ((offered = p.hasPiece(index))) break;
      if (!offered && this.picker.abandon(index)) this.verifier.drop(index);
    }
  }

  /** Lets go of the pieces in progress (the session stopped). */
  close(): void {
    this.verifier.close();
  }
}
