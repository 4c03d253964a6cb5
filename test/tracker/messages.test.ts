import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  encodeAnnounce,
  encodeAnswer,
  encodeScrape,
  isBinaryId,
  MAX_MESSAGE_LENGTH,
  MAX_SDP_LENGTH,
  parseTrackerMessage,
  TrackerProtocolError,
  type TrackerReply,
} from '../../src/core/tracker/messages.js';
import { bid } from './fakes.js';

const IH = '\x00\x01\x02\xff\xfe\x7f\x80 "\\\n\t' + 'abcdefgh'; // awkward chars on purpose
const PEER = bid(0x41);
const OFFER_ID = bid(0xe9);

function ok(text: string): TrackerReply {
  const r = parseTrackerMessage(text);
  if (r instanceof TrackerProtocolError) throw new Error(`refused: ${r.message}`);
  return r;
}

function refused(value: unknown): string {
  const r = parseTrackerMessage(typeof value === 'string' ? value : JSON.stringify(value));
  expect(r).toBeInstanceOf(TrackerProtocolError);
  return (r as TrackerProtocolError).message;
}

describe('parseTrackerMessage: vectors', () => {
  it('reads an announce reply as bittorrent-tracker sends it', () => {
    expect(IH.length).toBe(20);
    const r = ok(JSON.stringify({ complete: 1, incomplete: 2, action: 'announce', interval: 120, info_hash: IH }));
    expect(r).toEqual({ kind: 'announce', infoHash: IH, interval: 120, complete: 1, incomplete: 2 });
  });

  it('reads a relayed offer and a relayed answer', () => {
    const offer = { action: 'announce', offer: { type: 'offer', sdp: 'v=0…' }, offer_id: OFFER_ID, peer_id: PEER, info_hash: IH };
    expect(ok(JSON.stringify(offer))).toEqual({ kind: 'offer', infoHash: IH, peerId: PEER, offerId: OFFER_ID, offer: { type: 'offer', sdp: 'v=0…' } });
    const answer = { action: 'announce', answer: { type: 'answer', sdp: 'x' }, offer_id: OFFER_ID, peer_id: PEER, info_hash: IH };
    expect(ok(JSON.stringify(answer))).toEqual({ kind: 'answer', infoHash: IH, peerId: PEER, offerId: OFFER_ID, answer: { type: 'answer', sdp: 'x' } });
  });

  it('reads failures with and without action, and warnings', () => {
    expect(ok(JSON.stringify({ 'failure reason': 'invalid info_hash' }))).toEqual({ kind: 'failure', reason: 'invalid info_hash' });
    expect(ok(JSON.stringify({ action: 'announce', 'failure reason': 'torrent not allowed', info_hash: IH }))).toEqual({
      kind: 'failure',
      reason: 'torrent not allowed',
      infoHash: IH,
    });
    const w = ok(JSON.stringify({ action: 'announce', info_hash: IH, interval: 60, 'warning message': 'slow down' }));
    expect(w).toMatchObject({ kind: 'announce', warning: 'slow down', interval: 60 });
    expect(ok(JSON.stringify({ 'warning message': 'bare' }))).toEqual({ kind: 'announce', warning: 'bare' });
    const long = ok(JSON.stringify({ 'failure reason': 'x'.repeat(5000) }));
    expect(long.kind === 'failure' && long.reason.length).toBeLessThan(600);
  });

  it('reads scrape replies', () => {
    const r = ok(JSON.stringify({ action: 'scrape', files: { [IH]: { complete: 3, incomplete: 4, downloaded: 3 } }, flags: { min_request_interval: 600 } }));
    expect(r).toEqual({ kind: 'scrape', files: [{ infoHash: IH, complete: 3, incomplete: 4, downloaded: 3 }] });
    expect(ok(JSON.stringify({ action: 'scrape', files: {} }))).toEqual({ kind: 'scrape', files: [] });
  });

  it('refuses malformed ids, descriptions, numbers and shapes', () => {
    const base = { action: 'announce', offer: { type: 'offer', sdp: 's' }, offer_id: OFFER_ID, peer_id: PEER, info_hash: IH };
    expect(refused({ ...base, info_hash: IH.slice(1) })).toMatch(/info_hash/);
    expect(refused({ ...base, peer_id: 'ā'.repeat(20) })).toMatch(/peer_id/);
    expect(refused({ ...base, offer_id: 12 })).toMatch(/offer_id/);
    expect(refused({ ...base, offer: { type: 'answer', sdp: 's' } })).toMatch(/offer.type/);
    expect(refused({ ...base, offer: { type: 'offer', sdp: 5 } })).toMatch(/sdp/);
    expect(refused({ ...base, offer: { type: 'offer', sdp: 'x'.repeat(MAX_SDP_LENGTH + 1) } })).toMatch(/longer/);
    expect(refused({ ...base, offer: 'v=0' })).toMatch(/object/);
    expect(refused({ ...base, answer: { type: 'answer', sdp: 's' } })).toMatch(/both/);
    expect(refused({ action: 'announce', info_hash: IH, interval: -1 })).toMatch(/interval/);
    expect(refused({ action: 'announce', info_hash: IH, interval: '120' })).toMatch(/interval/);
    expect(refused({ action: 'announce', info_hash: IH, complete: true })).toMatch(/complete/);
    expect(refused({ 'failure reason': { evil: 1 } })).toMatch(/failure reason/);
    expect(refused({ action: 'scrape', files: [] })).toMatch(/files/);
    expect(refused({ action: 'scrape', files: { short: {} } })).toMatch(/binary/);
    expect(refused({ action: 'connect' })).toMatch(/unknown action/);
    expect(refused({})).toMatch(/unknown action/);
    expect(refused('[1,2]')).toMatch(/object/);
    expect(refused('null')).toMatch(/object/);
    expect(refused('{"action":')).toMatch(/JSON/);
    expect(refused(' '.repeat(MAX_MESSAGE_LENGTH + 1))).toMatch(/longer/);
  });

  it('is not fooled by inherited or __proto__ keys', () => {
    expect(refused('{"__proto__":{"action":"announce"}}')).toMatch(/unknown action/);
    expect(refused({ action: 'toString' })).toMatch(/unknown action/);
  });
});

