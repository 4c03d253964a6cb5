import { describe, expect, it } from 'vitest';
import {
  Bep10Id,
  Bep52Id,
  Bep3Id,
  Bep5Id,
  Bep6Id,
  decodeFrame,
  encodedLength,
  encodeMessage,
  encodeMessages,
  encodePieceHeader,
  MessageId,
  type WireMessage,
} from '../../../src/core/wire/index.js';
import { concat, h, hex, norm, wireError } from './helpers.js';
import { MESSAGE_VECTORS } from './vectors.js';

describe('message ids', () => {
  it('are grouped by BEP and merged', () => {
    expect(Bep3Id).toEqual({
      choke: 0,
      unchoke: 1,
      interested: 2,
      notInterested: 3,
      have: 4,
      bitfield: 5,
      request: 6,
      piece: 7,
      cancel: 8,
    });
    expect(Bep5Id).toEqual({ port: 9 });
    expect(Bep6Id).toEqual({ suggest: 13, haveAll: 14, haveNone: 15, reject: 16, allowedFast: 17 });
    expect(Bep10Id).toEqual({ extended: 20 });
    expect(Bep52Id).toEqual({ hashRequest: 21, hashes: 22, hashReject: 23 });
    expect(Object.keys(MessageId)).toHaveLength(9 + 1 + 5 + 1 + 3);
    expect(Object.isFrozen(MessageId)).toBe(true);
  });
});

describe('encodeMessage: byte-exact vectors', () => {
  it.each(MESSAGE_VECTORS)('%s', (_name, msg, bytes) => {
    const out = encodeMessage(msg);
    expect(hex(out)).toBe(hex(h(bytes)));
    expect(encodedLength(msg)).toBe(out.length);
  });
});

describe('decodeFrame: byte-exact vectors', () => {
  it.each(MESSAGE_VECTORS)('%s', (_name, msg, bytes) => {
    expect(norm([decodeFrame(h(bytes).subarray(4))])).toEqual(norm([msg]));
  });

  it('returns payloads as views into the frame, not copies', () => {
    const frame = h('07 00 00 00 02 00 00 80 00 de ad be ef');
    const m = decodeFrame(frame);
    expect(m.type).toBe('piece');
    if (m.type === 'piece') expect(m.block.buffer).toBe(frame.buffer);
  });

  it.each<[string, string, RegExp]>([
    ['choke with a payload byte', '00 00', /choke message \(id 0\) must have 0 payload bytes, not 1/],
    ['have with 3 bytes', '04 00 00 05', /have message \(id 4\) must have 4 payload bytes, not 3/],
    ['have with 5 bytes', '04 00 00 00 05 00', /have .* not 5/],
    ['request with 11 bytes', '06 00 00 00 01 00 00 40 00 00 00 40', /request message \(id 6\) must have 12 payload bytes, not 11/],
    ['cancel with 13 bytes', '08 00 00 00 01 00 00 40 00 00 00 40 00 00', /cancel .* not 13/],
    ['reject with 0 bytes', '10', /reject .* not 0/],
    ['port with 1 byte', '09 1a', /port .* 2 payload bytes, not 1/],
    ['suggest with 2 bytes', '0d 00 07', /suggest .* not 2/],
    ['allowed fast with 8 bytes', '11 00 00 00 01 00 00 00 02', /allowedFast .* not 8/],
    ['have all with a byte', '0e 01', /haveAll .* not 1/],
    ['have none with a byte', '0f 01', /haveNone .* not 1/],
    ['piece with 7 bytes', '07 00 00 00 02 00 00 80', /piece message \(id 7\) needs at least 8 payload bytes, not 7/],
    ['extended with no extension id', '14', /extended message \(id 20\) has no extension id/],
  ])('refuses %s', (_name, frame, message) => {
    expect(wireError(() => decodeFrame(h(frame))).message).toMatch(message);
  });
});

describe('encodeMessages', () => {
  it('writes every message back to back into one buffer', () => {
    const msgs = MESSAGE_VECTORS.map(([, m]) => m);
    const out = encodeMessages(msgs);
    expect(hex(out)).toBe(hex(concat(...MESSAGE_VECTORS.map(([, , b]) => h(b)))));
  });

  it('encodes nothing as an empty buffer', () => {
    expect(encodeMessages([])).toHaveLength(0);
  });

  it('validates every message before writing', () => {
    wireError(() => encodeMessages([{ type: 'choke' }, { type: 'have', index: -1 }]));
  });
});

