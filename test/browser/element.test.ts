/**
 * `<tab-swarm>` in real Chromium, with a real tracker, inside the private network namespace of
 * `npm test`: the built dist/tabswarm-element.js (and tabswarm-sw.js beside it) in plain pages that
 * hold nothing but its script tag and the element, fed by a seeder in another browser context.
 * Playing, showing, saving; removing an element; bad sources; pages without a service worker; the
 * manifest; the app's Embed page and the example page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser as PuppeteerBrowser, Page as PuppeteerPage } from 'puppeteer-core';
import { browsersEnabled, launchFirefox, newFirefoxPage } from './browsers.js';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveApp } from './harness.js';
import { startTracker, type TrackerServer } from './lib-harness.js';
import { attr, plainPage, serveElement, type ElementServer } from './element-harness.js';
import { makeSeekable, recordWebm } from './webm.js';
import { ATTRIBUTES, CSS_PROPERTIES, EVENTS, PARTS } from '../../src/app/embed-reference.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { shareLink } from '../../src/shared/share-link.js';

type ElementModule = typeof import('../../src/element/index.js');
interface RecordedEvent {
  type: string;
  id: string;
  kind?: string;
  streaming?: boolean;
  message?: string;
  file?: string;
  reason?: string;
  secureContext?: boolean;
  /** performance.now() when it fired. */
  at: number;
  bubbles: boolean;
  composed: boolean;
}
interface PageGlobals {
  tabSwarm(): Promise<ElementModule>;
  events: RecordedEvent[];
  objectUrls: { created: number; revoked: number };
}

const ROOT = new URL('../../', import.meta.url);
const AXE = fileURLToPath(new URL('node_modules/axe-core/axe.min.js', ROOT));
const KiB = 1024;

/** Installed in every page: the module's exports (Vitest would rewrite an `import()` in this file) and a log of the element's events. */
const INIT = `
globalThis.tabSwarm = () => import('/tabswarm-element.js');
globalThis.events = [];
for (const type of ['tabswarm-progress', 'tabswarm-ready', 'tabswarm-done', 'tabswarm-error', 'tabswarm-waiting']) {
  document.addEventListener(type, (e) => globalThis.events.push({ type, id: e.target.id, kind: e.detail.kind, streaming: e.detail.streaming,
    message: e.detail.message, file: e.detail.file && e.detail.file.name, reason: e.detail.reason, secureContext: e.detail.secureContext,
    at: performance.now(), bubbles: e.bubbles, composed: e.composed }));
}`;
/** A page where service workers cannot run (as on an insecure origin), counting object URLs. */
const NO_WORKER = `
Object.defineProperty(Navigator.prototype, 'serviceWorker', { get() { return undefined; }, configurable: true });
globalThis.objectUrls = { created: 0, revoked: 0 };
const create = URL.createObjectURL, revoke = URL.revokeObjectURL;
URL.createObjectURL = (o) => (globalThis.objectUrls.created++, create.call(URL, o));
URL.revokeObjectURL = (u) => (globalThis.objectUrls.revoked++, revoke.call(URL, u));`;

/** Counts the RTCPeerConnections the page makes. */
const COUNT_CONNECTIONS = `globalThis.connectionsMade = 0;
const Native = RTCPeerConnection;
globalThis.RTCPeerConnection = class extends Native { constructor(...a) { super(...a); globalThis.connectionsMade++; } };`;

const CSP_LOG = `globalThis.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => globalThis.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`;

