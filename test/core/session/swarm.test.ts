import { describe, expect, it } from 'vitest';
import { createTorrent, type TorrentInputFile } from '../../../src/core/create.js';
import { concatBytes } from '../../../src/core/bytes.js';
import { GREETING, GREETING_FOLDER, fixtureBytes } from '../../fixtures/greeting.js';
import { MemoryStore } from '../../../src/core/session/store.js';
import { TestSwarm, closingAfter, seededStore, storedBytes, withSend, type TestNode } from './swarm-harness.js';

const PIECE = 16 * 1024;

async function torrentOf(files: readonly TorrentInputFile[], pieceLength = PIECE) {
  const t = await createTorrent(files, { pieceLength, name: files.length > 1 ? 'set' : undefined });
  const data = concatBytes(files.map((f) => f.data as Uint8Array));
  return { metainfo: t.metainfo, data };
}

function allDone(nodes: TestNode[]): () => boolean {
  return () => nodes.every((n) => n.session.done);
}

describe('in-process swarm', () => {
  const cases: [string, TorrentInputFile[]][] = [
    ['a 1-byte file', [{ path: 'one.bin', data: new Uint8Array([7]) }]],
    ['an exact multiple of the piece length', [{ path: 'exact.bin', data: fixtureBytes(4 * PIECE, 11) }]],
    ['a 1-byte last piece', [{ path: 'tail.bin', data: fixtureBytes(3 * PIECE + 1, 12) }]],
    ['the greeting (odd length, NUL byte)', [{ path: 'greeting.txt', data: GREETING }]],
    ['a multi-file torrent with empty files', [...GREETING_FOLDER]],
  ];

  for (const [label, files] of cases) {
    it(`1 seeder + 3 leechers: ${label}`, async () => {
      const { metainfo, data } = await torrentOf(files);
      const swarm = new TestSwarm();
      await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
      const leechers = [];
      for (let i = 0; i < 3; i++) leechers.push(await swarm.add(`l${i}`, { metainfo, infoHash: metainfo.infoHashBytes }));
      swarm.connectAll();
      await swarm.runUntil(allDone(leechers));
      for (const l of leechers) {
        expect(l.session.done).toBe(true);
        expect(await storedBytes(l.store, metainfo)).toEqual(data);
        expect(l.bans).toEqual([]);
      }
      swarm.stop();
    });
  }

  it('leechers trade with each other: the seeder uploads little more than one copy', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'big.bin', data: fixtureBytes(64 * PIECE, 3) }]);
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 512 * 1024 });
    const leechers = [];
    for (let i = 0; i < 4; i++) leechers.push(await swarm.add(`l${i}`, { metainfo, infoHash: metainfo.infoHashBytes, upload: 512 * 1024 }));
    swarm.connectAll();
    await swarm.runUntil(allDone(leechers));
    expect(leechers.every((l) => l.session.done)).toBe(true);
    expect(seeder.session.uploaded).toBeLessThan(2.5 * data.length);
    const fromLeechers = leechers.reduce((s, l) => s + l.session.uploaded, 0);
    expect(fromLeechers).toBeGreaterThan(data.length);
    swarm.stop();
  });

  it('file selection: a deselected file is not fetched; selecting it later fetches it and fires done again', async () => {
    const files = [
      { path: 'set/a.bin', data: fixtureBytes(5 * PIECE + 100, 31) },
      { path: 'set/b.bin', data: fixtureBytes(6 * PIECE, 32) },
      { path: 'set/c.bin', data: fixtureBytes(2 * PIECE + 7, 33) },
    ];
    const { metainfo, data } = await torrentOf(files);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    let doneEvents = 0;
    leecher.session.on('done', () => doneEvents++);
    leecher.session.selectFiles([true, false, true]);
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done);
    expect(doneEvents).toBe(1);
    const stored = new Set(await leecher.store.stored());
    // b.bin covers bytes [5·P+100, 11·P+100): pieces 5..11; 5 and 11 are shared with a and c.
    for (const i of [0, 1, 2, 3, 4, 5, 11, 12, 13]) expect(stored.has(i)).toBe(true);
    for (const i of [6, 7, 8, 9, 10]) expect(stored.has(i)).toBe(false);
    expect(leecher.session.progress).toBe(1);
    leecher.session.selectFiles([true, true, true]);
    expect(leecher.session.done).toBe(false);
    await swarm.runUntil(() => leecher.session.done);
    expect(doneEvents).toBe(2);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
  });

  it('a leecher that starts from the info hash alone fetches the metadata, then the file', async () => {
    const { metainfo, data } = await torrentOf([...GREETING_FOLDER]);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const magnet = await swarm.add('magnet', { infoHash: metainfo.infoHashBytes });
    let metadataEvents = 0;
    magnet.session.on('metadata', () => metadataEvents++);
    swarm.connectAll();
    await swarm.runUntil(() => magnet.session.done);
    expect(metadataEvents).toBe(1);
    expect(magnet.session.metainfo?.infoHash).toBe(metainfo.infoHash);
    expect(magnet.session.metainfo?.files.map((f) => f.path)).toEqual(metainfo.files.map((f) => f.path));
    expect(await storedBytes(magnet.store, metainfo)).toEqual(data);
    swarm.stop();
  });

  it('a magnet leecher reads what its store holds when it starts, not after the metadata came (then it needs no store read)', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'kept.bin', data: fixtureBytes(4 * PIECE, 9) }]);
    // The store holds pieces 0 and 2 from an earlier visit.
    const store = new MemoryStore();
    for (const i of [0, 2]) await store.put(i, data.slice(i * PIECE, (i + 1) * PIECE));
    const reads: string[] = [];
    const stored = store.stored.bind(store);
    let node: TestNode | undefined;
    store.stored = () => {
      reads.push(node?.session.metainfo ? 'after the metadata' : 'before the metadata');
      return stored();
    };
    const swarm = new TestSwarm();
    const magnet = (node = await swarm.add('magnet', { infoHash: metainfo.infoHashBytes, store }));
    expect(reads).toEqual(['before the metadata']);
    await magnet.session.provideMetadata(metainfo.infoBytes);
    expect(reads).toEqual(['before the metadata']);
    expect([0, 1, 2, 3].map((i) => magnet.session.has(i))).toEqual([true, false, true, false]);
    swarm.stop();
  });

  it('a magnet leecher given the info dictionary from elsewhere (an exact source) refuses another one, then downloads', async () => {
    const { metainfo, data } = await torrentOf([...GREETING_FOLDER]);
    const { metainfo: other } = await torrentOf([{ path: 'other.bin', data: fixtureBytes(3 * PIECE, 8) }]);
    const swarm = new TestSwarm();
    const magnet = await swarm.add('magnet', { infoHash: metainfo.infoHashBytes });
    let metadataEvents = 0;
    magnet.session.on('metadata', () => metadataEvents++);
    await expect(magnet.session.provideMetadata(other.infoBytes)).rejects.toThrow(/hashes to [0-9a-f]{40}, not to/);
    expect(magnet.session.metainfo).toBeUndefined();
    await magnet.session.provideMetadata(metainfo.infoBytes);
    expect(metadataEvents).toBe(1);
    expect(magnet.session.metainfo?.infoHash).toBe(metainfo.infoHash);
    await magnet.session.provideMetadata(metainfo.infoBytes); // known already: nothing happens
    expect(metadataEvents).toBe(1);
    // The peer that arrives later has only to send pieces.
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    swarm.connect(seeder, magnet);
    await swarm.runUntil(() => magnet.session.done);
    expect(await storedBytes(magnet.store, metainfo)).toEqual(data);
    swarm.stop();
  });

  it('a magnet leecher fetches metadata of several ut_metadata pieces (regression: sparse piece array)', async () => {
    // 2,500 pieces of 16 KiB: the info dictionary holds 50,000 bytes of hashes, four metadata pieces.
    const { metainfo, data } = await torrentOf([{ path: 'many.bin', data: fixtureBytes(2500 * PIECE - 3, 21) }]);
    expect(metainfo.infoBytes.length).toBeGreaterThan(3 * 16384);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 64 * 1024 * 1024 });
    const magnet = await swarm.add('magnet', { infoHash: metainfo.infoHashBytes, download: 64 * 1024 * 1024 });
    swarm.connectAll();
    await swarm.runUntil(() => magnet.session.metainfo !== undefined, 60_000);
    expect(magnet.session.metainfo?.infoHash).toBe(metainfo.infoHash);
    expect(magnet.warnings.filter((w) => w.includes('metadata'))).toEqual([]);
    swarm.stop();
  });

  it('a seeder that disconnects mid-piece: the leecher finishes from another seeder', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'f.bin', data: fixtureBytes(20 * PIECE + 5, 5) }]);
    const swarm = new TestSwarm();
    const quitter = await swarm.add('quitter', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const steady = await swarm.add('steady', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 256 * 1024 });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    // The quitter's link dies after 3.5 pieces' worth of bytes: in the middle of a block.
    swarm.connect(quitter, leecher, closingAfter(Math.floor(3.5 * PIECE) + 200));
    swarm.connect(steady, leecher);
    await swarm.runUntil(() => leecher.session.done);
    expect(leecher.session.done).toBe(true);
    expect(leecher.session.hasPeer('quitter')).toBe(false);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
  });

  it('a peer that sends corrupt blocks among three honest ones is banned; no honest peer is; the file is intact', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'f.bin', data: fixtureBytes(48 * PIECE + 777, 9) }], PIECE);
    const swarm = new TestSwarm();
    const corrupt = (index: number, piece: Uint8Array) => {
      const bad = piece.slice();
      const at = (index * 131) % bad.length;
      bad[at] = bad[at]! ^ 0xff;
      return bad;
    };
    const liar = await swarm.add('liar', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data, corrupt),
      upload: 8 * 1024 * 1024,
    });
    const honest: TestNode[] = [];
    for (let i = 0; i < 3; i++) {
      honest.push(await swarm.add(`honest${i}`, { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 512 * 1024 }));
    }
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    for (const s of [liar, ...honest]) swarm.connect(s, leecher);
    await swarm.runUntil(() => leecher.session.done);
    expect(leecher.session.done).toBe(true);
    expect(leecher.bans).toEqual(['liar']);
    expect(leecher.session.hasPeer('liar')).toBe(false);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(leecher.warnings.some((w) => w.includes('failed its hash check'))).toBe(true);
    swarm.stop();
  });

  it('a peer that never unchokes: the download completes from the others', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'f.bin', data: fixtureBytes(10 * PIECE + 3, 4) }]);
    const swarm = new TestSwarm();
    const miser = await swarm.add('miser', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), uploadSlots: 0 });
    const giver = await swarm.add('giver', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 256 * 1024 });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    swarm.connect(miser, leecher);
    swarm.connect(giver, leecher);
    await swarm.runUntil(() => leecher.session.done);
    expect(leecher.session.done).toBe(true);
    expect(miser.session.uploaded).toBe(0);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
  });

  it('resumes from what the store holds without fetching it again', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'f.bin', data: fixtureBytes(16 * PIECE, 8) }]);
    const swarm = new TestSwarm();
    await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const partial = new MemoryStore();
    for (let j = 0; j < 8; j++) await partial.put(j, data.slice(j * PIECE, (j + 1) * PIECE));
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes, store: partial });
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done);
    expect(leecher.session.downloaded).toBe(8 * PIECE);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
  });
});

