/** The ts_pex and ts_signal codecs: byte-exact encodings, limits, and fuzzing (only WireError, whatever the input). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePexMessage,
  decodeSignalMessage,
  encodePexMessage,
  encodeSignalMessage,
  MAX_PEX_PEERS,
  MAX_SIGNAL_SDP,
  WireError,
} from '../../../src/core/wire/index.js';
import { encode } from '../../../src/core/bencode.js';

const id = (n: number): Uint8Array => new Uint8Array(20).fill(n);
const text = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

describe('ts_pex', () => {
  it('encodes added and dropped as concatenated 20-byte ids, byte-exact, and back', () => {
    const bytes = encodePexMessage({ added: [id(0x41), id(0x42)], dropped: [id(0x43)] });
    expect(text(bytes)).toBe(`d5:added40:${'A'.repeat(20)}${'B'.repeat(20)}7:dropped20:${'C'.repeat(20)}e`);
    expect(decodePexMessage(bytes)).toEqual({ added: [id(0x41), id(0x42)], dropped: [id(0x43)] });
    expect(decodePexMessage(encode({}))).toEqual({ added: [], dropped: [] });
  });

  it('refuses more than MAX_PEX_PEERS ids, lengths not a multiple of 20, and non-strings', () => {
    const many = Array.from({ length: MAX_PEX_PEERS + 1 }, () => id(1));
    expect(() => encodePexMessage({ added: many, dropped: [] })).toThrow(WireError);
    expect(() => decodePexMessage(encode({ added: new Uint8Array(20 * (MAX_PEX_PEERS + 1)) }))).toThrow(/more than 50/);
    expect(() => decodePexMessage(encode({ added: new Uint8Array(21) }))).toThrow(/multiple of 20/);
    expect(() => decodePexMessage(encode({ dropped: 5 }))).toThrow(/not a string/);
    expect(() => decodePexMessage(encode([1]))).toThrow(/not a dictionary/);
  });
});

describe('ts_signal', () => {
  it('an offer to a relay, forwarded from the origin, and a reject: byte-exact and back', () => {
    const offer = encodeSignalMessage({ type: 'offer', id: 7, to: id(0x41), sdp: 'v=0' });
    expect(text(offer)).toBe(`d2:idi7e3:sdp3:v=02:to20:${'A'.repeat(20)}4:type5:offere`);
    expect(decodeSignalMessage(offer)).toEqual({ type: 'offer', id: 7, to: id(0x41), sdp: 'v=0' });
    const answer = encodeSignalMessage({ type: 'answer', id: 7, from: id(0x42), sdp: 'v=0 a' });
    expect(decodeSignalMessage(answer)).toEqual({ type: 'answer', id: 7, from: id(0x42), sdp: 'v=0 a' });
    const reject = encodeSignalMessage({ type: 'reject', id: 9, from: id(0x43), reason: 'full' });
    expect(decodeSignalMessage(reject)).toEqual({ type: 'reject', id: 9, from: id(0x43), reason: 'full' });
  });

  it('refuses both or neither of to/from, an offer without SDP, a reject with one, oversized SDPs, bad ids and types', () => {
    const base = { id: 1, sdp: new TextEncoder().encode('x') };
    expect(() => decodeSignalMessage(encode({ ...base, type: 'offer', to: id(1), from: id(2) }))).toThrow(/exactly one/);
    expect(() => decodeSignalMessage(encode({ ...base, type: 'offer' }))).toThrow(/exactly one/);
    expect(() => decodeSignalMessage(encode({ type: 'offer', id: 1, to: id(1) }))).toThrow(/without an SDP/);
    expect(() => decodeSignalMessage(encode({ ...base, type: 'reject', to: id(1) }))).toThrow(/carries no SDP/);
    expect(() => decodeSignalMessage(encode({ ...base, type: 'hello', to: id(1) }))).toThrow(/'type'/);
    expect(() => decodeSignalMessage(encode({ ...base, type: 'offer', id: -1, to: id(1) }))).toThrow(/'id'/);
    expect(() => decodeSignalMessage(encode({ ...base, type: 'offer', to: new Uint8Array(19) }))).toThrow(/20-byte/);
    expect(() => decodeSignalMessage(encode({ type: 'offer', id: 1, to: id(1), sdp: new Uint8Array(MAX_SIGNAL_SDP + 1).fill(0x61) }))).toThrow(/more than/);
    expect(() => decodeSignalMessage(encode({ type: 'offer', id: 1, to: id(1), sdp: new Uint8Array([0xff, 0xfe]) }))).toThrow(/UTF-8/);
    expect(() => encodeSignalMessage({ type: 'offer', id: 1, to: id(1), sdp: 'x'.repeat(MAX_SIGNAL_SDP + 1) })).toThrow(WireError);
  });

  it('fuzz: any bytes, and mutations of valid messages, decode or throw a WireError, never anything else', () => {
    const valid = [
      encodeSignalMessage({ type: 'offer', id: 3, to: id(5), sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1' }),
      encodeSignalMessage({ type: 'reject', id: 3, from: id(5), reason: 'busy' }),
      encodePexMessage({ added: [id(1), id(2)], dropped: [id(3)] }),
    ];
    const check = (bytes: Uint8Array): void => {
      for (const decode of [decodeSignalMessage, decodePexMessage]) {
        try {
          decode(bytes);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
        }
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(b)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (which, edits) => {
        const b = valid[which]!.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        check(b);
      }),
      { numRuns: 2000 },
    );
  });
});