/** Serious and critical axe-core violations (axe is evaluated through the DevTools protocol, which the page's CSP rightly allows). */
async function runAxe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] };
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<Result> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.join('\n  ')}`);
}

/** Deterministic bytes (xorshift), different for each seed. */
const makeData = (size: number, seed: number): Buffer => Buffer.from(fixtureBytes(size, seed));

interface Seeded {
  magnet: string;
  infoHash: string;
  torrentFile: Buffer;
}

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

describe('<tab-swarm>', () => {
  let browser: Browser;
  let server: ElementServer;
  let tracker: TrackerServer;
  let seederContext: BrowserContext;
  let seeder: Page;
  const contexts: BrowserContext[] = [];
  const seeds: Record<'video' | 'image' | 'data', Seeded> = {} as Record<'video' | 'image' | 'data', Seeded>;
  let video: Buffer;
  const data = makeData(1536 * KiB + 77, 5);

  async function open(url: string, init: string[] = []): Promise<Opened> {
    const context = await browser.newContext();
    contexts.push(context);
    for (const content of [INIT, ...init]) await context.addInitScript({ content });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    return { context, page, errors };
  }

  /** Seeds one file from the seeder page, through the element module's shared client. */
  async function seed(name: string, type: string, bytes: Buffer | 'png'): Promise<Seeded> {
    const r = await seeder.evaluate(
      async ([name, type, base64, announce]) => {
        let data: Uint8Array;
        if (base64) {
          data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        } else {
          const canvas = document.createElement('canvas');
          canvas.width = 320;
          canvas.height = 200;
          const c = canvas.getContext('2d')!;
          c.fillStyle = '#2f7de1';
          c.fillRect(0, 0, 320, 200);
          c.fillStyle = '#ffffff';
          c.fillRect(40, 40, 120, 80);
          const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
          data = new Uint8Array(await blob.arrayBuffer());
        }
        const module = await (globalThis as unknown as PageGlobals).tabSwarm();
        const t = await module.tabSwarmClient().seed([new File([data as Uint8Array<ArrayBuffer>], name, { type })], { announce: [announce] });
        let binary = '';
        for (const b of t.torrentFile!) binary += String.fromCharCode(b);
        return { magnet: t.magnetURI, infoHash: t.infoHash, torrentFile: btoa(binary) };
      },
      [name, type, bytes === 'png' ? '' : bytes.toString('base64'), tracker.url] as const,
    );
    return { ...r, torrentFile: Buffer.from(r.torrentFile, 'base64') };
  }

  /** The peers (their peer ids) the seeder has for a torrent. */
  const seederPeerIds = (infoHash: string) =>
    seeder.evaluate(
      async (h) =>
        (await (globalThis as unknown as PageGlobals).tabSwarm())
          .tabSwarmClient()
          .get(h)
          ?.peers()
          .map((p) => p.id) ?? [],
      infoHash,
    );
  const setSeederUpload = (upload: number) =>
    seeder.evaluate(async (upload) => (await (globalThis as unknown as PageGlobals).tabSwarm()).tabSwarmClient().setRateLimits({ upload }), upload);

  /** The state of one element, read inside its shadow root. */
  function inspect(page: Page, id: string) {
    return page.evaluate((id) => {
      const el = document.getElementById(id) as (HTMLElement & { phase: string; done: boolean; torrent?: { infoHash: string } }) | null;
      const root = el?.shadowRoot;
      const media = root?.querySelector<HTMLVideoElement | HTMLImageElement>('[part~=media]');
      const save = root?.querySelector('[part~=save]');
      return {
        phase: el?.phase,
        done: el?.done,
        torrent: el?.torrent?.infoHash,
        media: media?.localName,
        src: media instanceof HTMLVideoElement ? media.currentSrc : (media?.getAttribute('src') ?? undefined),
        time: media instanceof HTMLVideoElement ? media.currentTime : undefined,
        mediaError: media instanceof HTMLVideoElement ? (media.error?.message ?? null) : undefined,
        width: media instanceof HTMLImageElement && media.complete ? media.naturalWidth : undefined,
        progress: Number(root?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? NaN),
        text: (root?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        save: save instanceof HTMLAnchorElement ? save.href : save ? 'disabled' : undefined,
        error: root?.querySelector('[part~=error]')?.textContent ?? undefined,
        message: root?.querySelector('[part~=message]')?.textContent ?? undefined,
      };
    }, id);
  }

  /** The bytes at `url`, fetched in the page (so through its service worker). */
  async function fetchIn(page: Page, url: string): Promise<Buffer> {
    const base64 = await page.evaluate(async (url) => {
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    }, url);
    return Buffer.from(base64, 'base64');
  }

  const shared = (page: Page) =>
    page.evaluate(async () => {
      const s = (await (globalThis as unknown as PageGlobals).tabSwarm()).tabSwarmShared();
      return { client: s.client !== undefined, torrents: s.torrents, inClient: s.client?.torrents.map((t) => t.infoHash) ?? [], active: s.streaming?.active };
    });
  const events = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).events);

  beforeAll(async () => {
    tracker = await startTracker();
    [browser, server] = await Promise.all([launchChromium(), serveElement()]);
    server.put('/seed.html', plainPage());
    seederContext = await browser.newContext();
    await seederContext.addInitScript({ content: INIT });
    seeder = await seederContext.newPage();
    await seeder.goto(`${server.url}/seed.html`);
    video = Buffer.from(makeSeekable(await recordWebm(seeder, 6)).bytes);
    seeds.video = await seed('recording.webm', 'video/webm', video);
    seeds.image = await seed('picture.png', 'image/png', 'png');
    seeds.data = await seed('notes.bin', 'application/octet-stream', data);
    server.put('/files/picture.torrent', seeds.image.torrentFile);
    server.put('/files/garbage.torrent', 'd8:announce3:abce');
    server.put(
      '/page.html',
      plainPage(
        `<tab-swarm id="video" src="${attr(seeds.video.magnet)}" controls muted autoplay></tab-swarm>\n` +
          `<tab-swarm id="image" src="/files/picture.torrent"></tab-swarm>\n<tab-swarm id="card" src="${attr(seeds.data.magnet)}"></tab-swarm>`,
      ),
    );
  }, 120_000);
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });
  afterAll(async () => {
    await seederContext?.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await tracker?.close();
  });

  it('a plain page with the script tag and <tab-swarm src> plays a video seeded by another context (streamed by the worker), shows an image from a .torrent URL and a file card whose save button gives the same bytes', async () => {
    const started = Date.now();
    const { page, errors } = await open(`${server.url}/page.html`);

    // The video plays through the service worker (a /stream/ URL), its time advancing.
    await expect.poll(async () => (await inspect(page, 'video')).time ?? 0, { timeout: 30_000 }).toBeGreaterThan(1);
    const v = await inspect(page, 'video');
    expect(v.src).toBe(`${server.url}/stream/${seeds.video.infoHash}/0/recording.webm`);
    expect(v.mediaError).toBeNull();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/tabswarm-sw.js`);
    const playingAfter = Date.now() - started;

    // The image, from the .torrent URL, through the worker too.
    await expect.poll(async () => (await inspect(page, 'image')).width, { timeout: 20_000 }).toBe(320);
    expect((await inspect(page, 'image')).src).toBe(`${server.url}/stream/${seeds.image.infoHash}/0/picture.png`);

    // The card: name, size, progress to 100 %, peers, and a save link that serves the file.
    await expect.poll(async () => (await inspect(page, 'card')).progress, { timeout: 20_000 }).toBe(100);
    const card = await inspect(page, 'card');
    expect(card.text).toMatch(/^notes\.bin 1\.5 MiB .*1\.5 MiB · 1 peer · ↑/);
    expect(card.save).toBe(`${server.url}/stream/${seeds.data.infoHash}/0/notes.bin?download`);
    expect((await fetchIn(page, card.save!)).equals(data)).toBe(true);

    // The video's bytes through the worker are the seeder's.
    await expect.poll(async () => (await inspect(page, 'video')).done, { timeout: 30_000 }).toBe(true);
    expect((await fetchIn(page, v.src!)).equals(video)).toBe(true);

    // Events: ready (streaming) and done for each, progress on the way; all bubbling and composed.
    const log = await events(page);
    for (const [id, kind, file] of [
      ['video', 'video', 'recording.webm'],
      ['image', 'image', 'picture.png'],
      ['card', 'card', 'notes.bin'],
    ] as const) {
      expect(
        log.filter((e) => e.type === 'tabswarm-ready' && e.id === id),
        id,
      ).toEqual([expect.objectContaining({ kind, file, streaming: true })]);
      expect(
        log.filter((e) => e.type === 'tabswarm-done' && e.id === id),
        id,
      ).toEqual([expect.objectContaining({ file })]);
    }
    expect(log.some((e) => e.type === 'tabswarm-progress')).toBe(true);
    expect(log.every((e) => e.bubbles && e.composed)).toBe(true);
    expect(log.filter((e) => e.type === 'tabswarm-error')).toEqual([]);
    // One client for the page, holding the three torrents.
    expect((await shared(page)).inClient.sort()).toEqual([seeds.video.infoHash, seeds.image.infoHash, seeds.data.infoHash].sort());
    expect(errors).toEqual([]);
    console.log(`video ${(video.length / 1024 / 1024).toFixed(1)} MiB playing ${playingAfter} ms after the page opened`);
  }, 120_000);

  it('a private share link as src: the element opens the share with the key in the link and shows its real file, decrypted through the worker; with another key it says the share cannot be opened', async () => {
    const secretData = makeData(700 * KiB + 3, 11);
    const shared = await seeder.evaluate(
      async ([base64, announce]) => {
        const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const module = await (globalThis as unknown as PageGlobals).tabSwarm();
        const t = await module.tabSwarmClient().seed([new File([data], 'ledger.bin')], { announce: [announce], private: true });
        return { infoHash: t.infoHash, secret: Array.from(t.secret!) };
      },
      [secretData.toString('base64'), tracker.url] as const,
    );
    const link = (secret: Uint8Array) => shareLink(`${server.url}/`, { infoHash: shared.infoHash, announce: [tracker.url], secret }, []);
    server.put('/private.html', plainPage(`<tab-swarm id="card" src="${attr(link(Uint8Array.from(shared.secret)))}"></tab-swarm>`));
    const { page, errors } = await open(`${server.url}/private.html`);
    await expect.poll(async () => (await inspect(page, 'card')).progress, { timeout: 30_000 }).toBe(100);
    const card = await inspect(page, 'card');
    // The share's own name, not its ciphertext's (private.tabswarm).
    expect(card.text).toMatch(/^ledger\.bin 700 KiB/);
    expect(card.save).toMatch(new RegExp(`^${server.url}/stream/${shared.infoHash}/0/ledger\\.bin\\?download$`));
    expect((await fetchIn(page, card.save!)).equals(secretData)).toBe(true);
    expect((await events(page)).filter((e) => e.type === 'tabswarm-error')).toEqual([]);
    expect(errors).toEqual([]);

    const wrong = Uint8Array.from(shared.secret, (b) => b ^ 0x5a);
    server.put('/wrong-key.html', plainPage(`<tab-swarm id="card" src="${attr(link(wrong))}"></tab-swarm>`));
    const other = await open(`${server.url}/wrong-key.html`);
    await expect.poll(async () => (await inspect(other.page, 'card')).error ?? '', { timeout: 30_000 }).toMatch(/private share cannot be opened/);
    expect((await events(other.page)).some((e) => e.type === 'tabswarm-error')).toBe(true);
  }, 90_000);

  it('removing an element stops its download and frees what it held: its torrent leaves the client, the seeder loses the peer, its stream closes; removing the last one ends the client', async () => {
    const { page, errors } = await open(`${server.url}/page.html`);
    for (const id of ['video', 'image', 'card']) await expect.poll(async () => (await inspect(page, id)).done, { timeout: 30_000 }).toBe(true);
    const me = await page.evaluate(async () => {
      const id = (await (globalThis as unknown as PageGlobals).tabSwarm()).tabSwarmShared().client!.peerId;
      return Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
    });
    const connected = async (infoHash: string) => (await seederPeerIds(infoHash)).includes(me);
    // A video the seeder uploads slowly, so that its stream is still open when the element goes.
    await setSeederUpload(96 * KiB);
    try {
      const slow = await seed('slow.webm', 'video/webm', video);
      await page.evaluate(
        (src) => document.body.insertAdjacentHTML('beforeend', `<tab-swarm id="slow" src="${src}" muted autoplay></tab-swarm>`),
        attr(slow.magnet),
      );
      await expect.poll(async () => (await shared(page)).active ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
      const before = await inspect(page, 'slow');
      expect(before.src).toBe(`${server.url}/stream/${slow.infoHash}/0/slow.webm`);
      expect(before.progress).toBeLessThan(100);
      await expect.poll(() => connected(slow.infoHash), { timeout: 10_000 }).toBe(true);

      await page.evaluate(() => {
        const el = document.getElementById('slow')!;
        (globalThis as unknown as { removed: Element }).removed = el;
        el.remove();
      });
      await expect.poll(async () => (await shared(page)).active, { timeout: 10_000 }).toBe(0);
      const after = await shared(page);
      expect(after.torrents).not.toContain(slow.infoHash);
      expect(after.inClient).not.toContain(slow.infoHash);
      await expect.poll(() => connected(slow.infoHash), { timeout: 10_000 }).toBe(false);
      const removed = await page.evaluate(() => {
        const el = (globalThis as unknown as { removed: HTMLElementTagNameMap['tab-swarm'] }).removed;
        return { phase: el.phase, torrent: el.torrent?.infoHash, media: el.shadowRoot!.querySelectorAll('video, audio, img').length };
      });
      expect(removed).toEqual({ phase: 'idle', torrent: undefined, media: 0 });
      // The others are untouched.
      expect((await inspect(page, 'image')).width).toBe(320);
      expect(after.inClient.sort()).toEqual([seeds.video.infoHash, seeds.image.infoHash, seeds.data.infoHash].sort());
    } finally {
      await setSeederUpload(0);
    }

    // A moved element keeps its torrent (nothing restarts).
    await page.evaluate(() => document.body.prepend(document.getElementById('card')!));
    await page.waitForTimeout(100);
    expect((await inspect(page, 'card')).phase).toBe('ready');
    expect((await shared(page)).inClient).toContain(seeds.data.infoHash);

    // The rest removed: no torrent, no client (its tracker sockets closed), no connection to the seeder.
    expect(await page.evaluate(() => [...document.querySelectorAll('tab-swarm')].map((el) => (el.remove(), el.id)).sort())).toEqual(['card', 'image', 'video']);
    await expect.poll(async () => (await shared(page)).client, { timeout: 10_000 }).toBe(false);
    expect((await shared(page)).torrents).toEqual([]);
    for (const s of Object.values(seeds)) await expect.poll(() => connected(s.infoHash), { timeout: 10_000 }).toBe(false);
    expect(errors).toEqual([]);
  }, 120_000);

  it('a bad src says what is wrong, in the element and as tabswarm-error: a malformed magnet link, a .torrent URL that is a 404, a file that is no torrent, a file the torrent lacks; a good src given later recovers', async () => {
    server.put(
      '/errors.html',
      plainPage(
        [
          '<tab-swarm id="magnet" src="magnet:?xt=urn:btih:1234"></tab-swarm>',
          '<tab-swarm id="missing" src="/files/missing.torrent"></tab-swarm>',
          '<tab-swarm id="garbage" src="files/garbage.torrent"></tab-swarm>',
          `<tab-swarm id="nofile" src="${attr(seeds.image.magnet)}" file="7"></tab-swarm>`,
        ].join('\n'),
      ),
    );
    const { page, errors } = await open(`${server.url}/errors.html`);
    const expected: Record<string, RegExp> = {
      magnet: /^The magnet link is not valid: .+\.$/,
      missing: new RegExp(`^The \\.torrent file ${server.url}/files/missing\\.torrent could not be loaded: HTTP 404 Not Found\\.$`),
      garbage: new RegExp(`^Not a valid \\.torrent file: .+ \\(${server.url}/files/garbage\\.torrent\\)\\.$`),
      nofile: /^This torrent has no file 7 \(its files are numbered 0 to 0\)\.$/,
    };
    for (const [id, message] of Object.entries(expected)) {
      await expect.poll(async () => (await inspect(page, id)).error ?? '', { timeout: 20_000 }).toMatch(message);
      expect((await inspect(page, id)).phase, id).toBe('error');
      expect(await page.locator(`#${id}`).getByRole('alert').textContent(), id).toMatch(message);
    }
    const log = (await events(page)).filter((e) => e.type === 'tabswarm-error');
    for (const [id, message] of Object.entries(expected))
      expect(
        log.filter((e) => e.id === id).map((e) => e.message),
        id,
      ).toEqual([expect.stringMatching(message)]);
    console.log(
      `errors shown: ${Object.keys(expected)
        .map((id) => log.find((e) => e.id === id)?.message)
        .join(' | ')}`,
    );
    // The element whose file was missing let its torrent go.
    await expect.poll(async () => (await shared(page)).torrents).toEqual([]);
    // A good src, given later, recovers.
    await page.evaluate((src) => document.getElementById('magnet')!.setAttribute('src', src), seeds.image.magnet);
    await expect.poll(async () => (await inspect(page, 'magnet')).width, { timeout: 20_000 }).toBe(320);
    expect((await inspect(page, 'magnet')).error).toBeUndefined();
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  }, 60_000);

  it('without service workers: each element says why it cannot stream, then plays, shows and saves from a Blob once the file is complete; removing the elements revokes every object URL', async () => {
    server.put(
      '/no-worker.html',
      plainPage(
        `<tab-swarm id="video" src="${attr(seeds.video.magnet)}" controls muted autoplay></tab-swarm>\n` +
          `<tab-swarm id="image" src="${attr(seeds.image.magnet)}"></tab-swarm>\n<tab-swarm id="card" src="${attr(seeds.data.magnet)}"></tab-swarm>`,
      ),
    );
    const { page, errors } = await open(`${server.url}/no-worker.html`, [NO_WORKER]);
    await expect.poll(async () => (await inspect(page, 'video')).time ?? 0, { timeout: 30_000 }).toBeGreaterThan(1);
    expect((await inspect(page, 'video')).src).toMatch(/^blob:/);
    await expect.poll(async () => (await inspect(page, 'image')).width, { timeout: 20_000 }).toBe(320);
    expect((await inspect(page, 'image')).src).toMatch(/^blob:/);
    await expect.poll(async () => (await inspect(page, 'card')).save ?? '', { timeout: 20_000 }).toMatch(/^blob:/);
    const card = await inspect(page, 'card');
    expect(card.message).toBe(
      'Streaming is not available here. This page cannot use service workers (they need https, or http on localhost). It can be saved once it is downloaded.',
    );
    expect((await fetchIn(page, card.save!)).equals(data)).toBe(true);
    const ready = (await events(page)).filter((e) => e.type === 'tabswarm-ready');
    expect(ready.map((e) => [e.id, e.streaming]).sort()).toEqual([
      ['card', false],
      ['image', false],
      ['video', false],
    ]);

    await page.evaluate(() => document.querySelectorAll('tab-swarm').forEach((el) => el.remove()));
    await expect.poll(async () => (await shared(page)).client, { timeout: 10_000 }).toBe(false);
    const urls = await page.evaluate(() => (globalThis as unknown as PageGlobals).objectUrls);
    expect(urls.created).toBeGreaterThanOrEqual(3);
    expect(urls.revoked).toBe(urls.created);
    expect(errors).toEqual([]);
  }, 90_000);

  it('an SVG with a script, shown by the element with and without a service worker: no URL a person can open from it (the image, the save link, either opened as a page) runs the script on the page’s origin', async () => {
    // What a hostile torrent may hold: an image whose script, run as a page of this origin, reads
    // and writes its storage.
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">' +
        '<rect width="320" height="200" fill="#e1402f"/>' +
        '<script>window.pwned = true; try { localStorage.setItem("pwned", location.href); } catch (e) {}</script></svg>',
    );
    const cat = await seed('cat.svg', 'image/svg+xml', svg);
    server.put('/svg.html', plainPage(`<tab-swarm id="svg" src="${attr(cat.magnet)}"></tab-swarm>`));
    /** Opens `url` as a page of the same context (a new tab): whether it became a download, and whether the script ran there or left a mark in the page's storage. */
    async function openAsPage(opened: Opened, url: string) {
      const tab = await opened.context.newPage();
      let download = false;
      tab.on('download', () => (download = true));
      await tab.goto(url).catch(() => undefined); // a download aborts the navigation
      await tab.waitForTimeout(500);
      const ranThere = download ? false : await tab.evaluate(() => (globalThis as unknown as { pwned?: boolean }).pwned === true).catch(() => false);
      await tab.close();
      const stored = await opened.page.evaluate(() => localStorage.getItem('pwned'));
      return { download, ranThere, stored };
    }
    /** The type and bytes of a URL, fetched in the page. */
    const typeAndBytes = async (page: Page, url: string) => ({
      type: await page.evaluate(async (url) => (await fetch(url)).headers.get('content-type'), url),
      bytes: await fetchIn(page, url),
    });

    // Without a service worker: object URLs, once the file is complete.
    const plain = await open(`${server.url}/svg.html`, [NO_WORKER]);
    await expect.poll(async () => (await inspect(plain.page, 'svg')).save ?? '', { timeout: 30_000 }).toMatch(/^blob:/);
    await expect.poll(async () => (await inspect(plain.page, 'svg')).width, { timeout: 10_000 }).toBe(320);
    const shown = await inspect(plain.page, 'svg');
    expect(shown.media).toBe('img');
    expect(shown.src).toMatch(/^blob:/);
    for (const url of [shown.src!, shown.save!]) {
      expect(await openAsPage(plain, url), url).toEqual({ download: url === shown.save, ranThere: false, stored: null });
    }
    // The image is a picture of it (PNG), never the SVG document.
    const image = await typeAndBytes(plain.page, shown.src!);
    expect(image.type).toBe('image/png');
    expect(image.bytes.subarray(1, 4).toString()).toBe('PNG');
    // Save gives the SVG's bytes, as bytes to save.
    const saved = await typeAndBytes(plain.page, shown.save!);
    expect(saved.type).toBe('application/octet-stream');
    expect(saved.bytes.equals(svg)).toBe(true);
    expect(await plain.page.evaluate(() => (globalThis as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(plain.errors).toEqual([]);

    // With the service worker: its URLs answer with a sandbox CSP (the image), as an attachment (save).
    const streamed = await open(`${server.url}/svg.html`);
    await expect.poll(async () => (await inspect(streamed.page, 'svg')).width, { timeout: 30_000 }).toBe(320);
    const s = await inspect(streamed.page, 'svg');
    expect(s.src).toBe(`${server.url}/stream/${cat.infoHash}/0/cat.svg`);
    for (const url of [s.src!, s.save!]) {
      expect(await openAsPage(streamed, url), url).toEqual({ download: url === s.save, ranThere: false, stored: null });
    }
    expect(streamed.errors).toEqual([]);
  }, 90_000);

  it('on a site with the element, the service worker answers only tabswarm streams: the site’s own /stream/ URLs reach its server, from the element’s page and from a page without it', async () => {
    const stranger = 'ef'.repeat(20); // shaped like an info hash, of no torrent here
    const site: Record<string, string> = {
      '/stream/foo': 'the site: foo',
      '/stream/foo/bar/baz.txt': 'the site: foo/bar/baz.txt',
      [`/stream/${stranger}/0/notes.txt`]: 'the site: a path shaped like a stream',
    };
    for (const [path, body] of Object.entries(site)) server.put(path, body, 'text/plain; charset=utf-8');
    server.put('/site.html', '<!doctype html>\n<meta charset="utf-8">\n<title>site</title>\n<p>No element here.</p>\n');
    const get = (p: Page, url: string) =>
      p.evaluate(async (url) => {
        const r = await fetch(url);
        return { status: r.status, text: await r.text() };
      }, url);

    // The element's page: its own stream plays through the worker, the site's URLs come from the site.
    const { page, context, errors } = await open(`${server.url}/page.html`);
    await expect.poll(async () => (await inspect(page, 'image')).width, { timeout: 20_000 }).toBe(320);
    for (const [path, body] of Object.entries(site)) expect(await get(page, path), path).toEqual({ status: 200, text: body });

    // Another page of the site, controlled by the same worker but without the element: the worker
    // does not answer its /stream/ URLs at all (they go to the network as if it were not there).
    const other = await context.newPage();
    await other.goto(`${server.url}/site.html`);
    expect(await other.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/tabswarm-sw.js`);
    for (const [path, body] of Object.entries(site)) {
      const [response] = await Promise.all([other.waitForResponse(`${server.url}${path}`), get(other, path)]);
      expect([response.status(), response.fromServiceWorker(), await response.text()], path).toEqual([200, false, body]);
      const opened = await other.goto(`${server.url}${path}`);
      expect([opened?.status(), opened?.fromServiceWorker(), await opened?.text()], path).toEqual([200, false, body]);
    }
    // A stream of the element's torrent, opened there: the worker answers it (from the element's page).
    const imageUrl = `${server.url}/stream/${seeds.image.infoHash}/0/picture.png`;
    const own = await other.goto(imageUrl);
    expect([own?.status(), own?.fromServiceWorker(), own?.headers()['content-type']]).toEqual([200, true, 'image/png']);
    const imageLength = (await own?.body())?.length;

    // A worker stopped (as browsers stop idle ones) forgets what the pages told it: started again by
    // a request, it asks the pages (its roll call) and still answers the element's streams.
    const cdp = await context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const again = await other.goto(imageUrl);
    expect([again?.status(), again?.fromServiceWorker(), (await again?.body())?.length]).toEqual([200, true, imageLength]);
    await other.goto(`${server.url}/site.html`);
    for (const [path, body] of Object.entries(site)) {
      const [response] = await Promise.all([other.waitForResponse(`${server.url}${path}`), get(other, path)]);
      expect([response.status(), response.fromServiceWorker(), await response.text()], path).toEqual([200, false, body]);
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('configured in a separate module after the element script, even seconds later, the element still finds its tracker: it says first that it has none, then downloads', async () => {
    // The magnet link names no tracker: only the configuration can.
    const bare = seeds.data.magnet.replace(/&tr=[^&]*/g, '');
    expect(bare).not.toContain('tr=');
    server.put(
      '/late.html',
      plainPage(
        `<tab-swarm id="late" src="${attr(bare)}"></tab-swarm>\n` +
          `<script type="module">\nimport { configureTabSwarm } from '/tabswarm-element.js';\n` +
          `setTimeout(() => configureTabSwarm({ announce: ['${tracker.url}'] }), 2000);\n</script>`,
      ),
    );
    const { page, errors } = await open(`${server.url}/late.html`);
    await expect.poll(async () => (await inspect(page, 'late')).text, { timeout: 10_000 }).toContain('No tracker to find peers with');
    await expect.poll(async () => (await inspect(page, 'late')).done, { timeout: 30_000 }).toBe(true);
    const log = await events(page);
    expect(log.filter((e) => e.type === 'tabswarm-waiting').map((e) => e.reason)).toEqual(['no-tracker']);
    expect(log.filter((e) => e.type === 'tabswarm-done').map((e) => e.file)).toEqual(['notes.bin']);
    expect(errors).toEqual([]);
  }, 90_000);

  it('Save while the file streams and once it is complete: the browser downloads the same bytes, through the service worker', async () => {
    await setSeederUpload(256 * KiB); // some 6 s for the file: Save is clicked long before the end
    try {
      const { page, errors } = await open(`${server.url}/page.html`);
      await expect.poll(async () => (await inspect(page, 'card')).save ?? '', { timeout: 20_000 }).toContain('/stream/');
      expect((await inspect(page, 'card')).progress).toBeLessThan(100);
      const card = page.locator('#card');
      const [early] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), card.getByRole('link', { name: /^Save/ }).click()]);
      expect(early.suggestedFilename()).toBe('notes.bin');
      expect(readFileSync(await early.path()).equals(data)).toBe(true);
      await expect.poll(async () => (await inspect(page, 'card')).done, { timeout: 30_000 }).toBe(true);
      const [late] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /^Save/ }).click()]);
      expect(readFileSync(await late.path()).equals(data)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await setSeederUpload(0);
    }
  }, 120_000);

  it('a magnet link nobody seeds: within 10 s the element says how long it waited and that no peer was found, and fires tabswarm-waiting', async () => {
    const nobody = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=nothing.mp4&tr=${encodeURIComponent(tracker.url)}`;
    server.put('/nobody.html', plainPage(`<tab-swarm id="nobody" src="${attr(nobody)}"></tab-swarm>`));
    const { page, errors } = await open(`${server.url}/nobody.html`, [COUNT_CONNECTIONS]);
    const opened = await page.evaluate(() => performance.now());
    await expect.poll(async () => (await events(page)).filter((e) => e.type === 'tabswarm-waiting'), { timeout: 10_000 }).toHaveLength(1);
    const [waiting] = (await events(page)).filter((e) => e.type === 'tabswarm-waiting');
    expect(waiting).toMatchObject({ id: 'nobody', reason: 'no-peers', secureContext: true, bubbles: true, composed: true });
    expect(waiting!.message).toMatch(/^No peer found in \d+ s: nobody may be sharing this file right now\. Still looking…$/);
    expect(waiting!.at - opened).toBeLessThan(10_000);
    await expect.poll(async () => (await inspect(page, 'nobody')).text).toMatch(/No peer found in \d+ s/);
    // Waiting is not progress: 0 % is told once, not every second.
    expect((await events(page)).filter((e) => e.type === 'tabswarm-progress' && e.id === 'nobody')).toHaveLength(1);
    // Its announce took the offers made while the page started: ten connections in all, not ten
    // made ahead and thrown away beside ten more (as before the element pooled its own).
    expect(await page.evaluate(() => (globalThis as unknown as { connectionsMade: number }).connectionsMade)).toBe(10);
    expect(errors).toEqual([]);
  }, 60_000);

  it('a page that is not a secure context (http from another address): a file nobody seeds says so within 10 s; a seeded one downloads (JavaScript SHA-1) and is shown once complete', async () => {
    const insecure = await serveElement({ host: '10.213.0.1' });
    try {
      const nobody = `magnet:?xt=urn:btih:${'cd'.repeat(20)}&dn=nothing.mp4&tr=${encodeURIComponent(tracker.url)}`;
      insecure.put(
        '/page.html',
        plainPage(`<tab-swarm id="nobody" src="${attr(nobody)}"></tab-swarm>\n<tab-swarm id="card" src="${attr(seeds.data.magnet)}"></tab-swarm>`),
      );
      insecure.put('/favicon.ico', new Uint8Array(0), 'image/x-icon'); // Chromium asks this origin for one
      const { page, errors } = await open(`${insecure.url}/page.html`);
      expect(await page.evaluate(() => ({ secure: isSecureContext, subtle: typeof crypto.subtle }))).toEqual({ secure: false, subtle: 'undefined' });
      await expect
        .poll(async () => (await events(page)).filter((e) => e.type === 'tabswarm-waiting' && e.id === 'nobody'), { timeout: 10_000 })
        .toHaveLength(1);
      const [waiting] = (await events(page)).filter((e) => e.type === 'tabswarm-waiting');
      expect(waiting).toMatchObject({ reason: 'no-peers', secureContext: false });
      expect(waiting!.message).toContain('This page is not a secure context (https): the file plays once it is fully downloaded.');
      expect((await inspect(page, 'nobody')).text).toContain('not a secure context');
      // The seeded file: verified with the JavaScript SHA-1, ready without streaming, saved from its bytes.
      await expect.poll(async () => (await inspect(page, 'card')).done, { timeout: 30_000 }).toBe(true);
      expect((await events(page)).filter((e) => e.type === 'tabswarm-ready' && e.id === 'card')).toEqual([expect.objectContaining({ streaming: false })]);
      expect((await inspect(page, 'card')).message).toMatch(/^Streaming is not available here\./);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#card').getByRole('link', { name: /^Save/ }).click()]);
      expect(readFileSync(await download.path()).equals(data)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await insecure.close();
    }
  }, 120_000);

  describe.runIf(browsersEnabled('firefox'))('in Firefox (over WebDriver BiDi)', () => {
    let firefox: PuppeteerBrowser;
    let downloads: string;
    beforeAll(async () => {
      downloads = mkdtempSync(join(tmpdir(), 'tabswarm-ff-downloads-'));
      firefox = await launchFirefox({ downloads });
    }, 60_000);
    afterAll(async () => {
      await firefox?.close();
      rmSync(downloads, { recursive: true, force: true });
    });

    /** A page of a fresh Firefox context with the event log, and its errors. */
    async function openFirefox(url: string): Promise<{ page: PuppeteerPage; errors: string[]; close(): Promise<void> }> {
      const context = await firefox.createBrowserContext();
      const page = await newFirefoxPage(context);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
      await page.evaluateOnNewDocument(INIT);
      await page.goto(url);
      return { page, errors, close: () => context.close() };
    }
    const ffEvents = (page: PuppeteerPage) => page.evaluate(() => (globalThis as unknown as PageGlobals).events);
    const ffInspect = (page: PuppeteerPage, id: string) =>
      page.evaluate((id) => {
        const el = document.getElementById(id) as (HTMLElement & { done: boolean }) | null;
        const root = el?.shadowRoot;
        return {
          done: el?.done,
          progress: Number(root?.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? NaN),
          text: (root?.textContent ?? '').replace(/\s+/g, ' ').trim(),
          save: root?.querySelector<HTMLAnchorElement>('a[part~=save]')?.href,
        };
      }, id);
    /** Clicks the element's Save link, and waits for the whole file in the downloads folder. */
    async function saveFrom(page: PuppeteerPage, id: string, name: string, size: number): Promise<Buffer> {
      const path = join(downloads, name);
      rmSync(path, { force: true });
      await page.evaluate((id) => document.getElementById(id)!.shadowRoot!.querySelector<HTMLAnchorElement>('a[part~=save]')!.click(), id);
      await expect.poll(() => (existsSync(path) ? statSync(path).size : -1), { timeout: 60_000 }).toBe(size);
      return readFileSync(path);
    }

    it('configured late from a separate module, saves byte-identical while streaming and once complete, and says why a magnet nobody seeds waits', async () => {
      const bare = seeds.data.magnet.replace(/&tr=[^&]*/g, '');
      const nobody = `magnet:?xt=urn:btih:${'ef'.repeat(20)}&dn=nothing.mp4&tr=${encodeURIComponent(tracker.url)}`;
      server.put(
        '/ff.html',
        plainPage(
          `<tab-swarm id="late" src="${attr(bare)}"></tab-swarm>\n<tab-swarm id="nobody" src="${attr(nobody)}"></tab-swarm>\n` +
            `<script type="module">\nimport { configureTabSwarm } from '/tabswarm-element.js';\n` +
            `setTimeout(() => configureTabSwarm({ announce: ['${tracker.url}'] }), 2000);\n</script>`,
        ),
      );
      await setSeederUpload(256 * KiB);
      const { page, errors, close } = await openFirefox(`${server.url}/ff.html`);
      try {
        await expect.poll(async () => (await ffInspect(page, 'late')).save ?? '', { timeout: 30_000 }).toContain('/stream/');
        expect((await ffInspect(page, 'late')).progress).toBeLessThan(100);
        expect((await saveFrom(page, 'late', 'notes.bin', data.length)).equals(data)).toBe(true);
        await setSeederUpload(0);
        await expect.poll(async () => (await ffInspect(page, 'late')).done, { timeout: 30_000 }).toBe(true);
        expect((await saveFrom(page, 'late', 'notes.bin', data.length)).equals(data)).toBe(true);
        const log = await ffEvents(page);
        expect(log.filter((e) => e.type === 'tabswarm-waiting' && e.id === 'late').map((e) => e.reason)).toEqual(['no-tracker']);
        const nobodyWaits = log.filter((e) => e.type === 'tabswarm-waiting' && e.id === 'nobody');
        expect(nobodyWaits.map((e) => e.reason)).toEqual(['no-peers']);
        expect(nobodyWaits[0]!.message).toMatch(/^No peer found in \d+ s/);
        expect((await ffInspect(page, 'nobody')).text).toMatch(/No peer found in \d+ s/);
        expect(errors).toEqual([]);
      } finally {
        await setSeederUpload(0);
        await close();
      }
    }, 150_000);

    it('a page that is not a secure context: the element says so within 10 s (tabswarm-waiting), and a seeded file downloads with the JavaScript SHA-1', async () => {
      const insecure = await serveElement({ host: '10.213.0.1' });
      try {
        const nobody = `magnet:?xt=urn:btih:${'a1'.repeat(20)}&dn=nothing.mp4&tr=${encodeURIComponent(tracker.url)}`;
        insecure.put('/favicon.ico', new Uint8Array(0), 'image/x-icon');
        insecure.put(
          '/page.html',
          plainPage(`<tab-swarm id="nobody" src="${attr(nobody)}"></tab-swarm>\n<tab-swarm id="card" src="${attr(seeds.data.magnet)}"></tab-swarm>`),
        );
        const { page, errors, close } = await openFirefox(`${insecure.url}/page.html`);
        try {
          expect(await page.evaluate(() => ({ secure: isSecureContext, subtle: typeof crypto.subtle }))).toEqual({ secure: false, subtle: 'undefined' });
          await expect
            .poll(async () => (await ffEvents(page)).filter((e) => e.type === 'tabswarm-waiting' && e.id === 'nobody'), { timeout: 10_000 })
            .toEqual([
              expect.objectContaining({ reason: 'no-peers', secureContext: false, message: expect.stringContaining('This page is not a secure context') }),
            ]);
          await expect.poll(async () => (await ffInspect(page, 'card')).done, { timeout: 30_000 }).toBe(true);
          expect((await saveFrom(page, 'card', 'notes.bin', data.length)).equals(data)).toBe(true);
          expect(errors).toEqual([]);
        } finally {
          await close();
        }
      } finally {
        await insecure.close();
      }
    }, 120_000);
  });

  it('custom-elements.json, the JSDoc of the element and the app’s Embed page name the same attributes, events, parts and custom properties as the element has', async () => {
    interface Named {
      name: string;
    }
    interface Manifest {
      modules: { declarations: { tagName?: string; attributes: Named[]; events: Named[]; cssParts: Named[]; cssProperties: Named[] }[] }[];
    }
    const manifest = JSON.parse(readFileSync(new URL('custom-elements.json', ROOT), 'utf8')) as Manifest;
    const element = manifest.modules.flatMap((m) => m.declarations).find((d) => d.tagName === 'tab-swarm')!;
    const source = readFileSync(new URL('src/element/tab-swarm.ts', ROOT), 'utf8');
    const styles = readFileSync(new URL('src/element/styles.ts', ROOT), 'utf8');
    const events = readFileSync(new URL('src/element/events.ts', ROOT), 'utf8');
    const jsdoc = (tag: string) => [...source.matchAll(new RegExp(`^ \\* @${tag} (?:\\{[^}]*\\} )?(\\S+) - `, 'gm'))].map((m) => m[1]!).sort();
    const names = (list: Named[]) => list.map((e) => e.name).sort();
    const unique = (list: string[]) => [...new Set(list)].sort();

    const observed = await seeder.evaluate(async () => {
      await (globalThis as unknown as PageGlobals).tabSwarm();
      return (customElements.get('tab-swarm') as unknown as { observedAttributes: string[] }).observedAttributes;
    });
    expect(jsdoc('attr')).toEqual(unique(observed));
    expect(names(element.attributes)).toEqual(jsdoc('attr'));
    expect(names(ATTRIBUTES)).toEqual(jsdoc('attr'));

    expect(jsdoc('fires')).toEqual(unique([...events.matchAll(/^ {2}'(tabswarm-[a-z]+)': /gm)].map((m) => m[1]!)));
    expect(names(element.events)).toEqual(jsdoc('fires'));
    expect(names(EVENTS)).toEqual(jsdoc('fires'));

    expect(jsdoc('csspart')).toEqual(unique([...source.matchAll(/part="([a-z-]+)"/g)].map((m) => m[1]!)));
    expect(names(element.cssParts)).toEqual(jsdoc('csspart'));
    expect(names(PARTS)).toEqual(jsdoc('csspart'));

    expect(jsdoc('cssprop')).toEqual(unique(styles.match(/--tab-swarm-[a-z-]+/g) ?? []));
    expect(names(element.cssProperties)).toEqual(jsdoc('cssprop'));
    expect(names(CSS_PROPERTIES)).toEqual(jsdoc('cssprop'));

    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { customElements: string; exports: Record<string, { default?: string }> };
    expect(pkg.customElements).toBe('custom-elements.json');
    expect(pkg.exports['./element']?.default).toBe('./dist/tabswarm-element.js');
  });

  it('the app: Embed in its header opens a page with snippets for the person’s torrents, which passes axe-core, fits 360 px and keeps the CSP; its example page plays a video the app shares', async () => {
    const app = await serveApp({ announce: [tracker.url] });
    try {
      const { page, errors } = await open(app.url, [CSP_LOG]);
      await page.locator('ts-add-panel input#files').setInputFiles([{ name: 'shared.webm', mimeType: 'video/webm', buffer: video }]);
      await page.getByRole('textbox', { name: 'Share link', exact: true }).waitFor({ timeout: 30_000 });
      // The snippets carry the whole magnet link (a page elsewhere knows none of the app's trackers).
      const magnet = await page.getByRole('textbox', { name: /^Magnet link/ }).inputValue();
      await page.getByRole('link', { name: 'Embed' }).click();
      await page.getByRole('heading', { name: 'Embed a torrent in any page' }).waitFor();
      expect(page.url()).toBe(`${app.url}#embed`);
      const snippets = await page.locator('ts-embed-docs pre').allTextContents();
      expect(snippets).toContain(`<script type="module" src="/tabswarm-element.js"></script>\n<tab-swarm src="${attr(magnet)}" controls></tab-swarm>`);
      const example = await page.getByRole('link', { name: 'Open shared.webm in the example page' }).getAttribute('href');
      expect(example).toBe(`${app.url}embed.html#${magnet}`);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        expect(await runAxe(page), scheme).toEqual([]);
      }
      await page.setViewportSize({ width: 360, height: 740 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await page.getByRole('link', { name: 'Your torrents' }).click();
      await page.getByRole('heading', { name: /^Your torrents/ }).waitFor();

      // The example page, opened with that link in another context: the element plays the video
      // the app seeds, streamed through the worker beside the module.
      const other = await open(example!, [CSP_LOG]);
      const player = other.page;
      await expect.poll(async () => (await inspect(player, 'live')).time ?? 0, { timeout: 30_000 }).toBeGreaterThan(1);
      expect((await inspect(player, 'live')).src).toMatch(new RegExp(`^${app.url}stream/[0-9a-f]{40}/0/shared\\.webm$`));
      await expect.poll(() => player.locator('#events').textContent()).toContain('tabswarm-ready: shared.webm, shown as video, streaming');
      expect(await player.locator('#snippet').textContent()).toContain(`<tab-swarm src="${attr(magnet)}" controls muted autoplay></tab-swarm>`);
      expect(await runAxe(player)).toEqual([]);
      for (const p of [page, player]) expect(await p.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(errors).toEqual([]);
      expect(other.errors).toEqual([]);
    } finally {
      await app.close();
    }
  }, 120_000);
});
