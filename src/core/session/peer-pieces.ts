/**
 * What a peer has: its bitfield, its `have`s and BEP 6 have-all, kept as they come while the piece
 * count is unknown (a magnet link) and checked once it is known. Each change says what to count:
 * an `Availability` for the picker, or a protocol violation.
 */
import { BitField } from '../wire/index.js';

/** `have`s kept while the piece count is unknown. */
const MAX_PENDING_HAVES = 100_000;
/** Suggestions kept per peer (BEP 6 `suggest` is a hint; the latest count). */
const MAX_SUGGESTED = 8;

/**
 * What changed: `added` pieces to count (one index, a whole bitfield, or every piece) and `removed`
 * ones to uncount; neither when nothing countable changed (have-none, or the piece count is not
 * known yet).
 */
export interface Availability {
  added?: number | BitField | 'all';
  removed?: BitField | 'all';
}

/** A change, a violation (`string`: why), or nothing to report (`undefined`). */
export type PiecesChange = Availability | string | undefined;

export class PeerPieces {
  private bits: BitField | undefined;
  private all = false;
  private pendingHaves: number[] = [];
  private pendingBitfield: Uint8Array | undefined;

  /** Its BEP 6 suggestions, oldest first (at most MAX_SUGGESTED); made with the first (most peers make none). */
  private suggestions: Set<number> | undefined;

  constructor(private pieceCount: number | undefined) {}

  get suggested(): ReadonlySet<number> | undefined {
    return this.suggestions;
  }

  /** It suggested we ask for this piece: kept among the latest few (not checked against the piece count: a hint only). */
  suggest(index: number): void {
    const suggested = (this.suggestions ??= new Set());
    suggested.delete(index);
    suggested.add(index);
    if (suggested.size > MAX_SUGGESTED) suggested.delete(suggested.values().next().value!);
  }

  /** What it said it has; before the piece count, from the haves and bitfield kept for it. */
  summary(): 'all' | 'some' | 'none' {
    if (this.all) return 'all';
    const some =
      this.pieceCount === undefined ? this.pendingHaves.length > 0 || (this.pendingBitfield?.some((b) => b !== 0) ?? false) : (this.bits?.count() ?? 0) > 0;
    return some ? 'some' : 'none';
  }

  /** Pieces it has, once the piece count is known and it said (undefined for have-all). */
  get have(): BitField | undefined {
    return this.bits;
  }

  /** How many pieces it has (none known before the piece count). */
  held(): number {
    return this.all ? (this.pieceCount ?? 0) : (this.bits?.count() ?? 0);
  }

  has(index: number): boolean {
    return this.all || (this.bits?.get(index) ?? false);
  }

  /** The piece count is known: what it announced before is counted now. */
  setPieceCount(count: number): PiecesChange {
    if (this.pieceCount !== undefined) return undefined;
    this.pieceCount = count;
    const bits = this.pendingBitfield;
    const haves = this.pendingHaves;
    this.pendingBitfield = undefined;
    this.pendingHaves = [];
    if (bits) {
      // A bitfield replaces what have-all said.
      const problem = BitField.problem(bits, count);
      if (problem) return problem;
      this.bits = BitField.fromWire(bits, count);
      this.all = false;
    }
    for (const index of haves) {
      if (index >= count) return `have for piece ${index}, out of range`;
      if (this.all) continue;
      this.bits ??= new BitField(count);
      this.bits.set(index);
    }
    return { added: this.all ? 'all' : this.bits };
  }

  /** It announced piece `index`. */
  announced(index: number): PiecesChange {
    const count = this.pieceCount;
    if (count === undefined) {
      const first = this.summary() === 'none';
      if (this.pendingHaves.length < MAX_PENDING_HAVES) this.pendingHaves.push(index);
      return first ? {} : undefined; // nothing to count yet, but it has something (see Interest.update)
    }
    if (index >= count) return `have for piece ${index}, out of range`;
    if (this.all) return undefined;
    this.bits ??= new BitField(count);
    if (this.bits.get(index)) return undefined;
    this.bits.set(index);
    return { added: index };
  }

  /** It sent its bitfield (it replaces what it said before). */
  bitfield(wire: Uint8Array): PiecesChange {
    const count = this.pieceCount;
    if (count === undefined) {
      const before = this.summary();
      this.pendingBitfield = wire;
      return this.summary() !== before ? {} : undefined;
    }
    const problem = BitField.problem(wire, count);
    if (problem) return problem;
    const removed = this.all ? 'all' : this.bits;
    this.all = false;
    this.bits = BitField.fromWire(wire, count);
    return { added: this.bits, removed };
  }

  /** It sent have-all. */
  haveAllPieces(): PiecesChange {
    if (this.all || this.pieceCount === undefined) {
      this.all = true;
      return {};
    }
    const removed = this.bits;
    this.all = true;
    this.bits = undefined;
    return { added: 'all', removed };
  }
}
