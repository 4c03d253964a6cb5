import { describe, expect, it } from 'vitest';
import { decodeHandshake, encodeHandshake, HANDSHAKE_LENGTH, PROTOCOL_PREFIX } from '../../../src/core/wire/index.js';
import { ascii, h, hex, wireError } from './helpers.js';

const INFO_HASH = h('01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14');
const PEER_ID = ascii('-WW0208-abcdefghijkl');
/** 0x13 then "BitTorrent protocol", written out. */
const PSTR = '13 42 69 74 54 6f 72 72 65 6e 74 20 70 72 6f 74 6f 63 6f 6c';
const INFO_HASH_HEX = '01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14';
/** "-WW0208-abcdefghijkl" */
const PEER_ID_HEX = '2d 57 57 30 32 30 38 2d 61 62 63 64 65 66 67 68 69 6a 6b 6c';

describe('handshake', () => {
  it('is 68 bytes with the protocol prefix', () => {
    expect(HANDSHAKE_LENGTH).toBe(68);
    expect(hex(PROTOCOL_PREFIX)).toBe(hex(h(PSTR)));
  });

  it.each<[string, boolean, boolean, string]>([
    ['no extensions', false, false, '00 00 00 00 00 00 00 00'],
    ['BEP 10 only', true, false, '00 00 00 00 00 10 00 00'],
    ['BEP 6 only', false, true, '00 00 00 00 00 00 00 04'],
    ['both, as WebTorrent in a browser', true, true, '00 00 00 00 00 10 00 04'],
  ])('encodes %s byte-exactly', (_name, extended, fast, reserved) => {
    const out = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: { extended, fast } });
    expect(hex(out)).toBe(hex(h(`${PSTR} ${reserved} ${INFO_HASH_HEX} ${PEER_ID_HEX}`)));
  });

  it("decodes WebTorrent's handshake", () => {
    const hs = decodeHandshake(h(`${PSTR} 00 00 00 00 00 10 00 04 ${INFO_HASH_HEX} ${PEER_ID_HEX}`));
    expect(hs.extensions).toEqual({ extended: true, fast: true, v2: false });
    expect(hex(hs.reserved)).toBe('0000000000100004');
    expect(hex(hs.infoHash)).toBe(hex(INFO_HASH));
    expect(hex(hs.peerId)).toBe(hex(PEER_ID));
  });

  it('reads only its own bits and keeps the rest of the reserved bytes', () => {
    // DHT (reserved[7] & 0x01) and others set, BEP 6/10/52 bits clear.
    const hs = decodeHandshake(h(`${PSTR} 80 00 00 00 00 ef 00 eb ${INFO_HASH_HEX} ${PEER_ID_HEX}`));
    expect(hs.extensions).toEqual({ extended: false, fast: false, v2: false });
    expect(hex(hs.reserved)).toBe('8000000000ef00eb');
  });

  it('sets and reads the BitTorrent v2 bit (BEP 52: reserved[7] & 0x10) beside the Fast Extension bit', () => {
    const out = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: { extended: true, fast: true, v2: true } });
    expect(hex(out.subarray(20, 28))).toBe('0000000000100014');
    expect(decodeHandshake(out).extensions).toEqual({ extended: true, fast: true, v2: true });
    const v2Only = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: { extended: false, fast: false, v2: true } });
    expect(hex(v2Only.subarray(20, 28))).toBe('0000000000000010');
    expect(decodeHandshake(v2Only).extensions).toEqual({ extended: false, fast: false, v2: true });
  });

  it('copies the ids out of the input', () => {
    const bytes = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: { extended: true, fast: true } });
    const hs = decodeHandshake(bytes);
    bytes.fill(0);
    expect(hex(hs.infoHash)).toBe(hex(INFO_HASH));
  });

  it('refuses ids of the wrong size', () => {
    expect(
      wireError(() => encodeHandshake({ infoHash: INFO_HASH.subarray(1), peerId: PEER_ID, extensions: { extended: false, fast: false } })).message,
    ).toMatch(/info hash is 19 bytes, not 20/);
    expect(wireError(() => encodeHandshake({ infoHash: INFO_HASH, peerId: h('00'), extensions: { extended: false, fast: false } })).message).toMatch(
      /peer id is 1 bytes, not 20/,
    );
  });

  it('refuses a wrong length or protocol string', () => {
    const good = encodeHandshake({ infoHash: INFO_HASH, peerId: PEER_ID, extensions: { extended: false, fast: false } });
    expect(wireError(() => decodeHandshake(good.subarray(0, 67))).message).toMatch(/68 bytes, not 67/);
    const badFirst = good.slice();
    badFirst[0] = 0x14;
    expect(wireError(() => decodeHandshake(badFirst)).message).toMatch(/first byte is 20, not 19/);
    const badName = good.slice();
    badName[1] = 0x62; // 'b'
    expect(wireError(() => decodeHandshake(badName)).message).toMatch(/byte 1 of the protocol name is 0x62/);
  });
});