describe('encoders', () => {
  it('encode an announce with offers, leave offers out of stopped/completed, omit unknown left', () => {
    const offers = [{ offerId: OFFER_ID, offer: { type: 'offer' as const, sdp: 'sdp1' } }];
    const msg = JSON.parse(
      encodeAnnounce({ infoHash: IH, peerId: PEER, numwant: 1, uploaded: 10.7, downloaded: 5, left: 100, event: 'started', offers }),
    ) as Record<string, unknown>;
    expect(msg).toEqual({
      action: 'announce',
      info_hash: IH,
      peer_id: PEER,
      numwant: 1,
      uploaded: 10,
      downloaded: 5,
      left: 100,
      event: 'started',
      offers: [{ offer: { type: 'offer', sdp: 'sdp1' }, offer_id: OFFER_ID }],
    });
    const stopped = JSON.parse(
      encodeAnnounce({ infoHash: IH, peerId: PEER, numwant: 1, uploaded: 0, downloaded: 0, left: Infinity, event: 'stopped', offers }),
    ) as Record<string, unknown>;
    expect(stopped['offers']).toBeUndefined();
    expect('left' in stopped).toBe(false);
    expect(() => encodeAnnounce({ infoHash: 'short', peerId: PEER, numwant: 0, uploaded: 0, downloaded: 0 })).toThrow(TrackerProtocolError);
  });

  it('encode an answer and a scrape that round-trip through JSON with binary ids intact', () => {
    const a = JSON.parse(
      encodeAnswer({ infoHash: IH, peerId: PEER, toPeerId: bid(0x42), offerId: OFFER_ID, answer: { type: 'answer', sdp: 'ans' } }),
    ) as Record<string, unknown>;
    expect(a).toEqual({ action: 'announce', info_hash: IH, peer_id: PEER, to_peer_id: bid(0x42), answer: { type: 'answer', sdp: 'ans' }, offer_id: OFFER_ID });
    expect(JSON.parse(encodeScrape([IH]))).toEqual({ action: 'scrape', info_hash: IH });
    expect(JSON.parse(encodeScrape([IH, PEER]))).toEqual({ action: 'scrape', info_hash: [IH, PEER] });
  });
});

