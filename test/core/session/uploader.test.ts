import { describe, expect, it } from 'vitest';
import { Uploader } from '../../../src/core/session/uploader.js';
import { wiredPeer } from './peer-fixture.js';
import { VirtualClock } from '../../../src/core/session/clock.js';
import { MemoryStore } from '../../../src/core/session/store.js';
import type { WireEvent } from '../../../src/core/wire/index.js';

const PIECE = 64 * 1024;
const BLOCK = 16 * 1024;

async function setup(pieces: number, o: { highWaterMark?: number; fast?: boolean } = {}) {
  const clock = new VirtualClock(() => new Promise<void>((r) => setImmediate(r)));
  const store = new MemoryStore();
  for (let i = 0; i < pieces; i++) await store.put(i, new Uint8Array(PIECE).fill(i));
  const reads: number[] = [];
  const get = store.get.bind(store);
  store.get = (index: number) => {
    reads.push(index);
    return get(index);
  };
  const served: number[] = [];
  const warnings: string[] = [];
  const uploader = new Uploader({
    clock,
    store,
    highWaterMark: o.highWaterMark ?? 32 * 1024,
    maxHighWaterMark: 1024 * 1024,
    warn: (m) => warnings.push(m),
    onServed: (_peer, index) => served.push(index),
  });
  const { peer, channel, sent } = wiredPeer({ id: 'p', clock, fast: o.fast ?? false });
  channel.onDrain = () => uploader.serve(peer);
  peer.unchoke();
  peer.flush();
  sent.length = 0;
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    peer.flush();
  };
  const ask = (...requests: { index: number; begin: number; length: number }[]) => {
    for (const r of requests) peer.queueRequest(r);
  };
  return { uploader, peer, channel, sent, reads, served, warnings, settle, store, ask, clock };
}

const blocks = (e: WireEvent[]) => e.filter((x) => x.type === 'piece').map((x) => (x.type === 'piece' ? `${x.index}:${x.begin}` : ''));

describe('uploader', () => {
  it('sends while the queue is under the high-water mark and goes on after a drain', async () => {
    const t = await setup(2, { highWaterMark: 2 * BLOCK });
    for (let b = 0; b < 4; b++) t.ask({ index: 0, begin: b * BLOCK, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    // Two blocks (plus framing) fill the queue past the mark: the loop waits.
    const first = blocks(t.sent);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(4);
    for (let i = 0; i < 4 && t.peer.queuedRequests.length > 0; i++) {
      t.channel.drain();
      await t.settle();
    }
    expect(blocks(t.sent)).toEqual(['0:0', '0:16384', '0:32768', '0:49152']);
    expect(t.served).toEqual([0, 0, 0, 0]);
    expect(t.sent.filter((e) => e.type === 'piece').every((e) => e.type === 'piece' && e.block.every((x) => x === 0))).toBe(true);
  });

  it('serves requests that arrive while a loop with nothing to do is ending (an unchoke and requests in one chunk)', async () => {
    const t = await setup(2);
    // The unchoke starts a loop that finds nothing queued; the requests right behind it, handled
    // before that loop is seen to end, must not wait for the next request or drain.
    t.uploader.serve(t.peer);
    t.ask({ index: 1, begin: 0, length: BLOCK }, { index: 1, begin: BLOCK, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(blocks(t.sent)).toEqual(['1:0', '1:16384']);
  });

  it('shares the high-water mark among the uploads active at the time, down to 8 KiB each', async () => {
    for (const { mark, shared } of [
      { mark: 64 * 1024, shared: 16 * 1024 },
      { mark: 16 * 1024, shared: 8 * 1024 },
    ]) {
      const t = await setup(1, { highWaterMark: mark });
      expect(t.uploader.highWaterMark(t.peer)).toBe(mark);
      // Three more peers are sent a block each: four uploads share our uplink's queue.
      const others = ['q', 'r', 's'].map((id) => wiredPeer({ id, clock: t.clock, fast: false }));
      for (const o of others) {
        o.peer.unchoke();
        o.peer.queueRequest({ index: 0, begin: 0, length: BLOCK });
        t.uploader.serve(o.peer);
      }
      await t.settle();
      for (const o of others) {
        o.peer.flush();
        expect(blocks(o.sent)).toEqual(['0:0']);
      }
      expect(t.uploader.highWaterMark(t.peer)).toBe(shared);
      // A peer gone no longer counts; nor, 200 ms after its last block, one that asks nothing more.
      t.uploader.peerGone(others[0]!.peer);
      expect(t.uploader.highWaterMark(t.peer)).toBe(Math.max(8 * 1024, mark / 3));
      let later = false;
      t.clock.setTimeout(() => (later = true), 250);
      await t.clock.run(() => later);
      expect(t.uploader.highWaterMark(t.peer)).toBe(mark);
    }
  });

  it('reads each piece once, ahead of the loop, and keeps recent pieces in a bounded cache', async () => {
    const t = await setup(40, { highWaterMark: 1024 * 1024 });
    for (let i = 0; i < 6; i++) t.ask({ index: i, begin: 0, length: BLOCK }, { index: i, begin: BLOCK, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(blocks(t.sent)).toHaveLength(12);
    expect([...t.reads].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    // Served again: from the cache.
    t.ask({ index: 3, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(t.reads).toHaveLength(6);
    // 40 pieces of 64 KiB pass through the cache: at most 32 pieces and 16 MiB stay, oldest out first.
    for (let i = 0; i < 40; i++) t.uploader.remember(i, new Uint8Array(PIECE));
    t.ask({ index: 0, begin: 0, length: BLOCK }, { index: 39, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(t.reads.slice(6)).toEqual([0]);
  });

  it('counts a cached piece by the buffer it keeps alive, once per buffer', async () => {
    const t = await setup(18, { highWaterMark: 1024 * 1024 });
    // 18 pieces of 64 KiB, two views of each of nine 2 MiB buffers (a seeder's spans, say): 1.1 MiB
    // of pieces, but 18 MiB held. The oldest buffer's two pieces go, and the 16 MiB left stay (until
    // piece 0, read again, takes the place of the next buffer's two).
    const spans = Array.from({ length: 9 }, () => new Uint8Array(2 * 1024 * 1024));
    for (let i = 0; i < 18; i++) t.uploader.remember(i, spans[i >> 1]!.subarray((i & 1) * PIECE, ((i & 1) + 1) * PIECE));
    t.ask({ index: 17, begin: 0, length: BLOCK }, { index: 10, begin: 0, length: BLOCK }, { index: 0, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(blocks(t.sent)).toEqual(['17:0', '10:0', '0:0']);
    expect(t.reads).toEqual([0]);
  });

  it('rejects a request for a piece the store no longer has (Fast Extension), and stops for a choked peer', async () => {
    const t = await setup(1, { fast: true });
    t.ask({ index: 5, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(t.sent).toEqual([{ type: 'reject', index: 5, begin: 0, length: BLOCK }]);
    t.peer.choke();
    t.ask({ index: 0, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(blocks(t.sent)).toEqual([]);
  });
});
