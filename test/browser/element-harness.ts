/**
 * `<tab-swarm>` as a page author uses it: builds dist/tabswarm-element.js (with tabswarm-sw.js beside
 * it, as `npm run build` does) into a temporary folder and serves it on 127.0.0.1, with pages and
 * files the test adds as it goes (a plain HTML page, a .torrent file…). Anything else is a 404.
 */
import { build } from 'vite';
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface ElementServer {
  url: string;
  /** Serves `body` at `path` (such as `/page.html`), with a content type from its extension unless given. */
  put(path: string, body: string | Uint8Array, type?: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.torrent': 'application/x-bittorrent',
};

/** `host`: where to listen (default 127.0.0.1; the namespace's 10.213.0.1 makes pages that are not a secure context). */
export async function serveElement(options: { host?: string } = {}): Promise<ElementServer> {
  const host = options.host ?? '127.0.0.1';
  const outDir = mkdtempSync(join(tmpdir(), 'tabswarm-element-'));
  process.env.TABSWARM_LIB = 'tabswarm-element';
  await build({ configFile: 'vite.lib.config.ts', logLevel: 'silent', build: { outDir, emptyOutDir: true, sourcemap: false } });
  for (const file of ['tabswarm-element.js', 'tabswarm-sw.js']) {
    if (!existsSync(join(outDir, file))) throw new Error(`the element build wrote no ${file}`);
  }
  const extra = new Map<string, { body: string | Uint8Array; type: string | undefined }>();
  const http: HttpServer = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const ext = path.slice(path.lastIndexOf('.'));
    let body: string | Uint8Array | undefined = extra.get(path)?.body;
    if (body === undefined && /^\/tabswarm-(element|sw)\.js$/.test(path)) body = readFileSync(join(outDir, path));
    if (body === undefined) {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain');
      res.end('not found');
      return;
    }
    res.setHeader('content-type', extra.get(path)?.type ?? TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('cache-control', 'no-store');
    res.end(body);
  });
  await new Promise<void>((r) => http.listen(0, host, r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    put: (path, body, type) => void extra.set(path, { body, type }),
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** `text` as an HTML attribute value. */
export const attr = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/** A page with nothing but the element's script tag and `body`. */
export function plainPage(body = ''): string {
  return `<!doctype html>\n<meta charset="utf-8">\n<title>tab-swarm</title>\n<script type="module" src="/tabswarm-element.js"></script>\n${body}\n`;
}
