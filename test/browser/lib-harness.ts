/**
 * The real library bundle in real tabs: builds dist/tabswarm.js into a temporary folder, serves it
 * with a blank page on 127.0.0.1, and runs a bittorrent-tracker WebSocket server beside it.
 */
import { build } from 'vite';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTrackerServer, type TrackerStats } from '../../scripts/tracker-server.mjs';

export interface LibServer {
  url: string;
  close(): Promise<void>;
}

/**
 * @param extra more files to serve: URL path (such as `/webtorrent.min.js`) → file on disk.
 */
export async function serveLibrary(extra: Record<string, string> = {}): Promise<LibServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'tabswarm-lib-'));
  process.env.TABSWARM_LIB = 'tabswarm';
  await build({ configFile: 'vite.lib.config.ts', logLevel: 'silent', build: { outDir, emptyOutDir: true, sourcemap: false } });
  const http: HttpServer = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    if (path === '/' || path === '/blank.html') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>tabswarm test</title>');
      return;
    }
    const file = extra[path] ?? join(outDir, path);
    if (!(path in extra || file.startsWith(outDir)) || !existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((r) => http.close(() => r()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface TrackerServer {
  url: string;
  port: number;
  /** Its /stats.json. */
  stats(): Promise<TrackerStats>;
  close(): Promise<void>;
}

/** The project's tracker server (scripts/tracker-server.mjs) on 127.0.0.1 (`port` 0: a free one). */
export async function startTracker(port = 0): Promise<TrackerServer> {
  const running = await startTrackerServer({ port, host: '127.0.0.1' });
  return {
    url: running.url,
    port: running.port,
    stats: async () => (await fetch(`http://127.0.0.1:${running.port}/stats.json`)).json() as Promise<TrackerStats>,
    close: () => running.close(),
  };
}
