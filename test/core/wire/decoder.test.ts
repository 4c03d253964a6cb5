import { describe, expect, it } from 'vitest';
import {
  encodeHandshake,
  encodeMessage,
  encodeMessages,
  MAX_FRAME,
  WireDecoder,
  WireError,
  type WireEvent,
  type WireMessage,
} from '../../../src/core/wire/index.js';
import { ascii, concat, h, hex, norm, prng, wireError } from './helpers.js';
import { MESSAGE_VECTORS } from './vectors.js';

const INFO_HASH = h('01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14');
const PEER_ID = ascii('-WW0208-abcdefghijkl');
const HANDSHAKE = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: { extended: true, fast: true } });
const HANDSHAKE_EVENT: WireEvent = {
  type: 'handshake',
  infoHash: INFO_HASH,
  peerId: PEER_ID,
  extensions: { extended: true, fast: true, v2: false },
  reserved: h('00 00 00 00 00 10 00 04'),
};

const MESSAGES: WireMessage[] = MESSAGE_VECTORS.map(([, m]) => m);
/** The handshake then every message, as one stream. */
const STREAM = concat(HANDSHAKE, encodeMessages(MESSAGES));
const EXPECTED = norm([HANDSHAKE_EVENT, ...MESSAGES]);

function decodeChunks(chunks: readonly Uint8Array[], d = new WireDecoder()): WireEvent[] {
  const out: WireEvent[] = [];
  for (const c of chunks) out.push(...d.push(c));
  return out;
}

describe('WireDecoder: stream reassembly', () => {
  it('decodes the handshake and every message from one chunk', () => {
    expect(norm(decodeChunks([STREAM]))).toEqual(EXPECTED);
  });

  it('decodes the same from two chunks split at every byte offset', () => {
    for (let split = 0; split <= STREAM.length; split++) {
      const d = new WireDecoder();
      const events = decodeChunks([STREAM.subarray(0, split), STREAM.subarray(split)], d);
      expect(norm(events), `split at ${split}`).toEqual(EXPECTED);
      expect(d.buffered).toBe(0);
    }
  });

  it('decodes the same one byte at a time', () => {
    const chunks = Array.from(STREAM, (_, i) => STREAM.subarray(i, i + 1));
    expect(norm(decodeChunks(chunks))).toEqual(EXPECTED);
  });

  it('decodes the same from random multi-way splits', () => {
    const rand = prng(0x5eed);
    for (let round = 0; round < 300; round++) {
      const cuts = new Set<number>();
      const count = 1 + rand(12);
      for (let i = 0; i < count; i++) cuts.add(rand(STREAM.length + 1));
      const points = [0, ...[...cuts].sort((a, b) => a - b), STREAM.length];
      const chunks = points.slice(1).map((end, i) => STREAM.slice(points[i], end));
      expect(norm(decodeChunks(chunks)), `cuts ${points.join(',')}`).toEqual(EXPECTED);
    }
  });

  it('returns nothing for an empty chunk', () => {
    const d = new WireDecoder();
    expect(d.push(new Uint8Array(0))).toEqual([]);
    expect(norm(d.push(STREAM))).toEqual(EXPECTED);
  });

  it('can skip the handshake', () => {
    const d = new WireDecoder({ handshake: false });
    expect(norm(d.push(h('00 00 00 05 04 00 00 00 05 00 00 00 00')))).toEqual(norm([{ type: 'have', index: 5 }, { type: 'keepAlive' }]));
  });

  it('decodes a block complete inside a chunk in place, and copies a split one once', () => {
    const block = new Uint8Array(16384).map((_, i) => i & 0xff);
    const frame = encodeMessage({ type: 'piece', index: 1, begin: 0, block });
    const whole = concat(h('00 00 00 00'), frame);
    const d = new WireDecoder({ handshake: false });
    const [, piece] = d.push(whole);
    expect(piece?.type === 'piece' && piece.block.buffer === whole.buffer).toBe(true);

    const d2 = new WireDecoder({ handshake: false });
    expect(d2.push(frame.subarray(0, 100))).toEqual([]);
    expect(d2.buffered).toBe(100 - 4);
    const [split] = d2.push(frame.subarray(100));
    expect(split?.type).toBe('piece');
    if (split?.type === 'piece') {
      expect(split.block.buffer).not.toBe(frame.buffer);
      expect(hex(split.block)).toBe(hex(block));
    }
  });

  it("decodes a block that starts a chunk after its piece message's header in place (the simulator's links)", () => {
    const block = new Uint8Array(16384).map((_, i) => (i * 7) & 0xff);
    const frame = encodeMessage({ type: 'piece', index: 3, begin: 16384, block });
    const d = new WireDecoder({ handshake: false });
    expect(d.push(frame.subarray(0, 13))).toEqual([]);
    expect(d.buffered).toBe(9);
    const rest = frame.slice(13);
    const [piece] = d.push(rest);
    expect(piece?.type === 'piece' && piece.index === 3 && piece.begin === 16384 && piece.block.buffer === rest.buffer).toBe(true);
    if (piece?.type === 'piece') expect(hex(piece.block)).toBe(hex(block));
    expect(d.buffered).toBe(0);
    // A block that does not fit in the next chunk is copied, byte for byte, then decoding goes on.
    const d2 = new WireDecoder({ handshake: false });
    const next = encodeMessage({ type: 'have', index: 9 });
    d2.push(frame.subarray(0, 13));
    expect(d2.push(frame.subarray(13, 5000))).toEqual([]);
    const events = d2.push(concat(frame.subarray(5000), next));
    expect(events.map((e) => e.type)).toEqual(['piece', 'have']);
    if (events[0]?.type === 'piece') expect(hex(events[0].block)).toBe(hex(block));
  });

  it('does not keep or alter the chunks it was given', () => {
    const copy = STREAM.slice();
    const d = new WireDecoder();
    // 68 handshake + 4 keep-alive + 3 of the choke frame's 5 bytes.
    d.push(copy.subarray(0, 75));
    copy.subarray(0, 75).fill(0xaa); // the caller reuses its buffer once push returns
    const events = d.push(STREAM.subarray(75));
    expect(norm(events)).toEqual(EXPECTED.slice(2));
  });
});

