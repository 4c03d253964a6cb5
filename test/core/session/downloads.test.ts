import { describe, expect, it } from 'vitest';
import { Downloads, type DownloadHost, type Totals } from '../../../src/core/session/downloads.js';
import { MemoryBudget } from '../../../src/core/session/memory.js';
import { MemoryStore } from '../../../src/core/session/store.js';
import type { Peer } from '../../../src/core/session/peer.js';
import { createTorrent } from '../../../src/core/create.js';
import { BitField, MAX_BLOCK, type WireEvent } from '../../../src/core/wire/index.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { testRequester, wiredPeer } from './peer-fixture.js';
import { nodeSha1, seeded } from './swarm-harness.js';

const BLOCK = 16 * 1024;
/** Two blocks a piece, four pieces: a new peer's first eight requests cover the whole torrent. */
const PIECE = 2 * BLOCK;
const COUNT = 4;

type Request = Extract<WireEvent, { type: 'request' }>;

/** Lets the verification (hash, then store) that a completing block started run to its end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function setup(o: { pieceLength?: number; length?: number } = {}) {
  const pieceLength = o.pieceLength ?? PIECE;
  const data = fixtureBytes(o.length ?? COUNT * PIECE, 5);
  const { metainfo } = await createTorrent([{ path: 'd.bin', data }], { pieceLength });
  const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
  const peers = new Map<string, Peer>();
  const drops: string[] = [];
  /** Who was banned: the `Peer` itself while connected, its id once it has left. */
  const bans: { who: Peer | string; reason: string }[] = [];
  const verified: { index: number; data: Uint8Array }[] = [];
  const failures: Error[] = [];
  const warnings: string[] = [];
  const host: DownloadHost = {
    peers: () => peers.values(),
    peer: (id) => peers.get(id),
    ban: (who, reason) => bans.push({ who, reason }),
    drop: (peer, reason) => drops.push(`${peer.id}: ${reason}`),
    verified: (index, bytes) => verified.push({ index, data: bytes }),
    fail: (error) => failures.push(error),
    warn: (message) => warnings.push(message),
  };
  const requester = testRequester({ clock, peers, drop: (peer, reason) => host.drop(peer, reason) });
  const budget = new MemoryBudget(16 * pieceLength);
  const store = new MemoryStore();
  const totals: Totals = { downloaded: 0, uploaded: 0, wasted: 0 };
  const downloads = new Downloads(metainfo, { hasher: nodeSha1, store, budget, random: seeded(1), requester, totals, host });
  requester.attach(downloads.picker);
  const count = downloads.geometry.pieceCount;

  /** A connected peer that has `pieces` (every one by default), unchokes us and interests us. */
  const add = (id: string, pieces?: readonly number[]) => {
    const w = wiredPeer({ id, clock, pieceCount: count });
    if (pieces) {
      const bits = new BitField(count);
      for (const i of pieces) bits.set(i);
      w.deliver({ type: 'bitfield', bits: bits.toBytes() });
    } else w.deliver({ type: 'haveAll' });
    w.deliver({ type: 'unchoke' });
    w.peer.setInterested(true);
    for (let i = 0; i < count; i++) if (w.peer.hasPiece(i)) downloads.picker.incrementAvailability(i);
    peers.set(id, w.peer);
    /** Every request the peer sent us, in order. */
    const requests = (): Request[] => {
      w.peer.flush();
      return w.sent.filter((e): e is Request => e.type === 'request');
    };
    return { peer: w.peer, requests };
  };
  /** The peer leaves (as the swarm sees it: gone from the host's peers, its requests given back). */
  const leave = (peer: Peer) => {
    peers.delete(peer.id);
    requester.peerGone(peer);
  };
  /** The torrent's bytes for a request. */
  const bytesOf = (r: { index: number; begin: number; length: number }) =>
    data.slice(r.index * pieceLength + r.begin, r.index * pieceLength + r.begin + r.length);
  const pieceBytes = (i: number) => data.slice(i * pieceLength, Math.min((i + 1) * pieceLength, data.length));
  return { downloads, requester, budget, store, totals, drops, bans, verified, failures, warnings, add, leave, bytesOf, pieceBytes };
}

