/**
 * BitTorrent v2 (BEP 52) in real sessions over simulated links: a v2-only torrent seeded from its
 * .torrent and local data, downloaded by a `btmh`-only magnet link (metadata by ut_metadata checked
 * against the SHA-256 info hash, piece layers by hash requests proven against each file's root),
 * byte-identical; a peer that corrupts one block is banned for that block alone.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { parseMagnet } from '../../../src/core/magnet.js';
import { parseInfoDict, type Metainfo } from '../../../src/core/metainfo.js';
import { bytesEqual } from '../../../src/core/bytes.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm } from './swarm-harness.js';
import { corruptingFirstBlock, filesOf, fullStore, layout, nodeSha256 } from './v2-harness.js';

const PIECE = 64 * 1024;

/** Files of every kind BEP 52 lays out differently: several pieces, less than a piece, one block, empty. */
const FILES = [
  { path: 'v2/big.bin', data: fixtureBytes(5 * PIECE + 1234, 1) },
  { path: 'v2/sub/small.bin', data: fixtureBytes(20_000, 2) },
  { path: 'v2/sub/tiny.txt', data: fixtureBytes(100, 3) },
  { path: 'v2/sub/empty', data: new Uint8Array(0) },
  { path: 'v2/zlast.bin', data: fixtureBytes(3 * PIECE, 4) },
];

async function v2Torrent(): Promise<{ meta: Metainfo; magnet: string; files: Map<string, Uint8Array> }> {
  const created = await createTorrent(FILES, { version: 'v2', pieceLength: PIECE });
  return { meta: created.metainfo, magnet: created.magnetURI, files: new Map(FILES.map((f) => [f.path, f.data])) };
}

describe('BitTorrent v2 sessions', () => {
  it('seeds a v2-only torrent from its .torrent and data; another session downloads it by a btmh-only magnet link, byte-identical', async () => {
    const { meta, magnet, files } = await v2Torrent();
    expect(meta.version).toBe('v2');
    const link = parseMagnet(magnet);
    expect(magnet).not.toContain('btih');
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', {
      metainfo: meta,
      infoHash: meta.infoHashBytes,
      store: await fullStore(meta, layout(meta, files)),
      sha256: nodeSha256,
    });
    const leecher = await swarm.add('leecher', { infoHash: link.infoHashBytes, infoHashV2: link.infoHashV2Bytes!, sha256: nodeSha256 });
    expect(seeder.session.done).toBe(true);
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done, 120_000);
    swarm.stop();
    expect(leecher.session.done).toBe(true);
    // The metadata came from the seeder without piece layers: those came by hash requests, the .torrent's.
    expect(leecher.session.metainfo?.infoHashV2).toBe(meta.infoHashV2);
    expect(leecher.session.metainfo?.pieceLayers).toEqual(meta.pieceLayers);
    const got = await filesOf(leecher.store, leecher.session.metainfo!);
    for (const [path, data] of files) expect(got.get(path), path).toEqual(data);
    expect([...leecher.bans, ...seeder.bans]).toEqual([]);
    expect(leecher.warnings.filter((w) => /failed|dropped/.test(w))).toEqual([]);
  });

  it('a seed that knows only the info dictionary (restored after a reload) rebuilds piece layers from its pieces to serve them', async () => {
    const { meta, magnet, files } = await v2Torrent();
    const link = parseMagnet(magnet);
    const infoOnly = await parseInfoDict(meta.infoBytes, meta.infoHashV2Bytes);
    expect(infoOnly.pieceLayers).toBeUndefined();
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', {
      metainfo: infoOnly,
      infoHash: meta.infoHashBytes,
      store: await fullStore(meta, layout(meta, files)),
      sha256: nodeSha256,
    });
    expect(seeder.session.done, 'seeder done').toBe(true);
    const leecher = await swarm.add('leecher', { infoHash: link.infoHashBytes, infoHashV2: link.infoHashV2Bytes!, sha256: nodeSha256 });
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done, 60_000);
    swarm.stop();
    expect(leecher.session.done, `leecher done; ${leecher.warnings.join('; ')}`).toBe(true);
    const got = await filesOf(leecher.store, meta);
    for (const [path, data] of files) expect(got.get(path), path).toEqual(data);
  });

  it('downloads from a .torrent too (piece layers given), with three peers', async () => {
    const { meta, files } = await v2Torrent();
    const swarm = new TestSwarm();
    const bytes = layout(meta, files);
    await swarm.add('seeder', { metainfo: meta, infoHash: meta.infoHashBytes, store: await fullStore(meta, bytes), sha256: nodeSha256 });
    const a = await swarm.add('a', { metainfo: meta, infoHash: meta.infoHashBytes, sha256: nodeSha256 });
    const b = await swarm.add('b', { metainfo: meta, infoHash: meta.infoHashBytes, sha256: nodeSha256 });
    swarm.connectAll();
    await swarm.runUntil(() => a.session.done && b.session.done, 120_000);
    swarm.stop();
    for (const n of [a, b]) {
      const got = await filesOf(n.store, meta);
      for (const [path, data] of files) expect(got.get(path), `${n.name}: ${path}`).toEqual(data);
      expect(n.bans).toEqual([]);
    }
  });

  it('bans a peer that sends one corrupt block, for that block, and no honest peer', async () => {
    const { meta, magnet, files } = await v2Torrent();
    const link = parseMagnet(magnet);
    const swarm = new TestSwarm();
    const bytes = layout(meta, files);
    // The honest peer is slow: most blocks come from the liar.
    const honest = await swarm.add('honest', {
      metainfo: meta,
      infoHash: meta.infoHashBytes,
      store: await fullStore(meta, bytes),
      sha256: nodeSha256,
      upload: 128 * 1024,
    });
    const liar = await swarm.add('liar', { metainfo: meta, infoHash: meta.infoHashBytes, store: await fullStore(meta, bytes), sha256: nodeSha256 });
    const leecher = await swarm.add('leecher', { infoHash: link.infoHashBytes, infoHashV2: link.infoHashV2Bytes!, sha256: nodeSha256 });
    // Every block the liar sends is right but its first.
    const bad = corruptingFirstBlock();
    swarm.connect(liar, leecher, bad.wrap);
    swarm.connect(honest, leecher);
    await swarm.runUntil(() => leecher.session.done, 120_000);
    swarm.stop();
    expect(leecher.session.done).toBe(true);
    const got = await filesOf(leecher.store, leecher.session.metainfo!);
    for (const [path, data] of files) expect(got.get(path), path).toEqual(data);
    const which = bad.corrupted();
    if (which === undefined) throw new Error('the liar never sent a block: the test proves nothing');
    expect(leecher.bans).toEqual(['liar']);
    expect(honest.bans).toEqual([]);
    expect(leecher.warnings.filter((w) => w.includes('banned'))).toEqual([
      `peer liar dropped: banned: sent a corrupt block (piece ${which.index}, offset ${which.begin})`,
    ]);
    // Found by the block's leaf hash: the piece never failed as a whole.
    expect(leecher.warnings.filter((w) => w.includes('failed its hash check'))).toEqual([]);
  });
});

