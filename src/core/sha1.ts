/** SHA-1 through SubtleCrypto, present in Node 20 and in every browser (secure contexts). */

export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  // Missing in insecure browser contexts, whatever lib.dom says.
  const subtle = (crypto as Partial<typeof crypto>).subtle;
  if (!subtle) throw new Error('SubtleCrypto is not available (a browser needs a secure context: https or localhost)');
  // SubtleCrypto wants an ArrayBuffer-backed view; Uint8Array<ArrayBufferLike> may be shared.
  const view = data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
  return new Uint8Array(await subtle.digest('SHA-1', view));
}
