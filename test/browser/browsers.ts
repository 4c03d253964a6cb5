/**
 * The browsers of the test bed, behind one small interface for library-level pages: the system
 * Chromium driven by playwright-core (harness.ts) and the system Firefox (Debian's firefox-esr)
 * driven over WebDriver BiDi by puppeteer-core. Neither is ever downloaded.
 *
 * A suite says which browsers it runs in with {@link browsersFor}, e.g.
 * `describe.each(browsersFor('chromium', 'firefox'))('in %s', (name) => …)`; `TABSWARM_BROWSERS`
 * (`chromium`, `firefox` or both, comma-separated) narrows every suite to those browsers.
 *
 * As with Playwright, code given to `evaluate` must not use `import()` nor refer to what the test
 * file imports (Vitest rewrites both): see page-harness.ts.
 */
import puppeteer, { type Browser as PuppeteerBrowser, type BrowserContext as PuppeteerContext, type Page as PuppeteerPage } from 'puppeteer-core';
import type { Browser as PlaywrightBrowser, BrowserContext as PlaywrightContext, Page as PlaywrightPage } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { findFirefox } from '../../scripts/firefox.mjs';
import { launchChromium } from './harness.js';

export type BrowserName = 'chromium' | 'firefox';
export const BROWSERS: readonly BrowserName[] = ['chromium', 'firefox'];

/** The browsers `TABSWARM_BROWSERS` allows (all by default). */
export function enabledBrowsers(): BrowserName[] {
  const wanted = (process.env.TABSWARM_BROWSERS ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return BROWSERS.filter((b) => wanted.length === 0 || wanted.includes(b));
}

/** Of `names` (every browser when none is given), those enabled: for `describe.each`. */
export function browsersFor(...names: BrowserName[]): BrowserName[] {
  const enabled = enabledBrowsers();
  return (names.length > 0 ? names : BROWSERS).filter((b) => enabled.includes(b));
}

/** Whether every one of `names` is enabled: for `describe.runIf` of a suite that needs them all. */
export function browsersEnabled(...names: BrowserName[]): boolean {
  const enabled = enabledBrowsers();
  return names.every((b) => enabled.includes(b));
}

/**
 * Firefox prefs of the test bed. Host candidates carry the real address (not an mDNS name, which
 * nothing resolves inside the private network namespace), and nothing the browser would fetch by
 * itself (captive portal checks, connectivity checks, remote settings) is attempted; puppeteer's
 * own automation profile already turns off updates, telemetry and safe browsing.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'media.autoplay.default': 0,
};

/**
 * The system Firefox with the test bed's prefs, and `prefs`. `downloads`: a folder where every
 * download is saved without asking (the browser-wide prefs for it are set).
 */
export async function launchFirefox(options: { prefs?: Record<string, unknown>; downloads?: string } = {}): Promise<PuppeteerBrowser> {
  const executablePath = findFirefox();
  if (!executablePath) throw new Error('Firefox not found: run `npm test` (it installs firefox-esr) or set FIREFOX_PATH');
  const downloads = options.downloads
    ? {
        'browser.download.dir': options.downloads,
        'browser.download.folderList': 2,
        'browser.download.useDownloadDir': true,
        'browser.download.always_ask_before_handling_new_types': false,
        'browser.download.manager.showWhenStarting': false,
        'browser.download.alwaysOpenPanel': false,
        'browser.download.start_downloads_in_tmp_dir': false,
      }
    : {};
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...downloads, ...options.prefs },
  });
}

