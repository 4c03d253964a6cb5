/** Byte helpers shared by the core: no Node Buffer, only Uint8Array. */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function fromUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/** Parses hex (either case). Returns undefined when the text is not hex of even length. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (either case). Returns undefined on a bad character. */
export function fromBase32(text: string): Uint8Array | undefined {
  const upper = text.toUpperCase();
  const out = new Uint8Array(Math.floor((upper.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const ch of upper) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** RFC 4648 base64url without padding: 4 characters for every 3 bytes, `-` and `_` for 62 and 63. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BASE64URL[(value >>> bits) & 63]!;
    }
  }
  if (bits > 0) out += BASE64URL[(value << (6 - bits)) & 63]!;
  return out;
}

/**
 * Parses unpadded base64url. Returns undefined on a character outside the alphabet, a length no
 * byte count gives (4n + 1), or a last character whose unused low bits are not zero: each byte
 * string has exactly one text, so the text round-trips too.
 */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let value = 0;
  let bits = 0;
  let index = 0;
  for (const ch of text) {
    const v = BASE64URL.indexOf(ch);
    if (v < 0) return undefined;
    value = ((value << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >>> bits) & 0xff;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** A "binary string": one JS char per byte, as the WebSocket tracker protocol uses. */
export function toBinaryString(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** Inverse of {@link toBinaryString}; undefined if any char is above 0xff. */
export function fromBinaryString(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return undefined;
    out[i] = c;
  }
  return out;
}

/**
 * The parts one after another: in a new buffer, or at the start of `into` (a view of it is returned;
 * `into` must hold them all).
 */
export function concatBytes(parts: readonly Uint8Array[], into?: Uint8Array): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  if (into && into.length < total) throw new RangeError(`${total} bytes do not fit in a buffer of ${into.length}`);
  const out = into ? into.subarray(0, total) : new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Whether two byte strings are equal. Compared from the end: peer ids share their client's prefix
 * (`-TS0010-`, `-WW0300-`) and differ in what follows, and a swarm compares a new peer's id with
 * every connected one's (relay.ts); hashes are random throughout, so the order costs them nothing.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/** Compares two byte strings in lexicographic (raw byte) order, as bencode sorts keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
