import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesEqual } from '../../src/core/bytes.js';

describe('bytesEqual', () => {
  it('is true exactly when the lengths and every byte match, wherever a difference lies', () => {
    const id = new TextEncoder().encode('-TS0010-abcdefghijkl');
    expect(bytesEqual(id, id.slice())).toBe(true);
    for (const at of [0, 7, 8, 19]) {
      const other = id.slice();
      other[at] = other[at]! ^ 1;
      expect(bytesEqual(id, other), `differs at ${at}`).toBe(false);
    }
    expect(bytesEqual(id, id.subarray(0, 19))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.uint8Array({ maxLength: 24 }), (a, b) => {
        expect(bytesEqual(a, b)).toBe(a.length === b.length && a.every((x, i) => x === b[i]));
        expect(bytesEqual(a, a.slice())).toBe(true);
      }),
    );
  });
});
