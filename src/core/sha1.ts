/**
 * SHA-1 for piece hashes and info hashes. SubtleCrypto wherever it exists (Node 20, and browsers in
 * a secure context: https or localhost); a page opened over plain http from another address (a phone
 * on the LAN) has no `crypto.subtle`, and there the well-kept JavaScript SHA-1 of @noble/hashes does
 * the same work on the main thread (some 100 MiB/s). The choice is made once, when this module loads.
 */
import { sha1 as jsSha1 } from '@noble/hashes/legacy.js';

export type Sha1 = (data: Uint8Array) => Promise<Uint8Array>;

/** SHA-1 through SubtleCrypto. */
export async function subtleSha1(data: Uint8Array): Promise<Uint8Array> {
  // Missing in insecure browser contexts, whatever lib.dom says.
  const subtle = (crypto as Partial<typeof crypto>).subtle;
  if (!subtle) throw new Error('SubtleCrypto is not available');
  // SubtleCrypto wants an ArrayBuffer-backed view; Uint8Array<ArrayBufferLike> may be shared.
  const view = data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
  return new Uint8Array(await subtle.digest('SHA-1', view));
}

/** Hashing in JavaScript runs on the caller's thread: it gives the event loop a turn this often. */
const SLICE_MS = 50;
let sliceStart = 0;

/**
 * SHA-1 in JavaScript (@noble/hashes), for pages without SubtleCrypto. Hashing is synchronous, so
 * after every 50 ms of it the next call first lets the page render and handle input.
 */
export async function javascriptSha1(data: Uint8Array): Promise<Uint8Array> {
  if (Date.now() - sliceStart > SLICE_MS) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    sliceStart = Date.now();
  }
  return jsSha1(data);
}

/** Which SHA-1 this page uses: SubtleCrypto, or JavaScript where it is missing (not a secure context). */
export const sha1Implementation: 'subtle' | 'javascript' = (crypto as Partial<typeof crypto>).subtle ? 'subtle' : 'javascript';

/** SHA-1 of `data`: the implementation chosen at start-up. */
export const sha1: Sha1 = sha1Implementation === 'subtle' ? subtleSha1 : javascriptSha1;
