/**
 * The picker's bookkeeping apart from picking: what we have, what we want (priorities and the
 * critical list), how many peers have each piece, and the running counts that make `isComplete`,
 * the endgame test and the byte counts of `progressBytes` O(1) (the app reads progress every second,
 * and the client on every verified piece: a scan of every piece each time adds up with many pieces).
 */
import { RECEIVED, type PieceDownload } from './download.js';
import { toPieceSet, type Pieces } from './layout.js';
import type { PieceGeometry } from '../geometry.js';
import { BitField } from '../wire/bitfield.js';
import { MAX_PRIORITY, PRIORITY, type PieceBudget, type Progress } from './types.js';

export class PickerState<P> {
  /** 1 where the piece is verified. */
  protected readonly haveBits: Uint8Array;
  /** The same in the wire layout (a bit per piece), so that `firstInteresting` skips 8 pieces at a time. */
  protected readonly haveBytes: Uint8Array;
  protected readonly prio: Uint8Array;
  /** Peers that announced each piece; seeds (`addAvailability(null)`) are counted in `seeds`. */
  protected readonly avail: Uint32Array;
  protected seeds = 0;
  /** Pieces with some block requested or received, or complete and awaiting their hash check. */
  protected readonly downloads = new Map<number, PieceDownload<P>>();
  /** 1 where `downloads` has the piece: a flat mirror, so the full scan of `pickBlocks` skips the map. */
  protected readonly started: Uint8Array;
  protected criticalList: readonly number[] = [];
  /** Pieces to fetch from one peer at a time (see `FailOptions.exclusive`). */
  protected readonly exclusive = new Set<number>();
  protected haveCountValue = 0;
  /** Memory for pieces in progress: each download holds its piece's size from here. */
  protected readonly budget: PieceBudget | undefined;
  /** The last `pickBlocks` left a piece unstarted for want of memory (see `waitingForMemory`). */
  protected memoryShort = false;
  /** Wanted (priority > 0) pieces not verified. */
  protected wantedLeft: number;
  /** Missing blocks (neither requested nor received) in wanted pieces: 0 means endgame. */
  protected wantedMissing: number;
  /** Bytes of wanted pieces, and of those verified. */
  protected wantedBytes: number;
  protected wantedVerifiedBytes = 0;

  constructor(
    readonly geometry: PieceGeometry,
    budget?: PieceBudget,
  ) {
    this.budget = budget;
    const n = geometry.pieceCount;
    this.haveBits = new Uint8Array(n);
    this.haveBytes = new Uint8Array(Math.ceil(n / 8));
    this.prio = new Uint8Array(n).fill(PRIORITY.normal);
    this.avail = new Uint32Array(n);
    this.started = new Uint8Array(n);
    this.wantedLeft = n;
    this.wantedMissing = (n - 1) * geometry.blockCount(0) + geometry.blockCount(n - 1);
    this.wantedBytes = geometry.length;
  }

  get pieceCount(): number {
    return this.geometry.pieceCount;
  }

  /** Verified pieces. */
  get haveCount(): number {
    return this.haveCountValue;
  }

  /** We have piece `index` (verified). False out of range. */
  have(index: number): boolean {
    return this.haveBits[index] === 1;
  }

  /** Our pieces as a wire-format bitfield (for the `bitfield` message). */
  bitfield(): Uint8Array {
    const bits = new Uint8Array(Math.ceil(this.geometry.pieceCount / 8));
    for (let i = 0; i < this.geometry.pieceCount; i++) if (this.haveBits[i] === 1) bits[i >>> 3]! |= 0x80 >>> (i & 7);
    return bits;
  }

  /** Every selected (priority > 0) piece is verified. */
  isComplete(): boolean {
    return this.wantedLeft === 0;
  }

  /** We have every piece, selected or not. */
  isSeed(): boolean {
    return this.haveCountValue === this.geometry.pieceCount;
  }

  /** Every wanted block is received or requested, yet not everything wanted is verified. */
  inEndgame(): boolean {
    return this.wantedMissing === 0 && this.wantedLeft > 0;
  }

  /** Bytes of selected pieces not yet verified (the tracker's `left`, for the selection). */
  wantedRemaining(): number {
    return this.wantedBytes - this.wantedVerifiedBytes;
  }

  /** Fraction (0..1) of the selected pieces' bytes we have verified; 1 when nothing is selected. */
  progress(): number {
    const p = this.progressBytes();
    return p.wanted === 0 ? 1 : p.verified / p.wanted;
  }

  progressBytes(): Progress {
    let received = 0;
    for (const [i, d] of this.downloads) {
      if (this.prio[i] === 0) continue;
      for (let b = 0; b < d.blocks; b++) if (d.state[b] === RECEIVED) received += this.geometry.blockLength(i, b);
    }
    return { wanted: this.wantedBytes, verified: this.wantedVerifiedBytes, received: this.wantedVerifiedBytes + received };
  }

  /** Pieces under way: some block requested or received, or complete and awaiting their hash check. */
  activePieces(): IterableIterator<number> {
    return this.downloads.keys();
  }

  /** We want this piece and are not already hashing it (O(1): re-check interest on a `have`). */
  wants(index: number): boolean {
    return this.prio[index]! > 0 && this.haveBits[index] === 0 && (this.started[index] === 0 || this.downloads.get(index)?.complete !== true);
  }

