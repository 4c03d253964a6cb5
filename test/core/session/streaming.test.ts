/**
 * Streaming priorities in the session (`setStreamPriority`): a reader's critical pieces come first and
 * in order, its read-ahead next, in deselected files too, and a seeder that reveals its pieces a few at
 * a time (initial seeding) reveals what a streaming peer waits for (the ts_want hint).
 */
import { describe, expect, it, vi } from 'vitest';
import { Peer } from '../../../src/core/session/peer.js';
import { createTorrent, type TorrentInputFile } from '../../../src/core/create.js';
import { concatBytes } from '../../../src/core/bytes.js';
import { PRIORITY } from '../../../src/core/picker/index.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, seededStore, storedBytes, type TestNode } from './swarm-harness.js';

const storedBytesEqual = async (node: TestNode, metainfo: Parameters<typeof storedBytes>[1], data: Uint8Array) =>
  Buffer.from(await storedBytes(node.store, metainfo)).equals(Buffer.from(data));

const PIECE = 16 * 1024;

async function torrentOf(files: readonly TorrentInputFile[]) {
  const t = await createTorrent(files, { pieceLength: PIECE, name: files.length > 1 ? 'set' : undefined });
  return { metainfo: t.metainfo, data: concatBytes(files.map((f) => f.data as Uint8Array)) };
}

/** The order in which a node verifies pieces. */
function verifiedOrder(node: TestNode): number[] {
  const order: number[] = [];
  node.session.on('piece', (i) => order.push(i));
  return order;
}

