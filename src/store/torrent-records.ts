/**
 * The torrent list: one record per torrent, keyed by info hash, in its own database
 * ({@link TORRENTS_DB} / {@link TORRENTS_STORE}; see idb-store.ts for why not one database).
 * Which pieces a torrent has is not here: the piece store knows (IdbPieceStore.stored()).
 *
 * Records come back from storage written by any past version of the app, or damaged, so
 * loadTorrents() validates each one and skips (and reports) any it cannot use.
 */
import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import { toStorageError } from './errors.js';

export const TORRENTS_DB = 'tabswarm-torrents';
export const TORRENTS_STORE = 'torrents';

export interface TorrentRecord {
  /** Info hash, 40 lowercase hex characters; the record's key. */
  infoHash: string;
  name: string;
  /** The bencoded info dictionary; absent for a magnet link whose metadata has not arrived yet. */
  infoBytes?: Uint8Array;
  magnetURI: string;
  announce: string[];
  urlList: string[];
  /** Indexes of the files selected for download; absent means all. */
  selection?: number[];
  paused: boolean;
  /** When the torrent was added, in milliseconds since the epoch. */
  addedAt: number;
  seeding?: boolean;
  /** A private share's secret, base64url (kept in this browser only: the torrent's files are read with it). */
  secret?: string;
}

/** Called for each stored record that loadTorrents() skips. */
export type CorruptRecordWarning = (message: string, key: IDBValidKey) => void;

const HEX_40 = /^[0-9a-f]{40}$/;

let connection: UseStore | undefined;
function records(): UseStore {
  connection ??= createStore(TORRENTS_DB, TORRENTS_STORE);
  return connection;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}

function isIndexArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
}

/**
 * A valid record built from an untrusted value (only the known fields are kept), or the reason
 * it is not one.
 */
export function validateTorrentRecord(value: unknown): TorrentRecord | string {
  if (!isObject(value)) return 'not an object';
  const { infoHash, name, infoBytes, magnetURI, announce, urlList, selection, paused, addedAt, seeding, secret } = value;
  if (typeof infoHash !== 'string' || !HEX_40.test(infoHash)) return 'infoHash is not 40 lowercase hex characters';
  if (typeof name !== 'string') return 'name is not a string';
  if (infoBytes !== undefined && !(infoBytes instanceof Uint8Array) && !(infoBytes instanceof ArrayBuffer)) {
    return 'infoBytes is not binary';
  }
  if (typeof magnetURI !== 'string' || !magnetURI.startsWith('magnet:')) return 'magnetURI is not a magnet link';
  if (!isStringArray(announce)) return 'announce is not a list of strings';
  if (!isStringArray(urlList)) return 'urlList is not a list of strings';
  if (selection !== undefined && !isIndexArray(selection)) return 'selection is not a list of file indexes';
  if (typeof paused !== 'boolean') return 'paused is not a boolean';
  if (typeof addedAt !== 'number' || !Number.isFinite(addedAt)) return 'addedAt is not a number';
  if (seeding !== undefined && typeof seeding !== 'boolean') return 'seeding is not a boolean';
  if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(secret))) return 'secret is not 22 base64url characters';
  const record: TorrentRecord = { infoHash, name, magnetURI, announce: [...announce], urlList: [...urlList], paused, addedAt };
  if (infoBytes !== undefined) record.infoBytes = infoBytes instanceof Uint8Array ? infoBytes : new Uint8Array(infoBytes);
  if (selection !== undefined) record.selection = [...selection];
  if (seeding !== undefined) record.seeding = seeding;
  if (secret !== undefined) record.secret = secret;
  return record;
}

/**
 * Saves (adds or replaces) a torrent's record. Throws TypeError for an invalid record and
 * StorageError when IndexedDB fails (quotaExceeded when it is full).
 */
export async function saveTorrent(record: TorrentRecord): Promise<void> {
  const infoHash = typeof record.infoHash === 'string' ? record.infoHash.toLowerCase() : record.infoHash;
  const valid = validateTorrentRecord({ ...record, infoHash });
  if (typeof valid === 'string') throw new TypeError(`cannot save torrent record: ${valid}`);
  // A view would be cloned with its whole underlying buffer: store only its own bytes.
  const bytes = valid.infoBytes;
  if (bytes && (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength)) valid.infoBytes = bytes.slice();
  try {
    await set(valid.infoHash, valid, records());
  } catch (error) {
    throw toStorageError(error, `save torrent "${valid.name}"`);
  }
}

/** A key of any record, damaged ones too, as text for a message. */
function keyText(key: IDBValidKey): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- strings, numbers, dates and arrays read well; a key of bytes reads "[object ArrayBuffer]", still a hint
  return String(key);
}

/**
 * Every stored torrent, oldest first. A record that fails validation is skipped and reported to
 * `warn` (it stays in storage; deleteTorrent(key) removes it). Throws StorageError when the list
 * cannot be read at all.
 */
export async function loadTorrents(warn?: CorruptRecordWarning): Promise<TorrentRecord[]> {
  let rows: [IDBValidKey, unknown][];
  try {
    rows = await entries<IDBValidKey, unknown>(records());
  } catch (error) {
    throw toStorageError(error, 'load the torrent list');
  }
  const loaded: TorrentRecord[] = [];
  for (const [key, value] of rows) {
    const valid = validateTorrentRecord(value);
    if (typeof valid === 'string') {
      warn?.(`skipped a damaged torrent record (${keyText(key)}): ${valid}`, key);
    } else if (valid.infoHash !== key) {
      warn?.(`skipped a torrent record stored under the wrong key (${keyText(key)}, holds ${valid.infoHash})`, key);
    } else {
      loaded.push(valid);
    }
  }
  return loaded.sort((a, b) => a.addedAt - b.addedAt);
}

/**
 * Removes a torrent's record (its pieces stay: clear its IdbPieceStore too). Accepts any key so
 * that a damaged record reported by loadTorrents() can be removed.
 */
export async function deleteTorrent(infoHash: IDBValidKey): Promise<void> {
  const key = typeof infoHash === 'string' && HEX_40.test(infoHash.toLowerCase()) ? infoHash.toLowerCase() : infoHash;
  try {
    await del(key, records());
  } catch (error) {
    throw toStorageError(error, `delete torrent ${keyText(infoHash)}`);
  }
}
