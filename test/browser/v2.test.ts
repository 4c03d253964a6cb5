/**
 * BitTorrent v2 (BEP 52) between two Chromium tabs over real WebRTC: a v2-only torrent made by the
 * reference, libtorrent 2.0, is seeded by one tab (which shares the same files as v2-only with the
 * same piece length: the same info dictionary, so the same info hash) and downloaded by the other
 * from libtorrent's own `btmh`-only magnet link (metadata by ut_metadata checked against the SHA-256
 * info hash, piece layers by hash requests), byte-identical. Skipped, saying so, only where no
 * Python can import libtorrent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client, Torrent } from '../../src/client/index.js';
import { expectTorrent, libtorrentPython, runLibtorrent, SKIP_REASON } from '../reference/libtorrent.js';
import { makeData } from './hostile/hostile-peer.js';
import { libTestBed, tabsOn } from './lib-test-bed.js';

const KiB = 1024;
const NAME = 'lt-v2';
/** Paths below the shared folder, sizes and data seeds: several pieces, less than a piece, one byte. */
const FILES: [string, number, number][] = [
  ['movie.bin', 1536 * KiB + 777, 51],
  ['sub/notes.txt', 20_000, 52],
  ['sub/one.bin', 1, 53],
];
const PIECE = 64 * KiB;

/** What the test's page code finds on the page (see tab.ts's PAGE_HELPERS). */
interface Page2 {
  tabHelpers: {
    client(tracker: string): Promise<{ client: Client; torrent: Torrent | undefined }>;
    makeData(size: number, seed: number): Uint8Array<ArrayBuffer>;
    sha256(bytes: BufferSource): Promise<string>;
  };
}

const root = mkdtempSync(join(tmpdir(), 'tabswarm-v2-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(libtorrentPython === undefined)('BitTorrent v2 in Chromium', () => {
  if (libtorrentPython === undefined) console.warn(SKIP_REASON);
  const bed = libTestBed();
  const openTab = tabsOn(bed);

  it("a libtorrent-made v2-only torrent: one tab seeds it, another downloads it by libtorrent's btmh magnet link, byte-identical", async () => {
    for (const [path, size, seed] of FILES) {
      mkdirSync(dirname(join(root, NAME, path)), { recursive: true });
      writeFileSync(join(root, NAME, path), makeData(size, seed));
    }
    const lt = expectTorrent(runLibtorrent([{ op: 'create', path: join(root, NAME), version: 'v2', pieceLength: PIECE }])[0]);
    expect(lt.v1).toBeNull();
    expect(lt.magnet).toMatch(/^magnet:\?xt=urn:btmh:1220[0-9a-f]{64}&dn=lt-v2$/);

    const seeder = await openTab();
    const leecher = await openTab();
    const seeded = await seeder.page.evaluate(
      async ([tracker, files, name, pieceLength]) => {
        const h = (globalThis as unknown as Page2).tabHelpers;
        const tab = await h.client(tracker);
        const input = files.map(([path, size, seed]) => ({ path: `${name}/${path}`, data: h.makeData(size, seed) }));
        tab.torrent = await tab.client.seed(input, { version: 'v2', pieceLength });
        return { infoHash: tab.torrent.infoHash, magnet: tab.torrent.magnetURI };
      },
      [bed.tracker.url, FILES, NAME, PIECE] as const,
    );
    // The tab's torrent is libtorrent's: the same truncated SHA-256 info hash.
    expect(seeded.infoHash).toBe(lt.v2!.slice(0, 40));
    expect(seeded.magnet.startsWith(`magnet:?xt=urn:btmh:1220${lt.v2!}&`)).toBe(true);

    const started = Date.now();
    const got = await leecher.page.evaluate(
      async ([tracker, magnet]) => {
        const h = (globalThis as unknown as Page2).tabHelpers;
        const tab = await h.client(tracker);
        const t = (tab.torrent = await tab.client.add(magnet));
        await t.done;
        const files = [];
        for (const f of t.files) files.push({ path: f.path, sha256: await h.sha256(await (await f.blob()).arrayBuffer()) });
        return { infoHash: t.infoHash, files };
      },
      [bed.tracker.url, lt.magnet] as const,
    );
    expect(got.infoHash).toBe(lt.v2!.slice(0, 40));
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
    expect(got.files).toEqual(FILES.map(([path, size, seed]) => ({ path: `${NAME}/${path}`, sha256: sha(makeData(size, seed)) })));
    console.log(`v2-only torrent by btmh magnet between two tabs: ${Date.now() - started} ms`);
  }, 120_000);
});
