/**
 * Streaming through the service worker, in the built app in real Chromium contexts with a real
 * tracker (inside the private network namespace of `npm test`): HTTP Range answers for torrent files
 * while they download, a WebM recorded in the seeding page played (and sought) in another context
 * before its download is complete, and saving streamed to disk by the worker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSeekable, recordWebm } from './webm.js';
import { appTestBed, infoHashOf, makeData, openAppPage, progressOf, type AppPage } from './app-harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Fetched {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The torrent's progress (percent, from its progress bar) when the answer was complete. */
  progress: number;
}

describe('streaming through the service worker', () => {
  const bed = appTestBed();
  let folder: string;
  const contexts: BrowserContext[] = [];

  const openApp = (options: { settings?: object; hash?: string } = {}): Promise<AppPage> =>
    openAppPage(bed.browser, bed.app.url, contexts, { ...options, serviceWorker: true });

  /** Fetches a URL in the page (so through its service worker), with a `Range` header when given. */
  async function fetchIn(page: Page, url: string, range?: string, method = 'GET', torrentName = ''): Promise<Fetched> {
    const r = await page.evaluate(
      async ([url, range, method, name]) => {
        const response = await fetch(url, { method, headers: range ? { Range: range } : {} });
        const bytes = new Uint8Array(await response.arrayBuffer());
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        // The progress bar of the torrent, read when the answer is complete.
        const card = document.querySelector('tabswarm-app')?.shadowRoot?.querySelector('ts-torrent-card');
        const bar = card?.shadowRoot?.querySelector(`[role=progressbar][aria-label="Progress of ${name}"]`);
        return {
          status: response.status,
          headers: Object.fromEntries([...response.headers].map(([k, v]) => [k.toLowerCase(), v])),
          body: btoa(binary),
          progress: Number(bar?.getAttribute('aria-valuenow') ?? NaN),
        };
      },
      [url, range ?? '', method, torrentName] as const,
    );
    return { ...r, body: Buffer.from(r.body, 'base64') };
  }

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tabswarm-stream-'));
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });
  afterAll(async () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('answers Range requests for the files of a torrent while it downloads: 206/200/416/404, exact headers, bytes identical to the source', async () => {
    const name = 'range-set';
    const dir = join(folder, name);
    mkdirSync(dir, { recursive: true });
    // 16 KiB pieces (the default for this size); every file starts and ends inside a piece.
    const files: Record<string, Buffer> = {
      'clip.webm': makeData(300 * KiB + 123, 11),
      'notes.txt': makeData(20 * KiB + 5, 12),
      'zdata.bin': makeData(3 * MiB + 777, 13),
    };
    for (const [file, data] of Object.entries(files)) writeFileSync(join(dir, file), data);
    const seeder = await openApp();
    await seeder.page.locator('ts-add-panel input#folder').setInputFiles(dir);
    const link = await seeder.page.getByRole('textbox', { name: 'Share link', exact: true }).inputValue();
    const infoHash = infoHashOf(link);
    // The leecher downloads at 512 KiB/s: about seven seconds for the whole torrent.
    const { page, errors } = await openApp({ settings: { downloadLimit: 512 * KiB }, hash: link.slice(bed.app.url.length) });
    await page.getByRole('heading', { name }).waitFor({ timeout: 20_000 });
    const base = `${bed.app.url}stream/${infoHash}`;

    // Which file has which index: the worker names them (HEAD, Content-Disposition).
    const indexOf: Record<string, number> = {};
    for (let i = 0; i < 3; i++) {
      const head = await fetchIn(page, `${base}/${i}/x`, undefined, 'HEAD');
      expect(head.status).toBe(200);
      const m = /filename\*=UTF-8''([^;]+)/.exec(head.headers['content-disposition'] ?? '');
      indexOf[decodeURIComponent(m![1]!)] = i;
    }
    expect(Object.keys(indexOf).sort()).toEqual(Object.keys(files).sort());
    const url = (file: string) => `${base}/${indexOf[file]}/${file}`;
    const data = files['zdata.bin']!;
    const size = data.length;

    // The last byte of the big file, asked for at once: it comes long before the download is done.
    const last = await fetchIn(page, url('zdata.bin'), `bytes=${size - 1}-${size - 1}`, 'GET', name);
    expect(last.status).toBe(206);
    expect(last.headers['content-range']).toBe(`bytes ${size - 1}-${size - 1}/${size}`);
    expect(last.headers['content-length']).toBe('1');
    expect(last.body).toEqual(data.subarray(size - 1));
    expect(last.progress).toBeLessThan(60);

    // A middle range across many pieces, also before the download is done.
    const middle = await fetchIn(page, url('zdata.bin'), 'bytes=1000000-1100000', 'GET', name);
    expect(middle.status).toBe(206);
    expect(middle.headers['content-range']).toBe(`bytes 1000000-1100000/${size}`);
    expect(middle.headers['content-length']).toBe('100001');
    expect(middle.headers['accept-ranges']).toBe('bytes');
    expect(middle.headers['content-type']).toBe('application/octet-stream');
    expect(middle.body.equals(data.subarray(1_000_000, 1_100_001))).toBe(true);
    expect(middle.progress).toBeLessThan(100);

    // First byte; open-ended; a suffix; across piece boundaries: of every file (each starts and
    // ends inside a piece it shares with its neighbour).
    for (const [file, bytes] of Object.entries(files)) {
      const n = bytes.length;
      const type = { 'clip.webm': 'video/webm', 'notes.txt': 'text/plain; charset=utf-8', 'zdata.bin': 'application/octet-stream' }[file];
      const first = await fetchIn(page, url(file), 'bytes=0-0');
      expect([first.status, first.headers['content-range'], first.headers['content-type']], file).toEqual([206, `bytes 0-0/${n}`, type]);
      expect(first.body, file).toEqual(bytes.subarray(0, 1));
      const open = await fetchIn(page, url(file), `bytes=${n - 20000}-`);
      expect([open.status, open.headers['content-range'], open.headers['content-length']], file).toEqual([206, `bytes ${n - 20000}-${n - 1}/${n}`, '20000']);
      expect(open.body.equals(bytes.subarray(n - 20000)), file).toBe(true);
      const suffix = await fetchIn(page, url(file), 'bytes=-100');
      expect([suffix.status, suffix.headers['content-range']], file).toEqual([206, `bytes ${n - 100}-${n - 1}/${n}`]);
      expect(suffix.body.equals(bytes.subarray(n - 100)), file).toBe(true);
      const across = await fetchIn(page, url(file), 'bytes=16380-16390');
      expect(across.body.equals(bytes.subarray(16380, 16391)), file).toBe(true);
      // An end past the last byte is clamped to it.
      const clamped = await fetchIn(page, url(file), `bytes=${n - 3}-${n + 1000}`);
      expect([clamped.status, clamped.headers['content-range']], file).toEqual([206, `bytes ${n - 3}-${n - 1}/${n}`]);
      // No Range: 200, the whole file.
      const whole = await fetchIn(page, url(file));
      expect([whole.status, whole.headers['content-length'], whole.headers['accept-ranges']], file).toEqual([200, String(n), 'bytes']);
      expect(whole.headers['content-range'], file).toBeUndefined();
      expect(whole.body.equals(bytes), file).toBe(true);
      // Beyond the end: 416 with the size.
      const beyond = await fetchIn(page, url(file), `bytes=${n}-`);
      expect([beyond.status, beyond.headers['content-range'], beyond.body.length], file).toEqual([416, `bytes */${n}`, 0]);
    }
    // Ranges that cannot be honoured exactly are ignored (the whole file), as HTTP allows.
    const multi = await fetchIn(page, url('notes.txt'), 'bytes=0-1,5-6');
    expect([multi.status, multi.body.length]).toEqual([200, files['notes.txt']!.length]);
    // A file the torrent lacks is a 404 of the worker's. What is no stream of a torrent here (another
    // shape, a torrent no page has) is the server's to answer, as the app's own files are: the same
    // answer as the server gives without the worker.
    expect((await fetchIn(page, `${base}/7/x`)).status).toBe(404);
    for (const other of [`${bed.app.url}stream/${'0'.repeat(40)}/0/x`, `${bed.app.url}stream/nothing`, `${base}/-1/x`, `${bed.app.url}favicon.svg`]) {
      const direct = await fetch(other);
      const through = await fetchIn(page, other);
      expect([through.status, through.body.equals(Buffer.from(await direct.arrayBuffer()))], other).toEqual([direct.status, true]);
    }
    expect((await fetchIn(page, `${bed.app.url}favicon.svg`)).status).toBe(200);
    // Text is never run as a page of this origin.
    const text = await fetchIn(page, url('notes.txt'), 'bytes=0-9');
    expect(text.headers['x-content-type-options']).toBe('nosniff');
    expect(text.headers['content-security-policy']).toMatch(/^sandbox/);
    // The console reports the 404s and 416s asked for above, and nothing else.
    expect(errors.filter((e) => !/status of (404|416)/.test(e))).toEqual([]);
  }, 120_000);

  it('a WebM recorded in the seeding page plays in another context before its download is complete, and a seek to three quarters fetches that part first and plays again', async () => {
    const seeder = await openApp();
    // Recorded here, then given Cues and a duration (MediaRecorder writes neither), see webm.ts.
    const recorded = makeSeekable(await recordWebm(seeder.page, 12));
    const video = Buffer.from(recorded.bytes);
    expect(recorded.cues).toBeGreaterThanOrEqual(10);
    await seeder.page.locator('ts-add-panel input#files').setInputFiles([{ name: 'recording.webm', mimeType: 'video/webm', buffer: video }]);
    const link = await seeder.page.getByRole('textbox', { name: 'Share link', exact: true }).inputValue({ timeout: 30_000 });

    // The leecher downloads at 1 MiB/s (the whole video takes several seconds).
    const { page, errors } = await openApp({ settings: { downloadLimit: 1024 * KiB }, hash: link.slice(bed.app.url.length) });
    const ranges: { range: string; at: number }[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/stream/')) ranges.push({ range: r.headers()['range'] ?? '', at: Date.now() });
    });
    await page.getByRole('heading', { name: 'recording.webm' }).waitFor({ timeout: 20_000 });
    await page.locator('ts-torrent-card summary', { hasText: 'Files' }).click();
    // Watch the player's events from the moment it is created (they do not leave its shadow root).
    await page.evaluate(() => {
      const card = document.querySelector('tabswarm-app')!.shadowRoot!.querySelector('ts-torrent-card')!;
      const media: { events: { type: string; time: number; at: number }[]; video?: HTMLVideoElement } = { events: [] };
      (window as unknown as { media: typeof media }).media = media;
      const watch = async (): Promise<void> => {
        const preview = card.shadowRoot!.querySelector('ts-file-preview');
        if (!preview || media.video) return;
        await preview.updateComplete;
        const v = preview.shadowRoot!.querySelector('video');
        if (!v || media.video) return;
        media.video = v;
        for (const type of ['loadedmetadata', 'playing', 'seeking', 'seeked', 'waiting', 'error']) {
          v.addEventListener(type, () => media.events.push({ type, time: v.currentTime, at: performance.now() }));
        }
        observer.disconnect();
      };
      const observer = new MutationObserver(() => void watch());
      observer.observe(card.shadowRoot!, { childList: true, subtree: true });
    });
    const clicked = Date.now();
    const clickedAt = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Play recording.webm' }).click();
    const state = () =>
      page.evaluate(() => {
        const { media } = window as unknown as { media: { events: { type: string; time: number; at: number }[]; video?: HTMLVideoElement } };
        const v = media.video;
        return {
          events: media.events.map((e) => e.type),
          log: media.events.map((e) => `${e.type}@${Math.round(e.at)}(${e.time.toFixed(1)})`),
          time: v?.currentTime ?? 0,
          paused: v?.paused ?? true,
          error: v?.error?.message ?? null,
        };
      });

    // It plays, and its time advances, while the file is still downloading.
    await expect.poll(async () => (await state()).time, { timeout: 20_000 }).toBeGreaterThan(1);
    const playingAt = Date.now();
    const early = await state();
    expect(early.events).toContain('playing');
    expect(early.error).toBeNull();
    const progressWhilePlaying = await progressOf(page, 'recording.webm');
    expect(progressWhilePlaying).toBeLessThan(100);

    // Seek to three quarters: the player asks for the bytes there (its cluster, from the Cues), and
    // those are fetched before the rest.
    const target = recorded.duration * 0.75;
    const seekAt = Date.now();
    await page.evaluate((t) => ((window as unknown as { media: { video: HTMLVideoElement } }).media.video.currentTime = t), target);
    await expect.poll(async () => (await state()).time, { timeout: 20_000 }).toBeGreaterThan(target + 0.5);
    const playingAgainAt = Date.now();
    const after = await state();
    expect(after.events).toEqual(expect.arrayContaining(['seeking', 'seeked']));
    expect(after.events.lastIndexOf('playing')).toBeGreaterThan(after.events.indexOf('seeked'));
    expect(after.error).toBeNull();
    const progressAfterSeek = await progressOf(page, 'recording.webm');
    expect(progressAfterSeek).toBeLessThan(100);
    const seekRange = ranges.find((r) => r.at >= seekAt && /^bytes=(\d+)-/.test(r.range) && Number(/^bytes=(\d+)-/.exec(r.range)![1]) > video.length / 2);
    expect(seekRange, JSON.stringify(ranges)).toBeDefined();
    console.log(
      `video ${(video.length / MiB).toFixed(1)} MiB, ${recorded.duration.toFixed(1)} s: playing ${playingAt - clicked} ms after the click (progress ${progressWhilePlaying} %), ` +
        `playing again ${playingAgainAt - seekAt} ms after seeking to ${target.toFixed(1)} s (progress ${progressAfterSeek} %); requests: ${ranges.map((r) => r.range).join(', ')}; events (ms after the click): ${after.log.map((l) => l.replace(/@(\d+)/, (_, at: string) => `@${Number(at) - Math.round(clickedAt)}`)).join(' ')}`,
    );
    expect(errors).toEqual([]);
  }, 120_000);
});
