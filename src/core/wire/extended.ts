/**
 * Payloads of BEP 10 extended messages: the extended handshake (extension id 0) and BEP 9
 * ut_metadata. The decoders are tolerant of keys they do not use and strict about the types of
 * those they do; they throw only WireError.
 */
import { decode, decodePrefix, encode, isBytes, isDict, isInt, isList, type BDict, type BValue } from '../bencode.js';
import { fromUtf8 } from '../bytes.js';
import { TabswarmError } from '../errors.js';
import { WireError } from './errors.js';

/** The extension id of the extended handshake itself. */
export const EXTENDED_HANDSHAKE_ID = 0;
/** Metadata is exchanged in pieces of 16 KiB; only the last may be shorter (BEP 9). */
export const METADATA_PIECE = 16384;
/** The largest metadata (info dictionary) accepted, as WebTorrent caps it: 10 MB (10^7 bytes). */
export const MAX_METADATA_SIZE = 10_000_000;
/** Metadata pieces in metadata of MAX_METADATA_SIZE bytes. */
export const MAX_METADATA_PIECES = Math.ceil(MAX_METADATA_SIZE / METADATA_PIECE);

export interface ExtendedHandshake {
  /** Extension name → the id the sender wants for it in messages to it; 0 disables the extension. */
  m: Record<string, number>;
  /** BEP 9: size of the info dictionary in bytes. */
  metadata_size?: number;
  /** How many outstanding requests the sender queues. */
  reqq?: number;
  /** Client name and version. */
  v?: string;
  /** The sender's listen port. */
  p?: number;
  /** Our address as the sender sees it (4 or 16 bytes). */
  yourip?: Uint8Array;
}

export interface DecodedExtendedHandshake extends ExtendedHandshake {
  /** The whole decoded dictionary, for keys not read above. */
  raw: BDict;
}

function fail(what: string, problem: string): never {
  throw new WireError(`${what}: ${problem}`);
}

function decodeWith<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof WireError) throw e;
    if (e instanceof TabswarmError) fail(what, e.message);
    throw new WireError(`${what}: ${String(e)}`);
  }
}

function intIn(what: string, key: string, v: BValue, min: number, max: number): number {
  if (!isInt(v) || !Number.isInteger(v)) fail(what, `'${key}' is not an integer`);
  if (v < min || v > max) fail(what, `'${key}' is ${v}, outside ${min}..${max}`);
  return v;
}

function optional<T>(d: BDict, key: string, read: (v: BValue) => T): T | undefined {
  const v = d[key];
  return v === undefined ? undefined : read(v);
}

const HS = 'extended handshake';

export function encodeExtendedHandshake(h: ExtendedHandshake): Uint8Array {
  const m = new Map<string, number>();
  for (const [name, id] of Object.entries(h.m)) m.set(name, intIn(HS, `m.${name}`, id, 0, 255));
  const check = (key: string, v: number | undefined, max: number): number | undefined => (v === undefined ? undefined : intIn(HS, key, v, 0, max));
  if (h.yourip !== undefined && h.yourip.length !== 4 && h.yourip.length !== 16) {
    fail(HS, `'yourip' is ${h.yourip.length} bytes, not 4 or 16`);
  }
  return encode({
    m,
    metadata_size: check('metadata_size', h.metadata_size, Number.MAX_SAFE_INTEGER),
    reqq: check('reqq', h.reqq, Number.MAX_SAFE_INTEGER),
    v: h.v,
    p: check('p', h.p, 0xffff),
    yourip: h.yourip,
  });
}

/** Decodes an extended handshake payload (the whole payload is one bencoded dictionary). */
export function decodeExtendedHandshake(payload: Uint8Array): DecodedExtendedHandshake {
  const raw = decodeWith(HS, () => decode(payload));
  if (!isDict(raw)) fail(HS, 'not a dictionary');
  const m: Record<string, number> = Object.create(null) as Record<string, number>;
  const md = raw['m'];
  if (md !== undefined) {
    if (!isDict(md)) fail(HS, "'m' is not a dictionary");
    for (const [name, id] of Object.entries(md)) m[name] = intIn(HS, `m.${name}`, id, 0, 255);
  }
  const out: DecodedExtendedHandshake = { m, raw };
  const metadataSize = optional(raw, 'metadata_size', (v) => intIn(HS, 'metadata_size', v, 0, Number.MAX_SAFE_INTEGER));
  if (metadataSize !== undefined) out.metadata_size = metadataSize;
  const reqq = optional(raw, 'reqq', (v) => intIn(HS, 'reqq', v, 0, Number.MAX_SAFE_INTEGER));
  if (reqq !== undefined) out.reqq = reqq;
  const p = optional(raw, 'p', (v) => intIn(HS, 'p', v, 0, 0xffff));
  if (p !== undefined) out.p = p;
  const v = optional(raw, 'v', (b) => (isBytes(b) ? fromUtf8(b) : fail(HS, "'v' is not a string")));
  if (v !== undefined) out.v = v;
  const yourip = optional(raw, 'yourip', (b) => (isBytes(b) && (b.length === 4 || b.length === 16) ? b.slice() : fail(HS, "'yourip' is not 4 or 16 bytes")));
  if (yourip !== undefined) out.yourip = yourip;
  return out;
}

