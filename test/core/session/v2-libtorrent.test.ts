/**
 * Torrents made by the reference, libtorrent 2.0, through tabswarm sessions: v2-only and hybrid
 * torrents of a nested folder (a file of many pieces, files smaller than a piece, one byte, an empty
 * file) with 16 KiB and 64 KiB pieces are seeded from libtorrent's .torrent and downloaded by
 * libtorrent's own magnet link, byte-identical. Skipped, saying so, only where no Python can import
 * libtorrent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMagnet } from '../../../src/core/magnet.js';
import { parseTorrent } from '../../../src/core/metainfo.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { expectTorrent, fromBase64, libtorrentPython, runLibtorrent, SKIP_REASON, type TorrentVersion } from '../../reference/libtorrent.js';
import { TestSwarm } from './swarm-harness.js';
import { filesOf, fullStore, layout, nodeSha256, pieceCount } from './v2-harness.js';

const FILES: [string, Uint8Array][] = [
  ['big.bin', fixtureBytes(9 * 16384 + 5000, 31)],
  ['sub/small.bin', fixtureBytes(20_000, 32)],
  ['sub/one.bin', new Uint8Array([7])],
  ['sub/empty.bin', new Uint8Array(0)],
  ['z.txt', fixtureBytes(70_000, 33)],
];

const root = mkdtempSync(join(tmpdir(), 'tabswarm-v2-session-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(libtorrentPython === undefined)('libtorrent-made v2 torrents through sessions', () => {
  if (libtorrentPython === undefined) console.warn(SKIP_REASON);
  const folder = join(root, 'lt-set');
  for (const [path, data] of FILES) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), data);
  }
  for (const version of ['v2', 'hybrid'] as TorrentVersion[]) {
    for (const pieceLength of [16384, 65536]) {
      it(`${version}, ${pieceLength / 1024} KiB pieces: seeded from libtorrent's .torrent, downloaded by its magnet link`, async () => {
        const lt = expectTorrent(runLibtorrent([{ op: 'create', path: folder, version, pieceLength }])[0]);
        const meta = await parseTorrent(fromBase64(lt.torrent));
        expect(meta.version).toBe(version);
        expect(pieceCount(meta)).toBe(lt.numPieces);
        const link = parseMagnet(lt.magnet);
        expect(link.infoHashV2).toBe(lt.v2);
        const files = new Map(FILES.map(([path, data]) => [`lt-set/${path}`, data]));
        const swarm = new TestSwarm();
        const seeder = await swarm.add('seeder', {
          metainfo: meta,
          infoHash: meta.infoHashBytes,
          store: await fullStore(meta, layout(meta, files)),
          sha256: nodeSha256,
        });
        // The v2 swarm: the truncated SHA-256 info hash, whatever the link's btih.
        const v2Hash = link.infoHashV2Bytes!.subarray(0, 20);
        const leecher = await swarm.add('leecher', { infoHash: v2Hash, infoHashV2: link.infoHashV2Bytes!, sha256: nodeSha256 });
        const [ab, ba] = swarm.net.connect(seeder.node, leecher.node);
        seeder.session.addPeer(ab, 'leecher', { infoHash: v2Hash });
        leecher.session.addPeer(ba, 'seeder');
        await swarm.runUntil(() => leecher.session.done, 120_000);
        swarm.stop();
        expect(leecher.session.done, `leecher: ${leecher.session.haveCount} of ${pieceCount(meta)} pieces; ${leecher.warnings.join('; ')}`).toBe(true);
        const got = await filesOf(leecher.store, leecher.session.metainfo!);
        for (const [path, data] of files) expect(got.get(path), path).toEqual(data);
        expect(leecher.bans).toEqual([]);
      });
    }
  }
});