describe('WireDecoder: the frame length guard', () => {
  it('is the size of the largest accepted frame', () => {
    // max(1 + 2^20 / 8 for a bitfield of 2^20 pieces, 9 + 128 KiB for a piece with a 128 KiB block)
    expect(MAX_FRAME).toBe(131081);
  });

  it('refuses a 2^31-byte frame from its length prefix alone, without buffering', () => {
    const d = new WireDecoder();
    d.push(HANDSHAKE);
    const err = wireError(() => d.push(h('80 00 00 00')));
    expect(err.message).toMatch(/frame at stream byte 68 claims 2147483648 bytes, above the 131081-byte maximum/);
    expect(d.buffered).toBe(0);
  });

  it('refuses it when the prefix arrives in pieces', () => {
    const d = new WireDecoder();
    expect(d.push(concat(HANDSHAKE, h('00 00 00 05 04 00 00 00 05 ff ff')))).toHaveLength(2);
    expect(d.buffered).toBe(2);
    expect(d.push(h('ff'))).toEqual([]);
    expect(wireError(() => d.push(h('ff 00 00'))).message).toMatch(/frame at stream byte 77 claims 4294967295 bytes/);
    const d2 = new WireDecoder({ handshake: false });
    d2.push(h('ff ff'));
    expect(wireError(() => d2.push(h('ff ff'))).message).toMatch(/claims 4294967295 bytes/);
    expect(d2.buffered).toBe(0);
  });

  it('accepts MAX_FRAME and refuses MAX_FRAME + 1', () => {
    const biggest = encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(128 * 1024) });
    expect(biggest.length).toBe(4 + MAX_FRAME);
    expect(new WireDecoder({ handshake: false }).push(biggest)).toHaveLength(1);
    const tooBig = encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(128 * 1024 + 1) });
    const d = new WireDecoder({ handshake: false });
    wireError(() => d.push(tooBig.subarray(0, 4)));
  });

  it('accepts the bitfield of a 2^20-piece torrent', () => {
    const bits = new Uint8Array(2 ** 20 / 8).fill(0xff);
    const [m] = new WireDecoder({ handshake: false }).push(encodeMessage({ type: 'bitfield', bits }));
    expect(m?.type === 'bitfield' && m.bits.length).toBe(131072);
  });

  it('takes a smaller limit', () => {
    const d = new WireDecoder({ handshake: false, maxFrame: 13 });
    expect(d.push(encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 }))).toHaveLength(1);
    wireError(() => d.push(encodeMessage({ type: 'bitfield', bits: new Uint8Array(13) })));
    wireError(() => new WireDecoder({ maxFrame: 0 }));
    wireError(() => new WireDecoder({ maxFrame: 2 ** 32 }));
  });
});

describe('WireDecoder: errors', () => {
  it.each<[string, string, RegExp]>([
    ['have with 3 bytes', '00 00 00 04 04 00 00 05', /have message \(id 4\) must have 4 payload bytes, not 3/],
    ['request with 11 bytes', '00 00 00 0c 06 00 00 00 01 00 00 40 00 00 00 40', /request .* 12 payload bytes, not 11/],
    ['unchoke with 1 byte', '00 00 00 02 01 00', /unchoke .* 0 payload bytes, not 1/],
    ['have all with 4 bytes', '00 00 00 05 0e 00 00 00 00', /haveAll .* not 4/],
    ['port with 4 bytes', '00 00 00 05 09 00 00 1a e1', /port .* not 4/],
  ])('refuses %s (whole and split)', (_name, frame, message) => {
    const bytes = h(frame);
    expect(wireError(() => new WireDecoder({ handshake: false }).push(bytes)).message).toMatch(message);
    for (let split = 1; split < bytes.length; split++) {
      const d = new WireDecoder({ handshake: false });
      d.push(bytes.subarray(0, split));
      expect(wireError(() => d.push(bytes.subarray(split))).message).toMatch(message);
    }
  });

  it('refuses a bad protocol string as soon as its first wrong byte arrives', () => {
    const d = new WireDecoder();
    expect(d.push(h('13 42 69 74'))).toEqual([]);
    expect(wireError(() => d.push(h('55'))).message).toMatch(/byte 4 of the protocol name is 0x55/);
    expect(wireError(() => new WireDecoder().push(ascii('GET / HTTP/1.1\r\n'))).message).toMatch(/first byte is 71, not 19/);
  });

  it('refuses all input after an error', () => {
    const d = new WireDecoder();
    wireError(() => d.push(h('14')));
    expect(d.failure).toBeInstanceOf(WireError);
    expect(wireError(() => d.push(STREAM)).message).toMatch(/stopped after an earlier error: not a BitTorrent handshake/);
    expect(wireError(() => d.push(new Uint8Array(0))).message).toMatch(/stopped after an earlier error/);
    expect(d.buffered).toBe(0);
  });

  it('passes unknown ids up instead of failing', () => {
    const d = new WireDecoder({ handshake: false });
    expect(norm(d.push(h('00 00 00 03 18 aa bb 00 00 00 01 00')))).toEqual(norm([{ type: 'unknown', id: 0x18, payload: h('aa bb') }, { type: 'choke' }]));
  });
});
