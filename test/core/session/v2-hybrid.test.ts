/**
 * A hybrid torrent's swarm (BEP 52 upgrade path) serves v1 and v2 peers at once: a seeder that has
 * the .torrent, a v1-only peer (as WebTorrent: the SHA-1 info hash, no v2 bit, SHA-1 piece checks)
 * and a v2 peer that joined by the `btmh` magnet link (the truncated SHA-256 info hash, piece layers
 * fetched by hash requests) all end with the same bytes; the v2 peer, once it knows both hashes,
 * joins the v1 peer under the SHA-1 one and trades pieces with it.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import type { Metainfo } from '../../../src/core/metainfo.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, type TestNode } from './swarm-harness.js';
import { filesOf, fullStore, layout, nodeSha256 } from './v2-harness.js';

const PIECE = 32 * 1024;
const FILES = [
  { path: 'hy/a.bin', data: fixtureBytes(7 * PIECE + 4321, 8) },
  { path: 'hy/b/c.bin', data: fixtureBytes(50_000, 9) },
  { path: 'hy/b/d.txt', data: fixtureBytes(10, 10) },
];

/** What a v1-only client (WebTorrent) makes of a hybrid torrent: its v1 half alone. */
function v1Half(meta: Metainfo): Metainfo {
  const { infoHashV2: _h, infoHashV2Bytes: _b, pieceLayers: _l, ...rest } = meta;
  return { ...rest, version: 'v1', files: meta.files.map(({ piecesRoot: _r, ...f }) => f) };
}

function link(swarm: TestSwarm, a: TestNode, b: TestNode, infoHash: Uint8Array): void {
  const [ab, ba] = swarm.net.connect(a.node, b.node);
  a.session.addPeer(ab, b.name, { infoHash });
  b.session.addPeer(ba, a.name, { infoHash });
}

describe('hybrid torrents in a mixed swarm', () => {
  it('a seeder serves a v1-only peer and a btmh v2 peer at once; the v2 peer joins the v1 one by its SHA-1 hash; all byte-identical', async () => {
    const { metainfo: meta } = await createTorrent(FILES, { version: 'hybrid', pieceLength: PIECE });
    expect(meta.version).toBe('hybrid');
    const files = new Map(FILES.map((f) => [f.path, f.data]));
    const v1Hash = meta.infoHashBytes;
    const v2Hash = meta.infoHashV2Bytes!.subarray(0, 20);
    const swarm = new TestSwarm();
    // A slow seeder: the two others must trade with each other to finish early.
    const seeder = await swarm.add('seeder', {
      metainfo: meta,
      infoHash: v1Hash,
      store: await fullStore(meta, layout(meta, files)),
      sha256: nodeSha256,
      upload: 256 * 1024,
    });
    const v1 = await swarm.add('v1', { metainfo: v1Half(meta), infoHash: v1Hash, sha256: nodeSha256 });
    const v2 = await swarm.add('v2', { infoHash: v2Hash, infoHashV2: meta.infoHashV2Bytes!, sha256: nodeSha256 });
    link(swarm, seeder, v1, v1Hash);
    link(swarm, seeder, v2, v2Hash);
    await swarm.runUntil(() => v2.session.metainfo !== undefined, 30_000);
    expect(v2.session.metainfo?.version).toBe('hybrid');
    link(swarm, v2, v1, v1Hash);
    await swarm.runUntil(() => v1.session.done && v2.session.done, 120_000);
    const v2ToV1 = v2.session.status().peers.find((p) => p.id === 'v1');
    swarm.stop();
    for (const n of [v1, v2]) {
      expect(n.session.done, n.name).toBe(true);
      const got = await filesOf(n.store, meta);
      for (const [path, data] of files) expect(got.get(path), `${n.name}: ${path}`).toEqual(data);
      expect(n.bans, n.name).toEqual([]);
      expect(
        n.warnings.filter((w) => w.includes('dropped')),
        n.name,
      ).toEqual([]);
    }
    expect(seeder.bans).toEqual([]);
    // The v2 peer fetched the piece layers (the v1 one had no use for them).
    expect(v2.session.metainfo?.pieceLayers).toEqual(meta.pieceLayers);
    expect(v1.session.metainfo?.pieceLayers).toBeUndefined();
    // The v1 and v2 peers traded: the v2 one sent pieces to the v1 one (or the other way).
    expect(v2ToV1).toBeDefined();
    expect(v2.session.uploaded + v1.session.uploaded).toBeGreaterThan(0);
  });
});
