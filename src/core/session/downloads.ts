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
import { V2Blocks, type PieceCheck } from './v2-blocks.js';
import type { HashMessage } from './peer.js';
import { PiecePicker } from '../picker/index.js';
import { MAX_BLOCK } from '../wire/index.js';
import { BLOCK_SIZE, PieceGeometry } from '../geometry.js';
import type { Metainfo } from '../metainfo.js';
import { bytesEqual } from '../bytes.js';
import { sha256 } from '../sha256.js';

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
  /** v2: the block at `begin` of piece `index` (in progress) proved right: a stream may read it (`verifiedBlock`). */
  blockVerified?(index: number, begin: number): void;
  /** A piece hashed right and is being stored: a stream may read it now (`verifiedPiece`). */
  pieceHashed?(index: number): void;
  /** The hasher or the store failed: the torrent cannot go on. */
  fail(error: Error): void;
  warn(message: string): void;
}

export interface DownloadOptions {
  hasher: Hasher;
  /** SHA-256, for BitTorrent v2's Merkle trees (default: sha256.ts's). */
  sha256?: Hasher;
  /** For v2's hash requests' time-outs. */
  clock?: { now(): number };
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
  /** BitTorrent v2 (v2-only and hybrid torrents): Merkle trees, block checks, hash messages. */
  readonly v2: V2Blocks | undefined;

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
    const v2 = (this.v2 =
      info.version === 'v1'
        ? undefined
        : new V2Blocks(info, o.sha256 ?? sha256, {
            hash: o.sha256 ?? sha256,
            now: () => o.clock?.now() ?? 0,
            readPiece: (i) => o.store.get(i),
            have: (i) => this.picker.have(i),
            ban: (peer, reason) => o.host.ban(peer, reason),
            drop: (peer, reason) => o.host.drop(peer, reason),
            leavesArrived: (i) => void this.checkHeldBlocks(i),
            layerArrived: () => {
              for (const i of this.picker.activePieces()) for (const p of o.host.peers()) if (p.v2 && p.hasPiece(i)) v2!.exchange.fetchLeaves(p, i);
            },
          }));
    this.verifier = new PieceVerifier({
      hasher: o.hasher,
      store: o.store,
      budget: o.budget,
      pieceSize: (i) => geometry.pieceSize(i),
      pieceHash: (i) => info.pieces[i]!,
      hashed: (i) => o.host.pieceHashed?.(i),
      ...(v2 ? { check: (i, data) => this.checkPiece(v2, i, data) } : {}),
    });
  }

  /** v2: the tree decides; a hybrid's SHA-1 must match as well (its v2 check waits for no layer). */
  private async checkPiece(v2: V2Blocks, index: number, data: Uint8Array): Promise<PieceCheck> {
    let check = await this.checkOnce(v2, index, data);
    // A piece that failed while its leaves were unknown: with them, the bad blocks are named.
    if (!check.ok && !check.badBlocks && (await v2.awaitLeaves(index, this.o.host.peers()))) check = await this.checkOnce(v2, index, data);
    return check;
  }

  private async checkOnce(v2: V2Blocks, index: number, data: Uint8Array): Promise<PieceCheck> {
    if (this.info.version === 'v2') return v2.checkPiece(index, data);
    const sha1 = bytesEqual(await this.o.hasher(data), this.info.pieces[index]!);
    const tree = await v2.checkNow(index, data);
    return tree === undefined || (tree.ok && !sha1) ? { ok: sha1 } : tree;
  }

  /** A BEP 52 message from a peer (a v1 torrent has no trees: a request is rejected). */
  onHash(peer: Peer, m: HashMessage): void {
    if (this.v2) this.v2.exchange.onMessage(peer, m);
    else peer.refuseHash(m);
  }

  /** What a peer has changed, or the metadata came: piece layers still missing are asked of it. */
  peerHas(peer: Peer): void {
    this.v2?.exchange.fetchLayers(peer);
  }

  peerGone(peer: Peer): void {
    this.v2?.exchange.peerGone(peer);
  }

  tick(peers: Iterable<Peer>): void {
    this.v2?.exchange.tick(peers);
  }

  /** Whether a peer may ask for this range: inside the torrent and no longer than a block. */
  validRequest(index: number, begin: number, length: number): boolean {
    return index < this.geometry.pieceCount && length > 0 && length <= MAX_BLOCK && this.geometry.containsRange(index, begin, length);
  }

  /**
   * A block from `peer`: kept when we asked for it, and its piece verified once complete. With v2
   * leaf hashes known, a block is checked first and its sender banned if it is wrong.
   */
  block(peer: Peer, index: number, begin: number, block: Uint8Array): void {
    const { host } = this.o;
    if (!this.geometry.containsRange(index, begin, block.length)) {
      return host.drop(peer, `sent a block outside the torrent (piece ${index}, offset ${begin}, ${block.length} bytes)`);
    }
    const v2 = this.v2;
    if (!v2?.canCheckBlock(index) || begin % BLOCK_SIZE !== 0) {
      this.keep(peer, index, begin, block);
      return;
    }
    void v2.checkBlock(index, begin / BLOCK_SIZE, block).then((ok) => {
      if (ok !== false) {
        if (this.keep(peer, index, begin, block) && ok) this.blockGood(v2, index, begin / BLOCK_SIZE);
        return;
      }
      this.o.totals.wasted += block.length;
      host.ban(peer, `sent a corrupt block (piece ${index}, offset ${begin})`);
    });
  }

  /** Keeps a block (see `block`); true when it was stored as a new block of its piece. */
  private keep(peer: Peer, index: number, begin: number, block: Uint8Array): boolean {
    const { requester, totals } = this.o;
    if (peer.closed) {
      totals.wasted += block.length;
      return false;
    }
    const arrival = requester.blockArrived(peer, index, begin, block.length);
    if (arrival.kind === 'unasked') {
      totals.wasted += block.length;
      return false;
    }
    peer.downloaded.add(block.length);
    totals.downloaded += block.length;
    if (arrival.kind === 'duplicate') {
      totals.wasted += block.length;
    } else {
      this.verifier.receive(index, begin, block);
      this.v2?.started(peer, index);
      if (arrival.pieceComplete) void this.verify(index);
    }
    requester.fill(peer);
    return arrival.kind === 'new';
  }

  private async verify(index: number): Promise<void> {
    const { picker, o } = this;
    // v2: the piece's leaves are on their way: with them, a bad block is refetched alone.
    if (this.v2?.exchange.leavesAsked(index) && !this.v2.canCheckBlock(index) && (await this.v2.awaitLeaves(index, []))) {
      await this.checkHeldBlocks(index);
      if (picker.pieceState(index) !== 'complete') return;
    }
    picker.pieceVerifying(index);
    const senders = picker.blockSenders(index);
    const v = await this.verifier.verify(index, senders);
    switch (v.kind) {
      case 'skipped':
        return;
      case 'error':
        picker.pieceFailed(index);
        o.host.fail(v.error);
        return;
      case 'failed':
        this.v2?.forgetGood(index);
        o.totals.wasted += v.bytes;
        o.host.warn(`piece ${index} failed its hash check`);
        for (const id of v.culprits) {
          const block = v.badBlocks?.find((b) => senders[b] === id);
          const what = block === undefined ? `corrupt data for piece ${index}` : `a corrupt block (piece ${index}, offset ${block * BLOCK_SIZE})`;
          o.host.ban(o.host.peer(id) ?? id, `sent ${what}`);
        }
        // Fetch the retry from a single peer, so that a second failure names its sender.
        picker.pieceFailed(index, { exclusive: v.suspects.size > 0 });
        o.requester.fillAll();
        return;
      case 'verified':
        picker.pieceVerified(index);
        this.v2?.verified(index);
        for (const id of v.culprits) o.host.ban(o.host.peer(id) ?? id, `sent corrupt data for piece ${index}`);
        o.host.verified(index, v.data);
        return;
    }
  }

  /** A piece's leaf hashes came: the blocks already received are checked, and bad ones fetched again. */
  private async checkHeldBlocks(index: number): Promise<void> {
    const v2 = this.v2!;
    const held = this.verifier.held(index);
    const state = this.picker.pieceState(index);
    if (!held || (state !== 'partial' && state !== 'complete')) return;
    const senders = this.picker.blockSenders(index);
    for (let b = 0; b < senders.length; b++) {
      const sender = senders[b];
      if (sender === undefined) continue;
      const ok = await v2.checkBlock(index, b, held.subarray(b * BLOCK_SIZE, b * BLOCK_SIZE + this.geometry.blockLength(index, b)));
      if (ok === true) this.blockGood(v2, index, b);
      if (ok !== false || !this.picker.blockDiscarded(index, b * BLOCK_SIZE)) continue;
      this.o.totals.wasted += this.geometry.blockLength(index, b);
      this.o.host.ban(this.o.host.peer(sender) ?? sender, `sent a corrupt block (piece ${index}, offset ${b * BLOCK_SIZE})`);
    }
    this.o.requester.fillAll();
  }

  private blockGood(v2: V2Blocks, index: number, b: number): void {
    // A piece being verified (or verified) is read whole.
    if (v2.isGood(index, b) || this.picker.pieceState(index) === 'verifying' || this.picker.have(index)) return;
    v2.blockGood(index, b);
    this.o.host.blockVerified?.(index, b * BLOCK_SIZE);
  }

  /**
   * v2 streaming: the block at `begin` of piece `index` once it proved right on its own (its leaf
   * hash), before the whole piece is in; undefined otherwise (read the verified piece instead).
   */
  verifiedBlock(index: number, begin: number): Uint8Array | undefined {
    const held = this.verifier.held(index);
    const b = begin / BLOCK_SIZE;
    if (!held || !this.v2?.isGood(index, b)) return undefined;
    return held.slice(begin, begin + this.geometry.blockLength(index, b));
  }

  /**
   * Verified bytes holding byte `begin` of piece `index` that the store does not give yet: the whole
   * piece while it is being written (see PieceVerifier.storing), or (v2) its block that proved right.
   */
  verifiedBytes(index: number, begin: number): { data: Uint8Array; at: number; whole: boolean } | undefined {
    const piece = this.verifier.storing(index);
    if (piece) return { data: piece, at: 0, whole: true };
    const at = begin - (begin % BLOCK_SIZE);
    const block = this.verifiedBlock(index, at);
    return block && { data: block, at, whole: false };
  }

  /**
   * Partial pieces that no connected peer has and nobody is fetching are given up, so that blocks
   * from peers that left hold no memory (a peer that has the piece may come later and send it all).
   */
  abandonStranded(): void {
    for (const index of this.verifier.partialPieces()) {
      let offered = false;
      for (const p of this.o.host.peers()) if ((offered = p.hasPiece(index))) break;
      if (!offered && this.picker.abandon(index)) {
        this.verifier.drop(index);
        this.v2?.forgetGood(index);
      }
    }
  }

  /** Lets go of the pieces in progress (the session stopped). */
  close(): void {
    this.verifier.close();
  }
}
