/**
 * Memory for pieces in progress: what a peer can make a session hold. Regressions of an outside
 * review: a block nobody asked for made the session allocate a buffer the size of its whole piece,
 * kept after the peer left and after stop (2 MiB of traffic held 2 GiB with 16 MiB pieces).
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { encode } from '../../../src/core/bencode.js';
import { parseInfoDict, type Metainfo } from '../../../src/core/metainfo.js';
import { createTorrent } from '../../../src/core/create.js';
import { TorrentError } from '../../../src/core/errors.js';
import { MemoryBudget } from '../../../src/core/session/memory.js';
import { encodeHandshake, encodeMessage, WireDecoder, type WireEvent } from '../../../src/core/wire/index.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, nodeSha1, seededStore, storedBytes, type TestNode } from './swarm-harness.js';

const MiB = 1024 * 1024;
const BLOCK = 16 * 1024;

/** A torrent's metainfo without its data: `count` pieces of `pieceLength` (hashes that match nothing). */
async function hugeMetainfo(pieceLength: number, count: number): Promise<Metainfo> {
  const info = encode({ length: pieceLength * count, name: 'huge.bin', 'piece length': pieceLength, pieces: new Uint8Array(20 * count).fill(7) });
  return parseInfoDict(info, new Uint8Array(createHash('sha1').update(info).digest()), nodeSha1);
}

interface RawPeer {
  send(bytes: Uint8Array): void;
  events: WireEvent[];
  closed: () => boolean;
  close(): void;
}

/** A scripted peer speaking raw wire bytes to `to`; `onEvent` sees what the session sends it. */
function rawPeer(swarm: TestSwarm, to: TestNode, name: string, onEvent?: (p: RawPeer, e: WireEvent) => void): RawPeer {
  const node = swarm.net.node(name, { upload: 64 * MiB, download: 64 * MiB });
  const [toPeer, fromSession] = swarm.net.connect(to.node, node);
  let closed = false;
  const decoder = new WireDecoder();
  const p: RawPeer = { send: (b) => fromSession.send(b), events: [], closed: () => closed, close: () => fromSession.close() };
  fromSession.onClose = () => (closed = true);
  fromSession.onData = (chunk) => {
    for (const e of decoder.push(chunk)) {
      p.events.push(e);
      onEvent?.(p, e);
    }
  };
  to.session.addPeer(toPeer, name);
  const peerId = new Uint8Array(20).fill(name.length);
  p.send(encodeHandshake({ infoHash: to.session.infoHash, peerId, extensions: { extended: true, fast: true } }));
  return p;
}

