/**
 * Storage that fails: IndexedDB unavailable (a private window) and the quota used up mid-download,
 * with the built library and the built app in real Chromium, real WebRTC and a real tracker (inside
 * the private network namespace of `npm test`; no ICE servers).
 *
 * What must hold: a clear warning (and in the app a notice), a fallback to memory that still
 * downloads, and never a piece counted as stored that is not in IndexedDB — checked after a reload
 * against the database itself, piece by piece.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { serveApp } from './harness.js';
import { libTestBed } from './lib-test-bed.js';
import { openPeerPage, type PeerContext, type PeerGlobals, type PeerStatus } from './hostile/peer-api.js';
import { FAILING_OPEN, HANGING_OPEN } from './store/idb-faults.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('storage that fails', () => {
  const bed = libTestBed();
  const contexts: BrowserContext[] = [];

  const open = (init?: string): Promise<PeerContext> => openPeerPage(bed.browser, bed.lib.url, contexts, init);

  /** An honest tabswarm seeder (memory store) of makeData(size, seed); returns the magnet link and SHA-256. */
  async function seeder(size: number, seed: number, pieceLength: number): Promise<{ page: Page; magnet: string; infoHash: string; sha256: string }> {
    const { page } = await open();
    await page.evaluate((url) => (globalThis as unknown as PeerGlobals).peer.create('tabswarm', url, 'memory'), bed.tracker.url);
    const infoHash = await page.evaluate(
      ([size, seed, pieceLength]) => (globalThis as unknown as PeerGlobals).peer.seed(size, seed, 'stored.bin', pieceLength),
      [size, seed, pieceLength] as const,
    );
    const { magnet, sha256 } = await page.evaluate(
      async ([size, seed]) => {
        const p = (globalThis as unknown as PeerGlobals).peer;
        return { magnet: p.magnet(), sha256: await p.dataSha256(size, seed) };
      },
      [size, seed] as const,
    );
    return { page, magnet, infoHash, sha256 };
  }

  async function waitFor(page: Page, ok: (s: PeerStatus) => boolean, timeoutMs: number, what: string): Promise<PeerStatus> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.status());
      if (ok(s)) return s;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  it('IndexedDB unavailable: the library warns once, keeps pieces in memory, downloads byte-identical, and claims nothing survives a reload', async () => {
    const source = await seeder(2 * MiB + 5, 21, 64 * KiB);
    const victim = await open(FAILING_OPEN);
    await victim.page.evaluate((url) => (globalThis as unknown as PeerGlobals).peer.create('tabswarm', url), bed.tracker.url);
    const storage = await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.storage());
    expect(storage.kind).toBe('memory');
    expect(storage.fallbackReason).toMatch(
      /^IndexedDB could not be opened \(InvalidStateError: .*\)\. Downloaded pieces are kept in memory only and will be lost when this tab closes or reloads\.$/,
    );
    await victim.page.evaluate(([magnet, url]) => (globalThis as unknown as PeerGlobals).peer.add(magnet, url), [source.magnet, bed.tracker.url] as const);
    const done = await waitFor(victim.page, (s) => s.done || s.failed !== null, 60_000, 'the download');
    expect(done.failed).toBeNull();
    expect(await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.fileSha256())).toBe(source.sha256);
    // Said once, with the reason; no failed attempt to save the torrent list on top of it.
    expect(done.warnings.filter((w) => w === storage.fallbackReason)).toHaveLength(1);
    expect(done.warnings.filter((w) => /IndexedDB|torrent list|saved torrents/.test(w) && w !== storage.fallbackReason)).toEqual([]);
    expect([...victim.pageErrors, ...done.errors]).toEqual([]);
    // After a reload nothing comes back: nothing was claimed stored.
    await victim.page.reload();
    expect(await victim.page.evaluate((url) => (globalThis as unknown as PeerGlobals).peer.restore(url), bed.tracker.url)).toBe(0);
  }, 120_000);

  it('IndexedDB that never answers: the client is ready within its timeout, on memory', async () => {
    const victim = await open(HANGING_OPEN);
    const started = Date.now();
    await victim.page.evaluate((url) => (globalThis as unknown as PeerGlobals).peer.create('tabswarm', url), bed.tracker.url);
    expect(Date.now() - started).toBeLessThan(15_000);
    const storage = await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.storage());
    expect(storage).toMatchObject({ kind: 'memory' });
    expect(storage.fallbackReason).toMatch(/no answer within 5000 ms.*memory only/);
    expect(victim.pageErrors).toEqual([]);
  }, 60_000);

  it('quota used up mid-download: the torrent stops with a quota error; after a reload it counts exactly the pieces IndexedDB holds, all correct; with room again it completes', async () => {
    const size = 8 * MiB + 777;
    const pieceLength = 64 * KiB;
    const pieceCount = Math.ceil(size / pieceLength);
    const source = await seeder(size, 33, pieceLength);
    const victim = await open();
    const cdp = await victim.context.newCDPSession(victim.page);
    // Experimental CDP command (the IndexedDB store's browser test uses it too): 3 MiB for the origin.
    await cdp.send('Storage.overrideQuotaForOrigin' as never, { origin: bed.lib.url, quotaSize: 3 * MiB } as never);
    await victim.page.evaluate((url) => (globalThis as unknown as PeerGlobals).peer.create('tabswarm', url), bed.tracker.url);
    expect(await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.storage())).toEqual({ kind: 'indexeddb' });
    await victim.page.evaluate(([magnet, url]) => (globalThis as unknown as PeerGlobals).peer.add(magnet, url), [source.magnet, bed.tracker.url] as const);

    const stopped = await waitFor(victim.page, (s) => s.done || s.failed !== null, 60_000, 'the quota error');
    expect(stopped.done).toBe(false);
    expect(stopped.quotaExceeded).toBe(true);
    expect(stopped.failed).toMatch(/storage is full/);
    expect(stopped.progress).toBeGreaterThan(0);
    expect(stopped.progress).toBeLessThan(1);
    const before = await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.verified());
    const storedBefore = await victim.page.evaluate(([h, s, x, l]) => (globalThis as unknown as PeerGlobals).peer.stored(h, s, x, l), [
      source.infoHash,
      size,
      33,
      pieceLength,
    ] as const);
    // Every piece counted is in the database (a write that committed after the stop may add more).
    expect(storedBefore.indexes).toEqual(expect.arrayContaining(before));
    expect([...victim.pageErrors, ...stopped.errors]).toEqual([]);

    // Nothing may change while we look: the seeder leaves, then the victim reloads.
    await source.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.unseed());
    await victim.page.reload();
    expect(await victim.page.evaluate((url) => (globalThis as unknown as PeerGlobals).peer.restore(url), bed.tracker.url)).toBe(1);
    const after = await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.verified());
    const stored = await victim.page.evaluate(([h, s, x, l]) => (globalThis as unknown as PeerGlobals).peer.stored(h, s, x, l), [
      source.infoHash,
      size,
      33,
      pieceLength,
    ] as const);
    expect(after).toEqual(stored.indexes);
    expect(stored.wrong).toEqual([]);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.length).toBeLessThan(pieceCount);
    console.log(
      `quota of 3 MiB: stopped with ${before.length} of ${pieceCount} pieces counted; after the reload ${after.length} counted, the same ${stored.indexes.length} in IndexedDB, none wrong`,
    );

    // Room again, and the seeder back: only the missing pieces are fetched, and the file is whole.
    await cdp.send('Storage.overrideQuotaForOrigin' as never, { origin: bed.lib.url } as never);
    await source.page.evaluate(([size, pieceLength]) => (globalThis as unknown as PeerGlobals).peer.seed(size, 33, 'stored.bin', pieceLength), [
      size,
      pieceLength,
    ] as const);
    const done = await waitFor(victim.page, (s) => s.done || s.failed !== null, 60_000, 'the resumed download');
    expect(done.failed).toBeNull();
    expect(await victim.page.evaluate(() => (globalThis as unknown as PeerGlobals).peer.fileSha256())).toBe(source.sha256);
    expect(done.downloaded).toBeLessThanOrEqual(size - after.length * pieceLength + 1 * MiB);
    expect([...victim.pageErrors, ...done.errors]).toEqual([]);
  }, 180_000);

  describe('in the app', () => {
    let app: { url: string; close(): Promise<void> };
    beforeAll(async () => {
      app = await serveApp({ announce: [bed.tracker.url] });
    }, 120_000);
    afterAll(async () => {
      await app?.close();
    });

    async function openApp(init?: string): Promise<{ page: Page; errors: string[] }> {
      const context = await bed.browser.newContext();
      contexts.push(context);
      if (init) await context.addInitScript({ content: init });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(app.url);
      await page.locator('tabswarm-app h1').waitFor();
      return { page, errors };
    }

    it('IndexedDB unavailable: a notice says downloads will not survive a reload, and sharing still works', async () => {
      const { page, errors } = await openApp(FAILING_OPEN);
      const notice = page.locator('ts-notices li', { hasText: 'Downloads will not survive a reload' });
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.textContent()).toMatch(
        /IndexedDB could not be opened.*kept in memory only.*Save what you download before you close or reload this tab/s,
      );
      await page
        .locator('ts-add-panel input#files')
        .setInputFiles([{ name: 'in-memory.txt', mimeType: 'text/plain', buffer: Buffer.from('kept in memory only') }]);
      await page.getByRole('textbox', { name: 'Share link', exact: true }).waitFor({ timeout: 30_000 });
      expect(errors).toEqual([]);
      // A browser whose storage works shows no such notice.
      const normal = await openApp();
      await normal.page.waitForTimeout(1_000);
      expect(await normal.page.locator('ts-notices li', { hasText: 'Downloads will not survive a reload' }).count()).toBe(0);
    }, 90_000);
  });
});
