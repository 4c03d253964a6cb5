import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../src/core/create.js';
import { concatBytes } from '../../src/core/bytes.js';
import { WebSeedChannel, WebSeedError, fileRanges, webSeedFileUrl, type RangeFetcher } from '../../src/core/webseed.js';
import { parseTorrent } from '../../src/core/metainfo.js';
import { encodeHandshake, encodeMessage, WireDecoder, type WireMessage } from '../../src/core/wire/index.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { TestSwarm, seededStore, storedBytes, type TestNode } from './session/swarm-harness.js';
import type { Metainfo } from '../../src/core/metainfo.js';

const PIECE = 16 * 1024;
const BASE = 'http://seed.test/files';

const FILES = [
  { path: 'album/cd 1/track #1.bin', data: fixtureBytes(3 * PIECE + 123, 1) },
  { path: 'album/cd 1/track 2.bin', data: fixtureBytes(PIECE - 7, 2) },
  { path: 'album/cover.bin', data: fixtureBytes(5 * PIECE + 1, 3) },
];

async function torrent(files = FILES, pieceLength = PIECE) {
  const t = await createTorrent(files, { pieceLength });
  return { metainfo: t.metainfo, data: concatBytes(files.map((f) => f.data)) };
}

/** An HTTP server as a web seed sees it: files by URL, on the swarm's virtual clock (50 ms + 2 MiB/s). */
function server(swarm: TestSwarm, metainfo: Metainfo, data: Uint8Array, misbehave?: (url: string, bytes: Uint8Array, start: number) => Uint8Array | Error) {
  const byUrl = new Map(metainfo.files.map((f, i) => [webSeedFileUrl(BASE, metainfo, i), data.subarray(f.offset, f.offset + f.length)]));
  const log: string[] = [];
  const fetch: RangeFetcher = async (url, start, end) => {
    log.push(`${url} ${start}-${end}`);
    await new Promise<void>((r) => swarm.clock.setTimeout(r, 50 + ((end - start) / (2 * 1024 * 1024)) * 1000));
    const file = byUrl.get(url);
    if (!file) throw new WebSeedError(`web seed ${url}: HTTP 404`);
    const bytes = file.slice(start, end);
    const bad = misbehave?.(url, bytes, start);
    if (bad instanceof Error) throw bad;
    return bad ?? bytes;
  };
  return { fetch, log };
}

function addWebSeed(node: TestNode, metainfo: Metainfo, fetch: RangeFetcher, errors: string[] = []): WebSeedChannel {
  const channel = new WebSeedChannel({ url: BASE, metainfo, fetch, peerId: new Uint8Array(20).fill(0x57), onError: (e) => errors.push(e.message) });
  node.session.addPeer(channel, `webseed ${BASE}`, { backup: true });
  return channel;
}

/**
 * A peer that has every piece (have all, unchoke) and answers a request from `data` only when
 * `answers()` says so; the others it ignores, as a peer that choked us silently or whose channel is
 * stuck does. It sends a keep-alive every 30 s, so the leecher never drops it as silent.
 */
function quietPeer(swarm: TestSwarm, leecher: TestNode, metainfo: Metainfo, data: Uint8Array, answers: () => boolean): { served: () => number } {
  const [toPeer, fromLeecher] = swarm.net.connect(leecher.node, swarm.net.node('quiet', { upload: 4 * 1024 * 1024, download: 4 * 1024 * 1024 }));
  const decoder = new WireDecoder();
  const send = (m: WireMessage): void => fromLeecher.send(encodeMessage(m));
  let served = 0;
  let closed = false;
  fromLeecher.onClose = () => (closed = true);
  fromLeecher.onData = (chunk) => {
    for (const e of decoder.push(chunk)) {
      if (e.type === 'handshake') {
        fromLeecher.send(
          encodeHandshake({ infoHash: metainfo.infoHashBytes, peerId: new Uint8Array(20).fill(0x71), extensions: { extended: false, fast: true } }),
        );
        send({ type: 'haveAll' });
        send({ type: 'unchoke' });
      } else if (e.type === 'request' && answers()) {
        const at = e.index * metainfo.pieceLength + e.begin;
        send({ type: 'piece', index: e.index, begin: e.begin, block: data.subarray(at, at + e.length) });
        served += e.length;
      }
    }
  };
  const keepAlive = (): void => {
    if (closed || leecher.session.done) return;
    send({ type: 'keepAlive' });
    swarm.clock.setTimeout(keepAlive, 30_000);
  };
  swarm.clock.setTimeout(keepAlive, 30_000);
  leecher.session.addPeer(toPeer, 'quiet');
  return { served: () => served };
}

