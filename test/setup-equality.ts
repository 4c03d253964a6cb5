/**
 * Byte arrays compared at memory speed: Vitest's generic deep equality walks a typed array element
 * by element (a 640 KiB download's `toEqual` took 10 s of a 10 s test). Arrays of other kinds, and
 * the diff printed when bytes differ, are left to Vitest.
 */
import { Buffer } from 'node:buffer';
import { expect } from 'vitest';

function bytesOf(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array && v.constructor === Uint8Array ? v : undefined;
}

expect.addEqualityTesters([
  (a: unknown, b: unknown): boolean | undefined => {
    const x = bytesOf(a);
    const y = bytesOf(b);
    if (!x || !y) return undefined;
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  },
]);
