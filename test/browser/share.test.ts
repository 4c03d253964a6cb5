/**
 * Sharing and receiving as a person meets them, in real Chromium contexts with a real tracker: the
 * short share link and its QR code (issue 22, item 1), and what a receiver sees first (item 4).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import qrcode from 'qrcode-generator';
import { recordWebm } from './webm.js';
import { join } from 'node:path';
import { appTestBed, infoHashOf, makeData, openAppPage, progressOf, screenshotFolder, type AppPage, type OpenAppOptions } from './app-harness.js';

const KiB = 1024;
/** The quiet zone the component draws around the modules (4, as the QR specification asks). */
const QUIET_ZONE = 4;

/** What the page's QR code shows: its module matrix, read back from the SVG path, and its size on screen. */
async function renderedQr(
  page: Page,
): Promise<{ size: number; modules: Uint8Array; width: number; box: { x: number; y: number; width: number; height: number } }> {
  const svg = page.getByRole('img', { name: 'QR code for the share link' });
  await svg.waitFor();
  const { viewBox, d } = await svg.evaluate((el) => ({ viewBox: el.getAttribute('viewBox') ?? '', d: el.querySelector('path')?.getAttribute('d') ?? '' }));
  const side = Number(viewBox.split(' ')[2]);
  const size = side - 2 * QUIET_ZONE;
  const modules = new Uint8Array(size * size);
  const runs = [...d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)];
  expect(runs.map((r) => r[0]).join('')).toBe(d);
  for (const [, x, y, n] of runs) {
    for (let i = 0; i < Number(n); i++) modules[(Number(y) - QUIET_ZONE) * size + Number(x) - QUIET_ZONE + i] = 1;
  }
  const box = (await svg.boundingBox())!;
  return { size, modules, width: box.width, box };
}

/** qrcode-generator's own encoding of `text` (ASCII, byte mode, level M), as the scanner must read it. */
function expectedQr(text: string): { size: number; modules: Uint8Array } {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const size = qr.getModuleCount();
  const modules = new Uint8Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) modules[r * size + c] = qr.isDark(r, c) ? 1 : 0;
  return { size, modules };
}

