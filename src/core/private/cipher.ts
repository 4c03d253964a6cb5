/**
 * The ciphers of a private share (format.ts): two AES-128 keys derived from the link's secret with
 * HKDF-SHA256 (one for the manifest, sealed with AES-GCM; one for the payload, AES-CTR at a position),
 * so no keystream is ever used twice. SubtleCrypto wherever it exists; a page that is not a secure
 * context (plain http from another device) has no `crypto.subtle`, and there @noble/ciphers (AES) and
 * @noble/hashes (HKDF) do the same in JavaScript, with the same results byte for byte (cipher-js.ts,
 * imported only then: @noble/ciphers builds its AES tables as it loads, 10 ms of a page's start).
 */
import { utf8 } from '../bytes.js';
import { counterAt, PrivateShareError, SECRET_LENGTH } from './format.js';

/** The HKDF `info` of each key (the salt is empty: every secret is fresh and random). */
export const MANIFEST_INFO = utf8('tabswarm private share v1: manifest');
export const PAYLOAD_INFO = utf8('tabswarm private share v1: payload');
/** The manifest key seals one message only: a fixed nonce is safe. */
export const MANIFEST_NONCE = new Uint8Array(12);

export interface ShareCipher {
  /** AES-CTR of `data` as the payload bytes from `position` on (encrypting and decrypting are the same). */
  ctr(data: Uint8Array, position: number): Promise<Uint8Array>;
  /** Seals the manifest (AES-GCM, `aad` authenticated too). */
  seal(plain: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** Opens a sealed manifest; a {@link PrivateShareError} when the key is not this share's or the bytes were changed. */
  open(sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
}

export type CipherImplementation = 'subtle' | 'javascript';

/** What this page uses: SubtleCrypto, or JavaScript where it is missing (not a secure context). */
export const cipherImplementation: CipherImplementation = (crypto as Partial<typeof crypto>).subtle ? 'subtle' : 'javascript';

export const WRONG_KEY = "the link's key does not open this private share: the key part of the link (after the '.') was changed or belongs to another share";

function checkSecret(secret: Uint8Array): void {
  if (secret.length !== SECRET_LENGTH) throw new PrivateShareError(`a private share's key is ${SECRET_LENGTH} bytes, not ${secret.length}`);
}

/** `data` with `skip` bytes before it, so that a range starting inside a block lines up with its keystream. */
export function aligned(data: Uint8Array, skip: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(skip + data.length);
  out.set(data, skip);
  return out;
}

function buffer(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data);
}

async function subtleCipher(secret: Uint8Array): Promise<ShareCipher> {
  // Missing in insecure browser contexts, whatever lib.dom says.
  const subtle = (crypto as Partial<typeof crypto>).subtle;
  if (!subtle) throw new PrivateShareError('SubtleCrypto is not available here');
  const base = await subtle.importKey('raw', buffer(secret), 'HKDF', false, ['deriveKey']);
  const derive = (info: Uint8Array, name: 'AES-GCM' | 'AES-CTR') =>
    subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: buffer(info) }, base, { name, length: 128 }, false, [
      'encrypt',
      'decrypt',
    ]);
  const [manifestKey, payloadKey] = await Promise.all([derive(MANIFEST_INFO, 'AES-GCM'), derive(PAYLOAD_INFO, 'AES-CTR')]);
  return {
    async ctr(data, position) {
      const { counter, skip } = counterAt(position);
      const out = await subtle.encrypt({ name: 'AES-CTR', counter, length: 128 }, payloadKey, aligned(data, skip));
      return new Uint8Array(out, skip);
    },
    async seal(plain, aad) {
      return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: MANIFEST_NONCE, additionalData: buffer(aad) }, manifestKey, buffer(plain)));
    },
    async open(sealed, aad) {
      try {
        return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: MANIFEST_NONCE, additionalData: buffer(aad) }, manifestKey, buffer(sealed)));
      } catch {
        throw new PrivateShareError(WRONG_KEY);
      }
    },
  };
}

/** The ciphers of the share whose link holds `secret` ({@link SECRET_LENGTH} bytes). */
export async function shareCipher(secret: Uint8Array, implementation: CipherImplementation = cipherImplementation): Promise<ShareCipher> {
  checkSecret(secret);
  return implementation === 'subtle' ? subtleCipher(secret) : (await import('./cipher-js.js')).javascriptCipher(secret);
}

/** A new secret: {@link SECRET_LENGTH} random bytes. */
export function newSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_LENGTH));
}
