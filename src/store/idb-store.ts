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
 * one transaction whose only write is that key, so it is recorded if and only if the transaction
 * commits: a failed put (quota, abort) leaves no trace for stored() to report.
 */
import { createStore, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
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

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`a piece index must be a non-negative integer, not ${String(index)}`);
  }
}

/** The pieces of one torrent, identified by its info hash, in IndexedDB. */
export class IdbPieceStore implements PieceStore {
  /** The torrent's info hash, lowercase hex. */
  readonly infoHash: string;
  private readonly use: UseStore;
  private readonly label: string;

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

  async put(index: number, data: Uint8Array): Promise<void> {
    checkIndex(index);
    const value = ownBytes(data);
    try {
      // idb-keyval's set() resolves when the transaction commits and rejects when it aborts.
      await set(this.key(index), value, this.use);
    } catch (error) {
      throw toStorageError(error, `store piece ${index} of ${this.label} (${value.byteLength} bytes)`);
    }
  }

  async get(index: number): Promise<Uint8Array | undefined> {
    checkIndex(index);
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
