/** Shared test helpers for the wire codec tests. */
import { expect } from 'vitest';
import { WireError } from '../../../src/core/wire/index.js';
import type { WireEvent } from '../../../src/core/wire/index.js';

/** Bytes from hex written with any whitespace: `h('00 00 00 05 04')`. */
export function h(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`bad hex in a test: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lowercase hex with no separators. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of an ASCII/latin1 string, one byte per char. */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Events with every byte array replaced by its hex, so deep equality compares content only. */
export function norm(events: readonly WireEvent[]): unknown[] {
  return events.map((e) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) out[k] = v instanceof Uint8Array ? `hex:${hex(v)}` : v;
    return out;
  });
}

/** Runs `f`, expects it to throw a WireError, and returns it. */
export function wireError(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return e as WireError;
  }
  throw new Error('expected a WireError, but nothing was thrown');
}

/** mulberry32: a tiny seeded PRNG returning integers in [0, n). */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
