/**
 * Private links (issue 22, item 2) in real Chromium contexts, inside the private network namespace:
 * a share made private in the app is streamed (Range requests through the service worker, while it
 * downloads) and saved byte-identical by the holder of its link; a third peer that joins with the
 * info hash alone completes the torrent, and its stored pieces hold neither the content nor the
 * names (with the link's key they open to exactly the files: the pieces are the content, encrypted);
 * every message between the pages and the tracker (tapped) holds neither either, nor the key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openContainer } from '../../src/core/private/container.js';
import { launchChromium, serveApp } from './harness.js';
import { startTracker, type TrackerServer } from './lib-harness.js';
import { infoHashOf, makeData, openAppPage, progressOf, screenshotFolder, type AppPage, type OpenAppOptions } from './app-harness.js';
import { tapTracker, type TrackerTap } from './tracker-tap.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const FILM = 'secret-lighthouse-film.webm';
const NOTES = 'meeting-notes-for-sam.txt';
const film = makeData(3 * MiB + 333, 41);
const notes = Buffer.from('We meet at the old lighthouse at nine; bring the blue folder.\n'.repeat(300));
const NAMES = [FILM, NOTES, 'secret-lighthouse', 'meeting-notes'];
/** Pieces of plaintext that must not appear anywhere outside the holder's page. */
const SAMPLES = [notes.subarray(0, 48), film.subarray(0, 48), film.subarray(2 * MiB, 2 * MiB + 48), film.subarray(film.length - 48)];

/** A card by its torrent's name. */
const card = (page: Page, name: string) => page.locator('ts-torrent-card', { has: page.getByRole('heading', { name, exact: true }) });

/** Every piece a page stored for a torrent (IndexedDB, in piece order), as one buffer. */
async function storedPieces(page: Page, infoHash: string): Promise<Buffer> {
  const base64 = await page.evaluate(async (hash) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('tabswarm-pieces');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new Error(r.error?.message ?? 'IndexedDB failed'));
    });
    const values = await new Promise<Uint8Array[]>((resolve, reject) => {
      const r = db
        .transaction('pieces')
        .objectStore('pieces')
        .getAll(IDBKeyRange.bound([hash, 0], [hash, Infinity]));
      r.onsuccess = () => resolve(r.result as Uint8Array[]);
      r.onerror = () => reject(new Error(r.error?.message ?? 'IndexedDB failed'));
    });
    db.close();
    let binary = '';
    for (const v of values) for (let i = 0; i < v.length; i += 0x8000) binary += String.fromCharCode(...v.subarray(i, i + 0x8000));
    return btoa(binary);
  }, infoHash);
  return Buffer.from(base64, 'base64');
}