describe('memory for pieces in progress', () => {
  it('a flood of blocks nobody asked for allocates nothing and gets the sender dropped (16 MiB pieces)', async () => {
    const metainfo = await hugeMetainfo(16 * MiB, 128);
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes });
    const before = process.memoryUsage().arrayBuffers;
    let peakGrowth = 0;
    const attackers: RawPeer[] = [];
    // Two connections, each sending one 16 KiB block of 70 different pieces (1.1 MiB): no interest,
    // no unchoke, no request.
    for (const name of ['flood-a', 'flood-b']) {
      const p = rawPeer(swarm, leecher, name);
      attackers.push(p);
      for (let i = 0; i < 70; i++) {
        const index = (name === 'flood-a' ? 0 : 64) + (i % 64);
        p.send(encodeMessage({ type: 'piece', index, begin: i < 64 ? 0 : BLOCK, block: new Uint8Array(BLOCK).fill(i) }));
      }
      await swarm.runUntil(() => p.closed(), 5_000);
      peakGrowth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - before);
    }
    const growth = Math.max(peakGrowth, process.memoryUsage().arrayBuffers - before);
    console.log(`unrequested flood, 2 × 1.1 MiB of blocks with 16 MiB pieces: array buffers grew ${(growth / MiB).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(32 * MiB); // 2 GiB before the fix
    expect(attackers.every((p) => p.closed())).toBe(true);
    expect(leecher.warnings.filter((w) => w.includes('did not ask for'))).toHaveLength(2);
    expect(leecher.session.pieceMemory.peak).toBe(0);
    expect(leecher.session.progress).toBe(0);
    swarm.stop();
  });

  it('pieces in progress stay within the budget whatever a peer answers, and are released when it leaves', async () => {
    const PIECE = 4 * BLOCK;
    const data = fixtureBytes(40 * PIECE + 123, 5);
    const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
    const swarm = new TestSwarm();
    const limit = 4 * PIECE;
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes, pieceMemory: limit });
    // Has everything, unchokes, answers every request but the last block of each piece: without a
    // budget every piece it is asked for would stay partial and held.
    const withholder = rawPeer(swarm, leecher, 'withholder', (p, e) => {
      if (e.type === 'request' && e.begin + e.length < PIECE) {
        const at = e.index * PIECE + e.begin;
        p.send(encodeMessage({ type: 'piece', index: e.index, begin: e.begin, block: data.subarray(at, at + e.length) }));
      }
    });
    withholder.send(encodeMessage({ type: 'haveAll' }));
    withholder.send(encodeMessage({ type: 'unchoke' }));
    let maxInProgress = 0;
    const watch = (): void => {
      let n = 0;
      for (let i = 0; i < metainfo.pieces.length; i++) {
        const state = leecher.session.pieceState(i);
        if (state !== 'none' && state !== 'verified') n++;
      }
      maxInProgress = Math.max(maxInProgress, n);
      if (!withholder.closed()) swarm.clock.setTimeout(watch, 50);
    };
    watch();
    await swarm.runUntil(() => false, 5_000);
    expect(withholder.events.filter((e) => e.type === 'request').length).toBeGreaterThan(0);
    expect(maxInProgress).toBe(4);
    expect(leecher.session.pieceMemory.used).toBe(limit);
    expect(leecher.session.pieceMemory.peak).toBe(limit);

    withholder.close();
    await swarm.runUntil(() => leecher.session.peerCount === 0, 1_000);
    expect(leecher.session.pieceMemory.used).toBe(0);

    // An honest seeder arrives: the download completes within the budget, byte-identical.
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => leecher.session.done, 120_000);
    expect(leecher.session.done).toBe(true);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    expect(leecher.session.pieceMemory.peak).toBeLessThanOrEqual(limit);
    swarm.stop();
  });

  it('torrents of one client share its budget, and a stopped torrent gives its share back', async () => {
    const PIECE = 2 * BLOCK;
    const data = fixtureBytes(16 * PIECE, 9);
    const { metainfo } = await createTorrent([{ path: 'g.bin', data }], { pieceLength: PIECE });
    const client = new MemoryBudget(4 * PIECE);
    const swarm = new TestSwarm();
    /** A peer that has everything, unchokes and never answers: every piece asked for stays in progress. */
    const silentPeerOf = (leecher: TestNode): void => {
      const silent = rawPeer(swarm, leecher, `silent-${leecher.name}`);
      silent.send(encodeMessage({ type: 'haveAll' }));
      silent.send(encodeMessage({ type: 'unchoke' }));
    };
    const a = await swarm.add('a', { metainfo, infoHash: metainfo.infoHashBytes, memory: client });
    silentPeerOf(a);
    await swarm.runUntil(() => false, 1_000);
    // A new connection asks for 8 blocks: 4 pieces, the whole of the client's budget.
    expect(a.session.pieceMemory.used).toBe(4 * PIECE);
    const b = await swarm.add('b', { metainfo, infoHash: metainfo.infoHashBytes, memory: client });
    silentPeerOf(b);
    await swarm.runUntil(() => false, 1_000);
    expect(b.session.pieceMemory.used).toBe(0);
    expect(b.session.waitingForMemory).toBe(true);
    a.session.stop();
    expect(client.used).toBe(0);
    // b was waiting for memory: it takes what a gave back at its next tick.
    await swarm.runUntil(() => false, 1_100);
    expect(b.session.pieceMemory.used).toBe(4 * PIECE);
    expect(client.used).toBe(4 * PIECE);
    swarm.stop();
    expect(client.used).toBe(0);
  });

  it('a piece too long to hold is refused with a clear error: from a .torrent at once, from peers as an error event', async () => {
    const metainfo = await hugeMetainfo(256 * MiB, 2);
    const swarm = new TestSwarm();
    await expect(swarm.add('t', { metainfo, infoHash: metainfo.infoHashBytes })).rejects.toThrow(TorrentError);
    await expect(swarm.add('t', { metainfo, infoHash: metainfo.infoHashBytes })).rejects.toThrow(/pieces of 256 MiB are too long.*at most 64 MiB/);

    const magnet = await swarm.add('m', { infoHash: metainfo.infoHashBytes });
    const errors: Error[] = [];
    magnet.session.on('error', (e) => errors.push(e));
    await magnet.session.provideMetadata(metainfo.infoBytes);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/pieces of 256 MiB are too long/)]);
    expect(magnet.session.paused).toBe(true);

    // The client's budget is a ceiling too.
    const small = await hugeMetainfo(32 * MiB, 2);
    await expect(swarm.add('c', { metainfo: small, infoHash: small.infoHashBytes, memory: new MemoryBudget(16 * MiB) })).rejects.toThrow(/at most 16 MiB/);
  });
});

describe('MemoryBudget', () => {
  it('reserves within its own limit and its parent, releases to both, and gives everything back on close', () => {
    const parent = new MemoryBudget(100);
    const a = new MemoryBudget(60, parent);
    const b = new MemoryBudget(60, parent);
    expect(a.tryReserve(50)).toBe(true);
    expect(a.tryReserve(20)).toBe(false); // over a's own limit
    expect(b.available()).toBe(50);
    expect(b.tryReserve(50)).toBe(true);
    expect(b.tryReserve(1)).toBe(false); // over the parent's
    expect(a.available()).toBe(0);
    a.release(30);
    expect(parent.used).toBe(70);
    expect(b.tryReserve(10)).toBe(true);
    expect(b.ceiling).toBe(60);
    b.close();
    expect(parent.used).toBe(20);
    expect(b.tryReserve(1)).toBe(false);
    b.release(60); // ignored after close
    expect(parent.used).toBe(20);
    expect(parent.peak).toBe(100);
  });
});
