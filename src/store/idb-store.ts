/**
 * Pieces in IndexedDB, through idb-keyval.
 *
 * Layout: one database per concern, because idb-keyval's createStore() opens a database without
 * a version and creates only its own object store on first open, so two stores cannot share one
 * database through it. Pieces of every torrent live in database {@link PIECES_DB}, object store
 * {@link PIECES_STORE} (the torrent list is in another database, see torrent-records.ts).
 *
 * Key: the array `[infoHash, index]` (lowercase hex, integer). IndexedDB orders array keys element
 * by element and numbers numerically, so one torrent's pieces form a contiguous key range,
 * `[infoHash, 0] … [infoHash, Infinity]`, in piece order. `stored()` reads only that range's keys
 * (getAllKeys on a key range: no values are read, other torrents are not visited) and `clear()`
 * deletes that range in one request.
 *
 * Value: the piece's bytes as a Uint8Array that owns its whole buffer. A piece is written whole, in
 * one transaction (shared with the other pieces put within a few ms), so it is recorded if and only
 * if that transaction commits: a failed put (quota, abort) leaves no trace for stored() to report.
 */
import { createStore, get, promisifyRequest, type UseStore } from 'idb-keyval';
import { StorageError, type PieceStore } from '../core/session/store.js';
import { toStorageError } from './errors.js';

export const PIECES_DB = 'tabswarm-pieces';
export const PIECES_STORE = 'pieces';

const HEX_40 = /^[0-9a-f]{40}$/i;

/** One idb-keyval store function (one connection) per database name, shared by every torrent. */
const connections = new Map<string, UseStore>();

function connection(dbName: string): UseStore {
  let use = connections.get(dbName);
  if (!use) {
    use = createStore(dbName, PIECES_STORE);
    connections.set(dbName, use);
  }
  return use;
}

export interface IdbPieceStoreOptions {
  /** Database name; {@link PIECES_DB} unless given (tests and embedders may isolate themselves). */
  dbName?: string;
}

type PieceKey = [string, number];

/**
 * Bytes that own their buffer. Structured cloning a view clones its whole underlying buffer, so a
 * piece that is a subarray of a larger buffer would otherwise store (and later load) all of it.
 */
function ownBytes(data: Uint8Array): Uint8Array {
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole && data.buffer instanceof ArrayBuffer ? data : data.slice();
}

/** The error for `index` when it cannot be a piece index. */
function indexError(index: number): RangeError | undefined {
  if (!Number.isSafeInteger(index) || index < 0) {
    return new RangeError(`a piece index must be a non-negative integer, not ${String(index)}`);
  }
  return undefined;
}

function checkIndex(index: number): void {
  const error = indexError(index);
  if (error) throw error;
}

interface PendingWrite {
  index: number;
  value: Uint8Array;
  resolve: () => void;
  reject: (error: StorageError) => void;
}

/** A write batch is committed once it holds this many bytes, or {@link BATCH_DELAY_MS} after the last commit. */
const BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Commits start at most this often (bar full batches). Verified pieces arrive one per task (tens per
 * second on a fast transfer); committed at the end of each task they took a transaction each, and
 * those transactions cost the browser ten times the CPU of the same bytes in 4 MiB batches, CPU the
 * data channels of a 2-core machine were short of. A put after a quiet spell commits at once (the
 * first piece of a download, or of a seek, is not held back); later ones wait for the next slot.
 */
export const BATCH_DELAY_MS = 50;

/**
 * The pieces of one torrent, identified by its info hash, in IndexedDB.
 *
 * Writes are batched: the pieces put between two commits, which start at most every {@link BATCH_DELAY_MS}
 * (or hold up to 4 MiB), go into one transaction, because
 * a transaction per small piece is several times slower (about 18 MiB/s for 16 KiB values against
 * 140 MiB/s for 256 KiB ones). Each `put` still resolves only when its transaction has committed,
 * and a failed transaction rejects every put in it: nothing is reported stored that is not.
 */
