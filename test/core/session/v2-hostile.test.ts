/**
 * Hostile BEP 52 hash messages against real sessions: a scripted peer that speaks raw bytes. A
 * seeder answers what it can serve with hashes that prove out, and everything else (unknown roots,
 * ranges outside the tree, oversize lengths, floods) with a hash reject, without throwing; a
 * leecher fetching piece layers bans a peer whose hashes do not lead to the pieces root or hold the
 * wrong count, drops one that sends hashes nobody asked for, and still finishes from an honest seeder.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { parseInfoDict, type Metainfo } from '../../../src/core/metainfo.js';
import { splitHashes } from '../../../src/core/merkle.js';
import { verifyHashes } from '../../../src/core/merkle-proof.js';
import { FileHashTree } from '../../../src/core/merkle-tree.js';
import { encodeHandshake, encodeMessage, WireDecoder, type WireEvent, type WireMessage } from '../../../src/core/wire/index.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, type TestNode } from './swarm-harness.js';
import { filesOf, fullStore, layout, nodeSha256 } from './v2-harness.js';

const PIECE = 32 * 1024;
const FILES = [
  { path: 'h/big.bin', data: fixtureBytes(9 * PIECE + 77, 5) },
  { path: 'h/small.bin', data: fixtureBytes(3000, 6) },
];

interface Raw {
  received: WireEvent[];
  send(...m: WireMessage[]): void;
  closed(): boolean;
}

/** A raw peer connected to `node`: it handshakes (with the v2 bit unless told not to) and records what comes. */
function rawPeer(swarm: TestSwarm, node: TestNode, infoHash: Uint8Array, o: { v2?: boolean; onEvent?: (e: WireEvent, raw: Raw) => void } = {}): Raw {
  const hostile = swarm.net.node('hostile', { upload: 8 * 1024 * 1024, download: 8 * 1024 * 1024 });
  const [toHostile, fromNode] = swarm.net.connect(node.node, hostile);
  const decoder = new WireDecoder();
  let closed = false;
  const raw: Raw = {
    received: [],
    send: (...m) => {
      for (const x of m) fromNode.send(encodeMessage(x));
    },
    closed: () => closed,
  };
  fromNode.onClose = () => (closed = true);
  fromNode.onData = (chunk) => {
    for (const e of decoder.push(chunk)) {
      raw.received.push(e);
      o.onEvent?.(e, raw);
    }
  };
  node.session.addPeer(toHostile, 'hostile');
  fromNode.send(encodeHandshake({ infoHash, peerId: new Uint8Array(20).fill(0x66), extensions: { extended: true, fast: true, v2: o.v2 ?? true } }));
  return raw;
}

async function torrent(): Promise<{ meta: Metainfo; bytes: Uint8Array; files: Map<string, Uint8Array> }> {
  const { metainfo: meta } = await createTorrent(FILES, { version: 'v2', pieceLength: PIECE });
  const files = new Map(FILES.map((f) => [f.path, f.data]));
  return { meta, bytes: layout(meta, files), files };
}

const of = <T extends WireEvent['type']>(events: WireEvent[], type: T): Extract<WireEvent, { type: T }>[] =>
  events.filter((e): e is Extract<WireEvent, { type: T }> => e.type === type);

