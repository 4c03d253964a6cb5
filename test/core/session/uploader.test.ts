import { describe, expect, it } from 'vitest';
import { Uploader } from '../../../src/core/session/uploader.js';
import { Peer } from '../../../src/core/session/peer.js';
import { VirtualClock } from '../../../src/core/session/clock.js';
import { MemoryStore } from '../../../src/core/session/store.js';
import type { PeerChannel } from '../../../src/core/session/channel.js';
import { WireDecoder, type WireEvent } from '../../../src/core/wire/index.js';

const PIECE = 64 * 1024;
const BLOCK = 16 * 1024;

/** A channel whose queue drains only when told to; what was sent is decoded. */
function testChannel(): PeerChannel & { sent: WireEvent[]; drain(): void } {
  const decoder = new WireDecoder({ handshake: false });
  const sent: WireEvent[] = [];
  let buffered = 0;
  const channel = {
    sent,
    onData: undefined,
    onClose: undefined,
    onDrain: undefined as (() => void) | undefined,
    lowWaterMark: 0,
    get bufferedAmount() {
      return buffered;
    },
    send(data: Uint8Array) {
      buffered += data.length;
      sent.push(...decoder.push(data));
    },
    close() {},
    drain() {
      buffered = 0;
      channel.onDrain?.();
    },
  };
  return channel;
}

async function setup(pieces: number, o: { highWaterMark?: number } = {}) {
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
  const channel = testChannel();
  const peer = new Peer({ id: 'p', channel, clock, onEvent: () => {}, onError: () => {} });
  channel.onDrain = () => uploader.serve(peer);
  peer.handshaken = true;
  peer.amChoking = false;
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    peer.flush();
  };
  return { uploader, peer, channel, reads, served, warnings, settle, store };
}

const blocks = (e: WireEvent[]) => e.filter((x) => x.type === 'piece').map((x) => (x.type === 'piece' ? `${x.index}:${x.begin}` : ''));

describe('uploader', () => {
  it('sends while the queue is under the high-water mark and goes on after a drain', async () => {
    const t = await setup(2, { highWaterMark: 2 * BLOCK });
    for (let b = 0; b < 4; b++) t.peer.theirRequests.push({ index: 0, begin: b * BLOCK, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    // Two blocks (plus framing) fill the queue past the mark: the loop waits.
    const first = blocks(t.channel.sent);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(4);
    for (let i = 0; i < 4 && t.peer.theirRequests.length > 0; i++) {
      t.channel.drain();
      await t.settle();
    }
    expect(blocks(t.channel.sent)).toEqual(['0:0', '0:16384', '0:32768', '0:49152']);
    expect(t.served).toEqual([0, 0, 0, 0]);
    expect(t.channel.sent.filter((e) => e.type === 'piece').every((e) => e.type === 'piece' && e.block.every((x) => x === 0))).toBe(true);
  });

  it('reads each piece once, ahead of the loop, and keeps recent pieces in a bounded cache', async () => {
    const t = await setup(40, { highWaterMark: 1024 * 1024 });
    for (let i = 0; i < 6; i++) t.peer.theirRequests.push({ index: i, begin: 0, length: BLOCK }, { index: i, begin: BLOCK, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(blocks(t.channel.sent)).toHaveLength(12);
    expect([...t.reads].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    // Served again: from the cache.
    t.peer.theirRequests.push({ index: 3, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(t.reads).toHaveLength(6);
    // 40 pieces of 64 KiB pass through the cache: at most 32 pieces and 16 MiB stay, oldest out first.
    for (let i = 0; i < 40; i++) t.uploader.remember(i, new Uint8Array(PIECE));
    t.peer.theirRequests.push({ index: 0, begin: 0, length: BLOCK }, { index: 39, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(t.reads.slice(6)).toEqual([0]);
  });

  it('rejects a request for a piece the store no longer has (Fast Extension), and stops for a choked peer', async () => {
    const t = await setup(1);
    t.peer.fast = true;
    t.peer.theirRequests.push({ index: 5, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(t.channel.sent).toEqual([{ type: 'reject', index: 5, begin: 0, length: BLOCK }]);
    t.peer.amChoking = true;
    t.peer.theirRequests.push({ index: 0, begin: 0, length: BLOCK });
    t.uploader.serve(t.peer);
    await t.settle();
    expect(blocks(t.channel.sent)).toEqual([]);
  });
});
