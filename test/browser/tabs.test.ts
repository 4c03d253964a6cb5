/**
 * One engine per browser (issue 22, item 5), with the built app in real Chromium, a real tracker and
 * real WebRTC inside the private network namespace: two tabs of ONE browser context receive a torrent
 * shared from another context. It runs in exactly one of them (the tracker counts one peer for the
 * browser, the sharer shows one peer, one tab writes pieces to IndexedDB); the other shows its progress
 * live, pauses and resumes it through the tab that runs it, takes it over when that tab closes, and
 * saves the file byte-identical.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { appTestBed, makeData, openAppPage, progressOf } from './app-harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const NAME = 'film.bin';

/** Counts, in each page, the pieces written to IndexedDB (`put` on the `pieces` store). */
const COUNT_PIECE_WRITES = `
  window.__pieceWrites = 0;
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'pieces') window.__pieceWrites++;
    return put.apply(this, args);
  };
`;

const pieceWrites = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __pieceWrites: number }).__pieceWrites);

/** The number a card shows under "Peers". */
async function peersShown(page: Page): Promise<number> {
  return Number(
    await page
      .locator('ts-torrent-card dl > div', { has: page.locator('dt', { hasText: /^Peers$/ }) })
      .locator('dd')
      .textContent(),
  );
}

const badge = (page: Page): Promise<string | null> => page.locator('ts-torrent-card .badge').textContent();
const elsewhere = (page: Page) => page.locator('ts-torrent-card .elsewhere');

describe('two tabs of one browser in Chromium', () => {
  const bed = appTestBed();
  const contexts: BrowserContext[] = [];

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  it('run a torrent once: one set of connections, one writer; the other tab shows it live, pauses and resumes it, takes over when the first closes, and saves it byte-identical', async () => {
    const data = makeData(6 * MiB + 4321, 22);
    // The sharer uploads slowly enough for the download to be watched.
    const sharer = await openAppPage(bed.browser, bed.app.url, contexts, { settings: { uploadLimit: 640 * KiB } });
    await sharer.page.locator('ts-add-panel input#files').setInputFiles([{ name: NAME, mimeType: 'application/octet-stream', buffer: data }]);
    const linkBox = sharer.page.getByRole('textbox', { name: 'Share link', exact: true });
    await linkBox.waitFor({ timeout: 30_000 });
    const link = await linkBox.inputValue();

    // The first tab of the receiving browser opens the link; a second tab of the same context opens the app.
    const first = await openAppPage(bed.browser, bed.app.url, contexts, {
      hash: link.slice(bed.app.url.length),
      init: COUNT_PIECE_WRITES,
      serviceWorker: true,
    });
    await expect.poll(() => progressOf(first.page, NAME), { timeout: 30_000 }).toBeGreaterThan(0);
    const second = await first.context.newPage();
    const secondErrors: string[] = [];
    second.on('pageerror', (e) => secondErrors.push(e.message));
    await second.goto(bed.app.url);
    await second.getByRole('heading', { name: NAME }).waitFor({ timeout: 20_000 });
    await expect.poll(() => progressOf(second, NAME), { timeout: 10_000 }).toBeGreaterThan(0);

    // One set of connections: the tracker knows two peers (the sharer and one tab), the sharer and
    // the running tab each show one peer, for as long as both tabs are open; one tab writes pieces.
    for (let i = 0; i < 6; i++) {
      expect((await bed.tracker.stats()).peers).toBe(2);
      expect(await peersShown(sharer.page)).toBeLessThanOrEqual(1);
      expect(await peersShown(first.page)).toBeLessThanOrEqual(1);
      await second.waitForTimeout(500);
    }
    expect(await pieceWrites(first.page)).toBeGreaterThan(0);
    expect(await pieceWrites(second)).toBe(0);
    expect(await progressOf(second, NAME)).toBeLessThan(100);

    // The second tab follows: it says so, and its numbers come from the first tab, live.
    await elsewhere(second).waitFor();
    expect(await elsewhere(first.page).count()).toBe(0);
    const seen = await progressOf(second, NAME);
    await expect.poll(() => progressOf(second, NAME), { timeout: 20_000 }).toBeGreaterThan(seen);
    await expect.poll(() => peersShown(second)).toBe(1);

    // Pause and resume from the second tab act in the first.
    await second.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => badge(first.page)).toBe('Paused');
    await expect.poll(() => badge(second)).toBe('Paused');
    await second.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => badge(first.page)).not.toBe('Paused');
    await expect.poll(() => badge(second)).not.toBe('Paused');
    expect(await pieceWrites(second)).toBe(0);

    // The first tab closes: the second takes the torrent over from the shared store and completes it.
    await first.page.close();
    await elsewhere(second).waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(() => progressOf(second, NAME), { timeout: 60_000 }).toBe(100);
    expect(await pieceWrites(second)).toBeGreaterThan(0);
    expect((await bed.tracker.stats()).peers).toBeLessThanOrEqual(2);

    const [download] = await Promise.all([second.waitForEvent('download'), second.getByRole('button', { name: 'Save', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe(NAME);
    expect(Buffer.compare(readFileSync(await download.path()), data)).toBe(0);
    expect([...first.errors, ...secondErrors]).toEqual([]);
  }, 150_000);
});
