/**
 * The built app in real Chromium, for the app's browser tests: a test bed (a tracker, Chromium and the
 * built app announcing to that tracker) for a describe block, and the app in a fresh context, where
 * saving uses the download fallback (no file picker in a headless test), settings can be put in
 * localStorage before the app starts, and the page's errors are collected.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureBytes } from '../fixtures/greeting.js';
import { launchChromium, serveApp } from './harness.js';
import { startTracker, type TrackerServer } from './lib-harness.js';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page. */
  errors: string[];
}

export interface OpenAppOptions {
  /** Put in localStorage as the app's settings before it starts. */
  settings?: object;
  /** A script run in the page before the app's own. */
  init?: string;
  viewport?: { width: number; height: number };
  /** Appended to the app's URL (a share link's `#…`). */
  hash?: string;
  /** Wait until the service worker controls the page (it takes control on the first visit). */
  serviceWorker?: boolean;
}

/** Opens the app at `url` in a new context of `browser`, added to `contexts` (closed by the caller). */
export async function openAppPage(browser: Browser, url: string, contexts: BrowserContext[], options: OpenAppOptions = {}): Promise<AppPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, acceptDownloads: true });
  contexts.push(context);
  await context.addInitScript({ content: 'Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true });' });
  if (options.settings) {
    await context.addInitScript({ content: `localStorage.setItem('tabswarm-settings', ${JSON.stringify(JSON.stringify(options.settings))});` });
  }
  if (options.init) await context.addInitScript({ content: options.init });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url + (options.hash ?? ''));
  await page.locator('tabswarm-app h1').waitFor();
  if (options.serviceWorker) {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
  }
  return { context, page, errors };
}

/**
 * Where screenshots go: docs/screenshots/ (shown in the README) when UPDATE_SCREENSHOTS=1, otherwise a
 * temporary folder, so that a test run leaves the tree as it found it.
 */
export function screenshotFolder(): string {
  const folder =
    process.env.UPDATE_SCREENSHOTS === '1'
      ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
      : mkdtempSync(join(tmpdir(), 'tabswarm-screenshots-')) + '/';
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** The serious and critical axe-core violations on the page, one line each (none is the goal). */
export async function runAxe(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context?: unknown,
            options?: unknown,
          ): Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }>;
        };
      }
    ).axe;
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

/** A torrent's progress in percent, from its progress bar. */
export async function progressOf(page: Page, name: string): Promise<number> {
  return Number(await page.getByRole('progressbar', { name: `Progress of ${name}` }).getAttribute('aria-valuenow'));
}

/** Deterministic bytes (xorshift), different for each seed. */
export const makeData = (size: number, seed: number): Buffer => Buffer.from(fixtureBytes(size, seed));

/** The info hash (lowercase hex) in a share link (short or long) or a magnet link. */
export function infoHashOf(link: string): string {
  const short = /#([A-Za-z0-9_-]{27})(?:&|$)/.exec(link);
  if (short) return Buffer.from(short[1]!, 'base64url').toString('hex');
  const m = /xt=urn:btih:([0-9a-f]{40})/i.exec(decodeURIComponent(link));
  if (!m) throw new Error(`no info hash in ${link}`);
  return m[1]!.toLowerCase();
}

export interface AppTestBed {
  readonly browser: Browser;
  readonly app: { url: string; close(): Promise<void> };
  readonly tracker: TrackerServer;
}

/** Starts a tracker, Chromium and the built app before the tests of the calling describe block, and stops them after. */
export function appTestBed(): AppTestBed {
  const bed = {} as { browser: Browser; app: AppTestBed['app']; tracker: TrackerServer };
  beforeAll(async () => {
    bed.tracker = await startTracker();
    [bed.browser, bed.app] = await Promise.all([launchChromium(), serveApp({ announce: [bed.tracker.url] })]);
  }, 120_000);
  afterAll(async () => {
    await bed.browser?.close();
    await bed.app?.close();
    await bed.tracker?.close();
  });
  return bed;
}