describe('hostile BEP 52 hash messages', () => {
  it('a seeder serves layer and leaf hashes that prove out, and rejects bad requests without throwing', async () => {
    const { meta, bytes } = await torrent();
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo: meta, infoHash: meta.infoHashBytes, store: await fullStore(meta, bytes), sha256: nodeSha256 });
    const raw = rawPeer(swarm, seeder, meta.infoHashBytes);
    await swarm.clock.run(() => false, swarm.clock.now() + 200);
    expect(of(raw.received, 'handshake')[0]!.extensions.v2).toBe(true);
    const big = meta.files.find((f) => f.path === 'h/big.bin')!;
    const root = big.piecesRoot!;
    const tree = new FileHashTree(root, big.length, PIECE, nodeSha256);
    const bad: [string, WireMessage][] = [
      ['unknown root', { type: 'hashRequest', piecesRoot: new Uint8Array(32).fill(7), baseLayer: 1, index: 0, length: 16, proofLayers: 0 }],
      ['base layer above the root', { type: 'hashRequest', piecesRoot: root, baseLayer: 40, index: 0, length: 2, proofLayers: 0 }],
      ['index not a multiple of the length', { type: 'hashRequest', piecesRoot: root, baseLayer: 1, index: 3, length: 2, proofLayers: 0 }],
      ['length over 512', { type: 'hashRequest', piecesRoot: root, baseLayer: 0, index: 0, length: 1024, proofLayers: 0 }],
      ['past the end of the layer', { type: 'hashRequest', piecesRoot: root, baseLayer: 1, index: 4096, length: 2, proofLayers: 0 }],
      ['length not a power of two', { type: 'hashRequest', piecesRoot: root, baseLayer: 1, index: 0, length: 3, proofLayers: 0 }],
    ];
    raw.send(...bad.map(([, m]) => m));
    // Honest requests: the whole piece layer with its proof, and the leaves of piece 2.
    raw.send({ type: 'hashRequest', piecesRoot: root, ...tree.layerRequest(0, 16) }, { type: 'hashRequest', piecesRoot: root, ...tree.leavesRequest(2) });
    await swarm.clock.run(() => false, swarm.clock.now() + 500);
    expect(of(raw.received, 'hashReject').map((r) => [r.baseLayer, r.index, r.length])).toEqual(
      bad.map(([, m]) => [(m as { baseLayer: number }).baseLayer, (m as { index: number }).index, (m as { length: number }).length]),
    );
    const replies = of(raw.received, 'hashes');
    expect(replies).toHaveLength(2);
    const layer = await verifyHashes(replies[0]!, root, big.length, nodeSha256);
    expect(layer.ok).toBe(true);
    tree.setLayer(layer.ok ? layer.base : []);
    const leaves = splitHashes(replies[1]!.hashes);
    expect(await tree.pieceRootOf(leaves)).toEqual(tree.pieceHash(2));
    expect(raw.closed()).toBe(false);

    // Hashes nobody asked for: dropped, saying so.
    raw.send({ type: 'hashes', piecesRoot: root, baseLayer: 1, index: 0, length: 2, proofLayers: 0, hashes: new Uint8Array(64) });
    await swarm.clock.run(() => false, swarm.clock.now() + 200);
    expect(raw.closed()).toBe(true);
    expect(seeder.warnings).toContain('peer hostile dropped: sent hashes it was not asked for (layer 1, 0 to 1)');
    swarm.stop();
  });

  it('a session that has no metadata yet rejects hash requests (BEP 52: each is answered)', async () => {
    const { meta } = await torrent();
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { infoHash: meta.infoHashBytes, infoHashV2: meta.infoHashV2Bytes!, sha256: nodeSha256 });
    const raw = rawPeer(swarm, leecher, meta.infoHashBytes);
    raw.send({ type: 'hashRequest', piecesRoot: meta.files[0]!.piecesRoot!, baseLayer: 1, index: 0, length: 2, proofLayers: 0 });
    await swarm.clock.run(() => false, swarm.clock.now() + 200);
    expect(of(raw.received, 'hashReject').map((r) => [r.baseLayer, r.index, r.length])).toEqual([[1, 0, 2]]);
    expect(raw.closed()).toBe(false);
    swarm.stop();
  });

  it('hash messages from a peer without the v2 bit, and floods of bad requests, get it dropped', async () => {
    const { meta, bytes } = await torrent();
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo: meta, infoHash: meta.infoHashBytes, store: await fullStore(meta, bytes), sha256: nodeSha256 });
    const v1 = rawPeer(swarm, seeder, meta.infoHashBytes, { v2: false });
    v1.send({ type: 'hashRequest', piecesRoot: meta.files[0]!.piecesRoot!, baseLayer: 1, index: 0, length: 2, proofLayers: 0 });
    await swarm.clock.run(() => false, swarm.clock.now() + 200);
    expect(v1.closed()).toBe(true);
    expect(seeder.warnings).toContain('peer hostile dropped: a BEP 52 hashRequest message without the v2 bit on both sides');

    const swarm2 = new TestSwarm();
    const seeder2 = await swarm2.add('seeder', { metainfo: meta, infoHash: meta.infoHashBytes, store: await fullStore(meta, bytes), sha256: nodeSha256 });
    const flood = rawPeer(swarm2, seeder2, meta.infoHashBytes);
    for (let i = 0; i < 300; i++)
      flood.send({ type: 'hashRequest', piecesRoot: new Uint8Array(32).fill(i & 0xff), baseLayer: 0, index: 0, length: 2, proofLayers: 0 });
    await swarm2.clock.run(() => false, swarm2.clock.now() + 500);
    expect(flood.closed()).toBe(true);
    expect(seeder2.warnings.some((w) => w.startsWith('peer hostile dropped: more than 256 hash requests we could not serve'))).toBe(true);
    swarm.stop();
    swarm2.stop();
  });

  const lies: [string, (m: Extract<WireEvent, { type: 'hashRequest' }>, honest: Uint8Array) => WireMessage, string][] = [
    [
      'a changed hash',
      (m, h) => ({ ...m, type: 'hashes', hashes: h.map((b, i) => (i === 5 ? b ^ 1 : b)) }),
      'banned: sent piece-layer hashes that do not lead to the pieces root',
    ],
    [
      'an oversize count of hashes',
      (m, h) => ({ ...m, type: 'hashes', hashes: new Uint8Array([...h, ...h]) }),
      'banned: sent piece-layer hashes that do not lead to the pieces root: 1024 bytes of hashes, not the 16 hashes and 0 uncles (512 bytes) asked for',
    ],
    ['a range out of what was asked', (m, h) => ({ ...m, type: 'hashes', index: m.index + 64, hashes: h }), 'sent hashes it was not asked for'],
  ];
  for (const [label, lie, reason] of lies) {
    it(`a leecher fetching piece layers drops a peer that answers with ${label}, and finishes from an honest seeder`, async () => {
      const { meta, bytes, files } = await torrent();
      // As after a magnet link: the info dictionary without piece layers.
      const fromPeers = await parseInfoDict(meta.infoBytes, meta.infoHashV2Bytes);
      expect(fromPeers.pieceLayers).toBeUndefined();
      const swarm = new TestSwarm();
      const leecher = await swarm.add('leecher', { metainfo: fromPeers, infoHash: meta.infoHashBytes, sha256: nodeSha256 });
      const tree = new FileHashTree(meta.files[0]!.piecesRoot!, meta.files[0]!.length, PIECE, nodeSha256);
      tree.setLayer(splitHashes(meta.pieceLayers!.get([...meta.files[0]!.piecesRoot!].map((b) => b.toString(16).padStart(2, '0')).join(''))!));
      let lied = 0;
      const raw = rawPeer(swarm, leecher, meta.infoHashBytes, {
        onEvent: (e, r) => {
          if (e.type === 'handshake') r.send({ type: 'haveAll' });
          if (e.type !== 'hashRequest') return;
          lied++;
          void tree.answer(e, async () => undefined).then((honest) => r.send(lie(e, honest!)));
        },
      });
      await swarm.clock.run(() => raw.closed(), swarm.clock.now() + 5_000);
      expect(lied).toBeGreaterThan(0);
      expect(raw.closed()).toBe(true);
      expect(leecher.warnings.some((w) => w.startsWith(`peer hostile dropped: ${reason}`))).toBe(true);
      const seeder = await swarm.add('seeder', { metainfo: meta, infoHash: meta.infoHashBytes, store: await fullStore(meta, bytes), sha256: nodeSha256 });
      swarm.connect(seeder, leecher);
      await swarm.runUntil(() => leecher.session.done, 120_000);
      swarm.stop();
      const got = await filesOf(leecher.store, meta);
      for (const [path, data] of files) expect(got.get(path), path).toEqual(data);
      expect(leecher.bans).not.toContain('seeder');
    });
  }
});
