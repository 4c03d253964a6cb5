/**
 * Helpers that run inside the test page (loaded there with harnessImport('/test/browser/store/page-utils.ts')).
 */

/** `length` pseudo-random bytes determined by `seed`; random enough that Chromium cannot compress them. */
export function pieceBytes(seed: number, length = 256 * 1024): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (seed * 2654435761 + 1) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The fields of a thrown value that tests look at. */
export function errorInfo(error: unknown): { name: string; message: string; quotaExceeded?: boolean } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const quota = (error as Error & { quotaExceeded?: unknown }).quotaExceeded;
  return typeof quota === 'boolean' ? { name: error.name, message: error.message, quotaExceeded: quota } : { name: error.name, message: error.message };
}