/** A peer `a` asked for every piece, that sends the first one it was asked for with every byte wrong. */
async function corruptFirstPiece() {
  const t = await setup();
  const a = t.add('a');
  t.requester.fill(a.peer);
  const asked = a.requests();
  const p = asked[0]!.index;
  for (const r of asked.filter((x) => x.index === p)) t.downloads.block(a.peer, p, r.begin, new Uint8Array(r.length).fill(0xee));
  return { t, a, asked, p };
}

describe('downloads', () => {
  it('drops a peer that sends a block outside the torrent, before anything is counted', async () => {
    const t = await setup();
    const a = t.add('a');
    t.downloads.block(a.peer, COUNT, 0, new Uint8Array(BLOCK));
    t.downloads.block(a.peer, COUNT - 1, PIECE - 100, new Uint8Array(BLOCK));
    expect(t.drops).toEqual([
      `a: sent a block outside the torrent (piece ${COUNT}, offset 0, ${BLOCK} bytes)`,
      `a: sent a block outside the torrent (piece ${COUNT - 1}, offset ${PIECE - 100}, ${BLOCK} bytes)`,
    ]);
    expect(t.totals).toEqual({ downloaded: 0, uploaded: 0, wasted: 0 });
  });

  it('throws away a block we never asked for: counted as wasted, never stored nor held', async () => {
    const t = await setup();
    const a = t.add('a');
    t.downloads.block(a.peer, 1, 0, t.bytesOf({ index: 1, begin: 0, length: BLOCK }));
    t.downloads.block(a.peer, 1, BLOCK, t.bytesOf({ index: 1, begin: BLOCK, length: BLOCK }));
    await settle();
    expect(t.totals).toEqual({ downloaded: 0, uploaded: 0, wasted: 2 * BLOCK });
    expect(a.peer.downloaded.total).toBe(0);
    expect(t.downloads.picker.pieceState(1)).toBe('none');
    expect(t.budget.used).toBe(0);
    expect(t.verified).toEqual([]);
    expect(await t.store.stored()).toEqual([]);
    expect(t.drops).toEqual([]);
  });

  it('assembles the blocks we asked for into a piece that is verified, stored and reported', async () => {
    const t = await setup();
    const a = t.add('a');
    t.requester.fill(a.peer);
    const asked = a.requests();
    expect(asked).toHaveLength(2 * COUNT);
    expect(t.budget.used).toBe(COUNT * PIECE); // every piece started
    const p = asked[0]!.index;
    const blocks = asked.filter((r) => r.index === p);
    expect(blocks).toHaveLength(2);
    t.downloads.block(a.peer, p, blocks[0]!.begin, t.bytesOf(blocks[0]!));
    expect(t.downloads.picker.pieceState(p)).toBe('partial');
    t.downloads.block(a.peer, p, blocks[1]!.begin, t.bytesOf(blocks[1]!));
    await settle();
    expect(t.verified.map((v) => v.index)).toEqual([p]);
    expect(t.verified[0]!.data).toEqual(t.pieceBytes(p));
    expect(await t.store.get(p)).toEqual(t.pieceBytes(p));
    expect(t.downloads.picker.have(p)).toBe(true);
    expect(t.budget.used).toBe((COUNT - 1) * PIECE); // the verified piece's memory is released
    expect(t.totals).toEqual({ downloaded: PIECE, uploaded: 0, wasted: 0 });
    expect(a.peer.downloaded.total).toBe(PIECE);
    expect(t.bans).toEqual([]);
    expect(t.failures).toEqual([]);
  });

  it('bans the peer that sent every block of a corrupt piece, counts the piece as wasted and asks for it again', async () => {
    const { t, a, asked, p } = await corruptFirstPiece();
    await settle();
    expect(t.bans).toEqual([{ who: a.peer, reason: `sent corrupt data for piece ${p}` }]);
    expect(t.warnings).toEqual([`piece ${p} failed its hash check`]);
    expect(t.totals.wasted).toBe(PIECE);
    expect(t.verified).toEqual([]);
    expect(await t.store.get(p)).toBeUndefined();
    expect(t.downloads.picker.have(p)).toBe(false);
    // The piece is fetched again (this host only records the ban, so the peer is still there to ask),
    // with the next batch of requests: once half the pipeline is free, after two more blocks.
    for (const r of asked.filter((x) => x.index !== p).slice(0, 2)) t.downloads.block(a.peer, r.index, r.begin, t.bytesOf(r));
    await settle();
    expect(
      a
        .requests()
        .slice(asked.length)
        .filter((r) => r.index === p),
    ).toHaveLength(2);
  });

  it('bans by id the sender of a corrupt piece that left before it was hashed', async () => {
    const { t, a, p } = await corruptFirstPiece();
    t.leave(a.peer);
    await settle();
    expect(t.bans).toEqual([{ who: 'a', reason: `sent corrupt data for piece ${p}` }]);
  });

  it('accepts a request inside one piece, up to MAX_BLOCK long, and refuses every other', async () => {
    // Pieces longer than MAX_BLOCK, so that a request too long is not also past its piece's end.
    const big = 2 * MAX_BLOCK;
    const t = await setup({ pieceLength: big, length: 2 * big + 1000 });
    const d = t.downloads;
    expect(d.geometry.pieceCount).toBe(3);
    expect(d.validRequest(0, 0, BLOCK)).toBe(true);
    expect(d.validRequest(0, 0, MAX_BLOCK)).toBe(true);
    expect(d.validRequest(0, big - BLOCK, BLOCK)).toBe(true);
    expect(d.validRequest(2, 0, 1000)).toBe(true); // the short last piece, whole
    expect(d.validRequest(2, 999, 1)).toBe(true);

    expect(d.validRequest(0, 0, MAX_BLOCK + 1)).toBe(false); // too long
    expect(d.validRequest(0, 0, 0)).toBe(false); // empty
    expect(d.validRequest(0, BLOCK, -1)).toBe(false);
    expect(d.validRequest(3, 0, BLOCK)).toBe(false); // no such piece
    expect(d.validRequest(-1, 0, BLOCK)).toBe(false);
    expect(d.validRequest(0.5, 0, BLOCK)).toBe(false);
    expect(d.validRequest(0, big - BLOCK + 1, BLOCK)).toBe(false); // past the piece's end
    expect(d.validRequest(0, -1, BLOCK)).toBe(false);
    expect(d.validRequest(2, 0, 1001)).toBe(false); // past the last piece's end
    expect(d.validRequest(2, 1000, 1)).toBe(false);
  });

  it('gives up a partial piece that no connected peer has, and releases its memory', async () => {
    const t = await setup();
    const a = t.add('a');
    t.requester.fill(a.peer);
    const asked = a.requests();
    const [p, q] = [...new Set(asked.map((r) => r.index))] as [number, number];
    // One block of p and one of q arrive: both pieces are partial.
    for (const i of [p, q]) {
      const r = asked.find((x) => x.index === i)!;
      t.downloads.block(a.peer, i, r.begin, t.bytesOf(r));
    }
    // Nothing is given up while a peer that has them is connected.
    t.downloads.abandonStranded();
    expect(t.downloads.picker.pieceState(p)).toBe('partial');
    // Another peer has q alone; then a leaves: its requests go back, the two partial pieces stay.
    const b = t.add('b', [q]);
    t.leave(a.peer);
    expect(t.budget.used).toBe(2 * PIECE);
    t.downloads.abandonStranded();
    expect(t.downloads.picker.pieceState(p)).toBe('none');
    expect(t.downloads.picker.pieceState(q)).toBe('partial'); // b may still send the rest
    expect(t.budget.used).toBe(PIECE);
    t.leave(b.peer);
    t.downloads.abandonStranded();
    expect(t.downloads.picker.pieceState(q)).toBe('none');
    expect(t.budget.used).toBe(0);
    // What was received of them counts as downloaded, and nothing of it was stored.
    expect(t.totals.downloaded).toBe(2 * BLOCK);
    expect(await t.store.stored()).toEqual([]);
  });
});
