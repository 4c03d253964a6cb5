/**
 * Peer wire messages after the handshake: `u32 length (big-endian) | u8 id | payload`, where a
 * length of 0 is a keep-alive. Pure encoders and a pure frame decoder; the stream reassembly is
 * in decoder.ts.
 */
import { WireError } from './errors.js';

/** BEP 3, the base protocol. */
export const Bep3Id = Object.freeze({
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
} as const);
/** BEP 5, the DHT: the port a peer's DHT node listens on. */
export const Bep5Id = Object.freeze({ port: 9 } as const);
/** BEP 6, the Fast Extension (only once both sides set its reserved bit). */
export const Bep6Id = Object.freeze({
  suggest: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
} as const);
/** BEP 10, the extension protocol: `u8 extension id | payload`. */
export const Bep10Id = Object.freeze({ extended: 20 } as const);
/**
 * BEP 52, BitTorrent v2: Merkle tree hashes of a file (once both sides set the v2 reserved bit).
 * Each starts `pieces root[32] | base layer | index | length | proof layers` (u32 each); `hashes`
 * follows it with the `length` base-layer hashes and then the proof's uncle hashes.
 */
export const Bep52Id = Object.freeze({ hashRequest: 21, hashes: 22, hashReject: 23 } as const);

/** Every message id this codec knows, by message type. */
export const MessageId = Object.freeze({ ...Bep3Id, ...Bep5Id, ...Bep6Id, ...Bep10Id, ...Bep52Id } as const);

/** Which hashes of which file's tree (BEP 52): the fields every hash message starts with. */
export interface HashRange {
  /** 32 bytes: the file's `pieces root`. */
  piecesRoot: Uint8Array;
  /** The layer of the hashes asked for: 0 for the 16 KiB blocks' leaves. */
  baseLayer: number;
  /** The first hash asked for in the base layer (a multiple of `length`). */
  index: number;
  /** How many base-layer hashes (a power of two, 2 at least, by BEP 52). */
  length: number;
  /** How many layers of uncle hashes above them, towards the root. */
  proofLayers: number;
}

/** Bytes of a hash message's fixed part: the pieces root and four u32. */
export const HASH_RANGE_BYTES = 48;
/** Bytes in one SHA-256 hash. */
const HASH_BYTES = 32;

export type WireMessage =
  | { type: 'keepAlive' }
  // BEP 3
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'notInterested' }
  | { type: 'have'; index: number }
  /** MSB first: piece 0 is the high bit of byte 0. Checked against the piece count by BitField.fromWire. */
  | { type: 'bitfield'; bits: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | { type: 'cancel'; index: number; begin: number; length: number }
  // BEP 5
  | { type: 'port'; port: number }
  // BEP 6
  | { type: 'suggest'; index: number }
  | { type: 'haveAll' }
  | { type: 'haveNone' }
  | { type: 'reject'; index: number; begin: number; length: number }
  | { type: 'allowedFast'; index: number }
  // BEP 10
  | { type: 'extended'; extId: number; payload: Uint8Array }
  // BEP 52
  | ({ type: 'hashRequest' } & HashRange)
  /** `hashes`: the base-layer hashes, then the uncle hashes, 32 bytes each, concatenated. */
  | ({ type: 'hashes'; hashes: Uint8Array } & HashRange)
  | ({ type: 'hashReject' } & HashRange)
  /** An id this codec does not know: passed up, not an error. */
  | { type: 'unknown'; id: number; payload: Uint8Array };

export type WireMessageType = WireMessage['type'];
export type MessageOf<T extends WireMessageType> = Extract<WireMessage, { type: T }>;

type KnownType = keyof typeof MessageId;

/** Payload sizes (after the id byte) of the messages whose size is fixed. */
const FIXED_PAYLOAD: { readonly [id: number]: number | undefined } = Object.freeze({
  [MessageId.choke]: 0,
  [MessageId.unchoke]: 0,
  [MessageId.interested]: 0,
  [MessageId.notInterested]: 0,
  [MessageId.have]: 4,
  [MessageId.request]: 12,
  [MessageId.cancel]: 12,
  [MessageId.port]: 2,
  [MessageId.suggest]: 4,
  [MessageId.haveAll]: 0,
  [MessageId.haveNone]: 0,
  [MessageId.reject]: 12,
  [MessageId.allowedFast]: 4,
  [MessageId.hashRequest]: HASH_RANGE_BYTES,
  [MessageId.hashReject]: HASH_RANGE_BYTES,
});

const NAME_OF_ID: { readonly [id: number]: KnownType | undefined } = Object.freeze(
  Object.fromEntries(Object.entries(MessageId).map(([name, id]) => [id, name as KnownType])),
);

const MAX_U32 = 0xffffffff;

/** A big-endian u32 at `at` (the caller checks that 4 bytes are there). */
export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function checkInt(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new WireError(`${what} must be an integer from 0 to ${max}, not ${v}`);
  }
}

