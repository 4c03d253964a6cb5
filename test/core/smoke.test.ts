import { describe, expect, it } from 'vitest';
import { sha1 } from '../../src/core/sha1.js';
import { toHex } from '../../src/core/bytes.js';

describe('sha1', () => {
  it('hashes "abc" to the FIPS 180 vector', async () => {
    expect(toHex(await sha1(new TextEncoder().encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});
