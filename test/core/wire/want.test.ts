import { describe, expect, it } from 'vitest';
import { decodeWantMessage, encodeWantMessage, MAX_WANT_PIECES } from '../../../src/core/wire/index.js';
import { ascii, wireError } from './helpers.js';

describe('ts_want message', () => {
  it('encodes byte-exactly and decodes back, in order', () => {
    const out = encodeWantMessage([7, 3, 4000000000]);
    expect(String.fromCharCode(...out)).toBe('d6:piecesli7ei3ei4000000000eee');
    expect(decodeWantMessage(out)).toEqual([7, 3, 4000000000]);
    expect(decodeWantMessage(encodeWantMessage([]))).toEqual([]);
  });

  it('ignores keys it does not use', () => {
    expect(decodeWantMessage(ascii('d5:extrai1e6:piecesli1eee'))).toEqual([1]);
  });

  it('rejects what is not a list of piece indexes, and too long lists, with a WireError', () => {
    for (const bad of ['le', 'de', 'd6:piecesi1ee', 'd6:piecesli-1eee', 'd6:piecesl1:aee', 'd6:piecesli4294967296eee', 'd6:pieces']) {
      wireError(() => decodeWantMessage(ascii(bad)));
    }
    const many = Array.from({ length: MAX_WANT_PIECES + 1 }, (_, i) => i);
    wireError(() => encodeWantMessage(many));
    wireError(() => decodeWantMessage(ascii(`d6:piecesl${many.map((i) => `i${i}e`).join('')}ee`)));
    wireError(() => encodeWantMessage([-1]));
  });
});
