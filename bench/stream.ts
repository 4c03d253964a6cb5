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
import { median } from './stats.js';

const MiB = 1024 * 1024;

export interface StreamResult {
  fileMiB: number;
  videoSeconds: number;
  /** Medians over the rounds: the first frame and the Play button pressed (ms after opening the link), the seek. */
  firstFrameMs?: number;
  playClickedMs?: number;
  seekMs?: number;
  /** Medians of each phase of the first frame and of the seek (see START_PHASES, SEEK_PHASES). */
  start?: Partial<Record<StartPhase, number>>;
  seek?: Partial<Record<SeekPhase, number>>;
  rounds: Round[];
  /** The first round's leecher: the whole file downloaded (s, from opening the link). */
  downloadSeconds?: number;
  /** Peak of V8's used heap in the playing page (MiB). */
  peakHeapMiB?: number;
  /** Peak of the used heap plus array-buffer backing stores (MiB), garbage not yet collected included. */
  peakHeapWithBuffersMiB?: number;
  /** The same, sampled right after a forced garbage collection: what the page holds (MiB). */
  peakRetainedMiB?: number;
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
  globalThis.benchPieces = [];
  (function watch() {
    const t = document.querySelector('tabswarm-app')?.app?.client?.torrents?.[0];
    if (t) t.addEventListener('progress', (e) => benchPieces.push([Math.round(performance.now()), e.detail.piece]));
    else setTimeout(watch, 5);
  })();
`;
declare const benchVideo: () => HTMLVideoElement | null;
const NAME = 'film.webm';

async function progressOf(page: Page): Promise<number> {
  return Number(await page.getByRole('progressbar', { name: `Progress of ${NAME}` }).getAttribute('aria-valuenow'));
}

/**
 * Samples the page's heap until stopped; returns the peaks in bytes. Every 250 ms: the heap as it
 * is (garbage not yet collected included); every second, also after a forced garbage collection:
 * what the page really holds.
 */
function sampleHeap(cdp: CDPSession): { stop(): Promise<{ used: number; withBuffers: number; retained: number }> } {
  let used = 0;
  let withBuffers = 0;
  let retained = 0;
  let running = true;
  const usage = async () => {
    const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
    return { used: h.usedSize, withBuffers: h.usedSize + (h.backingStorageSize ?? 0) };
  };
  const loop = (async () => {
    for (let n = 0; running; n++) {
      try {
        const h = await usage();
        used = Math.max(used, h.used);
        withBuffers = Math.max(withBuffers, h.withBuffers);
        if (n % 4 === 0) {
          await cdp.send('HeapProfiler.collectGarbage');
          retained = Math.max(retained, (await usage()).withBuffers);
        }
      } catch {
        // the page is going away
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { used, withBuffers, retained };
    },
  };
}

interface Round {
  firstFrameMs: number;
  playClickedMs: number;
  progressAtFirstFrame: number;
  seekMs: number;
  progressAtSeek: number;
  /** Where the first frame's time went: ms from opening the link to each moment (see START_PHASES). */
  start: Partial<Record<StartPhase, number>>;
  /** And the seek's: ms from setting currentTime to the worker's request reaching the page, its first bytes sent, playing. */
  seek: Partial<Record<SeekPhase, number>>;
}

/**
 * The first frame's timeline, in the order a share link opened in a fresh context meets them: the
 * app's controller started, the client ready (its saved torrents back), the torrent added, its first
 * announce sent, a tracker relayed the seeder's answer, the data channel open, the metadata, the Play
 * button pressed (as soon as it shows), the worker's range request reaching the page, the first
 * request and block of a piece, the first verified piece, the first bytes sent to the worker, the
 * first frame (the player has it; a player loaded ahead of Play may have it before Play), playing
 * (its time moves); and the service worker controlling the page (in parallel with the rest).
 */
export const START_PHASES = [
  'app-start',
  'sw-ready',
  'client-ready',
  'added',
  'announce',
  'signal',
  'peer',
  'metadata',
  'play',
  'stream-open',
  'request',
  'block',
  'piece',
  'stream-data',
  'frame',
  'playing',
] as const;
export type StartPhase = (typeof START_PHASES)[number];
export const SEEK_PHASES = ['stream-open', 'stream-data', 'playing'] as const;
export type SeekPhase = (typeof SEEK_PHASES)[number];

/** Medians over the rounds of each phase of `pick`. */
export function phaseMedians<P extends string>(
  rounds: readonly Round[],
  phases: readonly P[],
  pick: (r: Round) => Partial<Record<P, number>>,
): Partial<Record<P, number>> {
  const out: Partial<Record<P, number>> = {};
  for (const p of phases) {
    const ms = median(rounds.flatMap((r) => (pick(r)[p] === undefined ? [] : [pick(r)[p]!])));
    if (ms !== undefined) out[p] = ms;
  }
  return out;
}

/** The page's `tabswarm:` marks (src/client/moments.ts) at or after `from` (performance.now() ms), the first of each. */
function pageMarks(page: Page, from = 0): Promise<Record<string, number>> {
  return page.evaluate((from) => {
    const out: Record<string, number> = {};
    for (const m of performance.getEntriesByType('mark')) {
      const name = m.name.replace(/^tabswarm:/, '');
      if (name !== m.name && m.startTime >= from && out[name] === undefined) out[name] = m.startTime;
    }
    return out;
  }, from);
}

/** The leecher's torrent timeline (Torrent.timeline), its phases as ms after the page's time origin. */
function torrentPhases(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    interface Reading {
      phases: Record<string, number>;
      start: number;
    }
    // The app's controller (a private field, read here for the benchmark only).
    const app = document.querySelector('tabswarm-app') as unknown as { app?: { client?: { torrents: { timeline: { read(): Reading } }[] } } } | null;
    const reading = app?.app?.client?.torrents[0]?.timeline.read();
    if (!reading) return {};
    const origin = reading.start - performance.timeOrigin;
    return Object.fromEntries(Object.entries(reading.phases).map(([k, v]) => [k, origin + v]));
  });
}

/**
 * `rounds` rounds, each with a fresh seeder context (the file seeded from the app, so initial
 * seeding starts again) and a fresh leecher; the first leecher downloads the whole file while its
 * heap is sampled, the others stop after the seek. Times are medians over the rounds.
 */
export async function streamBench(browser: Browser, tracker: string, fileMiB: number, rounds = 3): Promise<StreamResult> {
  const app = await serveApp({ announce: [tracker] });
  const folder = mkdtempSync(join(tmpdir(), 'tabswarm-bench-'));
  let contexts: BrowserContext[] = [];
  /** A page in a fresh context (nothing loaded yet: no service worker, no storage). */
  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext();
    contexts.push(context);
    await context.addInitScript({ content: PAGE_HELPERS });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    return page;
  };
  const closeAll = async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    contexts = [];
  };
  const result: StreamResult = { fileMiB, videoSeconds: 0, rounds: [] };
  const path = join(folder, NAME);
  try {
    for (let round = 1; round <= rounds; round++) {
      const seeder = await newPage();
      await seeder.goto(app.url);
      await seeder.locator('tabswarm-app h1').waitFor();
      if (round === 1) {
        const film = makeSeekable(loopWebm(await recordWebm(seeder, 12), fileMiB * MiB));
        result.fileMiB = film.bytes.length / MiB;
        result.videoSeconds = film.duration;
        writeFileSync(path, film.bytes);
      }
      await seeder.locator('ts-add-panel input#files').setInputFiles(path);
      const link = await seeder.getByRole('textbox', { name: 'Share link', exact: true }).inputValue({ timeout: 600_000 });
      const page = await newPage();
      const cdp = round === 1 ? await page.context().newCDPSession(page) : undefined;
      const heap = cdp && sampleHeap(cdp);
      const opened = Date.now();
      try {
        // The share link opened in a fresh context: performance.now() counts from here.
        await page.goto(app.url + link.slice(app.url.length));
        result.rounds.push(await playAndSeek(page, result.videoSeconds));
        if (round === 1) {
          await page.waitForFunction(
            () =>
              benchVideo()?.error != null ||
              document
                .querySelector('tabswarm-app')
                ?.shadowRoot?.querySelector('ts-torrent-card')
                ?.shadowRoot?.querySelector('[role=progressbar]')
                ?.getAttribute('aria-valuenow') === '100',
            undefined,
            { timeout: 900_000, polling: 500 },
          );
          result.downloadSeconds = (Date.now() - opened) / 1000;
          const error = await page.evaluate(() => benchVideo()?.error?.message ?? null);
          if (error) throw new Error(`the player failed: ${error}`);
        }
      } finally {
        if (heap) {
          const peaks = await heap.stop();
          result.peakHeapMiB = peaks.used / MiB;
          result.peakHeapWithBuffersMiB = peaks.withBuffers / MiB;
          result.peakRetainedMiB = peaks.retained / MiB;
        }
        await closeAll();
      }
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
  } finally {
    await closeAll();
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
  result.firstFrameMs = median(result.rounds.map((r) => r.firstFrameMs));
  result.playClickedMs = median(result.rounds.map((r) => r.playClickedMs));
  result.seekMs = median(result.rounds.map((r) => r.seekMs));
  result.start = phaseMedians(result.rounds, START_PHASES, (r) => r.start);
  result.seek = phaseMedians(result.rounds, SEEK_PHASES, (r) => r.seek);
  return result;
}

/** In a page that opened a share link: Play as soon as it shows, the first frame, then a seek to 3/4. */
async function playAndSeek(page: Page, duration: number): Promise<Round> {
  // Pressed from inside the page the moment it shows (a Playwright click adds its own checks, a few
  // hundred ms, to what is measured).
  // BENCH_PLAY_DELAY_MS: pressed that long after it shows, as a person would (the default presses at once).
  const pressed = await page.waitForFunction(
    (delay) => {
      // A torrent of one video offers Play in its card (src/app/state/first-screen.ts).
      const card = document.querySelector('tabswarm-app')?.shadowRoot?.querySelector('ts-torrent-card')?.shadowRoot;
      const play = [...(card?.querySelectorAll<HTMLButtonElement>('.actions button') ?? [])].find((b) => b.textContent?.includes('Play'));
      if (!play) return false;
      const w = globalThis as unknown as { benchPlayShown?: number };
      w.benchPlayShown ??= performance.now();
      if (performance.now() < w.benchPlayShown + delay) return false;
      play.click();
      return performance.now();
    },
    Number(process.env.BENCH_PLAY_DELAY_MS ?? 0),
    { polling: 'raf', timeout: 60_000 },
  );
  const playClickedMs = (await pressed.jsonValue()) as number;
  const frame = await page.waitForFunction(
    () => {
      const v = benchVideo();
      return v && v.readyState >= 2 ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const frameMs = (await frame.jsonValue()) as number;
  // A player loaded ahead may hold its first frame before Play: it shows with the press, not sooner.
  const firstFrameMs = Math.max(frameMs, playClickedMs);
  const progressAtFirstFrame = await progressOf(page);
  const moving = await page.waitForFunction(
    () => {
      const v = benchVideo();
      return v && v.currentTime > 0 && !v.paused ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const playingMs = (await moving.jsonValue()) as number;
  const moments: Record<string, number> = {
    ...(await torrentPhases(page)),
    ...(await pageMarks(page)),
    play: playClickedMs,
    frame: firstFrameMs,
    playing: playingMs,
  };
  if (process.env.BENCH_PIECES)
    console.log('marks', JSON.stringify(Object.fromEntries(Object.entries(await pageMarks(page)).map(([k, v]) => [k, Math.round(v)]))));
  if (process.env.BENCH_PIECES) console.log('first pieces', JSON.stringify(await page.evaluate('benchPieces.slice(0, 12)')));
  const start = Object.fromEntries(START_PHASES.flatMap((p) => (moments[p] === undefined ? [] : [[p, moments[p]]]))) as Round['start'];
  await page.waitForFunction(() => (benchVideo()?.currentTime ?? 0) > 1, undefined, { timeout: 60_000 });
  const progressAtSeek = await progressOf(page);
  const [t0, seekMs] = await page.evaluate(
    (target) =>
      new Promise<[number, number]>((resolve, reject) => {
        const v = benchVideo();
        if (!v) return reject(new Error('no video'));
        const t0 = performance.now();
        v.currentTime = target;
        const check = () => (v.currentTime > target + 0.04 && !v.paused && !v.seeking ? resolve([t0, performance.now() - t0]) : requestAnimationFrame(check));
        requestAnimationFrame(check);
      }),
    duration * 0.75,
  );
  const after = await pageMarks(page, t0);
  if (process.env.BENCH_PIECES) {
    const marks = await page.evaluate(
      (t0) =>
        performance.getEntriesByType('mark').flatMap((m) => (m.startTime >= t0 ? [`${m.name.replace('tabswarm:', '')} ${Math.round(m.startTime - t0)}`] : [])),
      t0,
    );
    console.log('seek marks', marks.join(', '));
  }
  if (process.env.BENCH_PIECES)
    console.log('seek t0', Math.round(t0), JSON.stringify(await page.evaluate(`benchPieces.filter(([t]) => t >= ${t0}).slice(0, 8)`)));
  const seek: Round['seek'] = { playing: seekMs };
  for (const p of ['stream-open', 'stream-data'] as const) if (after[p] !== undefined) seek[p] = after[p] - t0;
  return { firstFrameMs, playClickedMs, progressAtFirstFrame, seekMs, progressAtSeek, start, seek };
}