/** Random JSON-ish values weighted towards the protocol's own keys and shapes. */
const KEYS = [
  'action',
  'info_hash',
  'peer_id',
  'offer_id',
  'offer',
  'answer',
  'type',
  'sdp',
  'interval',
  'complete',
  'incomplete',
  'failure reason',
  'warning message',
  'files',
  'min interval',
  '__proto__',
];
const leaf = fc.oneof(
  fc.constantFrom('announce', 'scrape', 'offer', 'answer', IH, PEER, OFFER_ID, ''),
  fc.string({ maxLength: 30 }),
  fc.string({ minLength: 20, maxLength: 20, unit: 'binary' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const { value: jsonValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), fc.array(tie('value'), { maxLength: 4 })),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 20 })), tie('value'), { maxKeys: 8 }),
}));

const VALID = [
  { action: 'announce', offer: { type: 'offer', sdp: 'v=0' }, offer_id: OFFER_ID, peer_id: PEER, info_hash: IH },
  { action: 'announce', answer: { type: 'answer', sdp: 'v=0' }, offer_id: OFFER_ID, peer_id: PEER, info_hash: IH },
  { action: 'announce', interval: 120, complete: 0, incomplete: 1, info_hash: IH },
  { action: 'scrape', files: { [IH]: { complete: 1, incomplete: 0, downloaded: 1 } } },
];

function mutate(text: string, rnd: (n: number) => number): string {
  const chars = text.split('');
  const edits = 1 + rnd(4);
  for (let i = 0; i < edits; i++) {
    const at = rnd(chars.length + 1);
    const op = rnd(4);
    const ch = String.fromCharCode(rnd(4) === 0 ? rnd(0x10000) : ' {}[]":,0123456789aen\\'.charCodeAt(rnd(23)));
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, ch);
    else if (op === 2) chars[at] = ch;
    else chars.splice(at, rnd(8));
  }
  return chars.join('');
}

describe('parseTrackerMessage: fuzz', () => {
  it('never throws on random JSON values and returns well-typed replies', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        const r = parseTrackerMessage(JSON.stringify(v) ?? 'undefined');
        if (r instanceof TrackerProtocolError) return;
        if (r.kind === 'offer' || r.kind === 'answer') {
          expect(isBinaryId(r.infoHash) && isBinaryId(r.peerId) && isBinaryId(r.offerId)).toBe(true);
        }
        if (r.kind === 'offer') expect(r.offer.type).toBe('offer');
        if (r.kind === 'answer') expect(r.answer.type).toBe('answer');
        if (r.kind === 'announce' && r.interval !== undefined) expect(r.interval).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('never throws on mutated valid messages', () => {
    let a = 7;
    const rnd = (n: number): number => {
      a = (a * 1103515245 + 12345) >>> 0;
      return n <= 0 ? 0 : (a >>> 8) % n;
    };
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const base = JSON.stringify(VALID[i % VALID.length]);
      const text = mutate(base, rnd);
      const r = parseTrackerMessage(text);
      expect(r === undefined).toBe(false);
      if (!(r instanceof TrackerProtocolError)) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('never throws on deep nesting or huge numbers', () => {
    expect(parseTrackerMessage('['.repeat(30000) + ']'.repeat(30000))).toBeInstanceOf(TrackerProtocolError);
    expect(parseTrackerMessage('{"action":"announce","interval":1e400,"info_hash":"' + 'a'.repeat(20) + '"}')).toBeInstanceOf(TrackerProtocolError);
  });
});