/** Fetches a URL in the page (through its service worker) with a Range header. */
async function fetchRange(page: Page, url: string, range: string): Promise<{ status: number; body: Buffer; disposition: string }> {
  const r = await page.evaluate(
    async ([url, range]) => {
      const response = await fetch(url, { headers: { Range: range } });
      const bytes = new Uint8Array(await response.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { status: response.status, body: btoa(binary), disposition: response.headers.get('content-disposition') ?? '' };
    },
    [url, range] as const,
  );
  return { ...r, body: Buffer.from(r.body, 'base64') };
}

function expectNothingOf(haystack: Buffer, what: string, secret: Buffer): void {
  for (const name of NAMES) expect(haystack.includes(name), `${what} holds the name ${name}`).toBe(false);
  for (const [i, sample] of SAMPLES.entries()) expect(haystack.includes(sample), `${what} holds plaintext sample ${i}`).toBe(false);
  expect(haystack.includes(secret), `${what} holds the key`).toBe(false);
  expect(haystack.includes(secret.toString('base64url')), `${what} holds the key as text`).toBe(false);
}

/** What went through the tracker, one line a message (action, event, offers, answer; no SDP). */
function trackerSummary(tap: TrackerTap): string {
  return tap.messages
    .map(({ from, text }) => {
      try {
        const m = JSON.parse(text) as Record<string, unknown>;
        const offers = Array.isArray(m.offers) ? ` ${m.offers.length} offers` : '';
        const peer = typeof m.peer_id === 'string' ? ` peer ${Buffer.from(m.peer_id, 'latin1').toString('hex').slice(16, 28)}` : '';
        const what = ['event', 'interval', 'complete', 'incomplete', 'offer_id', 'to_peer_id']
          .filter((k) => k in m)
          .map((k) => (k === 'offer_id' || k === 'to_peer_id' ? k : `${k}=${String(m[k])}`))
          .join(' ');
        return `${from}: ${String(m.action)}${peer}${offers}${'offer' in m ? ' offer' : ''}${'answer' in m ? ' answer' : ''} ${what}`;
      } catch {
        return `${from}: ${text.slice(0, 60)}`;
      }
    })
    .join('\n');
}

describe('private links in Chromium', () => {
  let browser: Browser;
  let app: { url: string; close(): Promise<void> };
  let tracker: TrackerServer;
  let tap: TrackerTap;
  const contexts: BrowserContext[] = [];
  const openApp = (options: OpenAppOptions = {}): Promise<AppPage> => openAppPage(browser, app.url, contexts, options);

  beforeAll(async () => {
    tracker = await startTracker();
    tap = await tapTracker(tracker.url);
    [browser, app] = await Promise.all([launchChromium(), serveApp({ announce: [tap.url] })]);
  }, 120_000);
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await tap?.close();
    await tracker?.close();
  });

  it('the link holder streams and saves byte-identical files; the tracker and a peer with the info hash alone see neither content, names nor key', async () => {
    const folder = screenshotFolder();
    const sharer = await openApp();
    await sharer.page.getByRole('checkbox', { name: 'Private link (end-to-end encrypted)' }).check();
    await sharer.page.locator('ts-add-panel input#files').setInputFiles([
      { name: FILM, mimeType: 'video/webm', buffer: film },
      { name: NOTES, mimeType: 'text/plain', buffer: notes },
    ]);
    const field = card(sharer.page, FILM).getByRole('textbox', { name: 'Share link', exact: true });
    await field.waitFor({ timeout: 30_000 });
    const link = await field.inputValue();
    const fragment = link.slice(app.url.length);
    // The short form, with the key after the hash: the address plus 51 characters.
    expect(fragment).toMatch(/^#[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{22}$/);
    const secret = Buffer.from(fragment.slice(29), 'base64url');
    const infoHash = infoHashOf(link.replace(/\.[A-Za-z0-9_-]{22}$/, ''));
    const magnet = await card(sharer.page, FILM)
      .getByRole('textbox', { name: /^Magnet link/ })
      .inputValue();
    expect(magnet).toContain('dn=private.tabswarm');
    expectNothingOf(Buffer.from(magnet), 'the magnet link', secret);
    await card(sharer.page, FILM)
      .getByText(/Private link: the files were encrypted in this tab/)
      .waitFor();
    await sharer.page.setViewportSize({ width: 360, height: 740 });
    await card(sharer.page, FILM)
      .locator('summary', { hasText: 'Share' })
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await sharer.page.screenshot({ path: join(folder, 'mobile-private-share.png') });

    // The link holder: the real names at once, a range streamed while it downloads (512 KiB/s).
    const holder = await openApp({ serviceWorker: true, hash: fragment, settings: { downloadLimit: 512 * KiB } });
    const holderCard = card(holder.page, FILM);
    // Normally within a few seconds. A CI run once waited more than 30 s here (not seen again in 12
    // parallel runs under load); a starving torrent announces again after 30 s, so the wait is longer
    // and a failure says what the holder's page showed and what went through the tracker.
    await holderCard
      .getByText(/Private share, end-to-end encrypted/)
      .waitFor({ timeout: 45_000 })
      .catch(async (e: unknown) => {
        const cards = await holder.page
          .locator('ts-torrent-card')
          .evaluateAll((els) => els.map((el) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim()));
        throw new Error(`${String(e)}\nthe holder's cards: ${JSON.stringify(cards)}\nthrough the tracker: ${trackerSummary(tap)}`);
      });
    const base = `${app.url}stream/${infoHash}`;
    const middle = await fetchRange(holder.page, `${base}/0/${FILM}`, 'bytes=2000000-2100000');
    expect(middle.status).toBe(206);
    expect(middle.disposition).toContain(FILM);
    expect(middle.body.equals(film.subarray(2_000_000, 2_100_001))).toBe(true);
    expect(await progressOf(holder.page, FILM)).toBeLessThan(100);
    const tail = await fetchRange(holder.page, `${base}/1/${NOTES}`, 'bytes=-100');
    expect(tail.body.equals(notes.subarray(notes.length - 100))).toBe(true);
    await expect.poll(() => progressOf(holder.page, FILM), { timeout: 60_000 }).toBe(100);
    const [download] = await Promise.all([holder.page.waitForEvent('download'), holderCard.getByRole('button', { name: 'Save all (.zip)' }).click()]);
    const zip = readFileSync(await download.path());
    for (const [name, bytes] of [
      [FILM, film],
      [NOTES, notes],
    ] as const) {
      const at = zip.indexOf(`${FILM}/${name}`);
      expect(at, name).toBeGreaterThanOrEqual(0);
      expect(zip.indexOf(bytes, at), name).toBeGreaterThan(at);
    }
    await holder.page.setViewportSize({ width: 1280, height: 800 });
    await holderCard.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await holder.page.screenshot({ path: join(folder, 'desktop-private-receiver.png') });

    // A third peer with the info hash alone: it completes the torrent, and can read nothing of it.
    const third = await openApp({ hash: fragment.slice(0, 28) });
    await expect.poll(() => progressOf(third.page, 'private.tabswarm'), { timeout: 60_000 }).toBe(100);
    await card(third.page, 'private.tabswarm')
      .getByText(/added without its key: this tab downloads and passes on its encrypted pieces/)
      .waitFor();
    const stored = await storedPieces(third.page, infoHash);
    expect(stored.length).toBeGreaterThan(film.length + notes.length);
    expectNothingOf(stored, "the third peer's stored pieces", secret);
    // They are the content, encrypted: with the link's key they open to exactly the files.
    const opened = await openContainer(async (a, b) => new Uint8Array(stored.subarray(a, b)), stored.length, new Uint8Array(secret));
    expect(opened.layout.files.map((f) => f.name)).toEqual([FILM, NOTES]);
    const [f0, f1] = opened.layout.files;
    expect(Buffer.from(await opened.decrypt(stored.subarray(f0!.offset, f0!.offset + f0!.length), f0!.offset)).equals(film)).toBe(true);
    expect(Buffer.from(await opened.decrypt(stored.subarray(f1!.offset, f1!.offset + f1!.length), f1!.offset)).equals(notes)).toBe(true);

    // What the tracker was told and sent: announces of this torrent (the tap saw them), and nothing else of it.
    const ours = tap.messages.filter(
      (m) => m.from === 'page' && (JSON.parse(m.text) as { info_hash?: string }).info_hash === Buffer.from(infoHash, 'hex').toString('latin1'),
    );
    expect(ours.length).toBeGreaterThanOrEqual(3);
    const told = Buffer.from(tap.messages.map((m) => m.text).join('\n'));
    expectNothingOf(told, 'the tracker messages', secret);
    expectNothingOf(
      Buffer.from(JSON.stringify(tap.messages.map((m) => JSON.parse(m.text) as unknown)), 'latin1'),
      'the tracker messages (binary strings)',
      secret,
    );

    expect(sharer.errors).toEqual([]);
    expect(holder.errors).toEqual([]);
    expect(third.errors).toEqual([]);
    console.log(
      `private share: link ${link.length} characters (app address ${app.url.length}); torrent ${stored.length} bytes for ${film.length + notes.length} of files (+${(((stored.length - film.length - notes.length) / (film.length + notes.length)) * 100).toFixed(1)} %); ${tap.messages.length} tracker messages tapped`,
    );
  }, 180_000);

  it('a link whose key was changed says the key does not open the share', async () => {
    const sharer = await openApp({ settings: { sharePrivate: true } });
    await sharer.page.locator('ts-add-panel input#files').setInputFiles([{ name: NOTES, mimeType: 'text/plain', buffer: notes }]);
    const field = sharer.page.getByRole('textbox', { name: 'Share link', exact: true });
    await field.waitFor({ timeout: 30_000 });
    const fragment = (await field.inputValue()).slice(app.url.length);
    const key = fragment.slice(29);
    const wrong = `${fragment.slice(0, 29)}${key[0] === 'A' ? 'B' : 'A'}${key.slice(1)}`;
    const receiver = await openApp({ hash: wrong });
    await receiver.page
      .getByRole('alert')
      .getByText(/cannot be opened: the link's key does not open this private share/)
      .waitFor({ timeout: 30_000 });
    expect(receiver.errors).toEqual([]);
  }, 90_000);
});
