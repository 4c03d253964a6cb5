/**
 * The streaming rows of `npm run bench`: a WebM recorded in the seeding page (MediaRecorder, its
 * clusters looped to the size asked for, then given Cues), seeded from the built app in one
 * context and played from its share link in another, through the service worker:
 * - first frame: from opening the share link (a fresh context: the app loads, the worker installs,
 *   the metadata arrives) to the first decoded frame, the Play button pressed as soon as it shows;
 * - seek: from setting `currentTime` to three quarters (bytes far ahead of the download) to the
 *   time advancing past that point;
 * - peak JS heap of the playing page while the whole file downloads (V8's used heap, and the same
 *   plus array-buffer backing stores, which is where piece data lives), sampled through CDP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { serveApp } from '../test/browser/harness.js';
import { loopWebm, makeSeekable, recordWebm } from '../test/browser/webm.js';

const MiB = 1024 * 1024;

export interface StreamResult {
  fileMiB: number;
  videoSeconds: number;
  firstFrameMs?: number;
  /** When the Play button was pressed (ms after opening the link). */
  playClickedMs?: number;
  /** Download progress (percent) when the first frame showed. */
  progressAtFirstFrame?: number;
  seekMs?: number;
  progressAtSeek?: number;
  downloadSeconds?: number;
  /** Peak of V8's used heap in the playing page (MiB). */
  peakHeapMiB?: number;
  /** Peak of the used heap plus array-buffer backing stores (MiB). */
  peakHeapWithBuffersMiB?: number;
  error?: string;
}

/**
 * Defines, in every page, `benchVideo()` (the preview's `<video>`, found through the app's shadow
 * roots) and the `__name` helper that tsx's compiled functions call (esbuild's keepNames). An init
 * script, not an evaluated string: the app's CSP refuses eval.
 */
const PAGE_HELPERS = `
  globalThis.__name ??= (fn) => fn;
  globalThis.benchVideo = () => document.querySelector('tabswarm-app')?.shadowRoot?.querySelector('ts-torrent-card')
    ?.shadowRoot?.querySelector('ts-file-preview')?.shadowRoot?.querySelector('video') ?? null;
`;
declare const benchVideo: () => HTMLVideoElement | null;
const NAME = 'film.webm';

async function progressOf(page: Page): Promise<number> {
  return Number(await page.getByRole('progressbar', { name: `Progress of ${NAME}` }).getAttribute('aria-valuenow'));
}

/** Samples the page's heap every 200 ms until stopped; returns the peaks in bytes. */
function sampleHeap(cdp: CDPSession): { stop(): Promise<{ used: number; withBuffers: number }> } {
  let used = 0;
  let withBuffers = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
        used = Math.max(used, h.usedSize);
        withBuffers = Math.max(withBuffers, h.usedSize + (h.backingStorageSize ?? 0));
      } catch {
        // the page is going away
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { used, withBuffers };
    },
  };
}

export async function streamBench(browser: Browser, tracker: string, fileMiB: number): Promise<StreamResult> {
  const app = await serveApp({ announce: [tracker] });
  const folder = mkdtempSync(join(tmpdir(), 'tabswarm-bench-'));
  const contexts: BrowserContext[] = [];
  const open = async (hash = ''): Promise<Page> => {
    const context = await browser.newContext();
    contexts.push(context);
    await context.addInitScript({ content: PAGE_HELPERS });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(app.url + hash);
    return page;
  };
  const result: StreamResult = { fileMiB, videoSeconds: 0 };
  try {
    const seeder = await open();
    await seeder.locator('tabswarm-app h1').waitFor();
    const recorded = await recordWebm(seeder, 12);
    const film = makeSeekable(loopWebm(recorded, fileMiB * MiB));
    result.fileMiB = film.bytes.length / MiB;
    result.videoSeconds = film.duration;
    const path = join(folder, NAME);
    writeFileSync(path, film.bytes);
    await seeder.locator('ts-add-panel input#files').setInputFiles(path);
    const link = await seeder.getByRole('textbox', { name: 'Share link', exact: true }).inputValue({ timeout: 600_000 });

    const context = await browser.newContext();
    contexts.push(context);
    await context.addInitScript({ content: PAGE_HELPERS });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    const cdp = await context.newCDPSession(page);
    const heap = sampleHeap(cdp);
    const opened = Date.now();
    try {
      await page.goto(app.url + link.slice(app.url.length));
      await page.locator('ts-torrent-card summary', { hasText: 'Files' }).click({ timeout: 60_000 });
      await page.getByRole('button', { name: `Play ${NAME}` }).click({ timeout: 60_000 });
      result.playClickedMs = await page.evaluate(() => performance.now());
      // performance.now() counts from the navigation: the time since the link was opened.
      const frame = await page.waitForFunction(
        () => {
          const v = benchVideo();
          return v && v.readyState >= 2 ? performance.now() : false;
        },
        undefined,
        { polling: 'raf', timeout: 60_000 },
      );
      result.firstFrameMs = (await frame.jsonValue()) as number;
      result.progressAtFirstFrame = await progressOf(page);
      await page.waitForFunction(() => (benchVideo()?.currentTime ?? 0) > 1, undefined, { timeout: 60_000 });

      const target = film.duration * 0.75;
      result.progressAtSeek = await progressOf(page);
      result.seekMs = await page.evaluate(
        (target) =>
          new Promise<number>((resolve, reject) => {
            const v = benchVideo();
            if (!v) return reject(new Error('no video'));
            const t0 = performance.now();
            v.currentTime = target;
            const check = () => (v.currentTime > target + 0.04 && !v.paused && !v.seeking ? resolve(performance.now() - t0) : requestAnimationFrame(check));
            requestAnimationFrame(check);
          }),
        target,
      );

      await page.waitForFunction(
        () =>
          benchVideo()?.error != null ||
          document.querySelector('tabswarm-app')?.shadowRoot?.querySelector('ts-torrent-card')?.shadowRoot?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') === '100',
        undefined,
        { timeout: 900_000, polling: 500 },
      );
      result.downloadSeconds = (Date.now() - opened) / 1000;
      const error = await page.evaluate(() => benchVideo()?.error?.message ?? null);
      if (error) throw new Error(`the player failed: ${error}`);
    } finally {
      const peaks = await heap.stop();
      result.peakHeapMiB = peaks.used / MiB;
      result.peakHeapWithBuffersMiB = peaks.withBuffers / MiB;
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined);
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return result;
}
