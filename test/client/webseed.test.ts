/**
 * Web seeds through the client, against a real HTTP server on loopback (node:http) and the real
 * `fetch`-based Range fetcher.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BaseClient } from '../../src/client/client.js';
import { MAX_TORRENT_FILE_BYTES, fetchRange, fetchTorrentFile } from '../../src/client/webseed-http.js';
import { createTorrent } from '../../src/core/create.js';
import { fakeWorld } from './fake-env.js';
import { fixtureBytes } from '../fixtures/greeting.js';

interface Mode {
  range: boolean;
  corruptAt?: number;
  /** Answers every Range request with 206 and the right Content-Range, then this many bytes (more than asked). */
  flood?: number;
}

/** What a flooding web seed sent: bytes written to each response, and whether the client hung up before the end. */
interface Flood {
  written: number[];
  cut: boolean[];
}

/** Serves `files` (URL path → bytes) with Range support unless told otherwise. */
async function httpServer(files: Map<string, Uint8Array>, mode: Mode): Promise<{ url: string; requests: string[]; flood: Flood; close(): Promise<void> }> {
  const requests: string[] = [];
  const flood: Flood = { written: [], cut: [] };
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
    if (mode.flood !== undefined && m) {
      // A hostile seed: the header promises the range, the body goes on (chunked, no length).
      const i = flood.written.push(0) - 1;
      flood.cut.push(false);
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${m[1]}-${m[2]}/${body.length}`);
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const more = (): void => {
        while (flood.written[i]! < mode.flood!) {
          flood.written[i]! += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (flood.cut[i] = !res.writableFinished));
      more();
      return;
    }
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
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    flood,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
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

  it('a web seed that answers a range with a flood: read no further than the range, the connection cut, a warning; the download completes from a good seed', async () => {
    const files = [
      { path: 'show/ep 1.bin', data: fixtureBytes(200_000, 1) },
      { path: 'show/extras/ep 2.bin', data: fixtureBytes(123_457, 2) },
    ];
    const served = new Map(files.map((f) => [`/files/${f.path}`, f.data]));
    const FLOOD = 48 * 1024 * 1024;
    const bad = await httpServer(served, { range: true, flood: FLOOD });
    cleanup.push(() => bad.close());
    const good = await httpServer(served, { range: true });
    cleanup.push(() => good.close());
    const created = await createTorrent(files, { pieceLength: 32768, urlList: [`${bad.url}/files`, `${good.url}/files`] });
    const client = new BaseClient({ ...fakeWorld().env(), fetchRange }, { announce: [] });
    cleanup.push(() => client.destroy());
    const warnings: string[] = [];
    client.addEventListener('warning', (e) => warnings.push(e.detail.message));
    const t = await client.add(created.torrentFile);
    await t.done;
    for (const [i, f] of files.entries()) expect(new Uint8Array(await (await t.files[i]!.blob()).arrayBuffer())).toEqual(f.data);
    await expect
      .poll(() => warnings.join('\n'), { timeout: 10_000 })
      .toMatch(new RegExp(`web seed ${bad.url}/files/show/[^ ]+ sent more than the \\d+ bytes asked for`));
    await expect.poll(() => bad.flood.cut.length > 0 && bad.flood.cut.every(Boolean), { timeout: 10_000 }).toBe(true);
    // What the seed got written before the client hung up: the range (1 MiB at most), what the
    // sockets buffer, nowhere near the flood.
    for (const written of bad.flood.written) expect(written).toBeLessThan(FLOOD / 4);
    console.log(
      `flooding seed: ${bad.flood.written.length} answers, ${bad.flood.written.map((w) => (w / 1024 / 1024).toFixed(1)).join(', ')} MiB written before the client cut each`,
    );
  }, 60_000);

  it('bans a web seed that serves a wrong byte; the warning names it', async () => {
    const { created, client, warnings } = await setUp({ range: true, corruptAt: 70_000 });
    const t = await client.add(created.torrentFile);
    await expect.poll(() => warnings.join('\n'), { timeout: 20_000 }).toMatch(/peer webseed http:\/\/127\.0\.0\.1:\d+\/files dropped: banned/);
    expect(t.isDone).toBe(false); // nobody else has piece 2: it waits for an honest source
  });
});

describe('fetchRange and fetchTorrentFile read no more than they may', () => {
  const KiB = 1024;
  const MiB = 1024 * KiB;
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** A body of `size` bytes made on demand, 16 KiB at a time, counting what was pulled from it. */
  function hugeBody(size: number) {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled >= size) {
            controller.close();
            return;
          }
          pulled += 16 * KiB;
          controller.enqueue(new Uint8Array(16 * KiB));
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, pulled: () => pulled };
  }

  /** What a fetch came to, in words (a huge array would not do in a failure message). */
  const outcome = (p: Promise<Uint8Array>): Promise<string> =>
    p.then(
      (bytes) => `${bytes.length} bytes`,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );

  /** `fetch` answering with `status`, `headers` and `body`; records the request's signal. */
  function stubFetch(status: number, headers: Record<string, string>, body: ReadableStream<Uint8Array>) {
    const seen: { signal?: AbortSignal | null } = {};
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit = {}) => {
      seen.signal = init.signal;
      return new Response(body, { status, headers });
    });
    return seen;
  }

  it('a 206 with more bytes than the range: reads the range and a chunk at most, aborts, says so', async () => {
    const body = hugeBody(64 * MiB);
    const seen = stubFetch(206, { 'Content-Range': 'bytes 1000-100999/5000000' }, body.stream);
    expect(await outcome(fetchRange('http://seed.example/f', 1000, 101_000))).toBe('web seed http://seed.example/f sent more than the 100000 bytes asked for');
    expect(body.pulled()).toBeLessThanOrEqual(100_000 + 64 * KiB);
    expect(seen.signal?.aborted).toBe(true);
  });

  it('a 206 whose Content-Length is more than the range: refused before reading', async () => {
    const body = hugeBody(64 * MiB);
    stubFetch(206, { 'Content-Range': 'bytes 0-99/5000000', 'Content-Length': String(64 * MiB) }, body.stream);
    expect(await outcome(fetchRange('http://seed.example/f', 0, 100))).toMatch(/sent more than the 100 bytes asked for/);
    expect(body.pulled()).toBeLessThanOrEqual(64 * KiB);
  });

  it('a 200 (the whole file) to a Range request: never buffered whole', async () => {
    // A range further in: nothing of the body is of use.
    const later = hugeBody(64 * MiB);
    const seen = stubFetch(200, {}, later.stream);
    expect(await outcome(fetchRange('http://seed.example/f', 1 * MiB, 2 * MiB))).toMatch(/does not support Range requests/);
    expect(later.pulled()).toBeLessThanOrEqual(64 * KiB);
    expect(seen.signal?.aborted).toBe(true);
    // The first range: read as far as the range and a chunk, then refused (the file is longer).
    const first = hugeBody(64 * MiB);
    stubFetch(200, {}, first.stream);
    expect(await outcome(fetchRange('http://seed.example/f', 0, 1 * MiB))).toMatch(/does not support Range requests/);
    expect(first.pulled()).toBeLessThanOrEqual(1 * MiB + 64 * KiB);
    // A file that is the range, whole: its bytes.
    stubFetch(200, {}, hugeBody(256 * KiB).stream);
    expect(await outcome(fetchRange('http://seed.example/f', 0, 256 * KiB))).toBe(`${256 * KiB} bytes`);
  });

  it('a .torrent file of unknown length that goes on and on: refused at 16 MiB, not read whole', async () => {
    expect(MAX_TORRENT_FILE_BYTES).toBe(16 * MiB);
    const body = hugeBody(48 * MiB);
    const seen = stubFetch(200, {}, body.stream);
    expect(await outcome(fetchTorrentFile('http://site.example/big.torrent'))).toBe(
      'http://site.example/big.torrent is too large for a .torrent file (more than 16777216 bytes)',
    );
    expect(body.pulled()).toBeLessThanOrEqual(16 * MiB + 64 * KiB);
    expect(seen.signal?.aborted).toBe(true);
  });
});
