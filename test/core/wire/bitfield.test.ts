import { describe, expect, it } from 'vitest';
import { BitField } from '../../../src/core/wire/index.js';
import { h, hex, wireError } from './helpers.js';

describe('BitField', () => {
  it('sets bits MSB first, as the wire does', () => {
    const f = new BitField(10);
    f.set(0);
    f.set(7);
    f.set(9);
    expect(hex(f.toBytes())).toBe(hex(h('81 40')));
    expect(f.count()).toBe(3);
    expect([...f.indexes()]).toEqual([0, 7, 9]);
    expect(f.get(0) && f.has(7) && f.get(9)).toBe(true);
    expect(f.get(1) || f.get(8)).toBe(false);
  });

  it('counts changes, not calls', () => {
    const f = new BitField(3);
    f.set(1);
    f.set(1);
    expect(f.count()).toBe(1);
    f.set(1, false);
    f.set(1, false);
    expect(f.count()).toBe(0);
    f.set(0);
    f.set(1);
    f.set(2);
    expect(f.isComplete()).toBe(true);
  });

  it('answers false for indexes out of range and refuses to set them', () => {
    const f = new BitField(9);
    expect(f.get(-1) || f.get(9) || f.get(1.5) || f.get(1000)).toBe(false);
    expect(wireError(() => f.set(9)).message).toMatch(/piece 9 is out of range for 9 pieces/);
    wireError(() => f.set(-1));
    wireError(() => new BitField(-1));
    wireError(() => new BitField(1.5));
  });

  it('reads a valid wire bitfield and copies it', () => {
    const bits = h('ff c0');
    const f = BitField.fromWire(bits, 10);
    bits.fill(0);
    expect(f.count()).toBe(10);
    expect(f.isComplete()).toBe(true);
    expect(hex(f.toBytes())).toBe('ffc0');
    expect(BitField.fromWire(h(''), 0).count()).toBe(0);
    expect(BitField.fromWire(h('a5'), 8).count()).toBe(4);
  });

  it('refuses a wrong length', () => {
    expect(wireError(() => BitField.fromWire(h('ff'), 10)).message).toMatch(/for 10 pieces is 2 bytes, not 1/);
    expect(wireError(() => BitField.fromWire(h('ff 00 00'), 10)).message).toMatch(/is 2 bytes, not 3/);
    expect(BitField.problem(h('ff'), 9)).toMatch(/2 bytes, not 1/);
  });

  it('refuses spare bits set after the last piece', () => {
    expect(wireError(() => BitField.fromWire(h('ff e0'), 10)).message).toMatch(/spare bits set after piece 9/);
    expect(BitField.problem(h('01'), 7)).toMatch(/spare bits/);
    expect(BitField.problem(h('fe'), 7)).toBeUndefined();
  });

  it('has the byte length of a bitfield message', () => {
    expect([0, 1, 8, 9, 2 ** 20].map((n) => BitField.byteLength(n))).toEqual([0, 1, 1, 2, 131072]);
  });
});
