/**
 * Private shares (src/core/private): the container made from files and opened with the link's
 * secret gives the same bytes back at any position (ranges across file boundaries, inside AES blocks,
 * in the padding), with SubtleCrypto and with the JavaScript ciphers alike; its bytes carry neither
 * the content nor the names; a wrong key or a changed manifest is refused with a clear error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../../src/core/bytes.js';
import { shareCipher, WRONG_KEY } from '../../../src/core/private/cipher.js';
import { openContainer, sealContainer, type PrivateInputFile } from '../../../src/core/private/container.js';
import {
  counterAt,
  decodeManifest,
  encodeManifest,
  HEADER_LENGTH,
  layOut,
  MIN_MANIFEST_LENGTH,
  padme,
  PrivateShareError,
  SECRET_LENGTH,
} from '../../../src/core/private/format.js';
import { GREETING } from '../../fixtures/greeting.js';

const secret = (fill: number) => new Uint8Array(SECRET_LENGTH).fill(fill);

/** Files with names worth hiding, of odd lengths (one empty), one given as a Blob. */
function files(): PrivateInputFile[] {
  const big = new Uint8Array(70_001).map((_, i) => (i * 31 + 7) & 0xff);
  return [
    { path: 'holiday/secret-plans.txt', data: GREETING },
    { path: 'holiday/empty.txt', data: new Uint8Array(0) },
    { path: 'holiday/photos/beach-party.jpg', data: new Blob([big]) },
    { path: 'holiday/x.bin', data: utf8('seventeen bytes!!') },
  ];
}

async function plainOf(list: readonly PrivateInputFile[]): Promise<Uint8Array> {
  return concatBytes(await Promise.all(list.map(async (f) => (f.data instanceof Uint8Array ? f.data : new Uint8Array(await f.data.slice().arrayBuffer())))));
}

async function whole(blob: { size: number; slice(a?: number, b?: number): { arrayBuffer(): Promise<ArrayBuffer> } }): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, blob.size).arrayBuffer());
}