describe('encodePieceHeader', () => {
  it('followed by the block, is the piece message byte for byte', () => {
    const block = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const whole = encodeMessage({ type: 'piece', index: 0x01020304, begin: 16384, block });
    expect(hex(concat(encodePieceHeader(0x01020304, 16384, block.length), block))).toBe(hex(whole));
  });

  it('validates its fields', () => {
    wireError(() => encodePieceHeader(-1, 0, 10));
    wireError(() => encodePieceHeader(0, 2 ** 32, 10));
  });
});

describe('encoder validation', () => {
  it.each<[string, WireMessage, RegExp]>([
    ['a negative have index', { type: 'have', index: -1 }, /have: index must be an integer from 0 to 4294967295, not -1/],
    ['a have index of 2^32', { type: 'have', index: 2 ** 32 }, /have: index .* not 4294967296/],
    ['a fractional index', { type: 'suggest', index: 1.5 }, /suggest: index/],
    ['NaN', { type: 'allowedFast', index: NaN }, /allowedFast: index .* not NaN/],
    ['a request begin of 2^32', { type: 'request', index: 0, begin: 2 ** 32, length: 1 }, /request: begin/],
    ['a negative cancel length', { type: 'cancel', index: 0, begin: 0, length: -5 }, /cancel: length/],
    ['a reject index of Infinity', { type: 'reject', index: Infinity, begin: 0, length: 1 }, /reject: index/],
    ['a piece index of 2^32', { type: 'piece', index: 2 ** 32, begin: 0, block: h('00') }, /piece: index/],
    ['a negative piece begin', { type: 'piece', index: 0, begin: -1, block: h('00') }, /piece: begin/],
    ['port 65536', { type: 'port', port: 65536 }, /port: port must be an integer from 0 to 65535/],
    ['extension id 256', { type: 'extended', extId: 256, payload: h('') }, /extended: extension id .* 0 to 255/],
    ['unknown id 256', { type: 'unknown', id: 256, payload: h('') }, /unknown: id .* 0 to 255/],
    ['unknown id of a known message', { type: 'unknown', id: 4, payload: h('00 00 00 01') }, /id 4 is the have message/],
  ])('refuses %s', (_name, msg, message) => {
    expect(wireError(() => encodeMessage(msg)).message).toMatch(message);
  });

  it('accepts the u32 extremes', () => {
    const msg: WireMessage = { type: 'request', index: 0xffffffff, begin: 0, length: 0xffffffff };
    expect(hex(encodeMessage(msg))).toBe('0000000d06ffffffff00000000ffffffff');
  });
});

describe('BEP 52 hash messages', () => {
  const root = new Uint8Array(32).fill(0xab);
  const range = { piecesRoot: root, baseLayer: 0, index: 0, length: 2, proofLayers: 0 };

  it('refuses frames of the wrong size with what was wrong', () => {
    const frame = (id: number, size: number): Uint8Array => concat(h(id.toString(16)), new Uint8Array(size));
    expect(wireError(() => decodeFrame(frame(21, 47))).message).toBe('hashRequest message (id 21) must have 48 payload bytes, not 47');
    expect(wireError(() => decodeFrame(frame(23, 49))).message).toBe('hashReject message (id 23) must have 48 payload bytes, not 49');
    expect(wireError(() => decodeFrame(frame(22, 47))).message).toMatch(
      /^hashes message \(id 22\) must have 48 payload bytes and whole 32-byte hashes, not 47$/,
    );
    expect(wireError(() => decodeFrame(frame(22, 48 + 31))).message).toMatch(/not 79$/);
    expect(decodeFrame(frame(22, 48))).toMatchObject({ type: 'hashes', hashes: new Uint8Array(0) });
  });

  it('refuses to encode a short root, hashes that are not whole, and fields out of range', () => {
    expect(wireError(() => encodeMessage({ type: 'hashRequest', ...range, piecesRoot: root.subarray(1) })).message).toBe(
      'hashRequest: the pieces root must be 32 bytes',
    );
    expect(wireError(() => encodeMessage({ type: 'hashes', ...range, hashes: new Uint8Array(33) })).message).toMatch(
      /33 bytes of hashes are not a whole number/,
    );
    expect(wireError(() => encodeMessage({ type: 'hashReject', ...range, index: -1 })).message).toMatch(/index must be an integer from 0/);
    expect(wireError(() => encodeMessage({ type: 'hashRequest', ...range, proofLayers: 2 ** 32 })).message).toMatch(/proof layers must be/);
  });

  it('decodes views of the frame, and round-trips', () => {
    const bytes = encodeMessage({ type: 'hashes', ...range, hashes: new Uint8Array(64).fill(7) });
    const msg = decodeFrame(bytes.subarray(4));
    expect(msg).toMatchObject({ type: 'hashes', baseLayer: 0, index: 0, length: 2, proofLayers: 0 });
    expect(hex(encodeMessage(msg))).toBe(hex(bytes));
  });
});
