/**
 * Real tabs, real WebRTC, a real tracker: the library bundle moves files between browser contexts.
 * Runs inside the private network namespace of `npm test`; no ICE servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './harness.js';
import { serveLibrary, startTracker, type LibServer, type TrackerServer } from './lib-harness.js';

const LOADER = 'globalThis.harnessImport = (path) => import(path);';

interface Tab {
  context: BrowserContext;
  page: Page;
}

async function openTab(browser: Browser, lib: LibServer): Promise<Tab> {
  const context = await browser.newContext();
  await context.addInitScript({ content: LOADER });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.stack ?? e.message));
  await page.goto(`${lib.url}/blank.html`);
  return { context, page };
}

/** In the page: makes a deterministic file, seeds it, returns its magnet link and SHA-256. */
async function seedIn(tab: Tab, tracker: string, size: number, seed: number): Promise<{ magnet: string; sha256: string }> {
  return tab.page.evaluate(
    async ({ tracker, size, seed }) => {
      const g = globalThis as unknown as { harnessImport(p: string): Promise<any>; client?: any };
      const { Client } = await g.harnessImport('/tabswarm.js');
      const data = new Uint8Array(size);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < size; i += 4) {
        x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        data[i] = x & 255; data[i + 1] = (x >>> 8) & 255; data[i + 2] = (x >>> 16) & 255; data[i + 3] = x >>> 24;
      }
      const client = new Client({ announce: [tracker], iceServers: [] });
      g.client = client;
      const torrent = await client.seed([new File([data], 'big.bin')]);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      return { magnet: torrent.magnetURI as string, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
    },
    { tracker, size, seed },
  );
}

/** In the page: downloads a magnet link, returns the SHA-256 of the file and the time it took. */
async function downloadIn(tab: Tab, magnet: string, tracker: string): Promise<{ sha256: string; ms: number }> {
  return tab.page.evaluate(
    async ({ magnet, tracker }) => {
      const g = globalThis as unknown as { harnessImport(p: string): Promise<any>; client?: any };
      const { Client } = await g.harnessImport('/tabswarm.js');
      const client = new Client({ announce: [tracker], iceServers: [] });
      g.client = client;
      const start = performance.now();
      const torrent = await client.add(magnet);
      await torrent.done;
      const ms = performance.now() - start;
      const blob: Blob = await torrent.files[0].blob();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), ms };
    },
    { magnet, tracker },
  );
}

describe('browser swarm', () => {
  let browser: Browser;
  let lib: LibServer;
  let tracker: TrackerServer;
  beforeAll(async () => {
    [browser, lib, tracker] = await Promise.all([launchChromium(), serveLibrary(), startTracker()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await lib?.close();
    await tracker?.close();
  });

  it('one tab seeds a 32 MiB file, another downloads it by magnet link through the tracker: identical bytes', async () => {
    const seeder = await openTab(browser, lib);
    const leecher = await openTab(browser, lib);
    const { magnet, sha256 } = await seedIn(seeder, tracker.url, 32 * 1024 * 1024, 42);
    expect(magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}/);
    const got = await downloadIn(leecher, magnet, tracker.url);
    console.log(`32 MiB tab to tab: ${(got.ms / 1000).toFixed(2)} s, ${(32 / (got.ms / 1000)).toFixed(1)} MiB/s`);
    expect(got.sha256).toBe(sha256);
    await seeder.context.close();
    await leecher.context.close();
  }, 60_000);
});
