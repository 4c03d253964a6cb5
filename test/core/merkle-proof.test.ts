/**
 * The Merkle proof checker (BEP 52 `hashes` replies) against libtorrent 2.0's piece layers and pieces
 * roots: replies made from a file's tree (leaves hashed here, upper layers from libtorrent's piece
 * layer) are accepted, sent through the wire codec too; any changed hash, a wrong count or a range
 * outside the tree is refused, saying why. The libtorrent part skips itself, saying so, without it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/core/bytes.js';
import { log2, padHash, parentLayer, splitHashes } from '../../src/core/merkle.js';
import { climbProof, treeHeight, verifyHashes, type HashesReply } from '../../src/core/merkle-proof.js';
import { sha256 } from '../../src/core/sha256.js';
import { decodeFrame, encodeMessage } from '../../src/core/wire/index.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { expectTorrent, libtorrentPython, runLibtorrent, SKIP_REASON } from '../reference/libtorrent.js';

const BLOCK = 16384;

/** Every layer of a tree, leaves padded with zero hashes to a power of two; `layers[height]` is the root. */
async function fullTree(leaves: Uint8Array[]): Promise<Uint8Array[][]> {
  const width = 2 ** Math.ceil(Math.log2(Math.max(1, leaves.length)));
  const layers = [[...leaves, ...Array.from({ length: width - leaves.length }, () => new Uint8Array(32))]];
  while (layers[layers.length - 1]!.length > 1) layers.push(await parentLayer(layers[layers.length - 1]!, new Uint8Array(32), sha256));
  return layers;
}

/** A reply as an honest peer makes it: the base hashes, then one uncle per layer upward. */
function reply(layers: Uint8Array[][], baseLayer: number, index: number, length: number, proofLayers: number): HashesReply {
  const height = layers.length - 1;
  const out = layers[baseLayer]!.slice(index, index + length);
  let at = index / length;
  for (let layer = baseLayer + log2(length); layer < height && out.length - length < proofLayers; layer++) {
    out.push(layers[layer]![at ^ 1]!);
    at >>= 1;
  }
  return { baseLayer, index, length, proofLayers, hashes: concatBytes(out) };
}

async function leavesOf(data: Uint8Array): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += BLOCK) out.push(await sha256(data.subarray(at, at + BLOCK)));
  return out;
}

describe('Merkle proofs (BEP 52 hashes replies)', () => {
  const data = fixtureBytes(9 * BLOCK + 100, 4); // 10 blocks: a tree of 16 leaves, 4 layers
  let layers: Uint8Array[][] = [];
  beforeAll(async () => {
    layers = await fullTree(await leavesOf(data));
  });

  it('accepts honest replies at any layer, length and proof depth, and says where a partial proof ends', async () => {
    expect(treeHeight(data.length)).toBe(4);
    const root = layers[4]![0]!;
    for (const [base, index, length] of [
      [0, 0, 2],
      [0, 8, 8],
      [0, 12, 4],
      [1, 4, 2],
      [2, 0, 4],
      [0, 0, 16],
    ] as const) {
      const r = await verifyHashes(reply(layers, base, index, length, 99), root, data.length, sha256);
      expect(r.ok, `${base} ${index} ${length}`).toBe(true);
    }
    const partial = await climbProof(reply(layers, 0, 8, 2, 1), data.length, sha256);
    expect(partial.ok && partial.top.layer === 2 && toHex(partial.top.node) === toHex(layers[2]![2]!)).toBe(true);
    expect(await verifyHashes(reply(layers, 0, 8, 2, 1), root, data.length, sha256)).toEqual({
      ok: false,
      reason: 'the proof ends at layer 2, below the root (layer 4)',
    });
  });

  it('refuses a changed hash, a wrong count and a range outside the tree, saying why', async () => {
    const root = layers[4]![0]!;
    const good = reply(layers, 0, 4, 2, 99);
    for (let i = 0; i < good.hashes.length / 32; i++) {
      const bad = { ...good, hashes: good.hashes.slice() };
      bad.hashes[i * 32 + 7]! ^= 0x20;
      expect(await verifyHashes(bad, root, data.length, sha256)).toEqual({ ok: false, reason: 'the hashes do not lead to the pieces root' });
    }
    const short = { ...good, hashes: good.hashes.subarray(32) };
    expect(await climbProof(short, data.length, sha256)).toEqual({
      ok: false,
      reason: '128 bytes of hashes, not the 2 hashes and 3 uncles (160 bytes) asked for',
    });
    const cases: [Partial<HashesReply>, string][] = [
      [{ index: 3 }, 'index 3 is not a multiple of the length 2'],
      [{ length: 3 }, 'length 3 is not a power of two'],
      [{ length: 0 }, 'length 0 is not a power of two'],
      [{ index: 16 }, 'hashes 16 to 17 are past the 16 of layer 0'],
      [{ baseLayer: 5 }, 'base layer 5 is not in a tree of 4 layers'],
      [{ baseLayer: 4 }, 'length 2 is more than the 1 hashes of layer 4'],
    ];
    for (const [change, reason] of cases) expect(await climbProof({ ...good, ...change }, data.length, sha256)).toEqual({ ok: false, reason });
  });

  it('checks a reply that went through the wire codec', async () => {
    const r = reply(layers, 0, 8, 2, 3);
    const bytes = encodeMessage({ type: 'hashes', piecesRoot: layers[4]![0]!, ...r });
    const msg = decodeFrame(bytes.subarray(4));
    if (msg.type !== 'hashes') throw new Error(msg.type);
    expect((await verifyHashes(msg, msg.piecesRoot, data.length, sha256)).ok).toBe(true);
  });
});

