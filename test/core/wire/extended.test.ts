import { describe, expect, it } from 'vitest';
import { decodePrefix } from '../../../src/core/bencode.js';
import {
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeMetadataMessage,
  MAX_METADATA_PIECES,
  MAX_METADATA_SIZE,
  METADATA_PIECE,
  type KnownMetadataMessage,
} from '../../../src/core/wire/index.js';
import { ascii, concat, hex, wireError } from './helpers.js';

const text = (b: Uint8Array): string => String.fromCharCode(...b);

describe('bencode decodePrefix', () => {
  it('decodes one value from the start and tells how many bytes it used', () => {
    const { value, length } = decodePrefix(ascii('d1:ai1eeRAW'));
    expect(length).toBe(8);
    expect(value).toEqual(Object.assign(Object.create(null) as object, { a: 1 }));
    expect(decodePrefix(ascii('i42e')).length).toBe(4);
  });
});

describe('extended handshake', () => {
  it('encodes byte-exactly with sorted keys', () => {
    const out = encodeExtendedHandshake({ m: { ut_pex: 2, ut_metadata: 1 }, metadata_size: 31235, reqq: 250, v: 'tabswarm 0.1' });
    expect(text(out)).toBe('d1:md11:ut_metadatai1e6:ut_pexi2ee13:metadata_sizei31235e4:reqqi250e1:v12:tabswarm 0.1e');
  });

  it('leaves out absent fields and writes p and yourip', () => {
    expect(text(encodeExtendedHandshake({ m: {}, metadata_size: undefined }))).toBe('d1:mdee');
    const out = encodeExtendedHandshake({ m: { ut_metadata: 0 }, p: 6881, yourip: Uint8Array.of(127, 0, 0, 1) });
    expect(text(out)).toBe('d1:md11:ut_metadatai0ee1:pi6881e6:yourip4:\x7f\x00\x00\x01e');
  });

  it('decodes a handshake with keys it does not use', () => {
    const hs = decodeExtendedHandshake(
      ascii('d12:complete_agoi-1e1:ei0e1:md11:ut_metadatai3e6:ut_pexi0ee13:metadata_sizei4510e4:reqqi250e11:upload_onlyi1e1:v16:WebTorrent 2.1.0e'),
    );
    expect({ ...hs.m }).toEqual({ ut_metadata: 3, ut_pex: 0 });
    expect(hs.metadata_size).toBe(4510);
    expect(hs.reqq).toBe(250);
    expect(hs.v).toBe('WebTorrent 2.1.0');
    expect(hs.p).toBeUndefined();
    expect(hs.raw['upload_only']).toBe(1);
  });

  it('round-trips', () => {
    const h0 = { m: { ut_metadata: 1, lt_donthave: 7 }, metadata_size: 1, reqq: 1, v: 'é', p: 65535, yourip: new Uint8Array(16).fill(1) };
    const back = decodeExtendedHandshake(encodeExtendedHandshake(h0));
    expect({ ...back.m }).toEqual(h0.m);
    expect([back.metadata_size, back.reqq, back.v, back.p]).toEqual([1, 1, 'é', 65535]);
    expect(hex(back.yourip!)).toBe('01'.repeat(16));
  });

  it('treats a missing m as no extensions, and keeps a name like __proto__ as data', () => {
    expect(Object.keys(decodeExtendedHandshake(ascii('de')).m)).toEqual([]);
    const m = decodeExtendedHandshake(ascii('d1:md9:__proto__i3eee')).m;
    expect(Object.keys(m)).toEqual(['__proto__']);
    expect(m['__proto__']).toBe(3);
  });

  it.each<[string, string, RegExp]>([
    ['a non-dictionary', 'i1e', /extended handshake: not a dictionary/],
    ['bad bencode', 'd1:m', /extended handshake: unexpected end of input/],
    ['trailing bytes', 'd1:mdeeX', /extended handshake: 1 trailing bytes/],
    ['m as a list', 'd1:mlee', /'m' is not a dictionary/],
    ['a negative id', 'd1:md1:xi-1eee', /'m.x' is -1, outside 0..255/],
    ['an id above 255', 'd1:md1:xi256eee', /'m.x' is 256/],
    ['an id as a string', 'd1:md1:x1:1ee', /'m.x' is not an integer/],
    ['a negative metadata_size', 'd1:mde13:metadata_sizei-5ee', /'metadata_size' is -5/],
    ['metadata_size as a string', 'd1:mde13:metadata_size1:5e', /'metadata_size' is not an integer/],
    ['v as an integer', 'd1:mde1:vi1ee', /'v' is not a string/],
    ['p above 65535', 'd1:mde1:pi65536ee', /'p' is 65536/],
    ['a 5-byte yourip', 'd1:mde6:yourip5:abcdee', /'yourip' is not 4 or 16 bytes/],
  ])('refuses %s', (_name, payload, message) => {
    expect(wireError(() => decodeExtendedHandshake(ascii(payload))).message).toMatch(message);
  });

  it('refuses to encode out-of-range fields', () => {
    wireError(() => encodeExtendedHandshake({ m: { x: 256 } }));
    wireError(() => encodeExtendedHandshake({ m: { x: -1 } }));
    wireError(() => encodeExtendedHandshake({ m: {}, metadata_size: -1 }));
    wireError(() => encodeExtendedHandshake({ m: {}, p: 1e6 }));
    wireError(() => encodeExtendedHandshake({ m: {}, yourip: new Uint8Array(3) }));
  });
});

