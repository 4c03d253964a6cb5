/**
 * Swarms of Chromium and Firefox tabs: the built library moves files Chromium→Firefox,
 * Firefox→Chromium and Firefox→Firefox, one seeder serves three leechers of both browsers, and
 * WebTorrent 3.0.21 (its browser bundle) in Firefox shares swarms with tabswarm in both. Real WebRTC
 * through a real tracker, inside the private network namespace of `npm test`; no ICE servers.
 * Every download is checked by SHA-256; the pages run bench/page.js.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { launchBrowser, browsersEnabled, type BrowserName, type TestBrowser, type TestContext, type TestPage } from './browsers.js';
import { serveLibrary, startTracker, type LibServer, type TrackerServer } from './lib-harness.js';
import { PAGE_BYTES } from '../fixtures/page-bytes-path.js';

const MiB = 1024 * 1024;
const require = createRequire(import.meta.url);
const pageScript = fileURLToPath(new URL('../../bench/page.js', import.meta.url));
const webtorrent3Bundle = require.resolve('webtorrent3/dist/webtorrent.min.js');

interface Spec {
  path: string;
  size: number;
  seed: number;
}
interface Got {
  ms: number;
  firstPieceMs?: number;
  files: { path: string; sha256: string }[];
}
type Client = 'tabswarm' | 'webtorrent3';

const NESTED: Spec[] = [
  { path: 'album/cd 1/track 1.bin', size: 1536 * 1024 + 3, seed: 4 },
  { path: 'album/cd 1/track 2.bin', size: 700_001, seed: 5 },
  { path: 'album/cover.bin', size: 33_333, seed: 6 },
];

describe.runIf(browsersEnabled('chromium', 'firefox'))('swarms of Chromium and Firefox tabs', () => {
  const browsers = {} as Record<BrowserName, TestBrowser>;
  let lib: LibServer;
  let tracker: TrackerServer;
  const contexts: TestContext[] = [];
  const pages: TestPage[] = [];

  beforeAll(async () => {
    [browsers.chromium, browsers.firefox, lib, tracker] = await Promise.all([
      launchBrowser('chromium'),
      launchBrowser('firefox'),
      serveLibrary({ '/webtorrent3.min.js': webtorrent3Bundle }),
      startTracker(),
    ]);
  }, 120_000);
  afterEach(async () => {
    pages.splice(0);
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await Promise.all(Object.values(browsers).map((b) => b.close()));
    await lib?.close();
    await tracker?.close();
  });

  /** A page in a fresh context of `browser` running bench/page.js, with `client`'s code. */
  async function page(browser: BrowserName, client: Client = 'tabswarm'): Promise<TestPage> {
    const context = await browsers[browser].newContext();
    contexts.push(context);
    await context.addInitScript({ path: PAGE_BYTES });
    await context.addInitScript({ path: pageScript });
    const p = await context.newPage();
    pages.push(p);
    await p.goto(`${lib.url}/blank.html`);
    if (client === 'webtorrent3') await call(p, 'useWebTorrent', '/webtorrent3.min.js');
    return p;
  }
  const call = <T>(p: TestPage, fn: string, ...args: unknown[]): Promise<T> => p.evaluate<T>(`bench.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
  const prefix = (client: Client) => (client === 'tabswarm' ? 'tabswarm' : 'webtorrent');
  /** No page of the test threw or logged an error. */
  const noPageErrors = () => expect(pages.flatMap((p) => p.errors.map((e) => `${p.browserName}: ${e}`))).toEqual([]);

  for (const [from, to] of [
    ['chromium', 'firefox'],
    ['firefox', 'chromium'],
    ['firefox', 'firefox'],
  ] as [BrowserName, BrowserName][]) {
    it(`tabswarm seeds 20 MiB in ${from}, tabswarm downloads it in ${to} by magnet link: identical bytes`, async () => {
      const size = 20 * MiB + 12345;
      const seeder = await page(from);
      const leecher = await page(to);
      const want = await call<{ sha256: string }[]>(seeder, 'digests', [{ path: 'big.bin', size, seed: 21 }]);
      const magnet = await call<string>(seeder, 'tabswarmSeed', tracker.url, size, 21);
      const got = await call<Got>(leecher, 'tabswarmGet', tracker.url, magnet);
      expect(got.files.map((f) => f.sha256)).toEqual(want.map((f) => f.sha256));
      console.log(
        `${from} → ${to}: 20 MiB in ${(got.ms / 1000).toFixed(2)} s (${(size / MiB / (got.ms / 1000)).toFixed(1)} MiB/s), first piece ${got.firstPieceMs?.toFixed(0)} ms`,
      );
      noPageErrors();
    }, 120_000);
  }

  it('one seeder in Firefox and three leechers (Chromium, Firefox, Chromium) all finish with identical bytes; the leechers share among themselves', async () => {
    const size = 16 * MiB + 777;
    const seeder = await page('firefox');
    const leechers = await Promise.all((['chromium', 'firefox', 'chromium'] as const).map((b) => page(b)));
    const [want] = await call<{ sha256: string }[]>(seeder, 'digests', [{ path: 'swarm.bin', size, seed: 31 }]);
    const magnet = await call<string>(seeder, 'tabswarmSeed', tracker.url, size, 31);
    const results = await Promise.all(leechers.map((l) => call<Got>(l, 'tabswarmGet', tracker.url, magnet)));
    for (const r of results) expect(r.files[0]!.sha256).toBe(want!.sha256);
    const upload = (await call<number>(seeder, 'tabswarmUploaded')) / size;
    console.log(
      `1 Firefox seeder + 3 mixed leechers, 16 MiB: seeder upload ${upload.toFixed(2)} × the file, all done in ${(Math.max(...results.map((r) => r.ms)) / 1000).toFixed(1)} s`,
    );
    // Three whole copies would mean no leecher served another.
    expect(upload).toBeLessThan(2.5);
    noPageErrors();
  }, 150_000);

  it('WebTorrent 3.0.21 seeds in Firefox; tabswarm in Firefox and in Chromium download a multi-file torrent from it, byte-identical', async () => {
    const seeder = await page('firefox', 'webtorrent3');
    const want = await call<Got['files']>(seeder, 'digests', NESTED);
    const magnet = await call<string>(seeder, 'webtorrentSeedFiles', tracker.url, NESTED);
    const leechers = [await page('firefox'), await page('chromium')];
    const results = await Promise.all(leechers.map((l) => call<Got>(l, 'tabswarmGet', tracker.url, magnet)));
    for (const r of results) expect(r.files).toEqual(want);
    noPageErrors();
  }, 120_000);

  it('a mixed swarm: tabswarm seeds in Chromium; WebTorrent 3.0.21 in Firefox and in Chromium and tabswarm in Firefox all complete, byte-identical', async () => {
    const seeder = await page('chromium');
    const want = await call<Got['files']>(seeder, 'digests', NESTED);
    const magnet = await call<string>(seeder, 'tabswarmSeedFiles', tracker.url, NESTED);
    const leechers: [TestPage, Client][] = [
      [await page('firefox', 'webtorrent3'), 'webtorrent3'],
      [await page('firefox'), 'tabswarm'],
      [await page('chromium', 'webtorrent3'), 'webtorrent3'],
    ];
    const results = await Promise.all(leechers.map(([p, client]) => call<Got>(p, `${prefix(client)}Get`, tracker.url, magnet)));
    for (const r of results) expect(r.files).toEqual(want);
    noPageErrors();
  }, 150_000);
});