  /** The peer has a piece we want and are not already hashing: we should be interested. */
  interesting(peer: Pieces): boolean {
    return this.firstInteresting(peer) >= 0;
  }

  /**
   * A piece the peer has that we want (see `interesting`), looking from `from` on and round from
   * the first piece; -1 when none. Starting where the last one was found keeps re-checks short.
   */
  firstInteresting(peer: Pieces, from = 0): number {
    if (this.wantedLeft === 0) return -1;
    const n = this.geometry.pieceCount;
    let i = from >= 0 && from < n ? from : 0;
    if (peer instanceof BitField && peer.size === n) return this.firstInBits(peer, i);
    const set = toPieceSet(peer);
    for (let k = 0; k < n; k++) {
      if (this.wants(i) && set.has(i)) return i;
      if (++i === n) i = 0;
    }
    return -1;
  }

  /** `firstInteresting` for a bitfield: a byte at a time, skipping the pieces it lacks or we have. */
  private firstInBits(bits: BitField, from: number): number {
    const bytes = this.haveBytes.length;
    const start = from >>> 3;
    // The first byte twice: its pieces from `from` on first, those before it last.
    for (let k = 0; k <= bytes; k++) {
      const j = (start + k) % bytes;
      const candidates = bits.byteAt(j) & ~this.haveBytes[j]!;
      if (candidates === 0) continue;
      for (let b = 0; b < 8; b++) {
        const i = j * 8 + b;
        if ((candidates & (0x80 >>> b)) === 0 || (k === 0 && i < from)) continue;
        if (k === bytes && i >= from) return -1;
        if (this.wants(i)) return i;
      }
    }
    return -1;
  }

  // --- priorities ---

  priority(index: number): number {
    this.geometry.checkPiece(index);
    return this.prio[index]!;
  }

  /** 0 skips the piece; `PRIORITY.normal` is the default; higher is fetched earlier. */
  setPriority(index: number, priority: number): void {
    this.geometry.checkPiece(index);
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new RangeError(`priority ${priority} is not an integer in 0..${MAX_PRIORITY}`);
    }
    const was = this.prio[index]! > 0;
    this.prio[index] = priority;
    if (was === priority > 0) return;
    const sign = was ? -1 : 1;
    const size = this.geometry.pieceSize(index);
    this.wantedBytes += sign * size;
    if (this.haveBits[index] === 1) {
      this.wantedVerifiedBytes += sign * size;
      return;
    }
    this.wantedLeft += sign;
    this.wantedMissing += sign * this.missingOf(index);
  }

  /**
   * File selection: each file as its inclusive piece range and priority. A piece shared by two
   * files gets the higher of their priorities; pieces no range covers keep theirs.
   */
  setFilePriorities(files: readonly { readonly first: number; readonly last: number; readonly priority: number }[]): void {
    const next = new Int8Array(this.geometry.pieceCount).fill(-1);
    for (const f of files) {
      this.geometry.checkPiece(f.first);
      this.geometry.checkPiece(f.last);
      for (let i = f.first; i <= f.last; i++) next[i] = Math.max(next[i]!, f.priority);
    }
    for (let i = 0; i < next.length; i++) if (next[i]! >= 0) this.setPriority(i, next[i]!);
  }

  /** Critical pieces (streaming): fetched before all others but partial ones, strictly in this order. */
  setCritical(pieces: readonly number[]): void {
    for (const i of pieces) this.geometry.checkPiece(i);
    this.criticalList = [...pieces];
  }

  get critical(): readonly number[] {
    return this.criticalList;
  }

  // --- availability ---

  /** Peers known to have the piece (seeds included). */
  availability(index: number): number {
    this.geometry.checkPiece(index);
    return this.avail[index]! + this.seeds;
  }

  /**
   * A peer's pieces became known (bitfield). `null`: it has every piece (have_all), counted as
   * a seed in O(1); take it back with `removeAvailability(null)`.
   */
  addAvailability(pieces: Pieces | null): void {
    if (pieces === null) {
      this.seeds++;
      return;
    }
    const set = toPieceSet(pieces);
    for (let i = 0; i < this.geometry.pieceCount; i++) if (set.has(i)) this.avail[i]!++;
  }

  /** A peer with these pieces went away (`null`: a seed added with `addAvailability(null)`). */
  removeAvailability(pieces: Pieces | null): void {
    if (pieces === null) {
      if (this.seeds > 0) this.seeds--;
      return;
    }
    const set = toPieceSet(pieces);
    for (let i = 0; i < this.geometry.pieceCount; i++) if (set.has(i) && this.avail[i]! > 0) this.avail[i]!--;
  }

  /** A peer announced one piece (`have`). */
  incrementAvailability(index: number): void {
    this.geometry.checkPiece(index);
    this.avail[index]!++;
  }

  protected dropDownload(index: number): void {
    if (!this.downloads.delete(index)) return;
    this.started[index] = 0;
    this.budget?.release(this.geometry.pieceSize(index));
  }

  /**
   * The last pick left out a piece it could have started because the budget was short: ask again
   * once memory may have been released (another torrent of the client verified a piece).
   */
  get waitingForMemory(): boolean {
    return this.memoryShort;
  }

  /** Blocks of the piece that are neither requested nor received. */
  protected missingOf(index: number): number {
    if (this.haveBits[index] === 1) return 0;
    return this.downloads.get(index)?.missing ?? this.geometry.blockCount(index);
  }
}