describe('ut_metadata', () => {
  it('has the BEP 9 piece size and WebTorrent size cap', () => {
    expect(METADATA_PIECE).toBe(16384);
    expect(MAX_METADATA_SIZE).toBe(10_000_000);
    expect(MAX_METADATA_PIECES).toBe(611);
  });

  it.each<[string, KnownMetadataMessage, string]>([
    ['request 0', { msgType: 0, piece: 0 }, 'd8:msg_typei0e5:piecei0ee'],
    ['reject 3', { msgType: 2, piece: 3 }, 'd8:msg_typei2e5:piecei3ee'],
    ['data, last piece', { msgType: 1, piece: 1, totalSize: 16390, data: ascii('abcdef') }, 'd8:msg_typei1e5:piecei1e10:total_sizei16390eeabcdef'],
    ['data, one short piece', { msgType: 1, piece: 0, totalSize: 2, data: ascii('de') }, 'd8:msg_typei1e5:piecei0e10:total_sizei2eede'],
  ])('%s: vector and round trip', (_name, msg, bytes) => {
    const out = encodeMetadataMessage(msg);
    expect(text(out)).toBe(bytes);
    const back = decodeMetadataMessage(out);
    expect(back.msgType).toBe(msg.msgType);
    if (back.msgType === 1 && msg.msgType === 1) {
      expect([back.piece, back.totalSize, hex(back.data)]).toEqual([msg.piece, msg.totalSize, hex(msg.data)]);
      expect(back.data.buffer).toBe(out.buffer);
    } else {
      expect(back).toEqual(msg);
    }
  });

  it('round-trips a full 16 KiB piece', () => {
    const data = new Uint8Array(METADATA_PIECE).map((_, i) => i * 7);
    const msg = decodeMetadataMessage(encodeMetadataMessage({ msgType: 1, piece: 2, totalSize: 3 * METADATA_PIECE + 1, data }));
    expect(msg.msgType === 1 && hex(msg.data) === hex(data)).toBe(true);
  });

  it('passes an unknown msg_type up (BEP 9: ignore it)', () => {
    const msg = decodeMetadataMessage(ascii('d8:msg_typei7e3:fooi1eeXYZ'));
    expect(msg.msgType).toBe('unknown');
    expect(msg.msgType === 'unknown' && msg.code).toBe(7);
  });

  const dict = (s: string): Uint8Array => ascii(s);
  it.each<[string, Uint8Array, RegExp]>([
    ['a non-dictionary', dict('le'), /ut_metadata message: not a dictionary/],
    ['truncated bencode', dict('d8:msg_typei0e5:piece'), /ut_metadata message: unexpected end of input/],
    ['no msg_type', dict('d5:piecei0ee'), /no 'msg_type'/],
    ['a negative msg_type', dict('d8:msg_typei-1e5:piecei0ee'), /'msg_type' is -1/],
    ['no piece', dict('d8:msg_typei0ee'), /no 'piece'/],
    ['a negative piece', dict('d8:msg_typei0e5:piecei-1ee'), /'piece' is -1, outside 0..610/],
    ['a piece beyond the 10 MB cap', dict('d8:msg_typei0e5:piecei611ee'), /'piece' is 611/],
    ['a string piece', dict('d8:msg_typei0e5:piece1:0e'), /'piece' is not an integer/],
    ['bytes after a request', dict('d8:msg_typei0e5:piecei0eeX'), /1 bytes after a request/],
    ['bytes after a reject', dict('d8:msg_typei2e5:piecei0eeXY'), /2 bytes after a reject/],
    ['data without total_size', dict('d8:msg_typei1e5:piecei0eeabc'), /without 'total_size'/],
    ['total_size 0', dict('d8:msg_typei1e5:piecei0e10:total_sizei0ee'), /'total_size' is 0, outside 1..10000000/],
    ['total_size above 10 MB', dict('d8:msg_typei1e5:piecei0e10:total_sizei10000001eeX'), /'total_size' is 10000001/],
    ['a piece past the end', dict('d8:msg_typei1e5:piecei1e10:total_sizei16384eeX'), /piece 1 starts past the 16384-byte metadata/],
    ['short data', dict('d8:msg_typei1e5:piecei0e10:total_sizei3eeab'), /piece 0 of 3 bytes must carry 3 bytes, not 2/],
    ['long data', dict('d8:msg_typei1e5:piecei0e10:total_sizei3eeabcd'), /must carry 3 bytes, not 4/],
    [
      'data above 16 KiB',
      concat(dict('d8:msg_typei1e5:piecei0e10:total_sizei40000ee'), new Uint8Array(METADATA_PIECE + 1)),
      /must carry 16384 bytes, not 16385/,
    ],
  ])('refuses %s', (_name, payload, message) => {
    expect(wireError(() => decodeMetadataMessage(payload)).message).toMatch(message);
  });

  it('refuses to encode invalid messages', () => {
    wireError(() => encodeMetadataMessage({ msgType: 0, piece: -1 }));
    wireError(() => encodeMetadataMessage({ msgType: 2, piece: 1.5 }));
    wireError(() => encodeMetadataMessage({ msgType: 1, piece: 0, totalSize: MAX_METADATA_SIZE + 1, data: new Uint8Array(METADATA_PIECE) }));
    wireError(() => encodeMetadataMessage({ msgType: 1, piece: 0, totalSize: 20000, data: new Uint8Array(100) }));
    wireError(() => encodeMetadataMessage({ msgType: 1, piece: 2, totalSize: 20000, data: new Uint8Array(0) }));
  });
});
