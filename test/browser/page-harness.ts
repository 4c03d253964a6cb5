/**
 * Running source modules inside a real page: a Vite dev server (which compiles TypeScript on the
 * fly) on loopback, a blank page on it, and a loader the page's code can call.
 *
 * Code passed to page.evaluate() must not use `import()` itself: Vitest rewrites dynamic imports
 * in test files into calls to its own loader, which does not exist in the page. Call
 * `harnessImport(path)` (see {@link HarnessGlobals}) instead; it is installed from a string that
 * Vitest never sees. Likewise do not refer to values imported by the test file inside evaluate()
 * (Vitest renames them); type-only imports are fine.
 */
import { createServer, type Plugin } from 'vite';
import type { BrowserContext, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A page with no scripts of its own, to run tests in (the app's index.html would start the app). */
export const BLANK_PATH = '/__harness/blank.html';

/** What the harness adds to the page's global object. */
export interface HarnessGlobals {
  /** Imports a module by its path from the repository root, e.g. '/src/store/idb-store.ts'. */
  harnessImport(path: string): Promise<unknown>;
}

const LOADER = 'globalThis.harnessImport = (path) => import(path);';

function blankPage(): Plugin {
  return {
    name: 'tabswarm-harness-blank-page',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url !== BLANK_PATH) return next();
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end('<!doctype html><meta charset="utf-8"><title>harness</title>');
      });
    },
  };
}

/**
 * Starts a Vite dev server for the repository on 127.0.0.1 (a free port): it serves `/src/...` and
 * `/test/...` modules compiled for the browser, and the blank page at {@link BLANK_PATH}.
 */
export async function startDevServer(): Promise<{ url: string; close(): Promise<void> }> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tabswarm-vite-'));
  const server = await createServer({
    configFile: false,
    root: process.cwd(),
    cacheDir,
    logLevel: 'silent',
    appType: 'custom',
    plugins: [blankPage()],
    // Serve dependencies as they are (they are ESM): no optimizer run, so no page reload midway.
    optimizeDeps: { noDiscovery: true, include: [] },
    server: { port: 0, host: '127.0.0.1', strictPort: true, hmr: false, watch: null },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!url) {
    await server.close();
    throw new Error('the Vite dev server has no local URL');
  }
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the blank page of the dev server at `url` in `context`, with `harnessImport` installed
 * (on every later navigation too, so page.reload() keeps it).
 */
export async function openHarnessPage(context: BrowserContext, url: string): Promise<Page> {
  await context.addInitScript({ content: LOADER });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + BLANK_PATH);
  if (errors.length > 0) throw new Error(`the harness page failed: ${errors.join('; ')}`);
  return page;
}
