import { describe, expect, it } from 'vitest';

/** The byte-array equality of test/setup-equality.ts still tells arrays apart. */
describe('byte arrays in toEqual', () => {
  it('equal bytes are equal, one differing byte or length is not, views compare their own bytes', () => {
    const a = new Uint8Array(1 << 20).map((_, i) => i * 7);
    expect(a.slice()).toEqual(a);
    const b = a.slice();
    b[b.length - 1] = (a[a.length - 1] ?? 0) ^ 1;
    expect(b).not.toEqual(a);
    expect(a.subarray(1)).not.toEqual(a);
    const wide = new Uint8Array([9, 1, 2, 3, 9]);
    expect(wide.subarray(1, 4)).toEqual(new Uint8Array([1, 2, 3]));
    expect({ bytes: b }).not.toEqual({ bytes: a });
  });
});