describe('BitTorrent v2 streaming', () => {
  it('hands out each block of a piece in progress as soon as it proves right, before the piece is verified', async () => {
    const big = 256 * 1024;
    const data = fixtureBytes(3 * big + 999, 40);
    const created = await createTorrent([{ path: 'movie.bin', data }], { version: 'v2', pieceLength: big });
    const meta = created.metainfo;
    const link = parseMagnet(created.magnetURI);
    const swarm = new TestSwarm();
    // A slow seeder: a 256 KiB piece takes seconds to come.
    await swarm.add('seeder', {
      metainfo: meta,
      infoHash: meta.infoHashBytes,
      store: await fullStore(meta, data),
      sha256: nodeSha256,
      upload: 64 * 1024,
    });
    const leecher = await swarm.add('leecher', { infoHash: link.infoHashBytes, infoHashV2: link.infoHashV2Bytes!, sha256: nodeSha256 });
    leecher.session.setStreamPriority([0], []);
    const blocks: { begin: number; at: number; right: boolean }[] = [];
    let pieceAt: number | undefined;
    leecher.session.on('block', ({ index, begin }) => {
      if (index !== 0) return;
      const got = leecher.session.verifiedBytes(index, begin)?.data;
      blocks.push({ begin, at: swarm.clock.now(), right: got !== undefined && bytesEqual(got, data.subarray(begin, begin + got.length)) });
    });
    leecher.session.on('piece', (i) => {
      if (i === 0) pieceAt ??= swarm.clock.now();
    });
    swarm.connectAll();
    await swarm.runUntil(() => pieceAt !== undefined, 120_000);
    swarm.stop();
    expect(blocks.length).toBeGreaterThan(8);
    expect(blocks.every((b) => b.right)).toBe(true);
    // The first block was readable long before its piece: a stream moves on block by block.
    expect(pieceAt! - blocks[0]!.at).toBeGreaterThan(1_000);
    expect(leecher.session.verifiedBytes(0, 0)).toBeUndefined(); // the piece is verified: read it instead
  });
});