describe('web seeds (BEP 19)', () => {
  it('builds BEP 19 URLs: the file for a single-file torrent, folder + name + path for a multi-file one', async () => {
    const multi = (await torrent()).metainfo;
    expect(webSeedFileUrl(BASE, multi, 0)).toBe(`${BASE}/album/cd%201/track%20%231.bin`);
    expect(webSeedFileUrl(`${BASE}/`, multi, 2)).toBe(`${BASE}/album/cover.bin`);
    const single = (await torrent([{ path: 'one.bin', data: fixtureBytes(100, 1) }])).metainfo;
    expect(webSeedFileUrl('http://h/x/one.bin', single, 0)).toBe('http://h/x/one.bin');
    expect(webSeedFileUrl('http://h/x/', single, 0)).toBe('http://h/x/one.bin');
    // A range across the first two files.
    expect(fileRanges(multi, 3 * PIECE, 3 * PIECE + 200)).toEqual([
      { file: 0, start: 3 * PIECE, end: 3 * PIECE + 123 },
      { file: 1, start: 0, end: 77 },
    ]);
  });

  it('a web seed alone serves a multi-file torrent with nested folders, byte-identical, in merged ranges', async () => {
    const { metainfo, data } = await torrent(FILES, 4 * PIECE);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const http = server(swarm, metainfo, data);
    addWebSeed(leecher, metainfo, http.fetch);
    await swarm.runUntil(() => leecher.session.done, 60_000);
    expect(leecher.session.done).toBe(true);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    // The blocks of a piece were merged into ranges (one per piece and file): fewer HTTP requests
    // than 16 KiB blocks.
    expect(http.log.length).toBeLessThanOrEqual(metainfo.pieces.length + metainfo.files.length - 1);
    expect(http.log.length).toBeLessThan(Math.ceil(data.length / PIECE));
    swarm.stop();
  });

  it('serves a hybrid torrent: the padding between files (BEP 47) is zeros, never asked of the server', async () => {
    const created = await createTorrent(FILES, { pieceLength: PIECE, version: 'hybrid' });
    const metainfo = created.metainfo;
    const padded = new Uint8Array(metainfo.length);
    for (const [i, f] of metainfo.files.entries()) padded.set(created.files[i]!.data, f.offset);
    expect(metainfo.files.map((f) => f.offset)).toEqual([0, 4 * PIECE, 5 * PIECE]);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const http = server(swarm, metainfo, padded);
    const errors: string[] = [];
    addWebSeed(leecher, metainfo, http.fetch, errors);
    await swarm.runUntil(() => leecher.session.done, 60_000);
    expect(errors).toEqual([]);
    expect(leecher.session.done).toBe(true);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(padded);
    const lengths = new Map(metainfo.files.map((f, i) => [webSeedFileUrl(BASE, metainfo, i), f.length]));
    for (const line of http.log) {
      const [url, range] = line.split(' ');
      expect(Number(range!.split('-')[1]), line).toBeLessThanOrEqual(lengths.get(url!)!);
    }
    swarm.stop();
  });

  it('with a peer that has everything, the peer carries most of the load', async () => {
    const { metainfo, data } = await torrent([{ path: 'big.bin', data: fixtureBytes(48 * PIECE, 9) }]);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    swarm.connectAll();
    const channel = addWebSeed(leecher, metainfo, server(swarm, metainfo, data).fetch);
    await swarm.runUntil(() => leecher.session.done, 60_000);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(channel.fetched).toBeLessThan(data.length / 2);
    swarm.stop();
  });

  it('a web seed that serves wrong bytes is banned and the download completes from an honest peer', async () => {
    const { metainfo, data } = await torrent([{ path: 'f.bin', data: fixtureBytes(30 * PIECE + 5, 4) }]);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const corrupt = (_url: string, bytes: Uint8Array) => {
      const bad = bytes.slice();
      bad[0] = bad[0]! ^ 0xff;
      return bad;
    };
    addWebSeed(leecher, metainfo, server(swarm, metainfo, data, corrupt).fetch);
    // The honest peer arrives a little later: at first the web seed is all there is.
    swarm.clock.setTimeout(
      () =>
        void (async () => {
          const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
          swarm.connect(seeder, leecher);
        })(),
      500,
    );
    await swarm.runUntil(() => leecher.session.done, 120_000);
    expect(leecher.bans).toEqual([`webseed ${BASE}`]);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
  });

  it('a peer that has every piece stops answering mid-download: the web seed fetches the rest once its requests time out', async () => {
    // Regression (a stall in the browser interop test): the web seed was kept to the pieces no
    // unchoking peer has, and the peer that stopped answering still "had" them all, for ever.
    const { metainfo, data } = await torrent([{ path: 'big.bin', data: fixtureBytes(48 * PIECE, 11) }]);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    let answered = 0;
    const peer = quietPeer(swarm, leecher, metainfo, data, () => answered++ < 8);
    const channel = addWebSeed(leecher, metainfo, server(swarm, metainfo, data).fetch);
    // The request time-out is 30 s: the web seed takes over then, and needs well under a second.
    await swarm.runUntil(() => leecher.session.done, 40_000);
    expect(leecher.session.done).toBe(true);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(peer.served()).toBe(8 * PIECE);
    expect(channel.fetched).toBeGreaterThanOrEqual(data.length - 8 * PIECE);
    expect(leecher.session.hasPeer('quiet')).toBe(true);
    swarm.stop();
  });

  it('a peer that ignores requests for longer than the request time-out is asked again once it answers (no event would wake it)', async () => {
    // No web seed here: one is asked every second anyway, and the pieces it verifies would wake
    // the peer. Alone, the peer's timed-out requests left nothing to ask it again.
    const { metainfo, data } = await torrent([{ path: 'big.bin', data: fixtureBytes(32 * PIECE, 12) }]);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    let answered = 0;
    const peer = quietPeer(swarm, leecher, metainfo, data, () => answered++ < 8 || swarm.clock.now() > 40_000);
    // Its requests time out at 30 s; it answers again from 40 s on: the next probe (one request
    // each second, each waiting out the time-out if ignored) brings it back.
    await swarm.runUntil(() => leecher.session.done, 90_000);
    expect(leecher.session.done).toBe(true);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(peer.served()).toBe(data.length);
    swarm.stop();
  });

  it('a hung HTTP response holds no slot for ever: aborted once the session cancels its blocks, they are fetched again', async () => {
    const { metainfo, data } = await torrent([{ path: 'f.bin', data: fixtureBytes(16 * PIECE, 13) }]);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const http = server(swarm, metainfo, data);
    let hung = 0;
    let aborted = 0;
    // The first two responses (both slots) never come.
    const fetch: RangeFetcher = (url, start, end, signal) =>
      hung++ >= 2
        ? http.fetch(url, start, end, signal)
        : new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error(`aborted (${++aborted})`)), { once: true }));
    const errors: string[] = [];
    addWebSeed(leecher, metainfo, fetch, errors);
    // The session's requests time out at 30 s and are cancelled: that aborts both.
    await swarm.runUntil(() => leecher.session.done, 40_000);
    expect(leecher.session.done).toBe(true);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(aborted).toBe(2);
    expect(errors).toEqual([]);
    swarm.stop();
  });

  it('an HTTP error is reported once, the web seed is dropped, and peers finish the download', async () => {
    const { metainfo, data } = await torrent();
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 64 * 1024 });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const errors: string[] = [];
    const fetch: RangeFetcher = async (url) => {
      throw new WebSeedError(`web seed ${url}: HTTP 404 Not Found`);
    };
    addWebSeed(leecher, metainfo, fetch, errors);
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => leecher.session.done, 120_000);
    expect(leecher.session.done).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/HTTP 404/);
    expect(leecher.session.hasPeer(`webseed ${BASE}`)).toBe(false);
    swarm.stop();
  });

  it('ignores what a web seed does not need and survives a garbage stream', async () => {
    const { metainfo } = await torrent();
    const channel = new WebSeedChannel({ url: BASE, metainfo, fetch: async () => new Uint8Array(0), peerId: new Uint8Array(20) });
    let closed = false;
    channel.onClose = () => (closed = true);
    channel.send(new Uint8Array(68).fill(0xff)); // not a handshake
    await Promise.resolve();
    await Promise.resolve();
    expect(closed).toBe(true);
    expect((await parseTorrent((await createTorrent(FILES, { pieceLength: PIECE, urlList: [BASE] })).torrentFile)).urlList).toEqual([BASE]);
  });
});
