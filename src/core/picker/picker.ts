/**
 * The piece picker: which blocks to request from which peer. See NOTES.md for the ordering rules
 * and the block states. Pure bookkeeping, no I/O and no clock: the caller reports what happens on
 * the wire (requests sent, blocks received, rejects, cancels, timeouts, peers leaving, hash results).
 */
import { PieceDownload, MISSING, RECEIVED, REQUESTED } from './download.js';
import { geometryOf, toPieceSet } from './layout.js';
import { BLOCK_SIZE, extentPieces } from '../geometry.js';
import { BestPieces } from './select.js';
import { shuffle } from '../random.js';
import { PickerState } from './state.js';
import {
  MAX_PRIORITY,
  type BlockReceipt,
  type BlockRequest,
  type BlockState,
  type FailOptions,
  type PeerRequest,
  type PickerOptions,
  type PickerPeer,
  type PieceState,
} from './types.js';

export class PiecePicker<P = string> extends PickerState<P> {
  private readonly random: () => number;
  /** A random permutation of the piece indexes, for tie-breaking. */
  private readonly shuffle: Uint32Array;
  /** Pieces per extent (see EXTENT_BYTES), and the extent of the last untouched piece started (-1: none). */
  private readonly extentSize: number;
  private extent = -1;
  private readonly maxDuplicates: number;

  constructor(options: PickerOptions) {
    super(options.geometry ?? geometryOf(options), options.budget);
    this.random = options.random ?? Math.random;
    this.shuffle = shuffled(this.geometry.pieceCount, this.random);
    this.extentSize = extentPieces(this.geometry.pieceLength);
    const dup = options.maxDuplicates ?? 2;
    if (!Number.isSafeInteger(dup) || dup < 0) throw new RangeError(`maxDuplicates ${dup} is not a non-negative integer`);
    this.maxDuplicates = dup;
    if (options.have !== undefined) {
      const have = toPieceSet(options.have);
      for (let i = 0; i < this.geometry.pieceCount; i++) if (have.has(i)) this.pieceVerified(i);
    }
  }

  /**
   * Up to `count` blocks to request from `peer`, marked requested by it. In order: (1) partial
   * pieces it is working on or nobody is; (2) critical pieces, in order; (3) untouched pieces,
   * highest priority then rarest first, ties at random (a piece another peer is filling comes after
   * the untouched pieces of its priority; a piece the peer suggested counts as rarer than any);
   * (4) in endgame, blocks already requested from others.
   */
  pickBlocks(peer: PickerPeer<P>, count: number): BlockRequest[] {
    const out: BlockRequest[] = [];
    const limit = Math.floor(count);
    if (!(limit > 0)) return out;
    this.memoryShort = false;
    const id = peer.id;
    const fast = peer.allowedFast;
    const can = (i: number): boolean => this.prio[i]! > 0 && this.haveBits[i] === 0 && peer.has(i) && (peer.choked !== true || fast?.has(i) === true);
    // An exclusive piece admits a peer only while no other peer has requests in it.
    const solo = (i: number): boolean => {
      const active = this.exclusive.size > 0 && this.exclusive.has(i) ? this.downloads.get(i)?.active : undefined;
      return active === undefined || active.size === 0 || (active.size === 1 && active.has(id));
    };

    // (1) Critical pieces (streaming), strictly in the given order; several peers may share one. A
    // reader waits for them: they go before the partial pieces below, which a preemption (see
    // Requester.preemptForCritical) leaves with blocks to ask for again.
    for (const i of this.criticalList) if (can(i) && solo(i) && this.take(i, id, limit, out)) return out;

    // (2) Partial pieces this peer is filling, or that nobody is (finish what was started).
    const partial: number[] = [];
    for (const [i, d] of this.downloads) {
      if (d.missing === 0 || !can(i)) continue;
      if (d.active.has(id) || d.active.size === 0) partial.push(i);
    }
    partial.sort((a, b) => this.prio[b]! - this.prio[a]! || this.missingOf(a) - this.missingOf(b) || a - b);
    for (const i of partial) if (this.take(i, id, limit, out)) return out;

    // (3) Highest priority, then untouched before shared, then rarest first. Ties go first to a
    // piece of the extent we last started a piece in, so that what we ask a peer for lies together in
    // its files (see EXTENT_BYTES), then to the lowest `tie`: the piece's place in a fixed random
    // permutation, rotated by a fresh random offset on every call, so one draw per call breaks ties
    // differently each time.
    const n = this.geometry.pieceCount;
    const suggested = peer.suggested;
    const best = new BestPieces(limit - out.length);
    const offset = Math.floor(this.random() * n);
    for (let i = 0; i < n; i++) {
      if (!can(i) || !solo(i)) continue;
      const d = this.started[i] === 1 ? this.downloads.get(i) : undefined;
      if (d !== undefined && d.missing === 0) continue;
      if (d === undefined && !this.canStart(i)) continue;
      const rank = (MAX_PRIORITY - this.prio[i]!) * 2 + (d === undefined ? 0 : 1);
      const tie = (Math.floor(i / this.extentSize) === this.extent ? 0 : n) + ((this.shuffle[i]! + offset) % n);
      best.offer(i, rank, suggested?.has(i) === true ? 0 : this.avail[i]!, tie, d === undefined ? this.geometry.blockCount(i) : d.missing);
    }
    for (const c of best.result()) {
      if (this.started[c.index] !== 1) this.extent = Math.floor(c.index / this.extentSize);
      if (this.take(c.index, id, limit, out)) return out;
    }

    // (4) Endgame: nothing wanted is missing any more; duplicate outstanding requests.
    if (this.wantedMissing === 0) this.endgame(id, can, limit, out);
    return out;
  }