describe('pause and resume', () => {
  it('pause closes every connection and gives up pieces in progress; resume carries on to a byte-identical end with totals kept', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'p.bin', data: fixtureBytes(64 * PIECE + 5, 21) }]);
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), upload: 256 * 1024 });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => leecher.session.progress > 0.3);
    leecher.session.pause();
    expect(leecher.session.paused).toBe(true);
    expect(leecher.session.peerCount).toBe(0);
    expect(leecher.session.pieceMemory.used).toBe(0);
    expect(leecher.session.wantsPeers).toBe(false);
    const progress = leecher.session.progress;
    const downloaded = leecher.session.status().downloaded;
    // A peer that arrives while paused is turned away.
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => false, 2_000);
    expect(leecher.session.peerCount).toBe(0);
    expect(leecher.session.progress).toBe(progress);

    leecher.session.resume();
    expect(leecher.session.wantsPeers).toBe(true);
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => leecher.session.done);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(leecher.session.status().downloaded).toBeGreaterThanOrEqual(downloaded + (1 - progress) * data.length - PIECE);
    swarm.stop();
  });

  it('a session that cannot go on (storage full) pauses with an error, and resumes once there is room', async () => {
    const { metainfo, data } = await torrentOf([{ path: 'q.bin', data: fixtureBytes(8 * PIECE, 22) }]);
    const swarm = new TestSwarm();
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const store = new MemoryStore(4 * PIECE);
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes, store });
    const errors: Error[] = [];
    leecher.session.on('error', (e) => errors.push(e));
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => errors.length > 0);
    expect(errors[0]!.message).toMatch(/^storage is full/);
    expect(leecher.session.paused).toBe(true);
    expect(leecher.session.peerCount).toBe(0);
    await swarm.runUntil(() => seeder.session.peerCount === 0, 1_000);
    // Room again: a store as large as the torrent, holding what was written.
    const kept = await store.stored();
    (store as unknown as { maxBytes: number }).maxBytes = Infinity;
    leecher.session.resume();
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => leecher.session.done);
    expect(kept.length).toBe(4);
    expect(await storedBytes(store, metainfo)).toEqual(data);
    swarm.stop();
  });
});

