import { describe, expect, it } from 'vitest';
import { BaseClient } from '../../src/client/client.js';
import { clientBed, sha } from './client-bed.js';
import { fakeWorld } from './fake-env.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { MagnetError, TorrentError } from '../../src/core/errors.js';
import { parseTorrent } from '../../src/core/metainfo.js';
import { encode } from '../../src/core/bencode.js';

describe('client (Node, real tracker, in-memory links)', () => {
  const { cleanup, tracker } = clientBed();

  it('seeds files and another client downloads them by magnet link', async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    const b = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(
      () => a.destroy(),
      () => b.destroy(),
    );
    const data = fixtureBytes(300_000, 3);
    const seeded = await a.seed([
      { path: 'photos/a.bin', data },
      { path: 'photos/b.txt', data: new TextEncoder().encode('hi') },
    ]);
    expect(seeded.isDone).toBe(true);
    // The .torrent file parses back to the same torrent (regression: info was written as a string).
    expect((await parseTorrent(seeded.torrentFile!)).infoHash).toBe(seeded.infoHash);
    const got = await b.add(seeded.magnetURI);
    await got.ready;
    expect(got.files.map((f) => f.path)).toEqual(['photos/a.bin', 'photos/b.txt']);
    await got.done;
    expect(sha(new Uint8Array(await (await got.files[0]!.blob()).arrayBuffer()))).toBe(sha(data));
    expect(new TextDecoder().decode(await (await got.files[1]!.blob()).arrayBuffer())).toBe('hi');
    expect(got.downloaded).toBeGreaterThanOrEqual(300_002);
    expect(seeded.uploaded).toBeGreaterThanOrEqual(300_002);
  });

  it('a file stream reads a byte range across pieces', async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(() => a.destroy());
    const data = fixtureBytes(100_000, 5);
    const seeded = await a.seed([{ path: 'x.bin', data }], { pieceLength: 16384 });
    const reader = seeded.files[0]!.stream(16000, 40000).getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(data.subarray(16000, 40000)));
  });

  it('comes back after a "reload" with its torrents and pieces, without fetching them again', async () => {
    const t = await tracker();
    const seederWorld = fakeWorld();
    const leecherWorld = fakeWorld();
    const a = new BaseClient(seederWorld.env(), { announce: [t.url] });
    cleanup.push(() => a.destroy());
    const data = fixtureBytes(200_000, 9);
    const seeded = await a.seed([{ path: 'f.bin', data }], { pieceLength: 16384 });
    const b1 = new BaseClient(leecherWorld.env(), { announce: [t.url] });
    const first = await b1.add(seeded.magnetURI);
    await first.done;
    await b1.destroy();
    const b2 = new BaseClient(leecherWorld.env(), { announce: [t.url] });
    cleanup.push(() => b2.destroy());
    await b2.ready;
    expect(b2.torrents.map((x) => x.infoHash)).toEqual([seeded.infoHash]);
    const again = b2.torrents[0]!;
    await again.done;
    expect(again.isDone).toBe(true);
    expect(again.files[0]!.path).toBe('f.bin');
    expect(again.downloaded).toBe(0);
  });

  it('a torrent paused before a "reload" comes back paused with the pieces it had, connects to nobody, and completes once resumed', async () => {
    const t = await tracker();
    const seederWorld = fakeWorld();
    const leecherWorld = fakeWorld();
    const a = new BaseClient(seederWorld.env(), { announce: [t.url] });
    cleanup.push(() => a.destroy());
    const data = fixtureBytes(200_000, 11);
    const seeded = await a.seed([{ path: 'p.bin', data }], { pieceLength: 16384 });
    const b1 = new BaseClient(leecherWorld.env(), { announce: [t.url] });
    const first = await b1.add(seeded.magnetURI);
    await first.done;
    first.pause();
    const had = first.progress;
    expect(had).toBe(1);
    await b1.destroy();
    const b2 = new BaseClient(leecherWorld.env(), { announce: [t.url] });
    cleanup.push(() => b2.destroy());
    await b2.ready;
    const again = b2.torrents[0]!;
    expect(again.paused).toBe(true);
    await expect.poll(() => again.progress).toBe(had);
    expect(again.numPeers).toBe(0);
    again.resume();
    await again.done;
    expect(again.isDone).toBe(true);
    expect(again.downloaded).toBe(0);
  });

  it('pause drops its peers at both ends, and resume connects to the same seeder again at once and completes', async () => {
    const t = await tracker();
    // A slow seeder, so that the download is under way when paused.
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url], uploadLimit: 256 * 1024 });
    const b = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(
      () => a.destroy(),
      () => b.destroy(),
    );
    const data = fixtureBytes(1 << 20, 5);
    const seeded = await a.seed([{ path: 'p.bin', data }], { pieceLength: 16384 });
    const got = await b.add(seeded.magnetURI);
    await expect.poll(() => got.progress, { timeout: 10_000 }).toBeGreaterThan(0);
    got.pause();
    await expect.poll(() => seeded.numPeers).toBe(0);
    expect(got.numPeers).toBe(0);
    expect(got.isDone).toBe(false);
    // Both ends forgot the connection: the seeder answers the new offers (it refused them for
    // as long as it thought the old connection alive).
    got.resume();
    await expect.poll(() => got.numPeers, { timeout: 3_000 }).toBe(1);
    await got.done;
    expect(sha(new Uint8Array(await (await got.files[0]!.blob()).arrayBuffer()))).toBe(sha(data));
  });

  it('downloads only the selected files, keeps the selection across a reload, and reports pieces and peers', async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(() => a.destroy());
    const files = [
      { path: 'set/a.bin', data: fixtureBytes(3 * 16384, 1) },
      { path: 'set/b.bin', data: fixtureBytes(4 * 16384, 2) },
      { path: 'set/c.bin', data: fixtureBytes(2 * 16384, 3) },
    ];
    const seeded = await a.seed(files, { pieceLength: 16384 });
    const world = fakeWorld();
    const b1 = new BaseClient(world.env(), { announce: [t.url] });
    const got = await b1.add(seeded.magnetURI, { select: [0, 2] });
    await got.done;
    expect(got.files.map((f) => f.selected)).toEqual([true, false, true]);
    expect(got.files.map((f) => f.progress)).toEqual([1, 0, 1]);
    expect([...got.pieceStates()]).toEqual([2, 2, 2, 0, 0, 0, 0, 2, 2]);
    expect(got.timeRemaining).toBe(0);
    const peers = got.peers();
    expect(peers).toHaveLength(1);
    expect(peers[0]).toMatchObject({ progress: 1, unchokedUs: expect.any(Boolean) });
    expect(peers[0]!.client).toMatch(/tabswarm/);
    await b1.destroy();
    // After a reload the selection is the same; selecting b then fetches it.
    const b2 = new BaseClient(world.env(), { announce: [t.url] });
    cleanup.push(() => b2.destroy());
    await b2.ready;
    const again = b2.torrents[0]!;
    await again.ready;
    expect(again.selection).toEqual([0, 2]);
    expect(again.isDone).toBe(true);
    const doneAgain = new Promise<void>((r) => again.addEventListener('done', () => r()));
    again.files[1]!.select();
    expect(again.selection).toBeUndefined();
    await doneAgain;
    expect(sha(new Uint8Array(await (await again.files[1]!.blob()).arrayBuffer()))).toBe(sha(files[1]!.data));
    expect(() => again.selectFile(7, true)).toThrow(RangeError);
  });

  it('a selection given before the metadata leaves out every file it does not list, past its highest index too, and a huge index costs nothing', async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    const b = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(
      () => a.destroy(),
      () => b.destroy(),
    );
    const files = [
      { path: 'set/a.bin', data: fixtureBytes(2 * 16384, 1) },
      { path: 'set/b.bin', data: fixtureBytes(3 * 16384, 2) },
      { path: 'set/c.bin', data: fixtureBytes(2 * 16384, 3) },
    ];
    const seeded = await a.seed(files, { pieceLength: 16384 });
    expect(seeded.completeFiles).toBe(3);
    // BEP 53: `so=0` is file 0 alone. (The selection was once handed on as one flag per index up to
    // the highest, so files past it were fetched, and so=99999999 made an array of 100 million.)
    const got = await b.add(`${seeded.magnetURI}&so=0,99999999`);
    expect(got.completeFiles).toBe(0);
    await got.done;
    expect(got.files.map((f) => f.selected)).toEqual([true, false, false]);
    expect(got.files.map((f) => f.progress)).toEqual([1, 0, 0]);
    expect(got.completeFiles).toBe(1);
    expect([...got.pieceStates()]).toEqual([2, 2, 0, 0, 0, 0, 0]);
    // The selection set in one step.
    const doneAgain = new Promise<void>((r) => got.addEventListener('done', () => r()));
    got.setSelection([0, 2]);
    expect(got.selection).toEqual([0, 2]);
    expect(got.isSelected(1)).toBe(false);
    await doneAgain;
    expect(got.files.map((f) => f.progress)).toEqual([1, 0, 1]);
    expect(got.completeFiles).toBe(2);
    got.setSelection(undefined);
    expect(got.selection).toBeUndefined();
    expect(() => got.setSelection([3])).toThrow(RangeError);
  });

  it("says how each peer's connection goes, and warns in plain words and counts each connection that cannot be made", async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    const relayed = new BaseClient(fakeWorld({ connection: 'relay' }).env(), { announce: [t.url] });
    const UNREACHABLE = 'the connection failed (no direct path; a TURN relay would help)';
    const stranded = new BaseClient(fakeWorld({ unreachable: UNREACHABLE }).env(), { announce: [t.url] });
    cleanup.push(
      () => a.destroy(),
      () => relayed.destroy(),
      () => stranded.destroy(),
    );
    const seeded = await a.seed([{ path: 'x.bin', data: fixtureBytes(50_000, 4) }]);
    const got = await relayed.add(seeded.magnetURI);
    await got.done;
    expect(got.peers().map((p) => p.connection)).toEqual(['relay']);
    expect(seeded.peers().map((p) => p.connection)).toEqual([undefined]); // its world's peers say nothing
    expect(got.failedConnections).toBe(0);

    const warnings: string[] = [];
    stranded.addEventListener('warning', (e) => warnings.push(e.detail.message));
    const lost = await stranded.add(seeded.magnetURI);
    const warned = new Promise<string>((resolve) => lost.addEventListener('warning', (e) => e.detail.unreachable && resolve(e.detail.message)));
    expect(await warned).toBe(`a peer could not be reached: ${UNREACHABLE}`);
    expect(lost.failedConnections).toBeGreaterThanOrEqual(1);
    expect(lost.numPeers).toBe(0);
    expect(warnings).toContain(`a peer could not be reached: ${UNREACHABLE}`);
    // The other end of each failed attempt counts it too.
    const until = Date.now() + 5_000;
    while (seeded.failedConnections === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(seeded.failedConnections).toBeGreaterThanOrEqual(1);
  });

  it('remove with deleteData forgets the torrent and frees its pieces', async () => {
    const t = await tracker();
    const world = fakeWorld();
    const a = new BaseClient(world.env(), { announce: [t.url] });
    cleanup.push(() => a.destroy());
    const seeded = await a.seed([{ path: 'f.bin', data: fixtureBytes(50_000, 1) }], { pieceLength: 16384 });
    expect(world.records.size).toBe(1);
    expect((await world.stores.get(seeded.infoHash)!.stored()).length).toBe(4);
    await a.remove(seeded, { deleteData: true });
    expect(a.torrents).toEqual([]);
    expect(world.records.size).toBe(0);
    expect(await world.stores.get(seeded.infoHash)!.stored()).toEqual([]);
  });

  it('rejects a malformed magnet link with a clear error and keeps working', async () => {
    const a = new BaseClient(fakeWorld().env(), {});
    cleanup.push(() => a.destroy());
    await expect(a.add('magnet:?xt=urn:btih:1234')).rejects.toThrow(MagnetError);
    await expect(a.add('magnet:?xt=urn:btih:1234')).rejects.toThrow(/info hash/);
    await expect(a.add(new Uint8Array([1, 2, 3]))).rejects.toThrow(TorrentError);
    expect(a.torrents).toEqual([]);
  });

  it('refuses a torrent whose pieces are too long to verify in memory, before it stores anything', async () => {
    const world = fakeWorld();
    const a = new BaseClient(world.env(), { maxPieceMemory: 96 * 1024 * 1024 });
    cleanup.push(() => a.destroy());
    const torrentFile = encode({ info: { length: 2 ** 31, name: 'huge.bin', 'piece length': 128 * 1024 * 1024, pieces: new Uint8Array(20 * 16) } });
    await expect(a.add(torrentFile)).rejects.toThrow(TorrentError);
    await expect(a.add(torrentFile)).rejects.toThrow('pieces of 128 MiB are too long: a piece is verified in memory, and a tab holds at most 64 MiB for one');
    expect(a.torrents).toEqual([]);
    expect(world.stores.size).toBe(0);
    expect(a.pieceMemory).toEqual({ used: 0, peak: 0, limit: 96 * 1024 * 1024 });
  });
});