  /**
   * Whether a block arriving with this (index, begin, length) is worth keeping: a real block of a
   * piece we lack that is not yet received. Store the data only if true, then call `blockReceived`.
   */
  wantsBlock(index: number, begin: number, length: number): boolean {
    const b = this.geometry.blockAt(index, begin, length);
    if (b < 0 || this.haveBits[index] === 1) return false;
    const d = this.downloads.get(index);
    return d === undefined || d.state[b] !== RECEIVED;
  }

  /**
   * A block arrived from `peer` (requested or not; the caller checks its length, see `wantsBlock`).
   * Reports the OTHER peers it was requested from (send them cancels), whether it is a duplicate
   * to drop, and whether it completed its piece.
   */
  blockReceived(peer: P, index: number, begin: number): BlockReceipt<P> {
    const b = this.geometry.blockAt(index, begin);
    if (b < 0 || this.haveBits[index] === 1) return { cancel: [], duplicate: true, pieceComplete: false };
    const d = this.download(index);
    if (d === undefined) return { cancel: [], duplicate: true, pieceComplete: false };
    const r = d.receive(b, peer);
    if (r === undefined) return { cancel: [], duplicate: true, pieceComplete: false };
    if (r.wasMissing && this.prio[index]! > 0) this.wantedMissing--;
    return { cancel: r.cancel, duplicate: false, pieceComplete: d.complete };
  }

  /**
   * `peer` will not deliver this block: we cancelled it, it rejected it (BEP 6), or it timed out.
   * The block goes back to missing unless other peers still hold it. True if the peer had it.
   */
  requestCancelled(peer: P, index: number, begin: number): boolean {
    const b = this.geometry.blockAt(index, begin);
    const d = b < 0 ? undefined : this.downloads.get(index);
    if (d === undefined) return false;
    const r = d.release(b, peer);
    if (r === 'missing' && this.prio[index]! > 0) this.wantedMissing++;
    if (d.idle) this.dropDownload(index);
    return r !== 'none';
  }

  /**
   * A received block proved wrong on its own (BitTorrent v2 leaf hashes): back to missing, to be
   * fetched again, while the rest of its piece is kept. False when it was not a received block of a
   * piece in progress (or its piece is being verified).
   */
  blockDiscarded(index: number, begin: number): boolean {
    const b = this.geometry.blockAt(index, begin);
    const d = b < 0 ? undefined : this.downloads.get(index);
    if (d === undefined || d.verifying || !d.discard(b)) return false;
    if (this.prio[index]! > 0) this.wantedMissing++;
    return true;
  }