describe.skipIf(libtorrentPython === undefined)("Merkle proofs against libtorrent's piece layers", () => {
  let dir = '';
  const data = fixtureBytes(4 * 1024 * 1024 + 1000, 11); // 257 blocks: 512 leaves, 9 layers
  const PIECE = 64 * 1024; // the piece layer is layer 2: 65 pieces of 128 nodes
  let root: Uint8Array = new Uint8Array();
  let layers: Uint8Array[][] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tabswarm-proof-'));
    writeFileSync(join(dir, 'big.bin'), data);
    const t = expectTorrent(runLibtorrent([{ op: 'create', path: join(dir, 'big.bin'), version: 'v2', pieceLength: PIECE }])[0]);
    const [[hexRoot, hexLayer]] = Object.entries(t.pieceLayers) as [[string, string]];
    root = fromHex(hexRoot)!;
    // Leaves and the layer above from the file; from the piece layer up, libtorrent's hashes.
    const ours = await fullTree(await leavesOf(data));
    const pieceLayer = splitHashes(fromHex(hexLayer)!);
    expect(pieceLayer.length).toBe(65);
    expect(pieceLayer.map(toHex)).toEqual(ours[2]!.slice(0, 65).map(toHex));
    const pad = await padHash(2, sha256);
    layers = [ours[0]!, ours[1]!, [...pieceLayer, ...Array.from({ length: 128 - 65 }, () => pad)]];
    while (layers[layers.length - 1]!.length > 1) layers.push(await parentLayer(layers[layers.length - 1]!, new Uint8Array(32), sha256));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("leads block hashes and piece hashes to libtorrent's pieces root, and nothing else", async () => {
    expect(treeHeight(data.length)).toBe(9);
    expect(toHex(layers[9]![0]!)).toBe(toHex(root));
    for (const [base, index, length] of [
      [0, 256, 2], // the last block and a zero leaf
      [0, 32, 4], // the 4 blocks of piece 8
      [2, 0, 128], // the whole piece layer, padded
      [2, 64, 2], // the last piece and a pad hash
    ] as const) {
      const r = reply(layers, base, index, length, 99);
      expect((await verifyHashes(r, root, data.length, sha256)).ok, `${base} ${index} ${length}`).toBe(true);
      const bad = { ...r, hashes: r.hashes.slice() };
      bad.hashes[0]! ^= 1;
      expect((await verifyHashes(bad, root, data.length, sha256)).ok).toBe(false);
    }
  });
});

describe.skipIf(libtorrentPython !== undefined)("Merkle proofs against libtorrent's piece layers", () => {
  it(`are skipped: ${SKIP_REASON}`, () => {
    console.warn(SKIP_REASON);
  });
});
