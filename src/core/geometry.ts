/**
 * Piece geometry: how a torrent's bytes divide into pieces and 16 KiB blocks, and how
 * pieces map onto files (BEP 3). The torrent's data is the concatenation of its files in
 * order; empty files occupy no bytes and so touch no piece. Padding (BEP 47, and the alignment of
 * v2 files) is a gap between two files: bytes of the pieces that belong to no file (all zeros).
 */
import { TorrentError } from './errors.js';

/** The block size every client requests (BEP 3 convention); we serve requests up to `MAX_BLOCK` (wire/). */
export const BLOCK_SIZE = 16384;

/**
 * Pieces lie together when they fall in one extent: the torrent's bytes cut into runs of this many
 * bytes (whole pieces; one piece when pieces are larger). A tab seeding from the files it was given
 * reads them an extent at a time, so the picker and initial seeding finish the extent they are in
 * before they go to another (libtorrent's piece extent affinity, for its disk cache).
 */
export const EXTENT_BYTES = 1024 * 1024;

/** How many pieces of `pieceLength` make one extent ({@link EXTENT_BYTES}; at least one). */
export function extentPieces(pieceLength: number): number {
  return Math.max(1, Math.floor(EXTENT_BYTES / pieceLength));
}

/** What the geometry needs of a torrent; a parsed `Metainfo` fits as is. */
export interface GeometryInput {
  /** Total bytes of all files. */
  readonly length: number;
  readonly pieceLength: number;
  /**
   * Files in torrent order; `offset` is the file's first byte within the whole torrent. Each starts
   * at or after the end of the one before; a gap between them is padding.
   */
  readonly files: readonly { readonly length: number; readonly offset: number }[];
}

/** Inclusive range of piece indexes. */
export interface PieceRange {
  readonly first: number;
  readonly last: number;
}

/** The part of one piece a byte range touches: [begin, end) within the piece. */
export interface PieceSpan {
  readonly piece: number;
  readonly begin: number;
  readonly end: number;
}

/** The pieces a byte range touches, with the touched part of each, in order. */
export interface RangeMapping extends PieceRange {
  readonly spans: PieceSpan[];
}

/** Part of a piece that lies in one file. */
export interface FileSegment {
  readonly fileIndex: number;
  /** Offset of the segment within the file. */
  readonly fileOffset: number;
  /** Offset of the segment within the piece. */
  readonly pieceOffset: number;
  readonly length: number;
}

/** One block of a piece, as a `request` message names it. */
export interface BlockRef {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export class PieceGeometry {
  readonly length: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** Size of the last piece (equals pieceLength when the total is an exact multiple); 0 when empty. */
  readonly lastPieceSize: number;
  private readonly fileStarts: number[];
  private readonly fileLengths: number[];