  /** Same as `requestCancelled`, for a BEP 6 reject-request. */
  peerRejected(peer: P, index: number, begin: number): boolean {
    return this.requestCancelled(peer, index, begin);
  }

  /**
   * The peer left, or choked us without the Fast extension (which drops its queue): every request
   * outstanding at it is released. Returns those requests. Availability is separate:
   * call `removeAvailability` with its bitfield (or `null` for a seed) when it disconnects.
   */
  peerGone(peer: P): BlockRequest[] {
    const released: BlockRequest[] = [];
    for (const [i, d] of [...this.downloads]) {
      for (const b of d.blocksRequestedBy(peer)) {
        if (d.release(b, peer) === 'missing' && this.prio[i]! > 0) this.wantedMissing++;
        released.push(this.blockRequest(i, b));
      }
      if (d.idle) this.dropDownload(i);
    }
    return released;
  }

  /** Requests outstanding at `peer`, by piece and offset. */
  requestsOf(peer: P): BlockRequest[] {
    const out: BlockRequest[] = [];
    const pieces = [...this.downloads.keys()].sort((a, b) => a - b);
    for (const i of pieces) for (const b of this.downloads.get(i)!.blocksRequestedBy(peer)) out.push(this.blockRequest(i, b));
    return out;
  }

  /** The peers a block is requested from (several only in endgame). */
  requesters(index: number, begin: number): readonly P[] {
    const b = this.geometry.blockAt(index, begin);
    return b < 0 ? [] : (this.downloads.get(index)?.requestersOf(b) ?? []);
  }

  /** Per block of the piece, the peer whose copy we kept (undefined where none yet): for blame. */
  blockSenders(index: number): (P | undefined)[] {
    this.geometry.checkPiece(index);
    const d = this.downloads.get(index);
    const out: (P | undefined)[] = [];
    for (let b = 0; b < this.geometry.blockCount(index); b++) out.push(d?.senderOf(b));
    return out;
  }

  /** The caller started hashing a complete piece (informational: complete pieces are never picked). */
  pieceVerifying(index: number): void {
    const d = this.downloads.get(index);
    if (d === undefined || !d.complete) throw new Error(`piece ${index} is not complete`);
    d.verifying = true;
  }

  /**
   * The piece passed its hash check (or was already on disk). Returns requests still outstanding
   * for it (only if it was not complete, e.g. it came from elsewhere): cancel them.
   */
  pieceVerified(index: number): PeerRequest<P>[] {
    this.geometry.checkPiece(index);
    const outstanding: PeerRequest<P>[] = [];
    if (this.haveBits[index] === 1) return outstanding;
    const d = this.downloads.get(index);
    if (d !== undefined) {
      for (let b = 0; b < d.blocks; b++) {
        for (const peer of d.requestersOf(b)) outstanding.push({ peer, ...this.blockRequest(index, b) });
      }
    }
    if (this.prio[index]! > 0) {
      this.wantedMissing -= this.missingOf(index);
      this.wantedLeft--;
      this.wantedVerifiedBytes += this.geometry.pieceSize(index);
    }
    this.dropDownload(index);
    this.exclusive.delete(index);
    this.haveBits[index] = 1;
    this.haveBytes[index >>> 3]! |= 0x80 >>> (index & 7);
    this.haveCountValue++;
    return outstanding;
  }

  /**
   * The piece failed its hash check: every block back to missing, pickable again. Returns the
   * distinct peers that sent its blocks (read `blockSenders` first for the per-block detail).
   * Meant for complete pieces; on a partial one, outstanding requests are forgotten as well.
   * With `exclusive`, the refetch goes to one peer at a time (see `FailOptions`).
   */
  pieceFailed(index: number, options: FailOptions = {}): P[] {
    this.geometry.checkPiece(index);
    if (options.exclusive === true) this.exclusive.add(index);
    else this.exclusive.delete(index);
    const d = this.downloads.get(index);
    if (d === undefined) return [];
    const senders = new Set<P>();
    for (let b = 0; b < d.blocks; b++) {
      const s = d.senderOf(b);
      if (s !== undefined) senders.add(s);
    }
    const back = d.reset();
    if (this.prio[index]! > 0) this.wantedMissing += back;
    this.dropDownload(index);
    return [...senders];
  }

