/**
 * A torrent of 100,000 small files in the built app, in real Chromium (security review, finding 4: a
 * 20,000-file .torrent froze the page 6–8 s of every 8 s, and again after every reload). Long tasks
 * on the page's main thread are recorded by a PerformanceObserver from the first script on: adding
 * the .torrent, its first render, several 1 s refresh ticks, scrolling through the file list,
 * deselecting a file and restoring it all after a reload must each stay well under a second (the
 * figures are printed: some 50–100 ms on an idle machine; the bound leaves room for a busy one, where
 * other tests share the cores, and still fails the review's multi-second freezes).
 *
 * The .torrent is written by hand (its piece hashes are made up: nothing is downloaded, no peer has
 * it), with 16 KiB pieces, so that its piece map has some 64,000 pieces too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../../src/core/bencode.js';
import { formatBytes } from '../../src/shared/format.js';
import { appTestBed, openAppPage, runAxe } from './app-harness.js';

/** `MANY_FILES=20000` reproduces the review's torrent. */
const FILES = Number(process.env.MANY_FILES ?? 100_000);
const NAME = 'many';
/** The longest main-thread task allowed (the review's finding: 6–8 s; idle machine: 50–100 ms). */
const MAX_TASK_MS = 500;
/** Long enough for several of the app's 1 s refresh ticks. */
const SETTLE_MS = 5_000;

const PIECE_LENGTH = 16 * 1024;

/** File `i`'s path in the list (the torrent name is left out), and its length. */
const pathOf = (i: number): string => `dir-${Math.floor(i / 1000)}/file-${i}.txt`;
const lengthOf = (i: number): number => 10_000 + (i % 1000);

/** The .torrent: FILES files in folders of 1,000, announced to `tracker`. */
function manyFilesTorrent(tracker: string): Uint8Array {
  const files = Array.from({ length: FILES }, (_, i) => ({ length: lengthOf(i), path: pathOf(i).split('/') }));
  const total = files.reduce((n, f) => n + f.length, 0);
  const pieces = new Uint8Array(Math.ceil(total / PIECE_LENGTH) * 20).map((_, i) => (i * 7) & 0xff);
  return encode({ announce: tracker, info: { name: NAME, 'piece length': PIECE_LENGTH, pieces, files } });
}

/** Every long task of the page (50 ms and more), from its first script on. */
const RECORD_LONG_TASKS = `
  globalThis.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) globalThis.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });`;

interface LongTask {
  start: number;
  duration: number;
}

function longTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (globalThis as unknown as { longTasks: LongTask[] }).longTasks);
}

