/**
 * The ciphers of a private share in JavaScript, for pages without SubtleCrypto (not a secure
 * context): @noble/ciphers (AES) and @noble/hashes (HKDF), the same results byte for byte as
 * cipher.ts's SubtleCrypto ones. Imported by cipher.ts only where it is needed.
 */
import { gcm, ctr as nobleCtr } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { aligned, MANIFEST_INFO, MANIFEST_NONCE, PAYLOAD_INFO, WRONG_KEY, type ShareCipher } from './cipher.js';
import { counterAt, PrivateShareError } from './format.js';

export function javascriptCipher(secret: Uint8Array): ShareCipher {
  const manifestKey = hkdf(sha256, secret, undefined, MANIFEST_INFO, 16);
  const payloadKey = hkdf(sha256, secret, undefined, PAYLOAD_INFO, 16);
  return {
    async ctr(data, position) {
      const { counter, skip } = counterAt(position);
      return nobleCtr(payloadKey, counter).encrypt(aligned(data, skip)).subarray(skip);
    },
    async seal(plain, aad) {
      return gcm(manifestKey, MANIFEST_NONCE, aad).encrypt(plain);
    },
    async open(sealed, aad) {
      try {
        return gcm(manifestKey, MANIFEST_NONCE, aad).decrypt(sealed);
      } catch {
        throw new PrivateShareError(WRONG_KEY);
      }
    },
  };
}
