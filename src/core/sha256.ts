/**
 * SHA-256 for BitTorrent v2 (BEP 52): the v2 info hash, and the Merkle trees of 16 KiB blocks. As
 * sha1.ts: SubtleCrypto wherever it exists, and where a page has none (plain http from another
 * address) the JavaScript SHA-256 of @noble/hashes, which gives the event loop a turn every 50 ms.
 */
import { sha256 as jsSha256 } from '@noble/hashes/sha2.js';

export type Sha256 = (data: Uint8Array) => Promise<Uint8Array>;

/** SHA-256 through SubtleCrypto. */
export async function subtleSha256(data: Uint8Array): Promise<Uint8Array> {
  const subtle = (crypto as Partial<typeof crypto>).subtle;
  if (!subtle) throw new Error('SubtleCrypto is not available');
  const view = data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
  return new Uint8Array(await subtle.digest('SHA-256', view));
}

const SLICE_MS = 50;
let sliceStart = 0;

/** SHA-256 in JavaScript (@noble/hashes), for pages without SubtleCrypto. */
export async function javascriptSha256(data: Uint8Array): Promise<Uint8Array> {
  if (Date.now() - sliceStart > SLICE_MS) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    sliceStart = Date.now();
  }
  return jsSha256(data);
}

/** Which SHA-256 this page uses. */
export const sha256Implementation: 'subtle' | 'javascript' = (crypto as Partial<typeof crypto>).subtle ? 'subtle' : 'javascript';

/** SHA-256 of `data`: the implementation chosen at start-up. */
export const sha256: Sha256 = sha256Implementation === 'subtle' ? subtleSha256 : javascriptSha256;
