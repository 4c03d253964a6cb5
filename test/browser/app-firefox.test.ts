/**
 * The built app in Firefox (Debian's firefox-esr over WebDriver BiDi; each context its own IndexedDB
 * and service workers), with a real tracker, inside the private network namespace of `npm test`:
 * share, open a share link, progress, save, pause and resume, reload and resume from IndexedDB,
 * settings persisted, the axe-core check, streaming a WebM with a seek through the service worker,
 * and the `<tab-swarm>` element of the app's example page playing a video the app shares.
 *
 * The app's own controls are reached through their shadow roots by a small helper put in every page
 * (`__app`, see APP_HELPER): puppeteer's accessibility queries are not all there over BiDi.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as PuppeteerBrowser, BrowserContext as PuppeteerContext, ElementHandle, Page as PuppeteerPage } from 'puppeteer-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeData } from './app-harness.js';
import { browsersEnabled, launchFirefox, newFirefoxPage } from './browsers.js';
import { launchChromium, serveApp } from './harness.js';
import { startTracker, type TrackerServer } from './lib-harness.js';
import { makeSeekable, recordWebm } from './webm.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

/**
 * Put in every page before the app: finds elements through every shadow root, by CSS selector or by
 * the name a person reads (aria-label, else the text), and reads a torrent's progress and badge.
 */
const APP_HELPER = `
window.__app = {
  all(selector) {
    const out = [];
    const walk = (root) => {
      out.push(...root.querySelectorAll(selector));
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return out;
  },
  nameOf(el) {
    return (el.getAttribute('aria-label') ?? el.textContent ?? '').replace(/\\s+/g, ' ').trim();
  },
  control(name) {
    return this.all('button, a, summary').find((b) => this.nameOf(b) === name && !b.disabled);
  },
  click(name) {
    const b = this.control(name);
    if (!b) return false;
    b.click();
    return true;
  },
  field(id) {
    return this.all('input#' + id)[0];
  },
  progress(name) {
    const bar = this.all('[role=progressbar]').find((p) => p.getAttribute('aria-label') === 'Progress of ' + name);
    return bar ? Number(bar.getAttribute('aria-valuenow')) : -1;
  },
  badge() {
    return this.all('.badge').map((b) => b.textContent.trim())[0] ?? null;
  },
  text() {
    return this.all('h1, h2, h3, p, li, output, [role=status]').map((e) => e.textContent).join(' ').replace(/\\s+/g, ' ');
  },
};
window.tsApp = () => window.__app;
`;

type AppGlobals = {
  __app: {
    all(selector: string): Element[];
    control(name: string): HTMLElement | undefined;
    click(name: string): boolean;
    field(id: string): HTMLInputElement | undefined;
    progress(name: string): number;
    badge(): string | null;
    text(): string;
  };
};
/** The helper, in code evaluated in the page (the page defines `tsApp` too). */
const tsApp = (): AppGlobals['__app'] => (globalThis as unknown as AppGlobals).__app;

