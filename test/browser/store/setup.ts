/**
 * Shared set-up of the store's browser tests: one Chromium and one Vite dev server per test file,
 * and a fresh browser context (fresh, empty storage) per page.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../harness.js';
import { openHarnessPage, startDevServer } from '../page-harness.js';

export type IdbModule = typeof import('../../../src/store/idb-store.js');
export type RecordsModule = typeof import('../../../src/store/torrent-records.js');
export type OpenModule = typeof import('../../../src/store/open.js');
export type PersistModule = typeof import('../../../src/store/persist.js');
export type UtilsModule = typeof import('./page-utils.js');
export type { HarnessGlobals } from '../page-harness.js';

export interface StorePages {
  /** The dev server's origin, e.g. http://127.0.0.1:41234. */
  url(): string;
  /** A page on the blank harness page, in a new context, after `initScripts` are installed. */
  open(initScripts?: string[]): Promise<{ page: Page; context: BrowserContext }>;
}

/** Registers beforeAll/afterAll hooks for the file's browser and server. */
export function useStorePages(): StorePages {
  let browser: Browser | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), startDevServer()]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await server?.close();
  });
  return {
    url() {
      if (!server) throw new Error('the dev server is not running');
      return server.url;
    },
    async open(initScripts = []) {
      if (!browser || !server) throw new Error('the browser is not running');
      const context = await browser.newContext();
      contexts.push(context);
      for (const content of initScripts) await context.addInitScript({ content });
      const page = await openHarnessPage(context, server.url);
      return { page, context };
    },
  };
}