describe('sharing and receiving in Chromium', () => {
  const bed = appTestBed();
  const contexts: BrowserContext[] = [];
  const openApp = (options: OpenAppOptions = {}): Promise<AppPage> => openAppPage(bed.browser, bed.app.url, contexts, options);

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  it('a default share of one file is the app address plus 28 characters, its QR code encodes exactly that link and is large enough to scan (desktop and 360 px), and the link downloads', async () => {
    const seeder = await openApp();
    const data = makeData(200 * KiB + 17, 21);
    await seeder.page
      .locator('ts-add-panel input#files')
      .setInputFiles([{ name: 'a rather long file name for a holiday video.bin', mimeType: 'application/octet-stream', buffer: data }]);
    const field = seeder.page.getByRole('textbox', { name: 'Share link', exact: true });
    await field.waitFor({ timeout: 30_000 });
    const link = await field.inputValue();
    // No name, no tracker (the app's default one): the address, '#', and the hash in base64url.
    expect(link.length).toBeLessThanOrEqual(bed.app.url.length + 40);
    expect(link).toBe(`${bed.app.url}#${Buffer.from(infoHashOf(link), 'hex').toString('base64url')}`);
    // The magnet link beside it keeps the name and the tracker, for other apps.
    const magnet = await seeder.page.getByRole('textbox', { name: /^Magnet link/ }).inputValue();
    expect(magnet).toContain('&dn=a%20rather%20long');
    expect(magnet).toContain(`&tr=${encodeURIComponent(bed.tracker.url)}`);

    // The QR code shows exactly the link: the modules drawn are qrcode-generator's encoding of it.
    const expected = expectedQr(link);
    const desktop = await renderedQr(seeder.page);
    expect(desktop.size).toBe(expected.size);
    expect(Buffer.from(desktop.modules).equals(Buffer.from(expected.modules))).toBe(true);
    // A small code (version 4 or less: at most 33 modules a side), drawn at ≥ 5 px a module.
    expect(desktop.size).toBeLessThanOrEqual(33);
    expect(desktop.width / (desktop.size + 2 * QUIET_ZONE)).toBeGreaterThanOrEqual(5);
    // The copy button sits beside the code, and copies the link.
    const copy = seeder.page.getByRole('button', { name: 'Copy share link' });
    const button = (await copy.boundingBox())!;
    expect(button.x).toBeGreaterThanOrEqual(desktop.box.x + desktop.box.width);
    expect(button.y).toBeLessThan(desktop.box.y + desktop.box.height);
    await seeder.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bed.app.url).origin });
    await copy.click();
    expect(await seeder.page.evaluate(() => navigator.clipboard.readText())).toBe(link);

    // At phone width: still beside each other, at ≥ 4 px a module, and no horizontal scrolling.
    await seeder.page.setViewportSize({ width: 360, height: 740 });
    await seeder.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const phone = await renderedQr(seeder.page);
    expect(phone.width / (phone.size + 2 * QUIET_ZONE)).toBeGreaterThanOrEqual(4);
    expect((await copy.boundingBox())!.x).toBeGreaterThanOrEqual(phone.box.x + phone.box.width);
    expect(await seeder.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // The short link downloads the file: the tracker comes from the receiving app's defaults.
    const receiver = await openApp({ hash: link.slice(bed.app.url.length) });
    await expect.poll(() => progressOf(receiver.page, 'a rather long file name for a holiday video.bin'), { timeout: 30_000 }).toBe(100);
    expect(receiver.page.url()).toBe(bed.app.url);
    // The receiver's Share section starts closed: its QR code is made only once it shows (encoding
    // costs tens of ms while the page starts its download), and then it is the same code.
    const receiverQr = receiver.page.locator('ts-qr-code');
    expect(await receiverQr.evaluate((el) => el.shadowRoot?.querySelector('svg') ?? null)).toBeNull();
    await receiver.page.locator('ts-torrent-card summary', { hasText: 'Share' }).click();
    const shown = await renderedQr(receiver.page);
    expect(Buffer.from(shown.modules).equals(Buffer.from(expected.modules))).toBe(true);
    expect(seeder.errors).toEqual([]);
    expect(receiver.errors).toEqual([]);
    console.log(
      `short share link: ${link.length} characters (app address ${bed.app.url.length}); QR ${desktop.size} modules a side, ${desktop.width.toFixed(0)} px on a 1280 px page, ${phone.width.toFixed(0)} px at 360 px`,
    );
  }, 90_000);

  it('a share link cut short says so, and the app keeps working', async () => {
    const hash = Buffer.from('ab'.repeat(20), 'hex').toString('base64url');
    const { page, errors } = await openApp({ hash: `#${hash.slice(0, 19)}` });
    await page.getByText('This link does not work', { exact: true }).waitFor();
    await page.getByText(/info hash has 19 characters where 27 are expected .*cut short/).waitFor();
    // The same link whole is added (nobody seeds it: it waits for peers).
    await page.evaluate((h) => (location.hash = h), hash);
    await page.getByRole('heading', { name: 'ab'.repeat(20) }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
  /** A card in `page` by its torrent's name. */
  const card = (page: Page, name: string) => page.locator('ts-torrent-card', { has: page.getByRole('heading', { name, exact: true }) });

  it('a receiver sees at once, without a click: Play for a single video (which plays), a single image shown, and the list of several files open', async () => {
    const seeder = await openApp();
    const video = Buffer.from(await recordWebm(seeder.page, 3));
    const png = Buffer.from(
      await seeder.page.evaluate(async () => {
        const canvas = document.createElement('canvas');
        canvas.width = 96;
        canvas.height = 64;
        const g = canvas.getContext('2d')!;
        g.fillStyle = '#c33';
        g.fillRect(0, 0, 96, 64);
        const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
        return [...new Uint8Array(await blob.arrayBuffer())];
      }),
    );
    const shares: [string, { name: string; mimeType: string; buffer: Buffer }[]][] = [
      ['clip.webm', [{ name: 'clip.webm', mimeType: 'video/webm', buffer: video }]],
      ['red.png', [{ name: 'red.png', mimeType: 'image/png', buffer: png }]],
      [
        'a.txt',
        [
          { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') },
          { name: 'b.bin', mimeType: 'application/octet-stream', buffer: makeData(40 * KiB, 3) },
        ],
      ],
    ];
    const links: string[] = [];
    for (const [name, files] of shares) {
      await seeder.page.locator('ts-add-panel input#files').setInputFiles(files);
      const field = card(seeder.page, name).getByRole('textbox', { name: 'Share link', exact: true });
      await field.waitFor({ timeout: 30_000 });
      links.push(await field.inputValue());
    }
    // The sharer's own card of the video offers Play too, with its share section open and nothing else.
    await card(seeder.page, 'clip.webm').getByRole('button', { name: 'Play clip.webm' }).waitFor();

    const receiver = await openApp({ serviceWorker: true, hash: links[0]!.slice(bed.app.url.length) });
    const { page } = receiver;
    for (const link of links.slice(1)) {
      await page.waitForURL(bed.app.url); // the previous link was taken
      await page.evaluate((h) => (location.hash = h), link.slice(bed.app.url.length));
    }
    // The video: Play in the card, its file list closed; Play starts the player at once.
    const play = card(page, 'clip.webm').getByRole('button', { name: 'Play clip.webm' });
    await play.waitFor({ timeout: 30_000 });
    expect(await play.isEnabled()).toBe(true);
    for (const [name] of shares) await expect.poll(() => progressOf(page, name), { timeout: 30_000 }).toBe(100);
    expect(
      await card(page, 'clip.webm')
        .locator('details', { has: page.locator('summary', { hasText: /^Files/ }) })
        .getAttribute('open'),
    ).toBeNull();
    // Opened from a link: its player is made ahead, out of sight and paused, and has its first frame
    // before Play; the sharer's own card loads nothing ahead.
    const ahead = card(page, 'clip.webm').locator('ts-file-preview[held]');
    await expect.poll(() => ahead.evaluate((el) => el.shadowRoot?.querySelector('video')?.readyState ?? -1), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    // Out of sight (a 1 px clipped box) and out of the accessibility tree: no Close for it yet.
    expect(await ahead.evaluate((el) => el.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
    expect(await card(page, 'clip.webm').getByRole('button', { name: 'Close clip.webm' }).count()).toBe(0);
    expect(await ahead.evaluate((el) => el.shadowRoot!.querySelector('video')!.paused)).toBe(true);
    await ahead.evaluate((el) => (el.shadowRoot!.querySelector('video')!.dataset.loadedAhead = 'yes'));
    expect(await card(seeder.page, 'clip.webm').locator('ts-file-preview').count()).toBe(0);
    await play.click();
    // Play shows that same player and starts it.
    const player = card(page, 'clip.webm').locator('ts-file-preview video');
    await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.2);
    expect(await player.evaluate((v) => v.getBoundingClientRect().width)).toBeGreaterThan(100);
    await card(page, 'clip.webm').getByRole('button', { name: 'Close clip.webm' }).waitFor();
    expect(await player.getAttribute('data-loaded-ahead')).toBe('yes');
    // The image: shown in its card, decoded.
    const image = card(page, 'red.png').getByRole('img', { name: 'red.png' });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 15_000 }).toBe(96);
    // Several files: the list is open.
    await card(page, 'a.txt').getByRole('checkbox', { name: 'Download b.bin' }).waitFor();
    expect(receiver.errors).toEqual([]);
    expect(seeder.errors).toEqual([]);
  }, 120_000);
  it('screenshots at 360×740: the sharer’s share section with its QR code, and the receiver of one video as it first sees it', async () => {
    const folder = screenshotFolder();
    const phone = { width: 360, height: 740 };
    const seeder = await openApp({ viewport: phone });
    const video = Buffer.from(await recordWebm(seeder.page, 4));
    await seeder.page.locator('ts-add-panel input#files').setInputFiles([{ name: 'birthday.webm', mimeType: 'video/webm', buffer: video }]);
    const field = seeder.page.getByRole('textbox', { name: 'Share link', exact: true });
    await field.waitFor({ timeout: 30_000 });
    const link = await field.inputValue();
    await seeder.page.locator('ts-torrent-card summary', { hasText: 'Share' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await seeder.page.screenshot({ path: join(folder, 'mobile-share.png') });

    const receiver = await openApp({ viewport: phone, serviceWorker: true, hash: link.slice(bed.app.url.length) });
    // On a phone the card starts below the add panels: the page brings it into view, Play on screen.
    const play = receiver.page.getByRole('button', { name: 'Play birthday.webm' });
    await play.waitFor({ timeout: 30_000 });
    const box = (await play.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(phone.height);
    await expect.poll(() => progressOf(receiver.page, 'birthday.webm'), { timeout: 30_000 }).toBe(100);
    await receiver.page.waitForTimeout(1200); // a refresh after completion: no download speed left
    for (const scheme of ['light', 'dark'] as const) {
      await receiver.page.emulateMedia({ colorScheme: scheme });
      await receiver.page.screenshot({ path: join(folder, `mobile-receiver-${scheme}.png`) });
    }
    expect(await receiver.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(seeder.errors).toEqual([]);
    expect(receiver.errors).toEqual([]);
  }, 90_000);
});