describe.runIf(browsersEnabled('firefox'))('the app in Firefox', () => {
  let firefox: PuppeteerBrowser;
  let server: { url: string; close(): Promise<void> };
  let tracker: TrackerServer;
  let downloads: string;
  let files: string;
  const contexts: PuppeteerContext[] = [];

  beforeAll(async () => {
    downloads = mkdtempSync(join(tmpdir(), 'tabswarm-ff-app-downloads-'));
    files = mkdtempSync(join(tmpdir(), 'tabswarm-ff-app-files-'));
    tracker = await startTracker();
    [firefox, server] = await Promise.all([launchFirefox({ downloads }), serveApp({ announce: [tracker.url] })]);
  }, 120_000);

  afterAll(async () => {
    await firefox?.close();
    await server?.close();
    await tracker?.close();
    for (const dir of [downloads, files]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  interface AppPage {
    page: PuppeteerPage;
    context: PuppeteerContext;
    errors: string[];
  }

  /** The app in a fresh Firefox context (in a window of its own), with `settings` in localStorage. */
  async function openApp(options: { hash?: string; settings?: object; context?: PuppeteerContext } = {}): Promise<AppPage> {
    const context = options.context ?? (await firefox.createBrowserContext());
    if (!options.context) contexts.push(context);
    const page = await newFirefoxPage(context);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.evaluateOnNewDocument(APP_HELPER);
    if (options.settings) await page.evaluateOnNewDocument(`localStorage.setItem('tabswarm-settings', ${JSON.stringify(JSON.stringify(options.settings))});`);
    await page.goto(server.url + (options.hash ?? ''));
    await waitFor(page, () =>
      tsApp()
        .all('h1')
        .some((h) => h.textContent?.trim() === 'tabswarm'),
    );
    return { page, context, errors };
  }

  /**
   * Waits until `fn(arg)` is truthy in the page, polling with `evaluate` (puppeteer's waitForFunction
   * compiles its predicate with Function(), which the app's CSP rightly refuses).
   */
  async function waitFor(page: PuppeteerPage, fn: (arg: string) => unknown, arg = '', timeout = 30_000): Promise<void> {
    const until = Date.now() + timeout;
    while (!(await page.evaluate(fn, arg))) {
      if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${fn.toString()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const progressOf = (page: PuppeteerPage, name: string): Promise<number> => page.evaluate((n) => tsApp().progress(n), name);
  const click = async (page: PuppeteerPage, name: string): Promise<void> => {
    await waitFor(page, (n) => tsApp().control(n) !== undefined, name);
    expect(await page.evaluate((n) => tsApp().click(n), name), `clicked ${name}`).toBe(true);
  };

  /** Shares `data` as `name` through the file input; returns the share link shown for it. */
  async function share(page: PuppeteerPage, name: string, data: Uint8Array): Promise<string> {
    const path = join(files, name);
    writeFileSync(path, data);
    const input = (await page.$('pierce/input#files')) as ElementHandle<HTMLInputElement> | null;
    await input!.uploadFile(path);
    await waitFor(page, () => (tsApp().field('link')?.value ?? '') !== '');
    return page.evaluate(() => tsApp().field('link')!.value);
  }

  /** Clicks Save and waits for the whole file in the downloads folder. */
  async function save(page: PuppeteerPage, name: string, size: number): Promise<Buffer> {
    const path = join(downloads, name);
    rmSync(path, { force: true });
    await click(page, 'Save');
    await expect.poll(() => (existsSync(path) ? statSync(path).size : -1), { timeout: 60_000 }).toBe(size);
    return readFileSync(path);
  }

  async function axe(page: PuppeteerPage): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
    return page.evaluate(async () => {
      type Result = { violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[] };
      const result = await (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<Result> } }).axe.run(document, { resultTypes: ['violations'] });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
    });
  }

  it('shares a file; the share link downloads it in another context, with progress, pause, a reload that keeps what it had, and resume; Save gives identical bytes; after another reload, with the sharer gone, the download comes back from IndexedDB and saves identical again; axe finds nothing serious', async () => {
    const data = makeData(3 * MiB + 4321, 21);
    const seeder = await openApp();
    const link = await share(seeder.page, 'ff-greeting.bin', data);
    expect(link.startsWith(server.url)).toBe(true);
    await waitFor(seeder.page, () => tsApp().progress('ff-greeting.bin') === 100);
    expect(await axe(seeder.page)).toEqual([]);

    // The receiver downloads at 512 KiB/s: slow enough to see progress and to pause on the way.
    const leecher = await openApp({ hash: link.slice(server.url.length), settings: { downloadLimit: 512 * KiB } });
    await expect.poll(() => progressOf(leecher.page, 'ff-greeting.bin'), { timeout: 30_000 }).toBeGreaterThan(0);
    // The link was consumed: the address is the app's again (a reload does not add it twice).
    expect(await leecher.page.evaluate(() => location.href)).toBe(server.url);
    const before = await progressOf(leecher.page, 'ff-greeting.bin');
    expect(before).toBeLessThan(100);
    await click(leecher.page, 'Pause');
    await expect.poll(() => leecher.page.evaluate(() => tsApp().badge())).toBe('Paused');
    // Read after the card's next refresh (once a second): the badge changes at once, the progress
    // shown at that moment may be the previous second's.
    await new Promise((r) => setTimeout(r, 1_500));
    const paused = await progressOf(leecher.page, 'ff-greeting.bin');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await progressOf(leecher.page, 'ff-greeting.bin')).toBe(paused);
    // A reload while paused: the pieces it had come back from IndexedDB, and it stays paused until resumed.
    await leecher.page.reload();
    await waitFor(leecher.page, () => tsApp().progress('ff-greeting.bin') >= 0);
    await expect.poll(() => progressOf(leecher.page, 'ff-greeting.bin')).toBe(paused);
    await expect.poll(() => leecher.page.evaluate(() => tsApp().badge())).toBe('Paused');
    await click(leecher.page, 'Resume');
    await expect.poll(() => progressOf(leecher.page, 'ff-greeting.bin'), { timeout: 60_000 }).toBe(100);
    expect((await save(leecher.page, 'ff-greeting.bin', data.length)).equals(data)).toBe(true);
    expect(await axe(leecher.page)).toEqual([]);

    // The sharer leaves; the receiver reloads: its torrent is restored from IndexedDB, complete.
    await seeder.page.close();
    await leecher.page.reload();
    await waitFor(leecher.page, () => tsApp().progress('ff-greeting.bin') === 100);
    expect((await save(leecher.page, 'ff-greeting.bin', data.length)).equals(data)).toBe(true);
    expect(seeder.errors).toEqual([]);
    expect(leecher.errors).toEqual([]);
  }, 150_000);

  it('settings: a limit saved in the dialog is applied and kept across a reload', async () => {
    const { page, errors } = await openApp();
    await click(page, 'Settings');
    await waitFor(page, () => tsApp().all('dialog[aria-labelledby=settings-title][open]').length === 1);
    await page.evaluate(() => {
      const field = tsApp().field('downloadLimit')!;
      field.value = '300';
      field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      (tsApp().all('dialog[aria-labelledby=settings-title] form')[0] as HTMLFormElement).requestSubmit();
    });
    await waitFor(page, () => tsApp().all('dialog[aria-labelledby=settings-title][open]').length === 0);
    const stored = () => page.evaluate(() => (JSON.parse(localStorage.getItem('tabswarm-settings') ?? '{}') as { downloadLimit?: number }).downloadLimit);
    await expect.poll(stored).toBe(300 * KiB);
    await page.reload();
    await waitFor(page, () =>
      tsApp()
        .all('h1')
        .some((h) => h.textContent?.trim() === 'tabswarm'),
    );
    expect(await stored()).toBe(300 * KiB);
    await click(page, 'Settings');
    await waitFor(page, () => tsApp().field('downloadLimit')?.value === '300');
    expect(errors).toEqual([]);
  }, 60_000);

  it('streams a WebM through the service worker while it downloads, seeks to three quarters and plays on; the element of the example page plays it too', async () => {
    // Recorded once in Chromium (MediaRecorder), made seekable (webm.ts): the same bytes as the Chromium test uses.
    const chromium = await launchChromium();
    let video: Buffer;
    let duration: number;
    try {
      const recorder = await (await chromium.newContext()).newPage();
      const recorded = makeSeekable(await recordWebm(recorder, 12));
      video = Buffer.from(recorded.bytes);
      duration = recorded.duration;
    } finally {
      await chromium.close();
    }
    const seeder = await openApp();
    const link = await share(seeder.page, 'ff-recording.webm', video);
    await waitFor(seeder.page, () => tsApp().progress('ff-recording.webm') === 100);

    // The receiver is controlled by the service worker (a first visit, then a reload), and downloads at 1 MiB/s.
    const context = await firefox.createBrowserContext();
    contexts.push(context);
    const first = await openApp({ context, settings: { downloadLimit: 1024 * KiB } });
    await waitFor(first.page, () => navigator.serviceWorker.controller !== null);
    await first.page.close();
    const { page, errors } = await openApp({ context, hash: link.slice(server.url.length) });

    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await waitFor(page, () => tsApp().progress('ff-recording.webm') >= 0);
    // Play is on the card, or in the Files section.
    await waitFor(
      page,
      () => {
        if (tsApp().control('Play ff-recording.webm')) return true;
        const files = tsApp()
          .all('summary')
          .find((s) => (s.textContent ?? '').trim().startsWith('Files'));
        if (files && !(files.parentElement as HTMLDetailsElement).open) (files as HTMLElement).click();
        return false;
      },
      undefined,
    );
    await click(page, 'Play ff-recording.webm');
    const state = () =>
      page.evaluate(() => {
        const v = tsApp().all('video')[0] as HTMLVideoElement | undefined;
        return { time: v?.currentTime ?? 0, error: v?.error?.message ?? null, src: v?.currentSrc ?? '' };
      });
    await expect.poll(async () => (await state()).time, { timeout: 30_000 }).toBeGreaterThan(1);
    expect((await state()).src).toContain('/stream/');
    expect(await progressOf(page, 'ff-recording.webm')).toBeLessThan(100);
    const beforeSeek = errors.length;
    const target = duration * 0.75;
    await page.evaluate((t) => ((tsApp().all('video')[0] as HTMLVideoElement).currentTime = t), target);
    await expect.poll(async () => (await state()).time, { timeout: 30_000 }).toBeGreaterThan(target + 0.5);
    expect((await state()).error).toBeNull();
    expect(await progressOf(page, 'ff-recording.webm')).toBeLessThan(100);

    // The app's example page for the element, in another context: it plays the video the app seeds.
    const magnet = await seeder.page.evaluate(() =>
      tsApp()
        .all('input#magnet')
        .map((i) => (i as HTMLInputElement).value)
        .find((v) => v.startsWith('magnet:'))!,
    );
    const embedContext = await firefox.createBrowserContext();
    contexts.push(embedContext);
    const embed = await newFirefoxPage(embedContext);
    const embedErrors: string[] = [];
    embed.on('pageerror', (e) => embedErrors.push(e instanceof Error ? e.message : String(e)));
    await embed.goto(`${server.url}embed.html#${magnet}`);
    const played = () =>
      embed.evaluate(() => {
        const el = document.querySelector('tab-swarm');
        const v = el?.shadowRoot?.querySelector('video');
        return v?.currentTime ?? 0;
      });
    await expect.poll(played, { timeout: 45_000 }).toBeGreaterThan(1);
    // Firefox reports the request the player abandons when it seeks (the service worker's stream is
    // cancelled under it) as "Failed to load ‘’. A ServiceWorker intercepted the request and
    // encountered an unexpected error." — on any stream a reader drops, not only ours; the player
    // itself saw no error (above). Nothing else may be reported.
    const abandoned = /^Failed to load ‘’\. A ServiceWorker intercepted the request and encountered an unexpected error\.$/;
    expect(errors.slice(0, beforeSeek)).toEqual([]);
    expect(errors.slice(beforeSeek).filter((e) => !abandoned.test(e))).toEqual([]);
    expect(seeder.errors).toEqual([]);
    expect(embedErrors).toEqual([]);
  }, 180_000);
});
