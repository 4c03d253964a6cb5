/**
 * The library's browser tests' test bed for a describe block: Chromium, the built library on a
 * local server, and a tracker, started before its tests and stopped after.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness.js';
import { serveLibrary, startTracker, type LibServer, type TrackerServer } from './lib-harness.js';
import { Tab } from './tab.js';

export interface LibTestBed {
  readonly browser: Browser;
  readonly lib: LibServer;
  readonly tracker: TrackerServer;
}

/** @param extra more files for the library server (see serveLibrary). */
export function libTestBed(extra: Record<string, string> = {}): LibTestBed {
  const bed = {} as { browser: Browser; lib: LibServer; tracker: TrackerServer };
  beforeAll(async () => {
    [bed.browser, bed.lib, bed.tracker] = await Promise.all([launchChromium(), serveLibrary(extra), startTracker()]);
  }, 120_000);
  afterAll(async () => {
    await bed.browser?.close();
    await bed.lib?.close();
    await bed.tracker?.close();
  });
  return bed;
}

/** Opens tabs of the library on `bed` (a fresh context each), closed after each test. Call inside a describe block. */
export function tabsOn(bed: LibTestBed): () => Promise<Tab> {
  const tabs: Tab[] = [];
  afterEach(async () => {
    for (const t of tabs.splice(0)) await t.close().catch(() => {});
  });
  return async () => {
    const t = await Tab.open(bed.browser, bed.lib);
    tabs.push(t);
    return t;
  };
}
