/**
 * The WebSocket tracker protocol (bittorrent-tracker / WebTorrent dialect): typed messages, a strict
 * parser of what a server sends, and encoders of what a client sends. Trackers are untrusted: the
 * parser never throws; it returns a {@link TrackerProtocolError} for anything it does not accept.
 *
 * `info_hash`, `peer_id`, `offer_id` and `to_peer_id` are "binary strings": 20 chars, one per byte.
 */
import { TabswarmError } from '../errors.js';

/** A server message longer than this (in UTF-16 code units) is refused unparsed. */
export const MAX_MESSAGE_LENGTH = 64 * 1024;
/** An SDP longer than this is refused (trickle-free WebRTC SDPs are a few KiB). */
export const MAX_SDP_LENGTH = 16 * 1024;
/** `failure reason` / `warning message` texts are cut to this many chars. */
export const MAX_REASON_LENGTH = 500;
/** At most this many offers in one announce. */
export const MAX_OFFERS = 10;

/** A tracker message did not follow the protocol. Returned, never thrown, by the parser. */
export class TrackerProtocolError extends TabswarmError {}

export interface OfferDescription {
  type: 'offer';
  sdp: string;
}

export interface AnswerDescription {
  type: 'answer';
  sdp: string;
}

export type AnnounceEvent = 'started' | 'completed' | 'stopped';

/** The server's reply to one of our announces. */
export interface AnnounceReply {
  kind: 'announce';
  /** Binary string. Absent in replies of some trackers. */
  infoHash?: string;
  /** Seconds. */
  interval?: number;
  /** Seconds. */
  minInterval?: number;
  complete?: number;
  incomplete?: number;
  warning?: string;
}

/** Another peer's offer, relayed to us. */
export interface RelayedOffer {
  kind: 'offer';
  infoHash: string;
  /** The offerer. */
  peerId: string;
  offerId: string;
  offer: OfferDescription;
}

/** The answer to one of our offers, relayed to us. */
export interface RelayedAnswer {
  kind: 'answer';
  infoHash: string;
  /** The answerer. */
  peerId: string;
  offerId: string;
  answer: AnswerDescription;
}

/** `failure reason`: the tracker refused a request. */
export interface FailureReply {
  kind: 'failure';
  reason: string;
  infoHash?: string;
}

export interface ScrapeEntry {
  infoHash: string;
  complete: number;
  incomplete: number;
  downloaded: number;
}

export interface ScrapeReply {
  kind: 'scrape';
  files: ScrapeEntry[];
}

export type TrackerReply = AnnounceReply | RelayedOffer | RelayedAnswer | FailureReply | ScrapeReply;

type Json = Record<string, unknown>;

/** Is `value` a binary string of exactly 20 chars, each 0–255? */
export function isBinaryId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 20) return false;
  for (let i = 0; i < 20; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

function own(obj: Json, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} chars`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/** Thrown only inside this module, turned into a returned TrackerProtocolError. */
class Refused extends Error {}

function binaryId(obj: Json, key: string): string {
  const value = own(obj, key);
  if (!isBinaryId(value)) throw new Refused(`\`${key}\` must be a 20-char binary string, not ${describe(value)}`);
  return value;
}

function optionalCount(obj: Json, key: string): number | undefined {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Refused(`\`${key}\` must be a non-negative number, not ${describe(value)}`);
  }
  return value;
}

