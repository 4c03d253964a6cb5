/**
 * The library's browser tests' test bed for a describe block: Chromium, the built library on a
 * local server, and a tracker, started before its tests and stopped after.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness.js';
import { serveLibrary, startTracker, type LibServer, type TrackerServer } from './lib-harness.js';

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
