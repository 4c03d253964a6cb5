/**
 * The BitTorrent handshake (BEP 3), always the first 68 bytes each side sends:
 * `0x13 'BitTorrent protocol' reserved[8] info_hash[20] peer_id[20]`.
 * Reserved bits we know: BEP 10 extension protocol (`reserved[5] & 0x10`), BEP 6 Fast
 * Extension (`reserved[7] & 0x04`) and BEP 52 BitTorrent v2 (`reserved[7] & 0x10`). A browser
 * WebTorrent peer sends `00 00 00 00 00 10 00 04`.
 */
import { WireError } from './errors.js';

/** `0x13` followed by the 19 ASCII bytes of "BitTorrent protocol". */
export const PROTOCOL_PREFIX: Uint8Array = Uint8Array.of(
  19,
  0x42,
  0x69,
  0x74,
  0x54,
  0x6f,
  0x72,
  0x72,
  0x65,
  0x6e,
  0x74,
  0x20,
  0x70,
  0x72,
  0x6f,
  0x74,
  0x6f,
  0x63,
  0x6f,
  0x6c,
);
export const HANDSHAKE_LENGTH = 68;
export const INFO_HASH_LENGTH = 20;
export const PEER_ID_LENGTH = 20;

const RESERVED_AT = 20;
const INFO_HASH_AT = 28;
const PEER_ID_AT = 48;

/** BEP 10: byte 5 of the reserved bytes, bit 0x10. */
const EXTENDED_BYTE = 5;
const EXTENDED_BIT = 0x10;
/** BEP 6: byte 7 of the reserved bytes, bit 0x04. */
const FAST_BYTE = 7;
const FAST_BIT = 0x04;
/** BEP 52: byte 7 of the reserved bytes, bit 0x10 (the 4th most significant bit of the last byte). */
const V2_BYTE = 7;
const V2_BIT = 0x10;

export interface HandshakeExtensions {
  /** BEP 10 extension protocol. */
  extended: boolean;
  /** BEP 6 Fast Extension. */
  fast: boolean;
  /** BEP 52 BitTorrent v2 (hash request, hashes, hash reject); absent: false. */
  v2?: boolean;
}

export interface HandshakeInit {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  extensions: HandshakeExtensions;
}

/** A handshake as received: the extensions we understand plus the raw reserved bytes. */
export interface Handshake extends HandshakeInit {
  /** All 8 reserved bytes, for bits this codec does not interpret. */
  reserved: Uint8Array;
}

export function encodeHandshake(h: HandshakeInit): Uint8Array {
  if (h.infoHash.length !== INFO_HASH_LENGTH) {
    throw new WireError(`handshake: the info hash is ${h.infoHash.length} bytes, not ${INFO_HASH_LENGTH}`);
  }
  if (h.peerId.length !== PEER_ID_LENGTH) {
    throw new WireError(`handshake: the peer id is ${h.peerId.length} bytes, not ${PEER_ID_LENGTH}`);
  }
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out.set(PROTOCOL_PREFIX, 0);
  if (h.extensions.extended) out[RESERVED_AT + EXTENDED_BYTE] = EXTENDED_BIT;
  // Both bits are in the last reserved byte.
  out[RESERVED_AT + FAST_BYTE] = (h.extensions.fast ? FAST_BIT : 0) | (h.extensions.v2 === true ? V2_BIT : 0);
  out.set(h.infoHash, INFO_HASH_AT);
  out.set(h.peerId, PEER_ID_AT);
  return out;
}

/**
 * Checks `bytes` (the first bytes of a stream, possibly fewer than 20) against the protocol prefix,
 * so a peer speaking something else is refused as soon as its first wrong byte arrives.
 * Throws WireError on the first mismatch.
 */
export function checkProtocolPrefix(bytes: Uint8Array, from = 0): void {
  const end = Math.min(bytes.length, PROTOCOL_PREFIX.length);
  for (let i = from; i < end; i++) {
    if (bytes[i] !== PROTOCOL_PREFIX[i]) {
      throw new WireError(
        i === 0
          ? `not a BitTorrent handshake: the first byte is ${bytes[i]}, not 19`
          : `not a BitTorrent handshake: byte ${i} of the protocol name is 0x${bytes[i]!.toString(16).padStart(2, '0')}`,
      );
    }
  }
}

/** Parses exactly 68 handshake bytes. The ids and reserved bytes are copies. Throws WireError. */
export function decodeHandshake(bytes: Uint8Array): Handshake {
  if (bytes.length !== HANDSHAKE_LENGTH) {
    throw new WireError(`a handshake is ${HANDSHAKE_LENGTH} bytes, not ${bytes.length}`);
  }
  checkProtocolPrefix(bytes);
  const reserved = bytes.slice(RESERVED_AT, INFO_HASH_AT);
  return {
    infoHash: bytes.slice(INFO_HASH_AT, PEER_ID_AT),
    peerId: bytes.slice(PEER_ID_AT, HANDSHAKE_LENGTH),
    extensions: {
      extended: (reserved[EXTENDED_BYTE]! & EXTENDED_BIT) !== 0,
      fast: (reserved[FAST_BYTE]! & FAST_BIT) !== 0,
      v2: (reserved[V2_BYTE]! & V2_BIT) !== 0,
    },
    reserved,
  };
}