/** A page of a test: the same few operations in either browser. */
export interface TestPage {
  readonly browserName: BrowserName;
  /** Uncaught exceptions and console errors of the page, oldest first. */
  readonly errors: string[];
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Evaluates an expression (a string: nothing of the test file's compiled code goes in). */
  evaluate<R>(expression: string | (() => R | Promise<R>)): Promise<R>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Waits until `fn(arg)` is truthy in the page, polling, or fails after `timeoutMs`. */
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  /**
   * Chromium only: starts the V8 CPU profiler of the page; the function it resolves to stops it and
   * gives the profile (a `.cpuprofile` as DevTools reads it). The bench's `BENCH_PROFILE` uses it.
   */
  cpuProfile?(): Promise<() => Promise<unknown>>;
}

/** A browser context of a test: its own storage (IndexedDB, service workers, cookies). */
export interface TestContext {
  readonly browserName: BrowserName;
  /** Runs in every page opened after this, before the page's own scripts. */
  addInitScript(script: { content: string } | { path: string }): Promise<void>;
  newPage(): Promise<TestPage>;
  close(): Promise<void>;
}

export interface TestBrowser {
  readonly name: BrowserName;
  newContext(): Promise<TestContext>;
  close(): Promise<void>;
}

/** Launches `name` with the test bed's flags or prefs. */
export async function launchBrowser(name: BrowserName): Promise<TestBrowser> {
  return name === 'chromium' ? chromiumBrowser(await launchChromium()) : firefoxBrowser(await launchFirefox());
}

/** A Chromium launched elsewhere (its owner closes it), as a TestBrowser. */
export function chromiumBrowser(browser: PlaywrightBrowser): TestBrowser {
  return {
    name: 'chromium',
    newContext: async () => chromiumContext(await browser.newContext()),
    close: () => browser.close(),
  };
}

function chromiumContext(context: PlaywrightContext): TestContext {
  return {
    browserName: 'chromium',
    addInitScript: async (script) => {
      await context.addInitScript(script);
    },
    newPage: async () => chromiumPage(await context.newPage()),
    close: () => context.close(),
  };
}

function chromiumPage(page: PlaywrightPage): TestPage {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return {
    browserName: 'chromium',
    errors,
    goto: async (url) => {
      await page.goto(url);
    },
    reload: async () => {
      await page.reload();
    },
    evaluate: (fn: string | ((arg: unknown) => unknown), arg?: unknown) => page.evaluate(fn, arg),
    waitForFunction: async (fn, arg, timeoutMs = 30_000) => {
      await page.waitForFunction(fn as (arg: unknown) => unknown, arg, { timeout: timeoutMs, polling: 100 });
    },
    close: () => page.close(),
    cpuProfile: async () => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      return async () => {
        const { profile } = await cdp.send('Profiler.stop');
        await cdp.detach().catch(() => undefined);
        return profile;
      };
    },
  };
}

/** A Firefox launched elsewhere (its owner closes it), as a TestBrowser. */
export function firefoxBrowser(browser: PuppeteerBrowser): TestBrowser {
  return {
    name: 'firefox',
    newContext: async () => {
      const context = await browser.createBrowserContext();
      const scripts: string[] = [];
      return {
        browserName: 'firefox',
        addInitScript: async (script) => {
          scripts.push('content' in script ? script.content : readFileSync(script.path, 'utf8'));
        },
        newPage: async () => {
          const page = await newFirefoxPage(context);
          for (const s of scripts) await page.evaluateOnNewDocument(s);
          return firefoxPage(page);
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/**
 * A page of `context` in a window of its own. Firefox runs the timers of a background tab at most
 * once a second (`dom.min_background_timeout_value`), and every tab but the last one opened in a
 * window is in the background: a seeding page in a tab answered a new peer a second or two late.
 * In their own windows all pages are visible, as each Chromium context's page is.
 */
export function newFirefoxPage(context: PuppeteerContext): Promise<PuppeteerPage> {
  return context.newPage({ type: 'window' });
}

/** A puppeteer page of Firefox as a TestPage (errors collected from now on). */
export function firefoxPage(page: PuppeteerPage): TestPage {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e instanceof Error ? (e.stack ?? e.message) : String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return {
    browserName: 'firefox',
    errors,
    goto: async (url) => {
      await page.goto(url);
    },
    reload: async () => {
      await page.reload();
    },
    evaluate: (fn: string | ((arg: unknown) => unknown), ...args: unknown[]) => (typeof fn === 'string' ? page.evaluate(fn) : page.evaluate(fn, ...args)),
    waitForFunction: async (fn, arg, timeoutMs = 30_000) => {
      await page.waitForFunction(fn as (arg: unknown) => unknown, { timeout: timeoutMs, polling: 100 }, arg);
    },
    close: () => page.close(),
  };
}