  /**
   * Gives up a partial piece that nobody is fetching (no request outstanding): its received blocks
   * go back to missing and its memory is released. For a piece no connected peer has any more, so
   * that blocks from peers that left do not hold memory. False (nothing changed) otherwise.
   */
  abandon(index: number): boolean {
    this.geometry.checkPiece(index);
    const d = this.downloads.get(index);
    if (d === undefined || d.requested > 0 || d.complete) return false;
    const back = d.reset();
    if (this.prio[index]! > 0) this.wantedMissing += back;
    this.dropDownload(index);
    return true;
  }

  pieceState(index: number): PieceState {
    this.geometry.checkPiece(index);
    if (this.haveBits[index] === 1) return 'verified';
    const d = this.downloads.get(index);
    if (d === undefined) return 'none';
    if (!d.complete) return 'partial';
    return d.verifying ? 'verifying' : 'complete';
  }

  blockState(index: number, begin: number): BlockState {
    const b = this.geometry.blockAt(index, begin);
    if (b < 0) throw new RangeError(`no block at piece ${index} offset ${begin}`);
    if (this.haveBits[index] === 1) return 'received';
    const s = this.downloads.get(index)?.state[b] ?? MISSING;
    return s === MISSING ? 'missing' : s === REQUESTED ? 'requested' : 'received';
  }

  /** Whether memory for piece `index` could be reserved now (noting it when it could not). */
  private canStart(index: number): boolean {
    if (this.budget === undefined || this.budget.available() >= this.geometry.pieceSize(index)) return true;
    this.memoryShort = true;
    return false;
  }

  /** The piece's download record, started (its memory reserved) if need be; undefined when the budget is short. */
  private download(index: number): PieceDownload<P> | undefined {
    let d = this.downloads.get(index);
    if (d === undefined) {
      if (this.budget !== undefined && !this.budget.tryReserve(this.geometry.pieceSize(index))) {
        this.memoryShort = true;
        return undefined;
      }
      d = new PieceDownload<P>(this.geometry.blockCount(index));
      this.downloads.set(index, d);
      this.started[index] = 1;
    }
    return d;
  }

  private blockRequest(index: number, block: number): BlockRequest {
    const bs = BLOCK_SIZE;
    return { index, begin: block * bs, length: this.geometry.blockLength(index, block) };
  }

  /** Requests the piece's missing blocks in order until `out` holds `limit`. True when full. */
  private take(index: number, peer: P, limit: number, out: BlockRequest[]): boolean {
    const d = this.download(index);
    if (d === undefined) return false;
    for (let b = 0; b < d.blocks && out.length < limit; b++) {
      if (d.state[b] !== MISSING) continue;
      d.request(b, peer);
      this.wantedMissing--; // only wanted pieces are picked
      out.push(this.blockRequest(index, b));
    }
    if (d.idle) this.dropDownload(index);
    return out.length >= limit;
  }

  private endgame(peer: P, can: (i: number) => boolean, limit: number, out: BlockRequest[]): void {
    const dupes: { index: number; block: number; holders: number }[] = [];
    for (const [index, d] of this.downloads) {
      if (d.requested === 0 || this.exclusive.has(index) || !can(index)) continue;
      for (let block = 0; block < d.blocks; block++) {
        if (d.state[block] !== REQUESTED) continue;
        const holders = d.requestersOf(block);
        if (holders.length > this.maxDuplicates || holders.includes(peer)) continue;
        dupes.push({ index, block, holders: holders.length });
      }
    }
    const rank = (i: number): number => {
      const c = this.criticalList.indexOf(i);
      return c < 0 ? this.criticalList.length : c;
    };
    dupes.sort((a, b) => a.holders - b.holders || rank(a.index) - rank(b.index) || a.index - b.index || a.block - b.block);
    for (const x of dupes) {
      if (out.length >= limit) break;
      this.downloads.get(x.index)!.request(x.block, peer);
      out.push(this.blockRequest(x.index, x.block));
    }
  }
}

/** 0..n-1 in random order. */
function shuffled(n: number, random: () => number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return shuffle(a, random);
}
