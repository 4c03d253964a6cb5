/** Bit `index` of a wire-format bitfield (piece 0 is the high bit of byte 0); false past its end. */
export function bitAt(bits: Uint8Array, index: number): boolean {
  const byte = bits[index >>> 3];
  return byte !== undefined && (byte & (0x80 >>> (index & 7))) !== 0;
}

/**
 * A peer's (or our) set of pieces, in the wire layout of the bitfield message (BEP 3): piece 0 is
 * the most significant bit of byte 0, and the spare bits of the last byte are zero.
 */
import { WireError } from './errors.js';

function checkCount(pieceCount: number): void {
  if (!Number.isSafeInteger(pieceCount) || pieceCount < 0) {
    throw new WireError(`a piece count must be a non-negative integer, not ${pieceCount}`);
  }
}

function popcount8(b: number): number {
  let c = 0;
  for (let v = b; v !== 0; v &= v - 1) c++;
  return c;
}

export class BitField {
  /** The number of pieces. */
  readonly size: number;
  private readonly bits: Uint8Array;
  private ones = 0;

  /** An empty field for `pieceCount` pieces. */
  constructor(pieceCount: number) {
    checkCount(pieceCount);
    this.size = pieceCount;
    this.bits = new Uint8Array(Math.ceil(pieceCount / 8));
  }

  /** Bytes a bitfield message carries for `pieceCount` pieces. */
  static byteLength(pieceCount: number): number {
    checkCount(pieceCount);
    return Math.ceil(pieceCount / 8);
  }

  /**
   * Why `bits` is not a valid bitfield for `pieceCount` pieces (wrong length, or a spare bit set
   * after the last piece), or undefined when it is.
   */
  static problem(bits: Uint8Array, pieceCount: number): string | undefined {
    const expected = BitField.byteLength(pieceCount);
    if (bits.length !== expected) {
      return `a bitfield for ${pieceCount} pieces is ${expected} bytes, not ${bits.length}`;
    }
    const spare = expected * 8 - pieceCount;
    if (spare > 0 && (bits[expected - 1]! & ((1 << spare) - 1)) !== 0) {
      return `the bitfield has spare bits set after piece ${pieceCount - 1}`;
    }
    return undefined;
  }

  /** A copy of a received bitfield. Throws WireError when `problem` finds one. */
  static fromWire(bits: Uint8Array, pieceCount: number): BitField {
    const problem = BitField.problem(bits, pieceCount);
    if (problem !== undefined) throw new WireError(problem);
    const field = new BitField(pieceCount);
    field.bits.set(bits);
    let ones = 0;
    for (const b of bits) ones += popcount8(b);
    field.ones = ones;
    return field;
  }

  /** Whether piece `index` is in the set; false for any index out of range. */
  get(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return false;
    return bitAt(this.bits, index);
  }

  /** Same as `get` (the picker's PieceSet interface). */
  has(index: number): boolean {
    return this.get(index);
  }

  /** Byte `i` of the wire layout (pieces 8i to 8i + 7, the first in the high bit); 0 past the end. */
  byteAt(i: number): number {
    return this.bits[i] ?? 0;
  }

  /** Adds (or with `value` false removes) piece `index`. Throws WireError when out of range. */
  set(index: number, value = true): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new WireError(`piece ${index} is out of range for ${this.size} pieces`);
    }
    const at = index >>> 3;
    const mask = 0x80 >>> (index & 7);
    const byte = this.bits[at]!;
    if (((byte & mask) !== 0) === value) return;
    this.bits[at] = value ? byte | mask : byte & ~mask;
    this.ones += value ? 1 : -1;
  }

  /** How many pieces are in the set. */
  count(): number {
    return this.ones;
  }

  /** Whether every piece is in the set. */
  isComplete(): boolean {
    return this.ones === this.size;
  }

  /** The set's pieces, in increasing order. */
  *indexes(): IterableIterator<number> {
    for (let i = 0; i < this.size; i++) if (this.get(i)) yield i;
  }

  /** A copy in the wire layout, for a bitfield message. */
  toBytes(): Uint8Array {
    return this.bits.slice();
  }
}
