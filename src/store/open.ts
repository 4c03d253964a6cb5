/**
 * Choosing a piece store: IndexedDB when it works, else pieces in memory (lost on reload) with a
 * reason the app can show.
 */
import { MemoryStore, StorageError, type PieceStore } from '../core/session/store.js';
import { describeError } from './errors.js';
import { IdbPieceStore, type IdbPieceStoreOptions } from './idb-store.js';

export type PieceStoreKind = 'indexeddb' | 'memory';

export interface OpenedPieceStore {
  store: PieceStore;
  /** The kind actually opened (memory after a fallback). */
  kind: PieceStoreKind;
  /** Why IndexedDB was asked for but memory is used; absent when the requested kind opened. */
  fallbackReason?: string;
}

export interface OpenPieceStoreOptions extends IdbPieceStoreOptions {
  /** How long to wait for IndexedDB to open before falling back (it can hang in some browsers). */
  timeoutMs?: number;
  /** Size limit of a memory store (a fallback or requested one); unlimited unless given. */
  memoryMaxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on the rejection of `promise` as it is
        reject(error);
      },
    );
  });
}

/**
 * Opens the piece store of torrent `infoHash` (40 hex characters). For 'indexeddb' it checks that
 * the database really opens and can be read (private windows of some browsers expose indexedDB
 * but fail every open) and otherwise falls back to a MemoryStore, saying why in fallbackReason.
 * Never rejects for an unusable IndexedDB; throws TypeError for a malformed info hash.
 */
export async function openPieceStore(infoHash: string, kind: PieceStoreKind, options: OpenPieceStoreOptions = {}): Promise<OpenedPieceStore> {
  const memory = (): PieceStore => new MemoryStore(options.memoryMaxBytes);
  if (kind === 'memory') return { store: memory(), kind: 'memory' };
  const fallback = (why: string): OpenedPieceStore => ({
    store: memory(),
    kind: 'memory',
    fallbackReason: `${why}. Downloaded pieces are kept in memory only and will be lost when this tab closes or reloads.`,
  });
  if (typeof indexedDB === 'undefined' || typeof IDBKeyRange === 'undefined') {
    return fallback('this browser offers no IndexedDB here (it may be disabled, or blocked in a private window)');
  }
  const store = new IdbPieceStore(infoHash, options); // throws TypeError for a bad hash: a caller's bug, not a fallback
  try {
    await withTimeout(store.stored(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (error) {
    const cause = error instanceof StorageError && error.cause !== undefined ? error.cause : error;
    return fallback(`IndexedDB could not be opened (${describeError(cause)})`);
  }
  return { store, kind: 'indexeddb' };
}