function text(obj: Json, key: string): string | undefined {
  const value = own(obj, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Refused(`\`${key}\` must be a string, not ${describe(value)}`);
  return value.length > MAX_REASON_LENGTH ? `${value.slice(0, MAX_REASON_LENGTH)}…` : value;
}

function description<T extends 'offer' | 'answer'>(value: unknown, type: T): { type: T; sdp: string } {
  if (!isObject(value)) throw new Refused(`\`${type}\` must be an object, not ${describe(value)}`);
  if (own(value, 'type') !== type) throw new Refused(`\`${type}.type\` must be '${type}'`);
  const sdp = own(value, 'sdp');
  if (typeof sdp !== 'string') throw new Refused(`\`${type}.sdp\` must be a string, not ${describe(sdp)}`);
  if (sdp.length > MAX_SDP_LENGTH) throw new Refused(`\`${type}.sdp\` is longer than ${MAX_SDP_LENGTH} chars`);
  return { type, sdp };
}

function parseAnnounce(msg: Json): AnnounceReply | RelayedOffer | RelayedAnswer {
  const hasOffer = own(msg, 'offer') !== undefined;
  const hasAnswer = own(msg, 'answer') !== undefined;
  if (hasOffer && hasAnswer) throw new Refused('a message cannot carry both an offer and an answer');
  if (hasOffer || hasAnswer) {
    const infoHash = binaryId(msg, 'info_hash');
    const peerId = binaryId(msg, 'peer_id');
    const offerId = binaryId(msg, 'offer_id');
    if (hasOffer) return { kind: 'offer', infoHash, peerId, offerId, offer: description(own(msg, 'offer'), 'offer') };
    return { kind: 'answer', infoHash, peerId, offerId, answer: description(own(msg, 'answer'), 'answer') };
  }
  const reply: AnnounceReply = { kind: 'announce' };
  if (own(msg, 'info_hash') !== undefined) reply.infoHash = binaryId(msg, 'info_hash');
  const interval = optionalCount(msg, 'interval');
  const minInterval = optionalCount(msg, 'min interval');
  const complete = optionalCount(msg, 'complete');
  const incomplete = optionalCount(msg, 'incomplete');
  const warning = text(msg, 'warning message');
  if (interval !== undefined) reply.interval = interval;
  if (minInterval !== undefined) reply.minInterval = minInterval;
  if (complete !== undefined) reply.complete = complete;
  if (incomplete !== undefined) reply.incomplete = incomplete;
  if (warning !== undefined) reply.warning = warning;
  return reply;
}

function parseScrape(msg: Json): ScrapeReply {
  const files = own(msg, 'files');
  if (!isObject(files)) throw new Refused(`\`files\` must be an object, not ${describe(files)}`);
  const out: ScrapeEntry[] = [];
  for (const key of Object.keys(files)) {
    if (!isBinaryId(key)) throw new Refused('a `files` key is not a 20-char binary string');
    const entry = own(files, key);
    if (!isObject(entry)) throw new Refused(`a \`files\` entry must be an object, not ${describe(entry)}`);
    out.push({
      infoHash: key,
      complete: optionalCount(entry, 'complete') ?? 0,
      incomplete: optionalCount(entry, 'incomplete') ?? 0,
      downloaded: optionalCount(entry, 'downloaded') ?? 0,
    });
  }
  return { kind: 'scrape', files: out };
}

function parseObject(msg: Json): TrackerReply {
  const failure = own(msg, 'failure reason');
  if (failure !== undefined) {
    const reason = text(msg, 'failure reason') ?? '';
    const reply: FailureReply = { kind: 'failure', reason };
    const infoHash = own(msg, 'info_hash');
    if (isBinaryId(infoHash)) reply.infoHash = infoHash;
    return reply;
  }
  const action = own(msg, 'action');
  if (action === 'announce') return parseAnnounce(msg);
  if (action === 'scrape') return parseScrape(msg);
  // A bare warning is still worth surfacing.
  if (action === undefined && own(msg, 'warning message') !== undefined) {
    const warning = text(msg, 'warning message') ?? '';
    return { kind: 'announce', warning };
  }
  throw new Refused(`unknown action: ${typeof action === 'string' ? JSON.stringify(action.slice(0, 40)) : describe(action)}`);
}

/** Parses one text frame from a tracker. Never throws. */
export function parseTrackerMessage(text: string): TrackerReply | TrackerProtocolError {
  if (typeof text !== 'string') return new TrackerProtocolError('a tracker message must be text');
  if (text.length > MAX_MESSAGE_LENGTH) {
    return new TrackerProtocolError(`a tracker message is longer than ${MAX_MESSAGE_LENGTH} chars`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new TrackerProtocolError('a tracker message is not JSON');
  }
  if (!isObject(value)) return new TrackerProtocolError(`a tracker message must be a JSON object, not ${describe(value)}`);
  try {
    return parseObject(value);
  } catch (e) {
    if (e instanceof Refused) return new TrackerProtocolError(e.message);
    return new TrackerProtocolError('a tracker message could not be read');
  }
}

export interface OfferEntry {
  offerId: string;
  offer: OfferDescription;
}

export interface AnnounceRequest {
  infoHash: string;
  peerId: string;
  numwant: number;
  uploaded: number;
  downloaded: number;
  /** Bytes still missing; undefined (or not finite) when unknown, e.g. before the metadata. */
  left?: number | undefined;
  event?: AnnounceEvent | undefined;
  offers?: readonly OfferEntry[] | undefined;
}

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function checkId(name: string, value: string): void {
  if (!isBinaryId(value)) throw new TrackerProtocolError(`${name} must be a 20-char binary string`);
}

/** Encodes an announce. Offers are dropped with `stopped` and `completed`, as the protocol wants. */
export function encodeAnnounce(req: AnnounceRequest): string {
  checkId('info_hash', req.infoHash);
  checkId('peer_id', req.peerId);
  const offers = req.event === 'stopped' || req.event === 'completed' ? [] : (req.offers ?? []);
  if (offers.length > MAX_OFFERS) throw new TrackerProtocolError(`at most ${MAX_OFFERS} offers per announce`);
  for (const o of offers) checkId('offer_id', o.offerId);
  const msg: Json = {
    action: 'announce',
    info_hash: req.infoHash,
    peer_id: req.peerId,
    numwant: Math.min(count(req.numwant), MAX_OFFERS),
    uploaded: count(req.uploaded),
    downloaded: count(req.downloaded),
  };
  // Unknown `left` is omitted: the server reads a missing value as "not complete" (null would be 0).
  if (req.left !== undefined && Number.isFinite(req.left)) msg['left'] = count(req.left);
  if (req.event !== undefined) msg['event'] = req.event;
  if (offers.length > 0) {
    msg['offers'] = offers.map((o) => ({ offer: { type: 'offer', sdp: o.offer.sdp }, offer_id: o.offerId }));
  }
  return JSON.stringify(msg);
}

export interface AnswerRequest {
  infoHash: string;
  peerId: string;
  /** The offerer. */
  toPeerId: string;
  offerId: string;
  answer: AnswerDescription;
}

export function encodeAnswer(req: AnswerRequest): string {
  checkId('info_hash', req.infoHash);
  checkId('peer_id', req.peerId);
  checkId('to_peer_id', req.toPeerId);
  checkId('offer_id', req.offerId);
  return JSON.stringify({
    action: 'announce',
    info_hash: req.infoHash,
    peer_id: req.peerId,
    to_peer_id: req.toPeerId,
    answer: { type: 'answer', sdp: req.answer.sdp },
    offer_id: req.offerId,
  });
}

export function encodeScrape(infoHashes: readonly string[]): string {
  for (const h of infoHashes) checkId('info_hash', h);
  return JSON.stringify({ action: 'scrape', info_hash: infoHashes.length === 1 ? infoHashes[0] : [...infoHashes] });
}