/** The length prefix's value: id byte plus payload (0 for a keep-alive). Validates every field. */
export function frameLength(msg: WireMessage): number {
  switch (msg.type) {
    case 'keepAlive':
      return 0;
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'notInterested':
    case 'haveAll':
    case 'haveNone':
      return 1;
    case 'have':
    case 'suggest':
    case 'allowedFast':
      checkInt(`${msg.type}: index`, msg.index, MAX_U32);
      return 5;
    case 'request':
    case 'cancel':
    case 'reject':
      checkInt(`${msg.type}: index`, msg.index, MAX_U32);
      checkInt(`${msg.type}: begin`, msg.begin, MAX_U32);
      checkInt(`${msg.type}: length`, msg.length, MAX_U32);
      return 13;
    case 'piece':
      checkInt('piece: index', msg.index, MAX_U32);
      checkInt('piece: begin', msg.begin, MAX_U32);
      return sized('piece: block', 9, msg.block.length);
    case 'bitfield':
      return sized('bitfield', 1, msg.bits.length);
    case 'port':
      checkInt('port: port', msg.port, 0xffff);
      return 3;
    case 'extended':
      checkInt('extended: extension id', msg.extId, 0xff);
      return sized('extended: payload', 2, msg.payload.length);
    case 'unknown':
      checkInt('unknown: id', msg.id, 0xff);
      if (NAME_OF_ID[msg.id] !== undefined) {
        throw new WireError(`unknown: id ${msg.id} is the ${NAME_OF_ID[msg.id]} message; build that instead`);
      }
      return sized('unknown: payload', 1, msg.payload.length);
    case 'hashRequest':
    case 'hashReject':
      checkHashRange(msg.type, msg);
      return 1 + HASH_RANGE_BYTES;
    case 'hashes':
      checkHashRange('hashes', msg);
      if (msg.hashes.length % HASH_BYTES !== 0)
        throw new WireError(`hashes: ${msg.hashes.length} bytes of hashes are not a whole number of ${HASH_BYTES}-byte hashes`);
      return sized('hashes: hashes', 1 + HASH_RANGE_BYTES, msg.hashes.length);
  }
}

function checkHashRange(what: string, r: HashRange): void {
  if (!(r.piecesRoot instanceof Uint8Array) || r.piecesRoot.length !== HASH_BYTES) throw new WireError(`${what}: the pieces root must be ${HASH_BYTES} bytes`);
  checkInt(`${what}: base layer`, r.baseLayer, MAX_U32);
  checkInt(`${what}: index`, r.index, MAX_U32);
  checkInt(`${what}: length`, r.length, MAX_U32);
  checkInt(`${what}: proof layers`, r.proofLayers, MAX_U32);
}

function writeHashRange(out: Uint8Array, p: number, r: HashRange): void {
  out.set(r.piecesRoot, p);
  writeU32(out, p + 32, r.baseLayer);
  writeU32(out, p + 36, r.index);
  writeU32(out, p + 40, r.length);
  writeU32(out, p + 44, r.proofLayers);
}

/** The fixed part of a hash message (`frame` is `id | payload`); the root is a view. */
function readHashRange(frame: Uint8Array): HashRange {
  return {
    piecesRoot: frame.subarray(1, 33),
    baseLayer: readU32(frame, 33),
    index: readU32(frame, 37),
    length: readU32(frame, 41),
    proofLayers: readU32(frame, 45),
  };
}

function sized(what: string, header: number, length: number): number {
  if (length > MAX_U32 - header) throw new WireError(`${what} of ${length} bytes does not fit in a frame`);
  return header + length;
}

/** Bytes the message takes on the wire, length prefix included. */
export function encodedLength(msg: WireMessage): number {
  return 4 + frameLength(msg);
}

