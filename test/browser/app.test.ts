/**
 * The built app in real Chromium contexts (each its own IndexedDB), with a real tracker, inside the
 * private network namespace of `npm test`: sharing, receiving, saving, removing, notices, settings,
 * screenshots at desktop and phone sizes, and an axe-core accessibility check.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appTestBed, infoHashOf, makeData, openAppPage, progressOf, runAxe, screenshotFolder, type AppPage, type OpenAppOptions } from './app-harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SCREENSHOTS = screenshotFolder();

describe('the app in Chromium', () => {
  const bed = appTestBed();
  const contexts: BrowserContext[] = [];

  const openApp = (options: OpenAppOptions = {}): Promise<AppPage> => openAppPage(bed.browser, bed.app.url, contexts, options);

  /** Shares files through the file input; returns the share link shown for them. */
  async function shareFiles(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<string> {
    await page.locator('ts-add-panel input#files').setInputFiles(files);
    const link = page.getByRole('textbox', { name: 'Share link', exact: true });
    await link.waitFor({ timeout: 30_000 });
    return link.inputValue();
  }

  /** The keys of the `tabswarm-pieces` database that belong to a torrent. */
  function storedPieces(page: Page, infoHash: string): Promise<number> {
    return page.evaluate(
      (hash) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('tabswarm-pieces');
          open.onerror = () => reject(open.error ?? new Error('the database could not be opened'));
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('pieces')) {
              db.close();
              resolve(0);
              return;
            }
            const request = db.transaction('pieces', 'readonly').objectStore('pieces').getAllKeys();
            request.onerror = () => reject(request.error ?? new Error('the keys could not be read'));
            request.onsuccess = () => {
              db.close();
              // Keys are [info hash, index].
              const hashes = request.result.map((k) => (Array.isArray(k) ? k[0] : k));
              resolve(hashes.filter((h) => typeof h === 'string' && h.startsWith(hash)).length);
            };
          };
        }),
      infoHash,
    );
  }

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  it('loads the built page and renders the app shell without errors', async () => {
    const { page, errors } = await openApp();
    await expect(page.locator('tabswarm-app h1').textContent()).resolves.toBe('tabswarm');
    expect(await page.evaluate(() => customElements.get('tabswarm-app') !== undefined)).toBe(true);
    await page.getByText('Nothing here yet').waitFor();
    // config.json is requested once, by index.html's preload while the scripts load, and the app
    // reads that response (its own fetch would be a second entry, 'fetch').
    const configRequests = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname.endsWith('/config.json'))
        .map((e) => (e as PerformanceResourceTiming).initiatorType),
    );
    expect(configRequests).toEqual(['link']);
    // The JavaScript AES of private shares is for pages without SubtleCrypto only (lan.test.ts).
    const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    expect(scripts.filter((path) => path.includes('cipher-js'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shares a chosen file, the share link downloads it in another context, saving gives identical bytes, a dropped .torrent adds it, and removing with its data frees IndexedDB', async () => {
    const data = makeData(3 * MiB + 12345, 1);
    const seeder = await openApp();
    const link = await shareFiles(seeder.page, [{ name: 'greeting.bin', mimeType: 'application/octet-stream', buffer: data }]);
    // The short form: the app's trackers are its defaults, so only the hash follows the address.
    expect(link).toMatch(/^[^#]+#[A-Za-z0-9_-]{27}$/);
    expect(link.startsWith(`${bed.app.url}#`)).toBe(true);
    const infoHash = infoHashOf(link);
    await expect.poll(() => progressOf(seeder.page, 'greeting.bin')).toBe(100);
    // Copy puts the link on the clipboard and says so to screen readers.
    await seeder.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bed.app.url).origin });
    await seeder.page.getByRole('button', { name: 'Copy share link' }).click();
    await seeder.page.getByRole('status').filter({ hasText: 'Share link copied.' }).waitFor({ state: 'attached' });
    expect(await seeder.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    // The QR code and the magnet link are there too.
    await seeder.page.getByRole('img', { name: 'QR code for the share link' }).waitFor();
    expect(await seeder.page.getByRole('textbox', { name: /^Magnet link/ }).inputValue()).toMatch(/^magnet:\?xt=urn:btih:/);

    // Opening the share link elsewhere starts the download.
    const leecher = await openApp({ hash: link.slice(bed.app.url.length) });
    await leecher.page.getByRole('heading', { name: 'greeting.bin' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => progressOf(leecher.page, 'greeting.bin'), { timeout: 60_000 }).toBe(100);
    // The link was consumed: the address is the app's again.
    expect(leecher.page.url()).toBe(bed.app.url);

    // Save: the browser download holds the very bytes shared.
    const [download] = await Promise.all([leecher.page.waitForEvent('download'), leecher.page.getByRole('button', { name: 'Save', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('greeting.bin');
    expect(Buffer.compare(readFileSync(await download.path()), data)).toBe(0);

    // The .torrent file, dropped on a third context, adds the torrent (which then downloads).
    const [torrentDownload] = await Promise.all([
      seeder.page.waitForEvent('download'),
      seeder.page.getByRole('button', { name: 'Download .torrent file' }).click(),
    ]);
    expect(torrentDownload.suggestedFilename()).toBe('greeting.bin.torrent');
    const torrentBytes = [...readFileSync(await torrentDownload.path())];
    const third = await openApp();
    // Dragging files over the page shows the full-page drop overlay.
    await third.page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'x.txt'));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await third.page.locator('ts-drop-zone .overlay', { hasText: 'Drop to share' }).waitFor();
    await third.page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'greeting.bin.torrent', { type: 'application/x-bittorrent' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, torrentBytes);
    await third.page.locator('ts-drop-zone .overlay').waitFor({ state: 'detached' });
    await third.page.getByRole('heading', { name: 'greeting.bin' }).waitFor();
    await expect.poll(() => progressOf(third.page, 'greeting.bin'), { timeout: 60_000 }).toBe(100);

    // Remove with its data: the torrent's pieces leave IndexedDB.
    expect(await storedPieces(leecher.page, infoHash)).toBeGreaterThan(0);
    await leecher.page.getByRole('button', { name: 'Remove', exact: true }).click();
    const dialog = leecher.page.getByRole('dialog', { name: /^Remove/ });
    await dialog.getByRole('radio', { name: /^Delete it/ }).check();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await leecher.page.getByRole('heading', { name: 'greeting.bin' }).waitFor({ state: 'detached' });
    await expect.poll(() => storedPieces(leecher.page, infoHash)).toBe(0);
    await leecher.page.getByText('Nothing here yet').waitFor();
    // Removing while keeping the data (the seeder) leaves its pieces.
    await seeder.page.getByRole('button', { name: 'Remove', exact: true }).click();
    await seeder.page
      .getByRole('dialog', { name: /^Remove/ })
      .getByRole('button', { name: 'Remove', exact: true })
      .click();
    await seeder.page.getByRole('heading', { name: 'greeting.bin' }).waitFor({ state: 'detached' });
    expect(await storedPieces(seeder.page, infoHash)).toBeGreaterThan(0);

    for (const p of [seeder, leecher, third]) expect(p.errors).toEqual([]);
  }, 150_000);

  it('a name with a right-to-left override is shown neutralised, in the card, the file list and the announcement', async () => {
    const { page, errors } = await openApp();
    const spoof = 'invoice\u202efdp.exe';
    await page.locator('ts-add-panel input#files').setInputFiles([{ name: spoof, mimeType: 'application/octet-stream', buffer: makeData(40 * KiB, 9) }]);
    const heading = page.getByRole('heading', { name: 'invoice⟨U+202E⟩fdp.exe' });
    await heading.waitFor({ timeout: 30_000 });
    expect(await heading.textContent()).toBe('invoice⟨U+202E⟩fdp.exe');
    await page.locator('ts-torrent-card summary', { hasText: /^Files/ }).click();
    expect(await page.locator('ts-file-list .path').first().textContent()).toContain('invoice⟨U+202E⟩fdp.exe');
    // The announcement for screen readers names it the same way.
    await page.getByRole('status').filter({ hasText: 'Sharing invoice⟨U+202E⟩fdp.exe.' }).waitFor({ state: 'attached' });
    expect(errors).toEqual([]);
  }, 60_000);

  it('a broken magnet link pasted gives a readable notice, and the app keeps working: a good link is added and waits for peers', async () => {
    const { page, errors } = await openApp();
    const input = page.getByRole('textbox', { name: 'Magnet or share link' });
    await input.fill('magnet:?xt=urn:btih:not-a-hash');
    await input.press('Enter');
    const notice = page.locator('ts-notices li', { hasText: 'This link does not work' });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/The info hash "not-a-hash" has 10 characters; expected 40 hex .* Check that you copied the whole link/s);
    // The wrong link stays in the field, to be corrected.
    expect(await input.inputValue()).toBe('magnet:?xt=urn:btih:not-a-hash');

    const hash = 'c0ffee'.padEnd(40, '7');
    await input.fill(`magnet:?xt=urn:btih:${hash}&dn=nobody-has-this`);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await page.getByRole('heading', { name: 'nobody-has-this' }).waitFor();
    await notice.waitFor({ state: 'detached' });
    expect(await input.inputValue()).toBe('');
    expect(await page.locator('ts-torrent-card .badge').textContent()).toBe('Metadata…');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('ts-torrent-card .badge').textContent()).toBe('Paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('ts-torrent-card .badge').textContent()).toBe('Metadata…');
    // No peer for ten seconds: the person is told to keep the tab open and share the link.
    const waiting = page.locator('ts-notices li', { hasText: 'waiting for peers' });
    await waiting.waitFor({ timeout: 15_000 });
    expect(await waiting.textContent()).toContain('Keep this tab open');
    await waiting.getByRole('button', { name: /^Dismiss/ }).click();
    await waiting.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  }, 40_000);

  it('adds links given as ?magnet= (the protocol handler) and as a new fragment (hashchange)', async () => {
    const first = `magnet:?xt=urn:btih:${'12'.repeat(20)}&dn=from-the-handler`;
    const { page, errors } = await openApp({ hash: `?magnet=${encodeURIComponent(first)}` });
    await page.getByRole('heading', { name: 'from-the-handler' }).waitFor();
    await expect.poll(() => page.url()).toBe(bed.app.url);
    await page.evaluate((m) => (location.hash = m), `magnet:?xt=urn:btih:${'34'.repeat(20)}&dn=from-the-fragment`);
    await page.getByRole('heading', { name: 'from-the-fragment' }).waitFor();
    await expect.poll(() => page.url()).toBe(bed.app.url);
    expect(await page.locator('ts-torrent-card').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('storage full: the download stops with a notice that says so and what to do, and offers to resume', async () => {
    const seeder = await openApp();
    const link = await shareFiles(seeder.page, [{ name: 'too-big.bin', mimeType: 'application/octet-stream', buffer: makeData(1 * MiB, 9) }]);
    // This browser's storage refuses every piece, as a full disk or an exhausted quota does.
    const full = `
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        if (this.name === 'pieces') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };`;
    const { page } = await openApp({ init: full, hash: link.slice(bed.app.url.length) });
    const notice = page.locator('ts-notices li', { hasText: '“too-big.bin” stopped: storage is full' });
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toContain('Remove torrents you no longer need');
    expect(await page.locator('ts-torrent-card .badge').textContent()).toBe('Error');
    await notice.getByRole('button', { name: 'Resume' }).click();
    // It tries again (and, the storage still full, stops again with the same notice).
    await expect.poll(() => page.locator('ts-torrent-card .badge').textContent(), { timeout: 30_000 }).toBe('Error');
    await notice.waitFor();
  }, 60_000);

  it('tells when no tracker is reachable, with the way to settings', async () => {
    const { page } = await openApp({ settings: { announce: ['ws://127.0.0.1:9'] } });
    const input = page.getByRole('textbox', { name: 'Magnet or share link' });
    await input.fill(`magnet:?xt=urn:btih:${'ab'.repeat(20)}`);
    await input.press('Enter');
    const notice = page.locator('ts-notices li', { hasText: 'No tracker reachable' });
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('ws://127.0.0.1:9');
    await notice.getByRole('button', { name: 'Open settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Trackers' }).inputValue()).toBe('ws://127.0.0.1:9');
  });

  it('explains a browser without WebRTC and offers nothing network-related', async () => {
    const { page, errors } = await openApp({ init: 'delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;' });
    await page.locator('ts-notices li', { hasText: 'This browser cannot connect to peers' }).waitFor();
    expect(await page.getByRole('button', { name: 'Choose files' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Open .torrent file' }).isDisabled()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Magnet or share link' }).isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('settings: by keyboard, checked field by field, persisted; the theme and limits apply at once, trackers by reconnecting', async () => {
    const { page, errors } = await openApp();
    const input = page.getByRole('textbox', { name: 'Magnet or share link' });
    await input.fill(`magnet:?xt=urn:btih:${'cd'.repeat(20)}&dn=kept-across-restart`);
    await input.press('Enter');
    await page.getByRole('heading', { name: 'kept-across-restart' }).waitFor();

    await page.getByRole('button', { name: 'Settings' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: 'Trackers' }).fill('http://not-a-websocket');
    await dialog.getByRole('textbox', { name: 'Download limit (KiB/s)' }).fill('256');
    await dialog.getByRole('radio', { name: 'Dark' }).check();
    const shareVersion = dialog.getByRole('combobox', { name: 'Torrents of shared files' });
    expect(await shareVersion.inputValue()).toBe('v1');
    await shareVersion.selectOption('hybrid');
    await dialog.getByRole('checkbox', { name: 'Spare my upload (super seeding)' }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('is not a ws:// or wss:// URL').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Trackers' }).getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.isVisible()).toBe(true);

    await dialog.getByRole('textbox', { name: 'Trackers' }).fill(bed.tracker.url);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('tabswarm-app').getAttribute('theme')).toBe('dark');
    const stored = await page.evaluate(
      () =>
        JSON.parse(localStorage.getItem('tabswarm-settings') ?? '{}') as {
          downloadLimit: number;
          announce: string[];
          theme: string;
          shareVersion: string;
          superSeeding: boolean;
        },
    );
    expect(stored).toMatchObject({ downloadLimit: 256 * KiB, announce: [bed.tracker.url], theme: 'dark', shareVersion: 'hybrid', superSeeding: true });
    // The client was recreated: the torrent came back from IndexedDB.
    await page.getByText('Reconnected with the new settings.').waitFor();
    await page.getByRole('heading', { name: 'kept-across-restart' }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'kept-across-restart' }).waitFor();
    expect(await page.locator('tabswarm-app').getAttribute('theme')).toBe('dark');
    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await dialog.getByRole('textbox', { name: 'Download limit (KiB/s)' }).inputValue()).toBe('256');
    expect(await shareVersion.inputValue()).toBe('hybrid');
    expect(await dialog.getByRole('checkbox', { name: 'Spare my upload (super seeding)' }).isChecked()).toBe(true);
    // 127.0.0.1 is a secure context: the magnet: handler can be offered.
    await dialog.getByRole('button', { name: 'Open magnet links with tabswarm' }).click();
    await dialog.getByText(/^Asked the browser|^The browser refused/).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
  }, 40_000);

  describe('with a folder being downloaded', () => {
    let folder: string;
    let leecher: AppPage;
    const name = 'holiday-2024';

    beforeAll(async () => {
      folder = mkdtempSync(join(tmpdir(), 'tabswarm-share-'));
      const dir = join(folder, name);
      mkdirSync(join(dir, 'photos'), { recursive: true });
      writeFileSync(join(dir, 'photos', 'beach.jpg'), makeData(5 * MiB + 777, 2));
      writeFileSync(join(dir, 'photos', 'sunset.jpg'), makeData(3 * MiB + 5, 3));
      writeFileSync(join(dir, 'itinerary.txt'), makeData(20 * KiB, 4));
      writeFileSync(join(dir, 'drone-flight.mp4'), makeData(12 * MiB, 5));
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    /** A seeder shares the folder; a leecher limited to 384 KiB/s opens its link and gets a part of it. */
    async function downloading(options: { viewport?: { width: number; height: number } } = {}): Promise<AppPage> {
      const seeder = await openApp();
      await seeder.page.locator('ts-add-panel input#folder').setInputFiles(join(folder, name));
      const link = await seeder.page.getByRole('textbox', { name: 'Share link', exact: true }).inputValue();
      const page = await openApp({ ...options, settings: { downloadLimit: 384 * KiB }, hash: link.slice(bed.app.url.length) });
      await expect.poll(() => progressOf(page.page, name), { timeout: 30_000 }).toBeGreaterThanOrEqual(8);
      expect(await page.page.title()).toMatch(/^↓ \d+ % · tabswarm$/);
      // The file list of several files is open from the start; the peers are opened.
      await page.page.locator('ts-torrent-card summary', { hasText: 'Peers' }).click();
      await page.page.evaluate(() => window.scrollTo(0, 0));
      return page;
    }

    it('screenshots at 1280×800 and 360×740, light and dark; no horizontal scrolling at 360 px', async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      leecher = await downloading();
      const { page } = leecher;
      // The folder arrived with its relative paths.
      await page.getByRole('checkbox', { name: 'Download photos/beach.jpg' }).waitFor();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: join(SCREENSHOTS, `desktop-${scheme}.png`) });
        await page.setViewportSize({ width: 360, height: 740 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
        await page.screenshot({ path: join(SCREENSHOTS, `mobile-${scheme}.png`) });
        await page.screenshot({ path: join(SCREENSHOTS, `mobile-${scheme}-full.png`), fullPage: true });
      }
      await page.getByRole('button', { name: 'Settings' }).click();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await page.screenshot({ path: join(SCREENSHOTS, 'mobile-dark-settings.png') });
      await page.keyboard.press('Escape');
      expect(leecher.errors).toEqual([]);
    }, 90_000);

    it('saves a finished folder as one zip holding every file', async () => {
      const seeder = await openApp();
      await seeder.page.locator('ts-add-panel input#folder').setInputFiles(join(folder, name));
      const link = await seeder.page.getByRole('textbox', { name: 'Share link', exact: true }).inputValue();
      const { page, errors } = await openApp({ hash: link.slice(bed.app.url.length) });
      await expect.poll(() => progressOf(page, name), { timeout: 60_000 }).toBe(100);
      expect(await page.title()).toBe('tabswarm');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save all (.zip)' }).click()]);
      expect(download.suggestedFilename()).toBe(`${name}.zip`);
      const zip = readFileSync(await download.path());
      // A stored (uncompressed) zip: each file's bytes appear whole, after its path.
      for (const file of ['photos/beach.jpg', 'photos/sunset.jpg', 'itinerary.txt', 'drone-flight.mp4']) {
        const at = zip.indexOf(`${name}/${file}`);
        expect(at, file).toBeGreaterThanOrEqual(0);
        expect(zip.indexOf(readFileSync(join(folder, name, file)), at), file).toBeGreaterThan(at);
      }
      expect(errors).toEqual([]);
    }, 90_000);

    it('has no serious or critical axe-core violations (empty, with a torrent in light and dark, settings open, remove dialog open), and every control is reached by keyboard with a visible focus ring', async () => {
      const empty = await openApp();
      await empty.page.getByText('Nothing here yet').waitFor();
      expect(await runAxe(empty.page)).toEqual([]);

      const { page } = await downloading();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        expect(await runAxe(page)).toEqual([]);
      }
      // Every control is reached with Tab, and the focused one shows a focus ring.
      const reached = new Set<string>();
      await page.evaluate(() => window.scrollTo(0, 0));
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          let el = document.activeElement;
          while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
          if (!el || el === document.body) return undefined;
          const ring = getComputedStyle(el).outlineStyle !== 'none' && parseFloat(getComputedStyle(el).outlineWidth) >= 2;
          const label = (el.getAttribute('aria-label') ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
          return { name: `${el.tagName.toLowerCase()}:${label || (el as HTMLInputElement).placeholder || (el as HTMLInputElement).type}`, ring };
        });
        if (!focused) continue;
        expect(focused.ring, focused.name).toBe(true);
        reached.add(focused.name);
      }
      for (const name of [
        'button:Settings',
        'button:Choose files',
        'button:Choose a folder',
        'input:Paste a magnet or share link',
        'button:Open .torrent file',
        'button:Pause',
        'button:Remove',
        'summary:Share',
        'summary:Files (4)',
        'input:checkbox',
        'summary:Peers (1)',
      ]) {
        expect([...reached], name).toContain(name);
      }

      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('dialog', { name: 'Settings' }).waitFor();
      expect(await runAxe(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByRole('dialog', { name: /^Remove/ }).waitFor();
      expect(await runAxe(page)).toEqual([]);
    }, 90_000);
  });
});
