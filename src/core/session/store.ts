/**
 * Piece storage, by whole verified pieces (never per block: one IndexedDB transaction per 16 KiB
 * block is an order of magnitude slower than one per piece). The store records which pieces it
 * holds, so a torrent resumes after a reload without fetching them again.
 */
import { TabswarmError } from '../errors.js';

export class StorageError extends TabswarmError {
  /** The store ran out of room (e.g. the browser's quota). */
  readonly quotaExceeded: boolean;
  constructor(message: string, quotaExceeded = false) {
    super(message);
    this.quotaExceeded = quotaExceeded;
  }
}

export interface PieceStore {
  /** Stores one whole, verified piece. Rejects with StorageError; then the piece is not recorded. */
  put(index: number, data: Uint8Array): Promise<void>;
  /**
   * Optional: the store's own in-memory copy of a piece it holds (not the buffer given to `put`),
   * asked right after `put`. The session then keeps and serves that copy, and assembles the next
   * piece in the buffer it passed to `put` instead of a new one. A store that keeps the buffer
   * itself (MemoryStore) or holds no bytes in memory (IndexedDB) leaves this out.
   */
  ownCopy?(index: number): Uint8Array | undefined;
  /**
   * Optional: the store assembles a piece in progress itself (the simulator, whose blocks are views of
   * content it already holds: it keeps references instead of a copy per piece per peer). The session
   * then hands it each new block of the piece instead of copying it into a buffer of its own. A store
   * in a tab leaves this out.
   */
  assemble?(index: number, size: number): PieceAssembly;
  /** A piece's bytes, or undefined when the store does not hold it. */
  get(index: number): Promise<Uint8Array | undefined>;
  /** Indexes of the pieces held, for resuming. */
  stored(): Promise<number[]>;
  /** Removes every piece. */
  clear(): Promise<void>;
}

/** A piece being assembled by its store (see PieceStore.assemble). */
export interface PieceAssembly {
  /** A block of the piece at `begin`; the session never writes to it afterwards. */
  set(block: Uint8Array, begin: number): void;
  /** The piece's bytes so far, as if every block had been copied in order into a zeroed buffer. */
  bytes(): Uint8Array;
}

export type Hasher = (data: Uint8Array) => Promise<Uint8Array>;

/** Pieces in memory: the default in tests and a fallback where IndexedDB is unavailable. */
export class MemoryStore implements PieceStore {
  private readonly pieces = new Map<number, Uint8Array>();
  constructor(private readonly maxBytes = Infinity) {}
  private bytes = 0;

  async put(index: number, data: Uint8Array): Promise<void> {
    const previous = this.pieces.get(index)?.length ?? 0;
    if (this.bytes - previous + data.length > this.maxBytes) {
      throw new StorageError(`the memory store is full (${this.maxBytes} bytes)`, true);
    }
    this.bytes += data.length - previous;
    this.pieces.set(index, data);
  }

  async get(index: number): Promise<Uint8Array | undefined> {
    return this.pieces.get(index);
  }

  async stored(): Promise<number[]> {
    return [...this.pieces.keys()].sort((a, b) => a - b);
  }

  async clear(): Promise<void> {
    this.pieces.clear();
    this.bytes = 0;
  }
}
