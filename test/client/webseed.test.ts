/**
 * Web seeds through the client, against a real HTTP server on loopback (node:http) and the real
 * `fetch`-based Range fetcher.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BaseClient } from '../../src/client/client.js';
import { fetchRange } from '../../src/client/webseed-http.js';
import { createTorrent } from '../../src/core/create.js';
import { fakeWorld } from './fake-env.js';
import { fixtureBytes } from '../fixtures/greeting.js';

interface Mode {
  range: boolean;
  corruptAt?: number;
}

/** Serves `files` (URL path → bytes) with Range support unless told otherwise. */
async function httpServer(files: Map<string, Uint8Array>, mode: Mode): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${path} ${req.headers.range ?? ''}`);
    const body = files.get(path);
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (!body) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!mode.range || !m) {
      res.end(Buffer.from(body));
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), body.length - 1);
    let part = body.slice(start, end + 1);
    if (mode.corruptAt !== undefined && mode.corruptAt >= start && mode.corruptAt <= end) {
      part = part.slice();
      part[mode.corruptAt - start] = part[mode.corruptAt - start]! ^ 0xff;
    }
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${body.length}`);
    res.end(Buffer.from(part));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

describe('web seeds in the client (real HTTP on loopback)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setUp(mode: Mode, pathPrefix = '/files') {
    const files = [
      { path: 'show/ep 1.bin', data: fixtureBytes(200_000, 1) },
      { path: 'show/extras/ep 2.bin', data: fixtureBytes(123_457, 2) },
    ];
    const served = new Map(files.map((f) => [`${pathPrefix}/${f.path}`, f.data]));
    const http = await httpServer(served, mode);
    cleanup.push(() => http.close());
    const created = await createTorrent(files, { pieceLength: 32768, urlList: [`${http.url}/files`] });
    const client = new BaseClient({ ...fakeWorld().env(), fetchRange }, { announce: [] });
    cleanup.push(() => client.destroy());
    const warnings: string[] = [];
    client.addEventListener('warning', (e) => warnings.push(e.detail.message));
    return { files, http, created, client, warnings };
  }

  it('downloads a multi-file torrent from a web seed alone, byte-identical', async () => {
    const { files, http, created, client } = await setUp({ range: true });
    const t = await client.add(created.torrentFile);
    await t.done;
    for (const [i, f] of files.entries()) expect(new Uint8Array(await (await t.files[i]!.blob()).arrayBuffer())).toEqual(f.data);
    expect(http.requests.every((r) => /^\/files\/show\/(ep 1|extras\/ep 2)\.bin bytes=\d+-\d+$/.test(r))).toBe(true);
  });

  it('reports a web seed without Range support, or one that 404s, with a clear warning', async () => {
    const noRange = await setUp({ range: false });
    const t1 = await noRange.client.add(noRange.created.torrentFile);
    await expect.poll(() => noRange.warnings.join('\n'), { timeout: 10_000 }).toMatch(/does not support Range requests/);
    expect(t1.isDone).toBe(false);
    const missing = await setUp({ range: true }, '/elsewhere');
    await missing.client.add(missing.created.torrentFile);
    await expect.poll(() => missing.warnings.join('\n'), { timeout: 10_000 }).toMatch(/HTTP 404/);
  });

  it('bans a web seed that serves a wrong byte; the warning names it', async () => {
    const { created, client, warnings } = await setUp({ range: true, corruptAt: 70_000 });
    const t = await client.add(created.torrentFile);
    await expect.poll(() => warnings.join('\n'), { timeout: 20_000 }).toMatch(/peer webseed http:\/\/127\.0\.0\.1:\d+\/files dropped: banned/);
    expect(t.isDone).toBe(false); // nobody else has piece 2: it waits for an honest source
  });
});