  constructor(input: GeometryInput) {
    const { length, pieceLength, files } = input;
    if (!isCount(length)) throw new TorrentError(`Piece geometry: total length ${length} is not a non-negative safe integer`);
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) {
      throw new TorrentError(`Piece geometry: piece length ${pieceLength} is not a positive integer`);
    }
    this.fileStarts = [];
    this.fileLengths = [];
    let end = 0;
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      if (!isCount(f.length)) throw new TorrentError(`Piece geometry: file ${i} has a bad length ${f.length}`);
      if (!isCount(f.offset) || f.offset < end) {
        throw new TorrentError(`Piece geometry: file ${i} starts at ${f.offset}, before the end of the files before it (${end})`);
      }
      this.fileStarts.push(f.offset);
      this.fileLengths.push(f.length);
      end = f.offset + f.length;
    }
    if (end > length) throw new TorrentError(`Piece geometry: the files end at byte ${end}, after the torrent's ${length} bytes`);
    this.length = length;
    this.pieceLength = pieceLength;
    this.pieceCount = Math.ceil(length / pieceLength);
    this.lastPieceSize = this.pieceCount === 0 ? 0 : length - (this.pieceCount - 1) * pieceLength;
  }

  get fileCount(): number {
    return this.fileStarts.length;
  }

  /** Whether `i` names a piece. */
  isPiece(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.pieceCount;
  }

  /** Throws a RangeError unless `i` names a piece. */
  checkPiece(i: number): void {
    if (!this.isPiece(i)) throw new RangeError(`piece ${i} is out of range (the torrent has ${this.pieceCount} pieces)`);
  }

  private checkFile(f: number): void {
    if (!Number.isInteger(f) || f < 0 || f >= this.fileStarts.length) {
      throw new RangeError(`file ${f} is out of range (the torrent has ${this.fileStarts.length} files)`);
    }
  }

  /** Byte offset of piece `i` within the whole torrent. */
  pieceOffset(i: number): number {
    this.checkPiece(i);
    return i * this.pieceLength;
  }

  /** Size of piece `i` in bytes: pieceLength, except possibly the last. */
  pieceSize(i: number): number {
    this.checkPiece(i);
    return i === this.pieceCount - 1 ? this.lastPieceSize : this.pieceLength;
  }

  blockCount(i: number): number {
    return Math.ceil(this.pieceSize(i) / BLOCK_SIZE);
  }

  /** Offset of block `b` within its piece. */
  blockOffset(b: number): number {
    return b * BLOCK_SIZE;
  }

  /** Size of block `b` of piece `i`: BLOCK_SIZE, except possibly the last block of the last piece. */
  blockSize(i: number, b: number): number {
    const size = this.pieceSize(i);
    const count = Math.ceil(size / BLOCK_SIZE);
    if (!Number.isInteger(b) || b < 0 || b >= count) {
      throw new RangeError(`block ${b} is out of range (piece ${i} has ${count} blocks)`);
    }
    return Math.min(BLOCK_SIZE, size - b * BLOCK_SIZE);
  }

  /** Size of block `b` of piece `i`, unchecked: for a block the caller knows is there. */
  blockLength(i: number, b: number): number {
    return Math.min(BLOCK_SIZE, this.pieceSize(i) - b * BLOCK_SIZE);
  }

  /**
   * The block that starts at byte `begin` of piece `index`, or -1 when (index, begin) names no block
   * (bad index, unaligned or out of range) or, if `length` is given, the length is not that block's
   * exact length. Safe on untrusted input from the wire.
   */
  blockAt(index: number, begin: number, length?: number): number {
    if (!this.isPiece(index) || !Number.isSafeInteger(begin) || begin < 0) return -1;
    if (begin % BLOCK_SIZE !== 0 || begin >= this.pieceSize(index)) return -1;
    const block = begin / BLOCK_SIZE;
    if (length !== undefined && length !== this.blockLength(index, block)) return -1;
    return block;
  }

  /** All blocks of piece `i`, in order. */
  blocks(i: number): BlockRef[] {
    const size = this.pieceSize(i);
    const out: BlockRef[] = [];
    for (let begin = 0; begin < size; begin += BLOCK_SIZE) {
      out.push({ index: i, begin, length: Math.min(BLOCK_SIZE, size - begin) });
    }
    return out;
  }

  /** True when [begin, begin+length) is a non-empty range inside piece `index` (for validating peer requests). */
  containsRange(index: number, begin: number, length: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.pieceCount) return false;
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(length) || begin < 0 || length <= 0) return false;
    return begin + length <= this.pieceSize(index);
  }

  /** The piece holding byte `offset` of the torrent. */
  pieceAt(offset: number): number {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.length) {
      throw new RangeError(`offset ${offset} is outside the torrent (${this.length} bytes)`);
    }
    return Math.floor(offset / this.pieceLength);
  }

  /**
   * The pieces the byte range [start, end) of the whole torrent touches, and the touched part
   * of each. Null for an empty range.
   */
  rangePieces(start: number, end: number): RangeMapping | null {
    if (!isCount(start) || !isCount(end) || start > end || end > this.length) {
      throw new RangeError(`range [${start}, ${end}) is not within the torrent (${this.length} bytes)`);
    }
    if (start === end) return null;
    const first = Math.floor(start / this.pieceLength);
    const last = Math.floor((end - 1) / this.pieceLength);
    const spans: PieceSpan[] = [];
    for (let p = first; p <= last; p++) {
      const pieceStart = p * this.pieceLength;
      spans.push({
        piece: p,
        begin: Math.max(start, pieceStart) - pieceStart,
        end: Math.min(end, pieceStart + this.pieceLength) - pieceStart,
      });
    }
    return { first, last, spans };
  }

  /** Like {@link rangePieces} for the range [start, end) of file `fileIndex`. */
  fileRangePieces(fileIndex: number, start: number, end: number): RangeMapping | null {
    this.checkFile(fileIndex);
    const fileLength = this.fileLengths[fileIndex]!;
    if (!isCount(start) || !isCount(end) || start > end || end > fileLength) {
      throw new RangeError(`range [${start}, ${end}) is not within file ${fileIndex} (${fileLength} bytes)`);
    }
    const base = this.fileStarts[fileIndex]!;
    return this.rangePieces(base + start, base + end);
  }

  /** The length of file `fileIndex` in bytes. */
  fileLength(fileIndex: number): number {
    this.checkFile(fileIndex);
    return this.fileLengths[fileIndex]!;
  }

  /** The pieces file `fileIndex` lies in (for file selection). Null for an empty file. */
  filePieceRange(fileIndex: number): PieceRange | null {
    this.checkFile(fileIndex);
    const start = this.fileStarts[fileIndex]!;
    const length = this.fileLengths[fileIndex]!;
    if (length === 0) return null;
    return { first: Math.floor(start / this.pieceLength), last: Math.floor((start + length - 1) / this.pieceLength) };
  }

  /** The index of the first file whose bytes end after `offset` (files' ends never decrease). */
  private firstFileEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.fileStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fileStarts[mid]! + this.fileLengths[mid]! > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The file segments piece `i` covers, in order; empty files never appear. */
  pieceFiles(i: number): FileSegment[] {
    const pieceStart = this.pieceOffset(i);
    const pieceEnd = pieceStart + this.pieceSize(i);
    const out: FileSegment[] = [];
    for (let f = this.firstFileEndingAfter(pieceStart); f < this.fileStarts.length; f++) {
      const fileStart = this.fileStarts[f]!;
      if (fileStart >= pieceEnd) break;
      const fileLength = this.fileLengths[f]!;
      if (fileLength === 0) continue;
      const from = Math.max(pieceStart, fileStart);
      const to = Math.min(pieceEnd, fileStart + fileLength);
      out.push({ fileIndex: f, fileOffset: from - fileStart, pieceOffset: from - pieceStart, length: to - from });
    }
    return out;
  }
}
