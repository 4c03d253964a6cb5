/**
 * Block geometry of a torrent as the picker sees it (pieces of `pieceLength` bytes, the last one
 * possibly short, each cut into blocks of `blockSize` bytes, the last block possibly short), and the
 * small bitfield helpers the picker's API accepts. Self-contained on purpose: the picker depends on
 * no other core module.
 */

/** The block size every client requests (BEP 3 convention; larger requests are refused). */
export const DEFAULT_BLOCK_SIZE = 16384;

/** Anything that can say whether a piece is in it: a peer's bitfield object, a set view, ... */
export interface PieceSet {
  has(index: number): boolean;
}

/** A `PieceSet`, a predicate, or a wire-format bitfield (BEP 3: piece 0 is the high bit of byte 0). */
export type Pieces = PieceSet | ((index: number) => boolean) | Uint8Array;

/** Bit `index` of a wire-format bitfield; false past its end. */
export function bitfieldHas(bits: Uint8Array, index: number): boolean {
  const byte = bits[index >>> 3];
  return byte !== undefined && (byte & (0x80 >>> (index & 7))) !== 0;
}

/** A `PieceSet` view over a wire-format bitfield (no copy). */
export function bitfieldSet(bits: Uint8Array): PieceSet {
  return { has: (index) => bitfieldHas(bits, index) };
}

/** A `PieceSet` holding exactly the listed pieces. */
export function pieceSetOf(indexes: Iterable<number>): PieceSet {
  const set = new Set(indexes);
  return { has: (index) => set.has(index) };
}

export function toPieceSet(pieces: Pieces): PieceSet {
  if (pieces instanceof Uint8Array) return bitfieldSet(pieces);
  return typeof pieces === 'function' ? { has: pieces } : pieces;
}

export interface LayoutOptions {
  readonly pieceCount: number;
  readonly pieceLength: number;
  readonly totalLength: number;
  /** Default 16384. */
  readonly blockSize?: number;
}

function positive(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name} ${n} is not a positive safe integer`);
  return n;
}

export class PieceLayout {
  readonly pieceCount: number;
  readonly pieceLength: number;
  readonly totalLength: number;
  readonly blockSize: number;
  readonly lastPieceSize: number;

  constructor(options: LayoutOptions) {
    this.pieceCount = positive('pieceCount', options.pieceCount);
    this.pieceLength = positive('pieceLength', options.pieceLength);
    this.totalLength = positive('totalLength', options.totalLength);
    this.blockSize = positive('blockSize', options.blockSize ?? DEFAULT_BLOCK_SIZE);
    const expected = Math.ceil(this.totalLength / this.pieceLength);
    if (expected !== this.pieceCount) {
      throw new RangeError(
        `pieceCount ${this.pieceCount} does not match ${this.totalLength} bytes in pieces of ${this.pieceLength} (expected ${expected})`,
      );
    }
    this.lastPieceSize = this.totalLength - (this.pieceCount - 1) * this.pieceLength;
  }

  isPiece(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.pieceCount;
  }

  checkPiece(index: number): void {
    if (!this.isPiece(index)) throw new RangeError(`piece ${index} is out of range (${this.pieceCount} pieces)`);
  }

  /** Bytes in piece `index`: pieceLength, except possibly the last piece. */
  pieceSize(index: number): number {
    return index === this.pieceCount - 1 ? this.lastPieceSize : this.pieceLength;
  }

  blockCount(index: number): number {
    return Math.ceil(this.pieceSize(index) / this.blockSize);
  }

  /** Bytes in block `block` of piece `index`: blockSize, except possibly the piece's last block. */
  blockLength(index: number, block: number): number {
    return Math.min(this.blockSize, this.pieceSize(index) - block * this.blockSize);
  }

  /**
   * The block number that starts at byte `begin` of piece `index`, or -1 when (index, begin) names
   * no block (bad index, unaligned or out of range) or, if `length` is given, the length is not that
   * block's exact length. Safe on untrusted input from the wire.
   */
  blockAt(index: number, begin: number, length?: number): number {
    if (!this.isPiece(index) || !Number.isSafeInteger(begin) || begin < 0) return -1;
    if (begin % this.blockSize !== 0 || begin >= this.pieceSize(index)) return -1;
    const block = begin / this.blockSize;
    if (length !== undefined && length !== this.blockLength(index, block)) return -1;
    return block;
  }
}
