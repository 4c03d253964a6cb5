/**
 * Persistent storage and the storage estimate (StorageManager). Without persistence the browser
 * may evict this site's IndexedDB data under storage pressure; with it, only the user can.
 */

/** The StorageManager when this browser has one (insecure origins and old browsers do not). */
function storageManager(): StorageManager | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator.storage;
}

/**
 * Asks the browser to keep this site's data until the user removes it. Resolves true when storage
 * is (now, or already) persistent, false when the browser declines or lacks the API; never rejects.
 * Chromium grants or declines silently from site engagement; Firefox may show a prompt.
 */
export async function requestPersistence(): Promise<boolean> {
  const storage = storageManager();
  if (typeof storage?.persist !== 'function') return false;
  try {
    if (typeof storage.persisted === 'function' && (await storage.persisted())) return true;
    return await storage.persist();
  } catch {
    return false;
  }
}

/** Whether this site's storage is already persistent (false when unknown). Never rejects. */
export async function isPersisted(): Promise<boolean> {
  const storage = storageManager();
  if (typeof storage?.persisted !== 'function') return false;
  try {
    return await storage.persisted();
  } catch {
    return false;
  }
}

export interface StorageEstimateResult {
  /** Bytes this site uses (approximate, may be padded by the browser). */
  usage: number;
  /** Bytes this site may use in total (approximate). */
  quota: number;
  /** quota - usage, never negative. */
  available: number;
}

/** The browser's estimate of this site's usage and quota, or undefined when unavailable. Never rejects. */
export async function storageEstimate(): Promise<StorageEstimateResult | undefined> {
  const storage = storageManager();
  if (typeof storage?.estimate !== 'function') return undefined;
  try {
    const { usage, quota } = await storage.estimate();
    if (typeof usage !== 'number' || typeof quota !== 'number') return undefined;
    return { usage, quota, available: Math.max(0, quota - usage) };
  } catch {
    return undefined;
  }
}
