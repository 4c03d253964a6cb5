/**
 * Piece verification: blocks are assembled into their piece, a complete piece is hashed and stored,
 * and whoever sent bad data is named (blame.ts). The verifier holds the bytes of the pieces in
 * progress and the failed copies kept for blame, all within the torrent's memory budget (memory.ts:
 * the picker reserves a piece's size before requesting it; failed copies reserve their own). It
 * touches neither peers nor the picker: the session acts on what `verify` reports.
 */
import type { Hasher, PieceAssembly, PieceStore } from './store.js';
import { StorageError } from './store.js';
import type { MemoryBudget } from './memory.js';
import { blameFailure, blameOnVerified, type FailedAttempt } from './blame.js';
import { BLOCK_SIZE } from '../geometry.js';
import { bytesEqual } from '../bytes.js';
import { TabswarmError, errorMessage } from '../errors.js';

/** Failed copies kept per piece for blame; more than this and the oldest is dropped. */
const MAX_FAILED_ATTEMPTS = 3;
/** Piece buffers kept for reuse (only when the store keeps its own copy: see PieceStore.ownCopy). */
const MAX_SPARE_BUFFERS = 4;

export interface VerifierOptions {
  hasher: Hasher;
  store: PieceStore;
  /** The torrent's memory for pieces in progress; failed copies kept for blame count against it. */
  budget: MemoryBudget;
  pieceSize(index: number): number;
  /** The piece's SHA-1 from the metainfo. */
  pieceHash(index: number): Uint8Array;
  /**
   * Checks a piece instead of `hasher` and `pieceHash` (BitTorrent v2): `badBlocks`, when given, are
   * the blocks known wrong, whose senders alone are blamed.
   */
  check?(index: number, data: Uint8Array): Promise<{ ok: boolean; badBlocks?: number[] }>;
  /** A piece hashed right and its store write began: `storing` gives its bytes until the write is done. */
  hashed?(index: number): void;
}

/** What became of a piece handed to `verify`. */
export type Verification =
  /** Hashed right and stored. `culprits`: senders of blocks that differ in copies that failed before. */
  | { kind: 'verified'; data: Uint8Array; culprits: Set<string> }
  /**
   * The hash did not match. `culprits` sent every block (ban them); `suspects` shared the piece with
   * others (their copy is kept, and the refetch should come from one peer so that a second failure
   * names its sender). `bytes`: what was thrown away.
   */
  | { kind: 'failed'; culprits: Set<string>; suspects: Set<string>; bytes: number; badBlocks?: number[] }
  /** The hasher or the store failed: the torrent cannot go on. */
  | { kind: 'error'; error: Error }
  /** Nothing to do: no complete piece under that index, already being verified, or closed meanwhile. */
  | { kind: 'skipped' };

/** A piece in progress: its buffer, or the store's assembly (PieceStore.assemble). */
type Assembling = Uint8Array | PieceAssembly;

function bytesOf(a: Assembling): Uint8Array {
  return a instanceof Uint8Array ? a : a.bytes();
}

export class PieceVerifier {
  /** The bytes of each piece in progress (who sent each block, the picker records). */
  private readonly buffers = new Map<number, Assembling>();
  private readonly failedAttempts = new Map<number, FailedAttempt[]>();
  private readonly verifying = new Set<number>();
  /** Pieces that hashed right, being written to the store (a streaming reader need not wait for the write). */
  private readonly writing = new Map<number, Uint8Array>();
  /** Buffers of verified pieces that nobody holds any more, for the next pieces. */
  private readonly spare: Uint8Array[] = [];
  private closed = false;

  constructor(private readonly o: VerifierOptions) {}

  /**
   * Keeps a block the picker accepted (its piece's memory is reserved): the piece's buffer is made
   * (or reused) with its first block.
   */
  receive(index: number, begin: number, block: Uint8Array): void {
    if (this.closed) return;
    let buffer = this.buffers.get(index);
    if (!buffer) {
      const size = this.o.pieceSize(index);
      buffer = this.o.store.assemble?.(index, size) ?? this.newBuffer(size);
      this.buffers.set(index, buffer);
    }
    buffer.set(block, begin);
  }

  /**
   * A buffer for a piece: a spare one of that size, zeroed (allocating a piece's worth of memory
   * costs a browser tab or the simulator far more than clearing it), or a new one.
   */
  private newBuffer(size: number): Uint8Array {
    const i = this.spare.findIndex((b) => b.length === size);
    if (i < 0) return new Uint8Array(size);
    const buffer = this.spare[i]!;
    this.spare[i] = this.spare[this.spare.length - 1]!;
    this.spare.pop();
    return buffer.fill(0);
  }

  /** Pieces with blocks held and not handed to `verify`. */
  partialPieces(): number[] {
    return [...this.buffers.keys()];
  }