/** Byte equality without a diff of large arrays when they differ (vitest's would take minutes). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('the format', () => {
  it('pads with Padmé: never less, at most 12 % more, and few distinct lengths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => {
        const p = padme(n);
        expect(p).toBeGreaterThanOrEqual(n);
        expect(p - n).toBeLessThanOrEqual(Math.ceil(n * 0.12) + 1);
        expect(padme(p)).toBe(p);
      }),
    );
    expect(padme(64 * 1024 * 1024)).toBe(64 * 1024 * 1024);
    expect(padme(64 * 1024 * 1024 + 1)).toBe(66 * 1024 * 1024);
    expect(new Set(Array.from({ length: 1000 }, (_, i) => padme(100_000 + i))).size).toBeLessThan(10);
  });

  it('numbers AES blocks from the payload start, big-endian over 128 bits', () => {
    expect([...counterAt(0).counter]).toEqual(new Array(16).fill(0));
    expect(counterAt(15)).toEqual({ counter: counterAt(0).counter, skip: 15 });
    expect(counterAt(16).counter[15]).toBe(1);
    expect(counterAt(16 * 256 + 3)).toMatchObject({ skip: 3 });
    expect([...counterAt(16 * 256).counter.subarray(14)]).toEqual([1, 0]);
    expect([...counterAt(16 * 2 ** 32).counter.subarray(8)]).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('encodes a manifest and decodes it back, padded', () => {
    const m = {
      name: 'holiday',
      files: [
        { path: ['a.txt'], length: 3 },
        { path: ['sub', 'b'], length: 0 },
      ],
    };
    const plain = encodeManifest(m);
    expect(plain.length).toBe(MIN_MANIFEST_LENGTH);
    expect(decodeManifest(plain)).toEqual(m);
  });

  it('lays files out one after another after the header and manifest; a single file is named by the share', () => {
    const l = layOut(
      {
        name: 'n',
        files: [
          { path: ['a'], length: 5 },
          { path: ['b', 'c'], length: 7 },
        ],
      },
      528,
    );
    expect(l.payloadStart).toBe(HEADER_LENGTH + 528);
    expect(l.files.map((f) => [f.path, f.offset, f.length])).toEqual([
      ['n/a', 536, 5],
      ['n/b/c', 541, 7],
    ]);
    expect(l.length).toBe(padme(548));
    expect(layOut({ name: 'film.webm', files: [{ path: ['film.webm'], length: 9 }] }, 528).files[0]!.path).toBe('film.webm');
  });

  it('refuses names a torrent could not carry', () => {
    expect(() => encodeManifest({ name: '..', files: [{ path: ['a'], length: 1 }] })).toThrow(PrivateShareError);
    expect(() => encodeManifest({ name: 'n', files: [{ path: ['a', '..'], length: 1 }] })).toThrow(/'\.\.'/);
    expect(() =>
      encodeManifest({
        name: 'n',
        files: [
          { path: ['a'], length: 1 },
          { path: ['a', 'b'], length: 1 },
        ],
      }),
    ).toThrow(PrivateShareError);
  });
});

describe('a sealed container', () => {
  it('opens with its secret into the same files, byte for byte, and its bytes carry no content and no name', async () => {
    const input = files();
    const sealed = await sealContainer(input, secret(1));
    const bytes = await whole(sealed);
    expect(bytes.length).toBe(sealed.size);
    const opened = await openContainer(async (a, b) => bytes.slice(a, b), bytes.length, secret(1));
    expect(opened.manifest.name).toBe('holiday');
    expect(opened.layout.files.map((f) => f.path)).toEqual([
      'holiday/secret-plans.txt',
      'holiday/empty.txt',
      'holiday/photos/beach-party.jpg',
      'holiday/x.bin',
    ]);
    const plain = await plainOf(input);
    const start = opened.layout.payloadStart;
    expect(same(await opened.decrypt(bytes.subarray(start, start + plain.length), start), plain)).toBe(true);
    for (const needle of ['secret-plans', 'beach-party', 'holiday', 'hello, swarm', 'seventeen']) expect(contains(bytes, utf8(needle)), needle).toBe(false);
  });

  it('decrypts any range on its own: across file boundaries, inside AES blocks, into the padding', async () => {
    const input = files();
    const sealed = await sealContainer(input, secret(2));
    const bytes = await whole(sealed);
    const opened = await openContainer(async (a, b) => bytes.slice(a, b), bytes.length, secret(2));
    const start = opened.layout.payloadStart;
    const plain = await plainOf(input);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length }), fc.integer({ min: 0, max: 40_000 }), async (a, n) => {
        const b = Math.min(bytes.length, a + n);
        const out = await opened.decrypt(bytes.subarray(a, b), a);
        // Before the payload: the ciphertext as it is; in the files: the plaintext.
        for (let i = a; i < b; i++) {
          if (i < start) expect(out[i - a]).toBe(bytes[i]);
          else if (i - start < plain.length && out[i - a] !== plain[i - start]) throw new Error(`byte ${i} differs`);
        }
        // The seeder's own slices agree with the whole container.
        expect(same(new Uint8Array(await sealed.slice(a, b).arrayBuffer()), bytes.subarray(a, b))).toBe(true);
      }),
      { numRuns: 60, seed: 22, endOnFailure: true },
    );
    // Each file read from its own offset, as the streaming path does.
    for (const [i, f] of opened.layout.files.entries()) {
      const got = await opened.decrypt(bytes.subarray(f.offset, f.offset + f.length), f.offset);
      expect(same(got, await plainOf([input[i]!])), f.path).toBe(true);
    }
  });

  it('is the same with SubtleCrypto and with the JavaScript ciphers (pages that are not a secure context)', async () => {
    const [subtle, js] = await Promise.all([shareCipher(secret(3), 'subtle'), shareCipher(secret(3), 'javascript')]);
    const data = new Uint8Array(100_003).map((_, i) => i & 0xff);
    for (const position of [0, 5, 16, 4095, 2 ** 32 * 16 - 7])
      expect(same(await js.ctr(data, position), await subtle.ctr(data, position)), `at ${position}`).toBe(true);
    const aad = utf8('header');
    const sealed = await subtle.seal(utf8('manifest'), aad);
    expect(await js.seal(utf8('manifest'), aad)).toEqual(sealed);
    expect(await js.open(sealed, aad)).toEqual(utf8('manifest'));
  });

  it('refuses a wrong key, saying so', async () => {
    const bytes = await whole(await sealContainer(files(), secret(4)));
    const read = async (a: number, b: number) => bytes.slice(a, b);
    await expect(openContainer(read, bytes.length, secret(5))).rejects.toThrow(WRONG_KEY);
    await expect(openContainer(read, bytes.length, secret(5))).rejects.toBeInstanceOf(PrivateShareError);
  });

  it('refuses a changed manifest or header, and a container of another length', async () => {
    const bytes = await whole(await sealContainer(files(), secret(6)));
    for (const at of [HEADER_LENGTH + 3, HEADER_LENGTH + 300, HEADER_LENGTH + MIN_MANIFEST_LENGTH + 5, 2]) {
      const changed = bytes.slice();
      changed[at]! ^= 0x40;
      await expect(
        openContainer(async (a, b) => changed.slice(a, b), changed.length, secret(6)),
        `byte ${at}`,
      ).rejects.toBeInstanceOf(PrivateShareError);
    }
    const lengthened = bytes.slice();
    lengthened[7]! += 16; // the header's manifest length: the tag no longer matches
    await expect(openContainer(async (a, b) => lengthened.slice(a, b), lengthened.length, secret(6))).rejects.toBeInstanceOf(PrivateShareError);
    await expect(openContainer(async (a, b) => bytes.slice(a, b), bytes.length + 1, secret(6))).rejects.toThrow(/does not fit/);
  });

  it('names a single file by itself, and hides its length in the padding', async () => {
    const sealed = await sealContainer([{ path: 'film.webm', data: new Uint8Array(1_000_000) }], secret(7));
    expect(sealed.layout.files[0]).toMatchObject({ path: 'film.webm', name: 'film.webm', length: 1_000_000 });
    expect(sealed.size).toBe(padme(HEADER_LENGTH + MIN_MANIFEST_LENGTH + 16 + 1_000_000));
    const other = await sealContainer([{ path: 'other.webm', data: new Uint8Array(1_000_500) }], secret(7));
    expect(other.size).toBe(sealed.size);
  });
});