// ---- BEP 9 ut_metadata -------------------------------------------------------------------------

export const MetadataMsgType = Object.freeze({ request: 0, data: 1, reject: 2 } as const);

export type KnownMetadataMessage =
  | { msgType: 0; piece: number }
  /** `data` is the piece: 16 KiB, or what is left of `totalSize` for the last piece. */
  | { msgType: 1; piece: number; totalSize: number; data: Uint8Array }
  | { msgType: 2; piece: number };

/** A decoded ut_metadata message; BEP 9 says to ignore msg_type values it does not define. */
export type MetadataMessage = KnownMetadataMessage | { msgType: 'unknown'; code: number; dict: BDict };

const UM = 'ut_metadata message';

/** Bytes a data message for `piece` carries, or an error when the piece is past the end. */
function pieceLength(piece: number, totalSize: number): number {
  const start = piece * METADATA_PIECE;
  if (start >= totalSize) fail(UM, `piece ${piece} starts past the ${totalSize}-byte metadata`);
  return Math.min(METADATA_PIECE, totalSize - start);
}

export function encodeMetadataMessage(msg: KnownMetadataMessage): Uint8Array {
  const piece = intIn(UM, 'piece', msg.piece, 0, MAX_METADATA_PIECES - 1);
  if (msg.msgType !== 1) return encode({ msg_type: msg.msgType, piece });
  const totalSize = intIn(UM, 'total_size', msg.totalSize, 1, MAX_METADATA_SIZE);
  const expected = pieceLength(piece, totalSize);
  if (msg.data.length !== expected) fail(UM, `piece ${piece} must carry ${expected} bytes, not ${msg.data.length}`);
  const dict = encode({ msg_type: 1, piece, total_size: totalSize });
  const out = new Uint8Array(dict.length + msg.data.length);
  out.set(dict);
  out.set(msg.data, dict.length);
  return out;
}

/** Decodes a ut_metadata payload. A data message's `data` is a view into `payload`. */
export function decodeMetadataMessage(payload: Uint8Array): MetadataMessage {
  const { value: dict, length } = decodeWith(UM, () => decodePrefix(payload));
  if (!isDict(dict)) fail(UM, 'not a dictionary');
  const type = dict['msg_type'];
  if (type === undefined) fail(UM, "no 'msg_type'");
  const code = intIn(UM, 'msg_type', type, 0, Number.MAX_SAFE_INTEGER);
  if (code > 2) return { msgType: 'unknown', code, dict };
  const p = dict['piece'];
  if (p === undefined) fail(UM, "no 'piece'");
  const piece = intIn(UM, 'piece', p, 0, MAX_METADATA_PIECES - 1);
  const rest = payload.length - length;
  if (code !== 1) {
    if (rest !== 0) fail(UM, `${rest} bytes after a ${code === 0 ? 'request' : 'reject'}`);
    return code === 0 ? { msgType: 0, piece } : { msgType: 2, piece };
  }
  const t = dict['total_size'];
  if (t === undefined) fail(UM, "a data message without 'total_size'");
  const totalSize = intIn(UM, 'total_size', t, 1, MAX_METADATA_SIZE);
  const expected = pieceLength(piece, totalSize);
  if (rest !== expected) fail(UM, `piece ${piece} of ${totalSize} bytes must carry ${expected} bytes, not ${rest}`);
  return { msgType: 1, piece, totalSize, data: payload.subarray(length) };
}

// ---- ts_want: the pieces a streaming reader waits for ------------------------------------------

/**
 * The extension name of a hint between tabswarm peers: "I am waiting for these pieces, in this
 * order" (a streaming reader's critical pieces that the receiver has not announced). A seeder that
 * reveals its pieces a few at a time (initial seeding) reveals these first. Peers that do not list it
 * in their extended handshake never receive it.
 */
export const WANT_EXTENSION = 'ts_want';
/** Pieces in one want message at most. */
export const MAX_WANT_PIECES = 64;

const WM = 'ts_want message';

/** `d6:piecesli…ee`: the wanted piece indexes, most urgent first. */
export function encodeWantMessage(pieces: readonly number[]): Uint8Array {
  if (pieces.length > MAX_WANT_PIECES) fail(WM, `${pieces.length} pieces, more than ${MAX_WANT_PIECES}`);
  return encode({ pieces: pieces.map((p) => intIn(WM, 'pieces', p, 0, 0xffffffff)) });
}

export function decodeWantMessage(payload: Uint8Array): number[] {
  const dict = decodeWith(WM, () => decode(payload));
  if (!isDict(dict)) fail(WM, 'not a dictionary');
  const list = dict['pieces'];
  if (!isList(list)) fail(WM, "'pieces' is not a list");
  if (list.length > MAX_WANT_PIECES) fail(WM, `${list.length} pieces, more than ${MAX_WANT_PIECES}`);
  return list.map((p) => intIn(WM, 'pieces', p, 0, 0xffffffff));
}