  /** The bytes held for a piece in progress (blocks not received yet are zeros). */
  held(index: number): Uint8Array | undefined {
    const buffer = this.buffers.get(index);
    return buffer && bytesOf(buffer);
  }

  /** Forgets the blocks held for a piece given up (the picker released its memory). */
  drop(index: number): void {
    this.buffers.delete(index);
  }

  /** Hashes a complete piece and stores it if right; `senders`: per block, who sent it (the picker's `blockSenders`). */
  async verify(index: number, senders: readonly (string | undefined)[]): Promise<Verification> {
    const assembling = this.buffers.get(index);
    if (!assembling || this.verifying.has(index) || this.closed) return { kind: 'skipped' };
    this.buffers.delete(index);
    const buffer = bytesOf(assembling);
    this.verifying.add(index);
    try {
      let ok: boolean;
      let badBlocks: number[] | undefined;
      try {
        if (this.o.check) ({ ok, badBlocks } = await this.o.check(index, buffer));
        else ok = bytesEqual(await this.o.hasher(buffer), this.o.pieceHash(index));
      } catch (e) {
        return { kind: 'error', error: new TabswarmError(`could not hash piece ${index}: ${errorMessage(e)}`) };
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have run while this awaited
      if (this.closed) return { kind: 'skipped' };
      if (!ok && badBlocks) return this.failedBlocks(buffer, senders, badBlocks);
      if (!ok) return this.failed(index, buffer, senders);
      this.writing.set(index, buffer);
      this.o.hashed?.(index);
      try {
        await this.o.store.put(index, buffer);
      } catch (e) {
        const full = e instanceof StorageError && e.quotaExceeded;
        return { kind: 'error', error: new StorageError(`${full ? 'storage is full' : 'could not store a piece'}: ${errorMessage(e)}`, full) };
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have run while this awaited
      if (this.closed) return { kind: 'skipped' };
      const culprits = this.blameEarlierCopies(index, buffer);
      return { kind: 'verified', data: this.handOver(index, buffer), culprits };
    } finally {
      this.verifying.delete(index);
      this.writing.delete(index);
    }
  }

  /**
   * The bytes of a piece that hashed right while the store is still writing it (an IndexedDB commit
   * takes tens of ms, and more while batched); undefined before and after. Read them before any await:
   * once stored, the buffer may be reused.
   */
  storing(index: number): Uint8Array | undefined {
    return this.writing.get(index);
  }

  /**
   * The bytes of a verified piece for the session to keep: the store's own copy when it has one, and
   * then the buffer is spare (v1 only: with `check`, a v2 block check may still read it).
   */
  private handOver(index: number, buffer: Uint8Array): Uint8Array {
    const own = this.o.check ? undefined : this.o.store.ownCopy?.(index);
    if (!own || own === buffer || own.length !== buffer.length) return buffer;
    // A store that assembles pieces itself needs no spare buffers.
    if (this.spare.length < MAX_SPARE_BUFFERS && !this.o.store.assemble) this.spare.push(buffer);
    return own;
  }

  /** Lets go of every buffer (the session stopped); verifications under way report `skipped`. */
  close(): void {
    this.closed = true;
    this.buffers.clear();
    this.writing.clear();
    this.failedAttempts.clear();
    this.spare.length = 0;
  }

  /** The bad blocks are known: their senders are the culprits, and nobody else is suspected. */
  private failedBlocks(data: Uint8Array, senders: readonly (string | undefined)[], bad: readonly number[]): Verification {
    const culprits = new Set(bad.map((b) => senders[b]).filter((s): s is string => s !== undefined));
    return { kind: 'failed', culprits, suspects: new Set(), bytes: data.length, badBlocks: [...bad] };
  }

  private failed(index: number, data: Uint8Array, senders: readonly (string | undefined)[]): Verification {
    const verdict = blameFailure(senders);
    // The failed copy is kept for blame only when memory allows (it counts against the budget).
    if (verdict.suspects.size > 0 && this.o.budget.tryReserve(data.length)) {
      const attempts = this.failedAttempts.get(index) ?? [];
      attempts.push({ data, senders: [...senders] });
      if (attempts.length > MAX_FAILED_ATTEMPTS) this.o.budget.release(attempts.shift()!.data.length);
      this.failedAttempts.set(index, attempts);
    }
    return { kind: 'failed', culprits: verdict.culprits, suspects: verdict.suspects, bytes: data.length };
  }

  /** The piece is right at last: whoever sent a block that differs in a failed copy sent bad data. */
  private blameEarlierCopies(index: number, good: Uint8Array): Set<string> {
    const attempts = this.failedAttempts.get(index);
    if (!attempts) return new Set();
    this.failedAttempts.delete(index);
    for (const a of attempts) this.o.budget.release(a.data.length);
    return blameOnVerified(good, attempts, BLOCK_SIZE);
  }
}
