/**
 * Fuzzing the BitTorrent v2 decoders (fast-check, seeded): file trees, piece layers and hybrid halves
 * of every shape, and mutations of valid v2 and hybrid .torrent files. The only failures allowed are
 * TabswarmError subclasses, and every torrent accepted is consistent. The Merkle helpers agree with a
 * plain reference (the whole tree padded to a power of two) on random files.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, type BEncodable } from '../../src/core/bencode.js';
import { concatBytes, toHex } from '../../src/core/bytes.js';
import { createTorrent } from '../../src/core/create.js';
import { TabswarmError } from '../../src/core/errors.js';
import { rootFromPieceLayer, treeFromLeaves } from '../../src/core/merkle.js';
import { climbProof, verifyHashes } from '../../src/core/merkle-proof.js';
import { parseInfoDict, parseTorrent, type Metainfo } from '../../src/core/metainfo.js';
import { sha256 } from '../../src/core/sha256.js';
import { fixtureBytes } from '../fixtures/greeting.js';

const PIECE = 16384;

function checkConsistent(m: Metainfo): void {
  expect(m.infoHash).toMatch(/^[0-9a-f]{40}$/);
  expect(m.length).toBeGreaterThan(0);
  let end = 0;
  for (const f of m.files) {
    expect(f.offset).toBeGreaterThanOrEqual(end);
    end = f.offset + f.length;
  }
  expect(end).toBeLessThanOrEqual(m.length);
  if (m.version === 'v2') {
    expect(m.pieces).toEqual([]);
    expect(m.infoHash).toBe(m.infoHashV2!.slice(0, 40));
    expect(m.files.every((f) => f.length === 0 || f.offset % m.pieceLength === 0)).toBe(true);
  } else {
    expect(m.pieces.length).toBe(Math.ceil(m.length / m.pieceLength));
    expect(m.infoHash).toBe(m.infoHashV1);
  }
  if (m.version !== 'v1') expect(m.files.every((f) => f.length === 0 || f.piecesRoot?.length === 32)).toBe(true);
}

/** Parses, and returns 'ok' or 'rejected'; anything but a TabswarmError fails the property. */
async function outcome(p: Promise<Metainfo>): Promise<'ok' | 'rejected'> {
  try {
    checkConsistent(await p);
    return 'ok';
  } catch (err) {
    if (err instanceof TabswarmError) return 'rejected';
    throw err;
  }
}

/** Mostly good names, now and then a bad one. */
const name = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'b', '10', '2', '\u00e9', '.pad'), weight: 12 },
  { arbitrary: fc.constantFrom('', '.', '..', 'a/b'), weight: 1 },
);
const bytesOf = (lengths: number[]): fc.Arbitrary<Uint8Array> => fc.constantFrom(...lengths).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const fileFields = {
  length: fc.oneof(fc.constantFrom(0, 1, 5, PIECE, PIECE + 1, 3 * PIECE, -1), fc.nat({ max: 200_000 })),
  'pieces root': bytesOf([0, 31, 32, 32, 32, 32, 33]),
  attr: fc.constantFrom('', 'x', 'h', 'l', 'p', 'xhl'),
  'symlink path': fc.array(name, { maxLength: 2 }),
};
const fileNode: fc.Arbitrary<BEncodable> = fc.oneof(
  { arbitrary: fc.record({ length: fc.nat({ max: 100_000 }), 'pieces root': bytesOf([32]) }), weight: 6 },
  { arbitrary: fc.record(fileFields, { requiredKeys: ['length', 'pieces root'] }), weight: 2 },
  { arbitrary: fc.record(fileFields, { requiredKeys: [] }), weight: 1 },
);
const treeArb = fc.letrec<{ dir: BEncodable; node: BEncodable }>((tie) => ({
  dir: fc.dictionary(name, tie('node'), { minKeys: 1, maxKeys: 4 }),
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { arbitrary: fc.record({ '': fileNode }), weight: 6 },
    { arbitrary: tie('dir'), weight: 2 },
    { arbitrary: fc.constantFrom(7, {}), weight: 1 },
    { arbitrary: fc.record({ '': fileNode, x: fc.constant({}) }), weight: 1 },
  ),
})).dir;

const pad = (length: number): BEncodable => ({ attr: 'p', length, path: ['.pad', String(length)] });
const v1Files = fc.array(
  fc.oneof(
    fc.record({ length: fc.constantFrom(0, 1, 5, PIECE, 40_000), path: fc.array(name, { minLength: 1, maxLength: 2 }) }),
    fc.constantFrom(PIECE - 1, PIECE - 5, 1, 9152).map(pad),
  ),
  { maxLength: 5 },
);