const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe('streaming priorities', () => {
  it('critical pieces come first and in order, then the read-ahead, then the rest', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'movie.webm', data: fixtureBytes(64 * PIECE, 1) }]);
    const swarm = new TestSwarm();
    await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      upload: 256 * 1024,
      initialSeeding: false,
    });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const order = verifiedOrder(leecher);
    leecher.session.setStreamPriority(range(40, 43), range(44, 51));
    expect(leecher.session.priorityOf(44)).toBe(PRIORITY.high);
    expect(leecher.session.criticalPieces).toEqual(range(40, 43));
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done);
    expect(order.slice(0, 4)).toEqual(range(40, 43));
    expect([...order.slice(4, 12)].sort((a, b) => a - b)).toEqual(range(44, 51));
    // Released: back to the usual priority.
    leecher.session.setStreamPriority([], []);
    expect(leecher.session.priorityOf(44)).toBe(PRIORITY.normal);
    expect(leecher.session.criticalPieces).toEqual([]);
    swarm.stop();
  });

  it('a seeder that reveals its pieces a few at a time reveals first what a streaming peer waits for', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'movie.webm', data: fixtureBytes(256 * PIECE, 2) }]);
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 512 * 1024 });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const order = verifiedOrder(leecher);
    leecher.session.setStreamPriority(range(200, 203), []);
    swarm.connectAll();
    await swarm.runUntil(() => order.length >= 8);
    // Without the hint, these would come whenever the seeder happened to reveal them (at random); with
    // it, they come first (but for the one piece revealed before the hint arrived).
    expect(order[0]).toBe(200);
    expect(order.slice(0, 5)).toEqual(expect.arrayContaining(range(200, 203)));
    // A later seek: the new critical pieces are asked for, revealed and fetched right after the
    // requests already on their way (one block per piece here) and those sent while the hint goes
    // to the seeder and its answer comes back behind the blocks queued on the link.
    const inFlight = leecher.session.status().peers.find((p) => p.id === 'seeder')!.requests;
    expect(order).not.toContain(100);
    expect(order).not.toContain(101);
    leecher.session.setStreamPriority(range(100, 101), []);
    const from = order.length;
    await swarm.runUntil(() => order.length >= from + inFlight + 12);
    expect(order.slice(from, from + inFlight + 12)).toEqual(expect.arrayContaining([100, 101]));
    await swarm.runUntil(() => leecher.session.done);
    expect(seeder.bans).toEqual([]);
    expect(leecher.warnings).toEqual([]);
    swarm.stop();
  });

  it('before the metadata, a magnet leecher names the head it will read, and a seeder revealing pieces a few at a time shows it: asked for with the metadata', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'movie.webm', data: fixtureBytes(256 * PIECE, 6) }]);
    /** ms from the leecher's metadata to its piece 0, the head given before the metadata or with it. */
    const firstPieceAfterMetadata = async (early: boolean) => {
      const swarm = new TestSwarm();
      await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 512 * 1024 });
      const leecher = await swarm.add('leecher', { infoHash: metainfo.infoHashBytes });
      const head = range(0, 3);
      if (early) leecher.session.setStreamPriority(head, []);
      let metadataAt = NaN;
      let pieceAt = NaN;
      leecher.session.on('metadata', () => {
        metadataAt = swarm.clock.now();
        if (!early) leecher.session.setStreamPriority(head, []);
      });
      leecher.session.on('piece', (i) => {
        if (i === 0) pieceAt = swarm.clock.now();
      });
      const sends = vi.spyOn(Peer.prototype, 'send');
      swarm.connectAll();
      await swarm.runUntil(() => !Number.isNaN(pieceAt));
      // The leecher's interest in the seeder holds across the metadata (no notInterested, then
      // interested again: that made the seeder choke and unchoke it).
      const toSeeder = sends.mock.calls.filter((_, i) => (sends.mock.contexts[i] as Peer).id === 'seeder').map(([m]) => m.type);
      sends.mockRestore();
      expect(toSeeder).toContain('interested');
      expect(toSeeder).not.toContain('notInterested');
      swarm.stop();
      return pieceAt - metadataAt;
    };
    const early = await firstPieceAfterMetadata(true);
    const late = await firstPieceAfterMetadata(false);
    // Named with the metadata, the head costs the hint's round trip to the seeder first (20 ms each way here).
    expect(late - early).toBeGreaterThanOrEqual(40);
  });

  it('a head named before the metadata that runs past the end of a small torrent is cut to it', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'clip.webm', data: fixtureBytes(PIECE + 100, 7) }]);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const leecher = await swarm.add('leecher', { infoHash: metainfo.infoHashBytes });
    leecher.session.setStreamPriority(range(0, 3), []);
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done);
    expect(leecher.session.criticalPieces).toEqual([0, 1]);
    expect(leecher.warnings).toEqual([]);
    expect(await storedBytesEqual(leecher, metainfo, data)).toBe(true);
    swarm.stop();
  });

  it('a seek preempts the requests queued at a peer for ordinary pieces: the critical pieces come next, not after them', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'movie.webm', data: fixtureBytes(512 * PIECE, 5) }]);
    const swarm = new TestSwarm();
    await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      upload: 2 * 1024 * 1024,
      initialSeeding: false,
    });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const order = verifiedOrder(leecher);
    swarm.connectAll();
    await swarm.runUntil(() => order.length >= 60);
    const queued = leecher.session.status().peers.find((p) => p.id === 'seeder')!.requests;
    // A deep pipeline: without preemption the critical pieces would wait behind all of these.
    expect(queued).toBeGreaterThanOrEqual(20);
    const critical = range(400, 403).filter((i) => !order.includes(i));
    leecher.session.setStreamPriority(critical, []);
    const from = order.length;
    await swarm.runUntil(() => critical.every((i) => order.includes(i)));
    const before = Math.max(...critical.map((i) => order.indexOf(i))) - from - critical.length + 1;
    // Only what was already on the wire comes first.
    expect(before).toBeLessThan(queued / 2);
    // Seeks back and forth: the blocks that cross our cancels are not held against the seeder.
    for (const at of [100, 300, 200, 450, 50]) {
      const next = range(at, at + 3).filter((i) => !order.includes(i));
      leecher.session.setStreamPriority(next, []);
      await swarm.runUntil(() => next.every((i) => order.includes(i)));
    }
    leecher.session.setStreamPriority([], []);
    await swarm.runUntil(() => leecher.session.done);
    expect(leecher.warnings).toEqual([]);
    expect(leecher.session.hasPeer('seeder')).toBe(true);
    expect(await storedBytesEqual(leecher, metainfo, data)).toBe(true);
    swarm.stop();
  });

  it('streams from a deselected file, and its pieces go back to skipped when released', async () => {
    const files = [
      { path: 'set/a.bin', data: fixtureBytes(8 * PIECE, 3) },
      { path: 'set/b.bin', data: fixtureBytes(8 * PIECE, 4) },
    ];
    const { metainfo, data } = await torrentOf(files);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), initialSeeding: false });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    leecher.session.selectFiles([true, false]);
    leecher.session.setStreamPriority([10, 11], [12]);
    // Selecting again keeps what a reader raised.
    leecher.session.selectFiles([true, false]);
    expect([10, 11, 12, 13].map((i) => leecher.session.priorityOf(i))).toEqual([PRIORITY.high, PRIORITY.high, PRIORITY.high, PRIORITY.skip]);
    // A reader that went away before anything arrived: its pieces are skipped again.
    leecher.session.setStreamPriority([10, 11], []);
    expect(leecher.session.priorityOf(12)).toBe(PRIORITY.skip);
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done);
    const stored = new Set(await leecher.store.stored());
    for (const i of [...range(0, 7), 10, 11]) expect(stored.has(i), `piece ${i}`).toBe(true);
    for (const i of [8, 9, 12, 13, 14, 15]) expect(stored.has(i), `piece ${i}`).toBe(false);
    leecher.session.setStreamPriority([], []);
    expect(leecher.session.done).toBe(true);
    expect(range(8, 15).map((i) => leecher.session.priorityOf(i))).toEqual(range(8, 15).map(() => PRIORITY.skip));
    swarm.stop();
  });
});
