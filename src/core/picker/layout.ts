/**
 * What the picker is told about a torrent's shape (counts, or a PieceGeometry: geometry.ts) and the
 * sets of pieces its API accepts.
 */
import { PieceGeometry } from '../geometry.js';
import { bitAt } from '../wire/bitfield.js';

/** Anything that can say whether a piece is in it: a peer's bitfield object, a set view, ... */
export interface PieceSet {
  has(index: number): boolean;
}

/** A `PieceSet`, a predicate, or a wire-format bitfield (BEP 3: piece 0 is the high bit of byte 0). */
export type Pieces = PieceSet | ((index: number) => boolean) | Uint8Array;

export function toPieceSet(pieces: Pieces): PieceSet {
  if (pieces instanceof Uint8Array) return { has: (index) => bitAt(pieces, index) };
  return typeof pieces === 'function' ? { has: pieces } : pieces;
}

export interface LayoutOptions {
  readonly pieceCount: number;
  readonly pieceLength: number;
  readonly totalLength: number;
}

function positive(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name} ${n} is not a positive safe integer`);
  return n;
}

/** The geometry of a torrent described by its counts (one file of `totalLength` bytes: the picker needs no file boundaries). */
export function geometryOf(options: LayoutOptions): PieceGeometry {
  const pieceCount = positive('pieceCount', options.pieceCount);
  const pieceLength = positive('pieceLength', options.pieceLength);
  const totalLength = positive('totalLength', options.totalLength);
  const expected = Math.ceil(totalLength / pieceLength);
  if (expected !== pieceCount) {
    throw new RangeError(`pieceCount ${pieceCount} does not match ${totalLength} bytes in pieces of ${pieceLength} (expected ${expected})`);
  }
  return new PieceGeometry({ length: totalLength, pieceLength, files: [{ length: totalLength, offset: 0 }] });
}