export class IdbPieceStore implements PieceStore {
  /** The torrent's info hash, lowercase hex. */
  readonly infoHash: string;
  private readonly use: UseStore;
  private readonly label: string;
  private pending: PendingWrite[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /** When the last commit started (performance.now() ms). */
  private lastFlush = -Infinity;

  /** @param infoHash the torrent's info hash as 40 hex characters (either case). */
  constructor(infoHash: string, options: IdbPieceStoreOptions = {}) {
    if (!HEX_40.test(infoHash)) {
      throw new TypeError(`an info hash must be 40 hex characters, not ${JSON.stringify(infoHash.slice(0, 60))}`);
    }
    this.infoHash = infoHash.toLowerCase();
    this.use = connection(options.dbName ?? PIECES_DB);
    this.label = `torrent ${this.infoHash.slice(0, 8)}…`;
  }

  private key(index: number): PieceKey {
    return [this.infoHash, index];
  }

  /** This torrent's keys, and only them, in piece order. */
  private range(): IDBKeyRange {
    return IDBKeyRange.bound([this.infoHash, 0], [this.infoHash, Infinity]);
  }

  put(index: number, data: Uint8Array): Promise<void> {
    const error = indexError(index);
    if (error) return Promise.reject(error);
    const value = ownBytes(data);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ index, value, resolve, reject });
      this.pendingBytes += value.byteLength;
      if (this.pendingBytes >= BATCH_BYTES) void this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setTimeout(() => void this.flush(), Math.max(0, this.lastFlush + BATCH_DELAY_MS - performance.now()));
      }
    });
  }

  /** Commits the pending writes in one transaction. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.lastFlush = performance.now();
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.use('readwrite', (store) => {
        try {
          for (const w of batch) store.put(w.value, this.key(w.index));
        } catch (error) {
          // A put that throws must not leave the others to commit without it: all or nothing.
          store.transaction.abort();
          throw error;
        }
        // Resolves when the transaction commits, rejects when it aborts (quota, I/O error).
        return promisifyRequest(store.transaction);
      });
      for (const w of batch) w.resolve();
    } catch (error) {
      const bytes = batch.reduce((n, w) => n + w.value.byteLength, 0);
      const what = batch.length === 1 ? `piece ${batch[0]!.index}` : `${batch.length} pieces`;
      const failure = toStorageError(error, `store ${what} of ${this.label} (${bytes} bytes)`);
      for (const w of batch) w.reject(failure);
    }
  }

  async get(index: number): Promise<Uint8Array | undefined> {
    checkIndex(index);
    // A piece waiting for its batch to commit is read from memory.
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.index === index) return this.pending[i]!.value;
    let value: unknown;
    try {
      value = await get<unknown>(this.key(index), this.use);
    } catch (error) {
      throw toStorageError(error, `read piece ${index} of ${this.label}`);
    }
    if (value === undefined || value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    throw new StorageError(`piece ${index} of ${this.label} holds unexpected data in IndexedDB; clear the torrent and download it again`);
  }

  async stored(): Promise<number[]> {
    let keys: IDBValidKey[];
    try {
      keys = await this.use('readonly', (store) => promisifyRequest(store.getAllKeys(this.range())));
    } catch (error) {
      throw toStorageError(error, `list the stored pieces of ${this.label}`);
    }
    const indexes: number[] = [];
    for (const key of keys) {
      const index = Array.isArray(key) ? key[1] : undefined;
      if (typeof index === 'number' && Number.isSafeInteger(index) && index >= 0) indexes.push(index);
    }
    return indexes; // already ascending: IndexedDB returns keys in key order
  }

  async clear(): Promise<void> {
    // Commit (or fail) the pending batch first, so that it cannot land after the delete.
    await this.flush();
    try {
      await this.use('readwrite', (store) => {
        store.delete(this.range());
        return promisifyRequest(store.transaction);
      });
    } catch (error) {
      throw toStorageError(error, `remove the pieces of ${this.label}`);
    }
  }
}
