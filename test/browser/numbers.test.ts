/**
 * The numbers a card shows, read from the page as a person reads them, in real Chromium contexts
 * with a real tracker (issue 22, item 6): a download speed from the first second bytes arrive, none
 * once the torrent is complete, and the sharer's ratio from the bytes it uploaded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { appTestBed, makeData, openAppPage, type AppPage, type OpenAppOptions } from './app-harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Reading {
  at: number;
  progress: number;
  download: string;
  upload: string;
  ratio: string;
}

/** Reads the first card's figures every 100 ms into `window.readings`, as shown on the page. */
async function startReading(page: Page): Promise<void> {
  await page.evaluate(() => {
    const readings: Reading[] = [];
    (window as unknown as { readings: Reading[] }).readings = readings;
    setInterval(() => {
      const card = document.querySelector('tabswarm-app')?.shadowRoot?.querySelector('ts-torrent-card')?.shadowRoot;
      if (!card) return;
      const figure = (label: string): string => {
        for (const div of card.querySelectorAll('dl > div')) {
          if (div.querySelector('dt')?.textContent?.includes(label)) return div.querySelector('dd')?.textContent?.trim() ?? '';
        }
        return '';
      };
      const bar = card.querySelector('[role="progressbar"]');
      readings.push({
        at: Date.now(),
        progress: Number(bar?.getAttribute('aria-valuenow') ?? 0),
        download: figure('Download'),
        upload: figure('Upload'),
        ratio: figure('Ratio'),
      });
    }, 100);
  });
}

const readingsOf = (page: Page): Promise<Reading[]> => page.evaluate(() => (window as unknown as { readings: Reading[] }).readings);

describe('honest numbers in Chromium', () => {
  const bed = appTestBed();
  const contexts: BrowserContext[] = [];
  const openApp = (options: OpenAppOptions = {}): Promise<AppPage> => openAppPage(bed.browser, bed.app.url, contexts, options);

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  it('a download shows a speed from its first second and none once complete, and the sharer’s ratio is 1.00 once its one receiver has everything', async () => {
    const size = 6 * MiB;
    const seeder = await openApp();
    await seeder.page
      .locator('ts-add-panel input#files')
      .setInputFiles([{ name: 'numbers.bin', mimeType: 'application/octet-stream', buffer: makeData(size, 31) }]);
    const link = await seeder.page.getByRole('textbox', { name: 'Share link', exact: true }).inputValue({ timeout: 30_000 });
    await startReading(seeder.page);

    // Limited to 1.5 MiB/s, the download takes about 4 s: several refreshes of the card.
    const receiver = await openApp({ settings: { downloadLimit: 1536 * KiB }, hash: link.slice(bed.app.url.length) });
    await startReading(receiver.page);
    const complete = async () => (await readingsOf(receiver.page)).find((r) => r.progress === 100)?.at;
    await expect.poll(complete, { timeout: 60_000 }).toBeDefined();
    const completeAt = (await complete())!;
    await receiver.page.waitForTimeout(2500);
    const down = await readingsOf(receiver.page);
    const up = await readingsOf(seeder.page);

    const during = down.filter((r) => r.progress > 0 && r.progress < 100);
    const after = down.filter((r) => r.at >= completeAt + 1100);
    const t0 = down[0]!.at;
    const summary = (rs: Reading[]) => rs.map((r) => `${r.at - t0}:${r.progress}%:${r.download}`).join(' ');
    console.log(`receiver while downloading: ${summary(during.filter((_, i) => i % 5 === 0))}`);
    console.log(`receiver after: ${summary(after.filter((_, i) => i % 5 === 0))}`);
    console.log(`receiver early: ${summary(down.filter((r) => r.progress === 0).slice(-25))}`);
    console.log(
      `sharer: ${up
        .filter((r) => r.at >= t0)
        .filter((_, i) => i % 5 === 0)
        .map((r) => `${r.at - t0}:${r.upload}:${r.ratio}`)
        .join(' ')}`,
    );

    // Bytes arrive: the speed is never 0 B/s (nor missing) while the progress grows.
    expect(during.length).toBeGreaterThan(10);
    expect(during.filter((r) => r.download === '0 B/s' || r.download === '—').map((r) => `${r.at}:${r.progress}%`)).toEqual([]);
    // Complete: no download speed (the card's next refresh shows none), and no time left.
    expect(after.length).toBeGreaterThan(5);
    expect([...new Set(after.map((r) => r.download))]).toEqual(['—']);
    // The sharer: an upload speed while its ratio grows, and 1.00 one refresh after the receiver completed.
    const uploading = up.filter((r) => r.ratio !== '0.00' && r.ratio !== '1.00');
    expect(uploading.length).toBeGreaterThan(5);
    expect(uploading.filter((r) => r.upload === '0 B/s').map((r) => `${r.at - t0}:${r.ratio}`)).toEqual([]);
    expect([...new Set(up.filter((r) => r.at >= completeAt + 1100).map((r) => r.ratio))]).toEqual(['1.00']);
    expect(receiver.errors).toEqual([]);
    expect(seeder.errors).toEqual([]);
  }, 90_000);
});
