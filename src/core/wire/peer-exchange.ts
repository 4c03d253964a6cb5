/**
 * Payloads of two BEP 10 extensions of tabswarm's (docs/peer-exchange.md), listed in the extended
 * handshake so that peers that do not list them (WebTorrent) never receive them:
 *
 * - `ts_pex`: which peers of the torrent the sender is connected to, as peer ids, in deltas
 *   (`added`, `dropped`), each a string of concatenated 20-byte ids.
 * - `ts_signal`: a WebRTC offer or answer carried for two peers by a peer connected to both (one
 *   hop). Sent to the relay with `to` (the peer it is for); forwarded by the relay with `from`.
 *
 * The decoders are strict about the keys they read, ignore the others, and throw only WireError.
 */
import { decode, encode, isBytes, isDict, isInt, type BDict } from '../bencode.js';
import { fromUtf8Strict, utf8 } from '../bytes.js';
import { TabswarmError } from '../errors.js';
import { WireError } from './errors.js';

export const PEX_EXTENSION = 'ts_pex';
export const SIGNAL_EXTENSION = 'ts_signal';
/** Peer ids in one list (`added` or `dropped`) of a ts_pex message at most. */
export const MAX_PEX_PEERS = 50;
/** Bytes of an SDP in a ts_signal message at most. */
export const MAX_SIGNAL_SDP = 16 * 1024;
/** Bytes of a ts_signal reject's reason at most. */
export const MAX_SIGNAL_REASON = 200;
/** A ts_signal message's `id` is below this (the offerer's number for the attempt). */
export const MAX_SIGNAL_ID = 2 ** 31;
export const PEER_ID_LENGTH = 20;

export interface PexMessage {
  added: Uint8Array[];
  dropped: Uint8Array[];
}

export type SignalType = 'offer' | 'answer' | 'reject';

/**
 * `to`: sent to a relay, for the peer with that id; `from`: forwarded by a relay, from the peer with
 * that id. `id` is the offerer's number for the attempt, the same in its answer or reject.
 */
export type SignalMessage = { type: SignalType; id: number; sdp?: string; reason?: string } & (
  { to: Uint8Array; from?: undefined } | { from: Uint8Array; to?: undefined }
);

function fail(what: string, problem: string): never {
  throw new WireError(`${what}: ${problem}`);
}

function dictOf(what: string, payload: Uint8Array): BDict {
  let v;
  try {
    v = decode(payload);
  } catch (e) {
    fail(what, e instanceof TabswarmError ? e.message : String(e));
  }
  if (!isDict(v)) fail(what, 'not a dictionary');
  return v;
}

// ---- ts_pex ------------------------------------------------------------------------------------

const PM = 'ts_pex message';

function joinIds(what: string, key: string, ids: readonly Uint8Array[]): Uint8Array {
  if (ids.length > MAX_PEX_PEERS) fail(what, `${ids.length} peers in '${key}', more than ${MAX_PEX_PEERS}`);
  const out = new Uint8Array(ids.length * PEER_ID_LENGTH);
  ids.forEach((id, i) => {
    if (id.length !== PEER_ID_LENGTH) fail(what, `a peer id of ${id.length} bytes in '${key}'`);
    out.set(id, i * PEER_ID_LENGTH);
  });
  return out;
}

function splitIds(dict: BDict, key: string): Uint8Array[] {
  const v = dict[key];
  if (v === undefined) return [];
  if (!isBytes(v)) fail(PM, `'${key}' is not a string`);
  if (v.length % PEER_ID_LENGTH !== 0) fail(PM, `'${key}' is ${v.length} bytes, not a multiple of ${PEER_ID_LENGTH}`);
  const count = v.length / PEER_ID_LENGTH;
  if (count > MAX_PEX_PEERS) fail(PM, `${count} peers in '${key}', more than ${MAX_PEX_PEERS}`);
  return Array.from({ length: count }, (_, i) => v.slice(i * PEER_ID_LENGTH, (i + 1) * PEER_ID_LENGTH));
}

