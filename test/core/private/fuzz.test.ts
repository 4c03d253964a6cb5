/**
 * Fuzzing the private-share decoders (fast-check, seeded): the header, the manifest (random bytes,
 * random bencoded manifest-shaped values), and containers with bytes changed, cut or lengthened.
 * The only failures allowed are PrivateShareErrors, and every manifest accepted is one that could
 * have been encoded (it encodes back to the same bytes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, type BEncodable } from '../../../src/core/bencode.js';
import { openContainer, sealContainer } from '../../../src/core/private/container.js';
import { decodeHeader, decodeManifest, encodeManifest, MIN_MANIFEST_LENGTH, PrivateShareError, SECRET_LENGTH } from '../../../src/core/private/format.js';

function onlyShareErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof PrivateShareError)) throw e;
  }
}

/** A manifest plaintext around `value`: length, bencoding, zeros. */
function framed(value: BEncodable, padding: number): Uint8Array {
  const body = encode(value);
  const out = new Uint8Array(4 + body.length + padding);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

const component = fc.oneof(fc.constantFrom('a', 'b', '..', '.', '', 'x/y', 'ok.txt', '\0', 'é'), fc.string({ maxLength: 6 }));
const fileValue = fc.oneof(
  fc.record({ length: fc.oneof(fc.integer({ min: -3, max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER)), path: fc.array(component, { maxLength: 3 }) }),
  fc.record({ length: fc.string(), path: component }),
  fc.constant(7),
);
const manifestValue = fc.oneof(
  fc.record({ name: component, files: fc.array(fileValue, { maxLength: 4 }) }),
  fc.record({ name: fc.integer(), files: fc.array(fileValue, { maxLength: 2 }) }),
  fc.record({ files: fc.array(fileValue, { maxLength: 2 }) }),
  fc.constant([1, 2]),
);

describe('private-share decoders under fuzzing', () => {
  it('decodeHeader: any 8 bytes, any container length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 12 }), fc.integer({ min: 0, max: 2 ** 40 }), (bytes, length) => {
        onlyShareErrors(() => decodeHeader(bytes, length));
      }),
      { numRuns: 2000, seed: 1 },
    );
  });

  it('decodeManifest: random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => onlyShareErrors(() => decodeManifest(bytes))),
      { numRuns: 3000, seed: 2 },
    );
  });

  it('decodeManifest: manifest-shaped values; what it accepts encodes back the same', () => {
    fc.assert(
      fc.property(manifestValue, fc.integer({ min: 0, max: 40 }), fc.boolean(), (value, padding, dirty) => {
        const plain = framed(value, padding);
        if (dirty && padding > 0) plain[plain.length - 1] = 1;
        onlyShareErrors(() => {
          const m = decodeManifest(plain);
          expect(dirty && padding > 0).toBe(false);
          const again = encodeManifest(m);
          expect(decodeManifest(again)).toEqual(m);
        });
      }),
      { numRuns: 3000, seed: 3 },
    );
  });

  it('decodeManifest: the length field and the padding are checked', () => {
    const good = encodeManifest({ name: 'n', files: [{ path: ['a'], length: 1 }] });
    expect(good.length).toBe(MIN_MANIFEST_LENGTH);
    const longer = good.slice();
    new DataView(longer.buffer).setUint32(0, 10_000);
    expect(() => decodeManifest(longer)).toThrow(PrivateShareError);
    const trailing = good.slice();
    trailing[MIN_MANIFEST_LENGTH - 1] = 9;
    expect(() => decodeManifest(trailing)).toThrow(/padding/);
  });

  it('openContainer: bytes changed, cut or lengthened, and wrong keys', async () => {
    const key = new Uint8Array(SECRET_LENGTH).fill(9);
    const sealed = await sealContainer([{ path: 'dir/a.txt', data: new Uint8Array(3000).fill(65) }], key);
    const bytes = new Uint8Array(await sealed.slice().arrayBuffer());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 700 }), xor: fc.integer({ min: 1, max: 255 }) }), { maxLength: 3 }),
        fc.integer({ min: -20, max: 20 }),
        fc.uint8Array({ minLength: SECRET_LENGTH, maxLength: SECRET_LENGTH }),
        fc.boolean(),
        async (flips, extra, otherKey, useOther) => {
          const changed = bytes.slice();
          for (const { at, xor } of flips) changed[at]! ^= xor;
          const length = Math.max(0, changed.length + extra);
          const read = async (a: number, b: number) => {
            if (b > length) throw new PrivateShareError('read past the end');
            return changed.slice(a, b);
          };
          try {
            await openContainer(read, length, useOther ? otherKey : key);
            // Only the untouched container with its key opens.
            expect(flips.length === 0 && extra === 0 && !useOther).toBe(true);
          } catch (e) {
            if (!(e instanceof PrivateShareError)) throw e;
          }
        },
      ),
      { numRuns: 300, seed: 4 },
    );
    expect((await openContainer(async (a, b) => bytes.slice(a, b), bytes.length, key)).manifest.name).toBe('dir');
  });
});
