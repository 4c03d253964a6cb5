/**
 * What a stranger can learn from the tracker server `npm start` runs (scripts/tracker-server.mjs)
 * without knowing an info hash: nothing from a scrape that names no hash (a "full scrape"), nothing
 * over plain HTTP but counts, and no peer id or markup from /stats. Whoever knows a hash can still
 * scrape it.
 */
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { RunningTracker } from '../../scripts/tracker-server.mjs';
import { announce, ask, bin, nextMessage, trackerTestBed } from './ws-peer.js';

const SHARED = bin(0xa7); // the info hash of a file a tab has just shared
const hex = (binary: string): string => Buffer.from(binary, 'latin1').toString('hex');

describe('the tracker server and strangers', () => {
  const bed = trackerTestBed();
  const client = (): Promise<WebSocket> => bed.client();
  let tracker: RunningTracker | undefined;

  /** A seeder and a leecher announce SHARED, and stay connected. */
  async function shareOne(): Promise<void> {
    const seeder = await client();
    seeder.send(announce(1, { info_hash: SHARED, left: 0 }));
    expect(await nextMessage(seeder)).toMatchObject({ action: 'announce', complete: 1 });
    const leecher = await client();
    leecher.send(announce(2, { info_hash: SHARED }));
    expect(await nextMessage(leecher)).toMatchObject({ action: 'announce', complete: 1, incomplete: 1 });
  }

  it('answers a scrape that names no info hash with none, while a torrent is announced', async () => {
    tracker = await bed.start();
    await shareOne();
    const stranger = await client();
    for (const fullScrape of [{ action: 'scrape' }, { action: 'scrape', info_hash: null }, { action: 'scrape', info_hash: [] }]) {
      const { reply, text } = await ask(stranger, fullScrape);
      expect(reply['action']).toBe('scrape');
      expect(Object.keys((reply['files'] as object | undefined) ?? {})).toEqual([]);
      expect(text).not.toContain(JSON.stringify(SHARED).slice(1, -1));
      expect(text).not.toContain(hex(SHARED));
    }
    // A scrape that names no hash at all is refused, and says so.
    expect((await ask(stranger, { action: 'scrape' })).reply['failure reason']).toEqual(expect.any(String));
  });

  it('still answers a scrape for a named hash, and for a hash it does not know', async () => {
    tracker = await bed.start();
    await shareOne();
    const asker = await client();
    const { reply } = await ask(asker, { action: 'scrape', info_hash: SHARED });
    expect(reply['failure reason']).toBeUndefined();
    expect(reply['files']).toEqual({ [SHARED]: { complete: 1, incomplete: 1, downloaded: 1 } });
    const both = await ask(asker, { action: 'scrape', info_hash: [SHARED, bin(0x33)] });
    expect(both.reply['files']).toEqual({
      [SHARED]: { complete: 1, incomplete: 1, downloaded: 1 },
      [bin(0x33)]: { complete: 0, incomplete: 0, downloaded: 0 },
    });
  });

  it('survives a scrape whose info_hash is neither a hash nor a list, and honest peers still meet', async () => {
    tracker = await bed.start();
    const odd = await client();
    for (const infoHash of [5, {}, true]) {
      const { reply } = await ask(odd, { action: 'scrape', info_hash: infoHash });
      expect(reply['failure reason']).toEqual(expect.any(String));
    }
    const a = await client();
    const b = await client();
    a.send(announce(1));
    expect(await nextMessage(a)).toMatchObject({ action: 'announce' });
    const relayed = nextMessage(a);
    b.send(announce(2, { offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(9) }] }));
    expect(await relayed).toMatchObject({ offer: { type: 'offer', sdp: 'v=0' }, peer_id: bin(2) });
  });

  it('answers no announce or scrape over plain HTTP', async () => {
    tracker = await bed.start();
    await shareOne();
    const base = `http://127.0.0.1:${tracker.port}`;
    const query = `info_hash=${encodeURIComponent(SHARED).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`;
    for (const path of ['/scrape', `/scrape?${query}`, `/announce?${query}&peer_id=${'x'.repeat(20)}&port=1`, '/']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain(SHARED);
    }
  });
});

describe('/stats of the tracker server', () => {
  const bed = trackerTestBed();
  let tracker: RunningTracker | undefined;

  it('is JSON counts only: no peer id, no info hash, no markup, whatever the peers call themselves', async () => {
    tracker = await bed.start();
    const hostileId = '<h1 id=x>pwned!</h1>';
    expect(hostileId).toHaveLength(20);
    const hostile = await bed.client();
    const seeder = await bed.client();
    hostile.send(announce(hostileId, { info_hash: SHARED }));
    expect(await nextMessage(hostile)).toMatchObject({ action: 'announce' });
    seeder.send(announce('<marquee>' + 'm'.repeat(11), { info_hash: SHARED, left: 0 }));
    expect(await nextMessage(seeder)).toMatchObject({ action: 'announce' });

    for (const [path, accept] of [
      ['/stats', 'text/html'],
      ['/stats', '*/*'],
      ['/stats.json', 'application/json'],
      ['/stats?x=1', 'text/html'],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${tracker.port}${path}`, { headers: { accept } });
      const text = await res.text();
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json\b/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(text, path).not.toMatch(/[<>]/);
      for (const secret of [SHARED, hex(SHARED), 'pwned', hex(hostileId), 'marquee']) expect(text, path).not.toContain(secret);
      const stats = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(stats).sort(), path).toEqual([
        'errors',
        'evicted',
        'heapUsed',
        'leechers',
        'messages',
        'messagesPerSecond',
        'peers',
        'refusals',
        'rss',
        'seeders',
        'sockets',
        'swarms',
      ]);
      expect(stats, path).toMatchObject({ sockets: 2, swarms: 1, peers: 2, seeders: 1, leechers: 1, evicted: { peers: 0, swarms: 0 } });
      expect(
        Object.values(stats['refusals'] as object).every((n) => n === 0),
        path,
      ).toBe(true);
      expect(stats['heapUsed'], path).toBeGreaterThan(0);
      expect(stats['rss'], path).toBeGreaterThan(stats['heapUsed'] as number);
    }
    expect(await (await fetch(`http://127.0.0.1:${tracker.port}/stats.json`)).json()).toMatchObject(
      (({ heapUsed: _h, rss: _r, messagesPerSecond: _m, ...counts }) => counts)(tracker.stats()),
    );
  });

  it('counts the sockets it refused and closed for flooding', async () => {
    tracker = await bed.start({ limits: { maxSockets: 1, messagesPerSecond: 1, burst: 2 } });
    const flood = await bed.client();
    await bed.client(); // refused: over the socket cap
    const gone = new Promise((r) => flood.once('close', r));
    for (let i = 0; i < 10; i++) flood.send(announce(50, { numwant: 0 }));
    await gone;
    const stats = (await (await fetch(`http://127.0.0.1:${tracker.port}/stats.json`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ refusals: { 'rate limit': 1, 'socket cap': 1 } });
  });
});
