/**
 * What a stranger can learn from the tracker server `npm start` runs (scripts/tracker-server.mjs)
 * without knowing an info hash: nothing from a scrape that names no hash (a "full scrape"), and
 * nothing over plain HTTP. Whoever knows a hash can still scrape it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { startTrackerServer, type RunningTracker } from '../../scripts/tracker-server.mjs';
import { announce, ask, bin, nextMessage, open } from './ws-peer.js';

const SHARED = bin(0xa7); // the info hash of a file a tab has just shared
const hex = (binary: string): string => Buffer.from(binary, 'latin1').toString('hex');

describe('the tracker server and strangers', () => {
  let tracker: RunningTracker | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await tracker?.close();
    tracker = undefined;
  });

  async function client(): Promise<WebSocket> {
    const ws = await open(tracker!.url);
    sockets.push(ws);
    return ws;
  }

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
    tracker = await startTrackerServer();
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
    tracker = await startTrackerServer();
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
    const warnings: string[] = [];
    tracker = await startTrackerServer({ onWarning: (e) => warnings.push(e.message) });
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
    tracker = await startTrackerServer();
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