/** `d5:added<20·n bytes>7:dropped<20·m bytes>e`. */
export function encodePexMessage(m: PexMessage): Uint8Array {
  return encode({ added: joinIds(PM, 'added', m.added), dropped: joinIds(PM, 'dropped', m.dropped) });
}

export function decodePexMessage(payload: Uint8Array): PexMessage {
  const dict = dictOf(PM, payload);
  return { added: splitIds(dict, 'added'), dropped: splitIds(dict, 'dropped') };
}

// ---- ts_signal ---------------------------------------------------------------------------------

const SM = 'ts_signal message';
const TYPES: readonly SignalType[] = ['offer', 'answer', 'reject'];

function text(key: string, v: Uint8Array, max: number): string {
  if (v.length > max) fail(SM, `'${key}' is ${v.length} bytes, more than ${max}`);
  const s = fromUtf8Strict(v);
  if (s === undefined) fail(SM, `'${key}' is not UTF-8`);
  return s;
}

function checkId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id >= MAX_SIGNAL_ID) fail(SM, `'id' is ${id}, outside 0..${MAX_SIGNAL_ID - 1}`);
  return id;
}

export function encodeSignalMessage(m: SignalMessage): Uint8Array {
  const peer = m.to ?? m.from;
  if (peer.length !== PEER_ID_LENGTH) fail(SM, `a peer id of ${peer.length} bytes`);
  if ((m.type === 'reject') !== (m.sdp === undefined)) fail(SM, m.type === 'reject' ? 'a reject carries no SDP' : `an ${m.type} without an SDP`);
  const sdp = m.sdp === undefined ? undefined : utf8(m.sdp);
  if (sdp && sdp.length > MAX_SIGNAL_SDP) fail(SM, `an SDP of ${sdp.length} bytes, more than ${MAX_SIGNAL_SDP}`);
  const reason = m.reason === undefined ? undefined : utf8(m.reason).subarray(0, MAX_SIGNAL_REASON);
  return encode({
    type: m.type,
    id: checkId(m.id),
    to: m.to,
    from: m.from,
    sdp,
    reason: reason && fromUtf8Strict(reason) !== undefined ? reason : undefined,
  });
}

export function decodeSignalMessage(payload: Uint8Array): SignalMessage {
  if (payload.length > MAX_SIGNAL_SDP + 1024) fail(SM, `${payload.length} bytes, more than ${MAX_SIGNAL_SDP + 1024}`);
  const dict = dictOf(SM, payload);
  const t = dict['type'];
  const type = isBytes(t) ? TYPES.find((x) => x === text('type', t, 8)) : undefined;
  if (!type) fail(SM, "'type' is not offer, answer or reject");
  const id = dict['id'];
  if (!isInt(id)) fail(SM, "'id' is not an integer");
  checkId(id);
  const to = dict['to'];
  const from = dict['from'];
  if ((to === undefined) === (from === undefined)) fail(SM, "not exactly one of 'to' and 'from'");
  const peer = to ?? from;
  if (!isBytes(peer) || peer.length !== PEER_ID_LENGTH) fail(SM, `'${to ? 'to' : 'from'}' is not a ${PEER_ID_LENGTH}-byte peer id`);
  const s = dict['sdp'];
  if (s !== undefined && !isBytes(s)) fail(SM, "'sdp' is not a string");
  if ((type === 'reject') !== (s === undefined)) fail(SM, type === 'reject' ? 'a reject carries no SDP' : `an ${type} without an SDP`);
  const r = dict['reason'];
  if (r !== undefined && !isBytes(r)) fail(SM, "'reason' is not a string");
  const out: SignalMessage = to ? { type, id, to: peer.slice() } : { type, id, from: peer.slice() };
  if (s) out.sdp = text('sdp', s, MAX_SIGNAL_SDP);
  if (r) out.reason = text('reason', r, MAX_SIGNAL_REASON);
  return out;
}