describe('v2 decoders under fuzzing', () => {
  it('random file trees, piece layers and hybrid halves: only TabswarmError, and accepted torrents are consistent', async () => {
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(
        treeArb,
        fc.option(v1Files, { nil: undefined }),
        fc.constantFrom(2, 2, 2, 1, 3),
        fc.constantFrom(PIECE, 2 * PIECE, 3 * PIECE),
        fc.option(
          fc.dictionary(
            bytesOf([32]).map((b) => String.fromCharCode(...b)),
            bytesOf([0, 32, 64, 96]),
          ),
          { nil: undefined },
        ),
        fc.nat({ max: 4 }),
        async (tree, files, metaVersion, pieceLength, layers, pieceCount) => {
          const info: Record<string, BEncodable> = { name: 'n', 'piece length': pieceLength, 'meta version': metaVersion, 'file tree': tree };
          if (files !== undefined) {
            info['files'] = files;
            info['pieces'] = new Uint8Array(20 * pieceCount);
          }
          const top: Record<string, BEncodable> = { info };
          if (layers !== undefined) top['piece layers'] = layers;
          const bytes = encode(top);
          if ((await outcome(parseTorrent(bytes))) === 'ok') ok++;
          await outcome(parseInfoDict(encode(info)));
        },
      ),
      { seed: 0x2b1e, numRuns: 1500 },
    );
    expect(ok).toBeGreaterThan(10);
  });

  it('mutations of valid v2 and hybrid .torrent files: only TabswarmError', async () => {
    const files = [
      { path: 's/a.bin', data: fixtureBytes(40_000, 1) },
      { path: 's/d/b.bin', data: fixtureBytes(5, 2) },
      { path: 's/e', data: new Uint8Array(0) },
    ];
    const seeds = [
      (await createTorrent(files, { version: 'v2', pieceLength: PIECE, creationDate: 0 })).torrentFile,
      (await createTorrent(files, { version: 'hybrid', pieceLength: PIECE, creationDate: 0 })).torrentFile,
      (await createTorrent(files.slice(0, 1), { version: 'hybrid', pieceLength: PIECE, creationDate: 0 })).torrentFile,
    ];
    const tally = { ok: 0, rejected: 0 };
    const edit = fc.tuple(fc.nat(), fc.constantFrom('flip', 'cut', 'digit', 'delete', 'structure', 'byte'), fc.nat({ max: 255 }));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), async (which, edits) => {
        const out = Array.from(seeds[which]!);
        for (const [at0, kind, v] of edits) {
          const at = at0 % (out.length + 1);
          if (kind === 'flip' && at < out.length) out[at]! ^= 1 << (v % 8);
          else if (kind === 'cut') out.length = at;
          else if (kind === 'digit') out.splice(at, 0, 0x30 + (v % 10));
          else if (kind === 'delete') out.splice(at, 1 + (v % 4));
          else if (kind === 'structure') out.splice(at, v % 2, 'deil:-0'.charCodeAt(v % 7));
          else if (at < out.length) out[at] = v;
        }
        tally[await outcome(parseTorrent(new Uint8Array(out)))]++;
      }),
      { seed: 0xfee1, numRuns: 2000 },
    );
    expect(tally.rejected).toBeGreaterThan(1000);
    expect(tally.ok).toBeGreaterThan(20); // flips inside hashes and piece layers' unused bytes stay valid, or are refused as wrong layers
  });

  /** The whole tree padded with zero leaves to a power of two, hashed pair by pair (node:crypto). */
  function referenceRoot(data: Uint8Array, leavesAtLeast: number): Uint8Array {
    const h = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
    let layer: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += 16384) layer.push(h(data.subarray(at, at + 16384)));
    let width = 1;
    while (width < Math.max(layer.length, leavesAtLeast)) width *= 2;
    while (layer.length < width) layer.push(new Uint8Array(32));
    while (layer.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < layer.length; i += 2) next.push(h(concatBytes([layer[i]!, layer[i + 1]!])));
      layer = next;
    }
    return layer[0]!;
  }

  it("a file's Merkle root and piece layer agree with the plain reference, and the layer hashes to the root", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300_000 }), fc.constantFrom(16384, 32768, 65536, 131072), fc.nat(), async (length, pieceLength, seed) => {
        const data = fixtureBytes(length, seed + 1);
        const leaves: Uint8Array[] = [];
        for (let at = 0; at < length; at += 16384) leaves.push(await sha256(data.subarray(at, at + 16384)));
        const tree = await treeFromLeaves(leaves, length, pieceLength, sha256);
        // A file larger than a piece has at least two pieces of leaves; a smaller one only its own.
        expect(toHex(tree.root)).toBe(toHex(referenceRoot(data, length > pieceLength ? 2 * (pieceLength / 16384) : 1)));
        expect(tree.pieceLayer === undefined).toBe(length <= pieceLength);
        if (tree.pieceLayer !== undefined) {
          expect(tree.pieceLayer.length).toBe(Math.ceil(length / pieceLength) * 32);
          expect(toHex(await rootFromPieceLayer(tree.pieceLayer, pieceLength, sha256))).toBe(toHex(tree.root));
        }
      }),
      { seed: 0x3e4c1e, numRuns: 60 },
    );
  });

  it('the proof checker answers any hashes reply with a result, never an exception', async () => {
    const u32 = fc.oneof(fc.nat({ max: 20 }), fc.constantFrom(0xffffffff, 2 ** 31, 1024, 512), fc.nat());
    await fc.assert(
      fc.asyncProperty(
        fc.record({ baseLayer: u32, index: u32, length: u32, proofLayers: u32 }),
        fc.nat({ max: 12 }).chain((n) => fc.uint8Array({ minLength: n * 32, maxLength: n * 32 + 3 })),
        fc.oneof(fc.constantFrom(1, 16384, 16385, 2 ** 40), fc.nat({ max: 10_000_000 })),
        async (range, hashes, fileLength) => {
          const r = await climbProof({ ...range, hashes }, fileLength, sha256);
          expect(typeof r.ok).toBe('boolean');
          const v = await verifyHashes({ ...range, hashes }, new Uint8Array(32), fileLength, sha256);
          expect(v.ok).toBe(false);
        },
      ),
      { seed: 0x9e0f, numRuns: 1000 },
    );
  });
});