/** Writes the frame of `msg` at `at`; returns the offset after it. `out` must have room. */
function writeFrame(msg: WireMessage, length: number, out: Uint8Array, at: number): number {
  writeU32(out, at, length);
  if (msg.type === 'keepAlive') return at + 4;
  const id = msg.type === 'unknown' ? msg.id : MessageId[msg.type];
  out[at + 4] = id;
  const p = at + 5;
  switch (msg.type) {
    case 'have':
    case 'suggest':
    case 'allowedFast':
      writeU32(out, p, msg.index);
      break;
    case 'request':
    case 'cancel':
    case 'reject':
      writeU32(out, p, msg.index);
      writeU32(out, p + 4, msg.begin);
      writeU32(out, p + 8, msg.length);
      break;
    case 'piece':
      writeU32(out, p, msg.index);
      writeU32(out, p + 4, msg.begin);
      out.set(msg.block, p + 8);
      break;
    case 'bitfield':
      out.set(msg.bits, p);
      break;
    case 'port':
      out[p] = msg.port >>> 8;
      out[p + 1] = msg.port & 0xff;
      break;
    case 'extended':
      out[p] = msg.extId;
      out.set(msg.payload, p + 1);
      break;
    case 'unknown':
      out.set(msg.payload, p);
      break;
    case 'hashRequest':
    case 'hashReject':
      writeHashRange(out, p, msg);
      break;
    case 'hashes':
      writeHashRange(out, p, msg);
      out.set(msg.hashes, p + HASH_RANGE_BYTES);
      break;
    default:
      break;
  }
  return at + 4 + length;
}

/** Encodes one message, length prefix included. Throws WireError for a field out of range. */
export function encodeMessage(msg: WireMessage): Uint8Array {
  const length = frameLength(msg);
  const out = new Uint8Array(4 + length);
  writeFrame(msg, length, out, 0);
  return out;
}

/**
 * A piece message's first 13 bytes (length prefix, id, index, begin) for a block of `length` bytes:
 * sent before the block itself, the block is copied once, into the send it leaves in, not first
 * into a frame of its own.
 */
export function encodePieceHeader(index: number, begin: number, length: number): Uint8Array {
  checkInt('piece: index', index, MAX_U32);
  checkInt('piece: begin', begin, MAX_U32);
  const out = new Uint8Array(13);
  writeU32(out, 0, sized('piece: block', 9, length));
  out[4] = MessageId.piece;
  writeU32(out, 5, index);
  writeU32(out, 9, begin);
  return out;
}

/** Encodes several messages back to back into one buffer (one send instead of many). */
export function encodeMessages(msgs: readonly WireMessage[]): Uint8Array {
  const lengths = msgs.map(frameLength);
  let total = 0;
  for (const l of lengths) total += 4 + l;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < msgs.length; i++) at = writeFrame(msgs[i]!, lengths[i]!, out, at);
  return out;
}

/**
 * Decodes one frame without its length prefix (`id | payload`; empty for a keep-alive).
 * Byte payloads (bitfield bits, piece block, extended and unknown payloads, hash message roots and
 * hashes) are views into
 * `frame`, not copies. Throws WireError when a message has the wrong size for its id.
 */
export function decodeFrame(frame: Uint8Array): WireMessage {
  if (frame.length === 0) return { type: 'keepAlive' };
  const id = frame[0]!;
  const size = frame.length - 1;
  const name = NAME_OF_ID[id];
  if (name === undefined) return { type: 'unknown', id, payload: frame.subarray(1) };
  const fixed = FIXED_PAYLOAD[id];
  if (fixed !== undefined && size !== fixed) {
    throw new WireError(`${name} message (id ${id}) must have ${fixed} payload bytes, not ${size}`);
  }
  switch (name) {
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'notInterested':
    case 'haveAll':
    case 'haveNone':
      return { type: name };
    case 'have':
    case 'suggest':
    case 'allowedFast':
      return { type: name, index: readU32(frame, 1) };
    case 'request':
    case 'cancel':
    case 'reject':
      return { type: name, index: readU32(frame, 1), begin: readU32(frame, 5), length: readU32(frame, 9) };
    case 'port':
      return { type: 'port', port: (frame[1]! << 8) | frame[2]! };
    case 'bitfield':
      return { type: 'bitfield', bits: frame.subarray(1) };
    case 'piece':
      if (size < 8) throw new WireError(`piece message (id ${id}) needs at least 8 payload bytes, not ${size}`);
      return { type: 'piece', index: readU32(frame, 1), begin: readU32(frame, 5), block: frame.subarray(9) };
    case 'extended':
      if (size < 1) throw new WireError(`extended message (id ${id}) has no extension id byte`);
      return { type: 'extended', extId: frame[1]!, payload: frame.subarray(2) };
    case 'hashRequest':
    case 'hashReject':
      return { type: name, ...readHashRange(frame) };
    case 'hashes':
      if (size < HASH_RANGE_BYTES || (size - HASH_RANGE_BYTES) % HASH_BYTES !== 0) {
        throw new WireError(`hashes message (id ${id}) must have ${HASH_RANGE_BYTES} payload bytes and whole ${HASH_BYTES}-byte hashes, not ${size}`);
      }
      return { type: 'hashes', ...readHashRange(frame), hashes: frame.subarray(1 + HASH_RANGE_BYTES) };
  }
}
