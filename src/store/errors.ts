/**
 * Turning what IndexedDB throws into the core's {@link StorageError}, telling "out of room" apart
 * from every other failure so the app can offer the right remedy.
 */
import { StorageError } from '../core/session/store.js';

/** Legacy DOMException code of QuotaExceededError. */
const QUOTA_CODE = 22;
/** Error names that mean "out of room" in some engine (Firefox reports the second from its storage layer). */
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED', 'NS_ERROR_FILE_NO_DEVICE_SPACE']);
/** How deep to follow `cause` / `error` / `inner` chains (guards against cycles). */
const MAX_DEPTH = 5;

function field(value: object, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

/**
 * Whether an error, or an error it wraps (`cause`, a transaction's `error`, `inner`), says that
 * storage is full: a DOMException named QuotaExceededError (or code 22), or an engine-specific
 * name or message about the quota.
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null) return false;
  if (error instanceof StorageError) return error.quotaExceeded;
  const name = field(error, 'name');
  if (typeof name === 'string' && QUOTA_NAMES.has(name)) return true;
  const isDomException = typeof DOMException !== 'undefined' && error instanceof DOMException;
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy code is the point: some engines set only it
  if (isDomException && error.code === QUOTA_CODE) return true;
  const message = field(error, 'message');
  // Some engines report a full disk as a generic UnknownError / AbortError whose message mentions the quota.
  if (typeof message === 'string' && /quota|disk (is )?full|no space left/i.test(message)) return true;
  for (const key of ['cause', 'error', 'inner']) {
    const inner = field(error, key);
    if (inner !== error && isQuotaError(inner, depth + 1)) return true;
  }
  return false;
}

/** A short description of any thrown value, e.g. "UnknownError: Internal error opening backing store". */
export function describeError(error: unknown): string {
  // An aborted IndexedDB transaction may carry no error at all.
  if (error === null || error === undefined) return 'the transaction was aborted';
  if (typeof error === 'object') {
    const name = field(error, 'name');
    const message = field(error, 'message');
    const parts = [typeof name === 'string' ? name : '', typeof message === 'string' ? message : ''].filter(Boolean);
    if (parts.length > 0) return parts.join(': ');
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- anything may be thrown; an object with no name or message reads as it can
  return String(error);
}

/**
 * Wraps a failure of `action` (a phrase like "store piece 3 of torrent 1a2b…") in a StorageError
 * whose message says what to do about it. A StorageError passes through unchanged.
 */
export function toStorageError(error: unknown, action: string): StorageError {
  if (error instanceof StorageError) return error;
  const wrapped = isQuotaError(error)
    ? new StorageError(
        `could not ${action}: the browser's storage quota for this site is used up. ` +
          'Remove torrents you no longer need, free disk space, or allow this site persistent storage, then retry.',
        true,
      )
    : new StorageError(
        `could not ${action}: IndexedDB failed (${describeError(error)}). ` +
          'Private windows and some browser settings block site storage; reloading the page may help.',
        false,
      );
  wrapped.cause = error; // the original, for logs and for describeError()
  return wrapped;
}
