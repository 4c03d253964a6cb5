import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { javascriptSha1, sha1, sha1Implementation, subtleSha1 } from '../../src/core/sha1.js';
import { toHex } from '../../src/core/bytes.js';

const nodeSha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

describe('SHA-1', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('gives the standard digests in JavaScript and through SubtleCrypto, for every length around the block size', async () => {
    expect(toHex(await javascriptSha1(new TextEncoder().encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    for (const length of [0, 1, 55, 56, 63, 64, 65, 16 * 1024, 1024 * 1024 + 7]) {
      const data = new Uint8Array(randomBytes(length));
      expect(toHex(await javascriptSha1(data)), `${length} bytes`).toBe(nodeSha1(data));
      expect(toHex(await subtleSha1(data)), `${length} bytes`).toBe(nodeSha1(data));
    }
  });

  it('hashes a view into a larger buffer by its own bytes only', async () => {
    const buffer = new Uint8Array(randomBytes(1000));
    const view = buffer.subarray(100, 600);
    expect(toHex(await javascriptSha1(view))).toBe(nodeSha1(view));
  });

  it('uses SubtleCrypto where it exists', () => {
    expect(sha1Implementation).toBe('subtle');
    expect(sha1).toBe(subtleSha1);
  });

  it('falls back to JavaScript where SubtleCrypto is missing (a page over plain http from another address)', async () => {
    vi.stubGlobal('crypto', { getRandomValues: <T extends Uint8Array>(a: T) => a });
    const insecure = await import('../../src/core/sha1.js');
    expect(insecure.sha1Implementation).toBe('javascript');
    const data = new Uint8Array(randomBytes(40_000));
    expect(toHex(await insecure.sha1(data))).toBe(nodeSha1(data));
    await expect(insecure.subtleSha1(data)).rejects.toThrow(/SubtleCrypto is not available/);
  });
});