describe('announcing a verified piece', () => {
  it('tells the peers in a random order, not the order they connected in (so the first to answer, unchoked first, differ from piece to piece)', async () => {
    const data = fixtureBytes(8 * 64 * 1024, 91);
    const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: 64 * 1024 });
    const swarm = new TestSwarm(5);
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    swarm.connect(leecher, seeder);
    // Per piece the leecher verifies, the order in which its `have` went to the other peers.
    const order = new Map<number, string[]>();
    const listeners: TestNode[] = [];
    for (let k = 0; k < 6; k++) {
      const listener = await swarm.add(`l${k}`, { metainfo, infoHash: metainfo.infoHashBytes, download: 1 });
      listeners.push(listener);
      swarm.connect(leecher, listener, (inner) =>
        withSend(inner, (bytes) => {
          // A have: length 5, id 4, the piece index.
          for (let i = 0; i + 9 <= bytes.length; i++) {
            if (bytes[i] !== 0 || bytes[i + 1] !== 0 || bytes[i + 2] !== 0 || bytes[i + 3] !== 5 || bytes[i + 4] !== 4) continue;
            const index = new DataView(bytes.buffer, bytes.byteOffset + i + 5, 4).getUint32(0);
            const seen = order.get(index) ?? [];
            if (!seen.includes(listener.name)) seen.push(listener.name);
            order.set(index, seen);
          }
          inner.send(bytes);
        }),
      );
    }
    await swarm.runUntil(() => leecher.session.done, 60_000);
    swarm.stop();
    const orders = [...order.values()].filter((o) => o.length === listeners.length).map((o) => o.join(','));
    expect(orders.length).toBe(metainfo.pieces.length);
    // In connection order every piece would be told l0 first, then l1, …: one order for all 8.
    expect(new Set(orders).size).toBeGreaterThan(4);
    expect(new Set(orders.map((o) => o.split(',')[0])).size).toBeGreaterThan(1);
  });
});