/** The long tasks so far, or undefined when the page does not answer within `ms` (it is frozen). */
async function longTasksWithin(page: Page, ms: number): Promise<LongTask[] | undefined> {
  return Promise.race([longTasks(page), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

function longest(tasks: LongTask[]): number {
  return Math.round(Math.max(0, ...tasks.map((t) => t.duration)));
}

/** Two animation frames: whatever a scroll or a click scheduled has been rendered. */
function frames(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * Scrolls the file list so that the point `fraction` of the way down it is at the top of what its
 * scroll container shows (the list's own scroller, or the page), and returns the index and visible
 * text of each file row fully or partly shown, in order on screen.
 */
async function scrollList(page: Page, fraction: number): Promise<{ index: number; text: string }[]> {
  await page.evaluate((f) => {
    const list = document.querySelector('tabswarm-app')!.shadowRoot!.querySelector('ts-torrent-card')!.shadowRoot!.querySelector('ts-file-list')!;
    const rows = list.shadowRoot!.querySelector('[role=list], ul') as HTMLElement;
    let scroller: HTMLElement | null = rows;
    while (scroller && !(scroller.scrollHeight > scroller.clientHeight && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) {
      scroller = scroller.parentElement;
    }
    if (scroller) {
      scroller.scrollIntoView({ block: 'center' });
      const top = rows.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
      scroller.scrollTop = top + f * (rows.scrollHeight - scroller.clientHeight);
      scroller.dispatchEvent(new Event('scroll'));
    } else {
      const top = rows.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, top + f * (rows.getBoundingClientRect().height - window.innerHeight));
    }
  }, fraction);
  await frames(page);
  await page.waitForTimeout(300);
  await frames(page);
  return page.evaluate(() => {
    const list = document.querySelector('tabswarm-app')!.shadowRoot!.querySelector('ts-torrent-card')!.shadowRoot!.querySelector('ts-file-list')!;
    const root = list.shadowRoot!;
    const rows = root.querySelector('[role=list], ul') as HTMLElement;
    let clip = { top: 0, bottom: window.innerHeight };
    for (let el: HTMLElement | null = rows; el; el = el.parentElement) {
      if (/auto|scroll|hidden/.test(getComputedStyle(el).overflowY)) {
        const r = el.getBoundingClientRect();
        clip = { top: Math.max(clip.top, r.top), bottom: Math.min(clip.bottom, r.bottom) };
      }
    }
    const shown: { index: number; text: string; top: number }[] = [];
    for (const row of root.querySelectorAll('li, [role=listitem]')) {
      const r = row.getBoundingClientRect();
      if (r.height === 0 || r.bottom <= clip.top || r.top >= clip.bottom) continue;
      const label = row.querySelector('input[type=checkbox]')?.closest('label')?.textContent ?? '';
      const m = /file-(\d+)\.txt/.exec(label);
      shown.push({ index: m ? Number(m[1]) : -1, text: (row.textContent ?? '').replace(/\s+/g, ' ').trim(), top: r.top });
    }
    return shown.sort((a, b) => a.top - b.top).map(({ index, text }) => ({ index, text }));
  });
}

/** The rows shown are consecutive files, each with its own path, size and state. */
function expectRows(rows: { index: number; text: string }[], near: number, spread: number): void {
  expect(rows.length, JSON.stringify(rows.slice(0, 3))).toBeGreaterThan(2);
  rows.forEach((row, k) => {
    expect(row.index, row.text).toBe(rows[0]!.index + k);
    expect(row.text).toContain(`Download ${pathOf(row.index)}`);
    expect(row.text).toContain(formatBytes(lengthOf(row.index)));
  });
  expect(Math.abs(rows[0]!.index - near), `first row shown: ${rows[0]!.index}, expected about ${near}`).toBeLessThanOrEqual(spread);
}

describe('a torrent of 100,000 files', () => {
  const bed = appTestBed();
  const contexts: BrowserContext[] = [];
  let folder: string;
  /**
   * The .torrent on disk: chosen by its path, the file reaches the page as a file does when a person
   * picks it (given as bytes, Playwright would decode them in the page, a long task of its own).
   */
  let torrentPath: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tabswarm-many-'));
    torrentPath = join(folder, `${NAME}.torrent`);
    writeFileSync(torrentPath, manyFilesTorrent(bed.tracker.url));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  it('is added, refreshed, scrolled, deselected from and restored after a reload without a main-thread task over 500 ms', async () => {
    const { page, errors } = await openAppPage(bed.browser, bed.app.url, contexts, { init: RECORD_LONG_TASKS });
    const figures: Record<string, number> = {};
    try {
      await exercise(page, figures);
    } finally {
      // Said even when it failed part way: how long the page's tasks were, as far as it answers.
      const tasks = figures.longestTaskAfterReloadMs === undefined ? await longTasksWithin(page, 60_000) : undefined;
      const soFar = figures.longestTaskAfterReloadMs === undefined ? { longestTaskSoFarMs: tasks ? longest(tasks) : 'no answer in 60 s' } : {};
      console.log(`many files (${FILES}): ${JSON.stringify({ ...figures, ...soFar })}`);
    }
    expect(figures.longestTaskMs, 'longest main-thread task after adding').toBeLessThan(MAX_TASK_MS);
    expect(figures.longestTaskAfterReloadMs, 'longest main-thread task after the reload').toBeLessThan(MAX_TASK_MS);
    expect(errors).toEqual([]);
  }, 900_000);

  async function exercise(page: Page, figures: Record<string, number>): Promise<void> {
    // Adding it: parsing the .torrent, the first render of the card and its file list.
    const before = await page.evaluate(() => performance.now());
    const t0 = Date.now();
    await page.locator('ts-add-panel input#torrent-file').setInputFiles(torrentPath);
    await page.getByRole('heading', { name: NAME }).waitFor({ timeout: 120_000 });
    // The list of several files is open from the start.
    await page.locator('ts-torrent-card summary', { hasText: `Files (${FILES})` }).waitFor({ timeout: 120_000 });
    await page.getByRole('checkbox', { name: `Download ${pathOf(0)}` }).waitFor({ timeout: 120_000 });
    figures.addMs = Date.now() - t0;
    await page.waitForTimeout(SETTLE_MS);

    // Scrolling: the middle, the end, the start.
    expectRows(await scrollList(page, 0.5), FILES / 2, FILES / 50);
    const end = await scrollList(page, 1);
    expectRows(end, FILES - end.length, 0);
    expect(end[end.length - 1]!.index).toBe(FILES - 1);
    expectRows(await scrollList(page, 0), 0, 0);

    // By keyboard: Tab goes from row to row, past the rows first rendered, the list following.
    await page.getByRole('checkbox', { name: `Download ${pathOf(0)}` }).focus();
    const reached: number[] = [];
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.closest('label')?.textContent ?? '') : undefined;
      });
      const m = label === undefined ? null : /file-(\d+)\.txt/.exec(label);
      if (m) reached.push(Number(m[1]));
    }
    expect(reached.slice(0, 3)).toEqual([1, 2, 3]);
    expect(
      reached.every((n, k) => n === k + 1),
      JSON.stringify(reached),
    ).toBe(true);
    expect(reached.length).toBeGreaterThanOrEqual(50);

    // Deselecting a file in the middle: its row says so at once, and the others are untouched.
    const middle = await scrollList(page, 0.25);
    const target = middle[1]!.index;
    const box = page.getByRole('checkbox', { name: `Download ${pathOf(target)}` });
    await box.uncheck();
    await expect.poll(async () => (await scrollList(page, 0.25)).find((r) => r.index === target)?.text).toContain('skipped');
    expect(await box.isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: `Download ${pathOf(target + 1)}` }).isChecked()).toBe(true);
    await page.waitForTimeout(2_000);
    const added = (await longTasks(page)).filter((t) => t.start >= before);
    figures.longestTaskMs = longest(added);

    // After a reload the torrent comes back from IndexedDB, with its selection: the same holds.
    await page.reload();
    await page.getByRole('heading', { name: NAME }).waitFor({ timeout: 120_000 });
    await page.getByRole('checkbox', { name: `Download ${pathOf(0)}` }).waitFor({ timeout: 120_000 });
    await page.waitForTimeout(SETTLE_MS);
    expectRows(await scrollList(page, 0.5), FILES / 2, FILES / 50);
    const restoredMiddle = await scrollList(page, 0.25);
    expect(restoredMiddle.find((r) => r.index === target)?.text).toContain('skipped');
    expect(await page.getByRole('checkbox', { name: `Download ${pathOf(target)}` }).isChecked()).toBe(false);
    figures.longestTaskAfterReloadMs = longest(await longTasks(page));

    // Last, as axe-core's own run in the page is a long task: the virtual list is accessible.
    expect(await runAxe(page)).toEqual([]);
  }
});
