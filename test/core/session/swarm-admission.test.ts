/** `Swarm` on its own: which peers it admits, and bans (the in-process swarms of swarm.test.ts never fill up nor reconnect). */
import { describe, expect, it } from 'vitest';
import { Swarm } from '../../../src/core/session/swarm.js';
import { MetadataExchange } from '../../../src/core/session/metadata.js';
import { Priorities } from '../../../src/core/session/priorities.js';
import { MemoryStore } from '../../../src/core/session/store.js';
import type { PeerChannel } from '../../../src/core/session/channel.js';
import type { SessionEvents } from '../../../src/core/session/types.js';
import { Emitter } from '../../../src/core/emitter.js';
import { bytesEqual, toHex } from '../../../src/core/bytes.js';
import { encodeHandshake } from '../../../src/core/wire/index.js';
import { nodeSha1, peerIdFor, seeded } from './swarm-harness.js';

const infoHash = new Uint8Array(20).fill(9);

/** A channel that counts its closes (the first one reports back, as a real channel does). */
function testChannel() {
  const c = {
    closes: 0,
    bufferedAmount: 0,
    lowWaterMark: 0,
    onData: undefined as PeerChannel['onData'],
    onClose: undefined as PeerChannel['onClose'],
    onDrain: undefined as PeerChannel['onDrain'],
    send() {},
    close() {
      if (c.closes++ === 0) c.onClose?.();
    },
    /** The remote side's handshake, with peer id `peerId`. */
    handshake(peerId: Uint8Array) {
      c.onData!(encodeHandshake({ infoHash, peerId, extensions: { extended: true, fast: true } }));
    },
  };
  return c;
}

function setup(maxPeers = 2, refusePeer?: (peerId: Uint8Array) => string | undefined) {
  const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
  let state: 'running' | 'paused' | 'stopped' = 'running';
  const events = new Emitter<SessionEvents>();
  const log: string[] = [];
  events.on('peer', (p) => log.push(`${p.event} ${p.id}`));
  events.on('ban', (b) => log.push(`ban ${b.id}: ${b.reason}`));
  events.on('warning', (w) => log.push(w));
  const swarm = new Swarm(
    {
      infoHash,
      peerId: peerIdFor(0),
      store: new MemoryStore(),
      hasher: nodeSha1,
      clock,
      random: seeded(1),
      maxPeers,
      uploadSlots: 4,
      maxPipeline: 160,
      requestTimeout: 30_000,
      highWaterMark: 32 * 1024,
      maxHighWaterMark: 1024 * 1024,
      initialSeeding: true,
      superSeeding: false,
      pieceMemory: 64 * 1024 * 1024,
      refusePeer,
    },
    { state: () => state, done: () => false, metadataComplete: () => {}, acceptsInfoHash: (h) => bytesEqual(h, infoHash), v2: () => false },
    {
      totals: { downloaded: 0, uploaded: 0, wasted: 0 },
      events,
      metadata: new MetadataExchange(infoHash, nodeSha1, () => 0),
      priorities: new Priorities(),
    },
  );
  return { swarm, log, setState: (s: typeof state) => (state = s) };
}

describe('swarm admission', () => {
  it('refuses a second connection under an id already connected, closing its channel', () => {
    const t = setup();
    const first = testChannel();
    const again = testChannel();
    expect(t.swarm.add(first, 'a', false)).toBeDefined();
    expect(t.swarm.add(again, 'a', false)).toBeUndefined();
    expect(again.closes).toBe(1);
    expect(first.closes).toBe(0);
    expect(t.swarm.size).toBe(1);
    expect(t.log).toEqual(['connected a']);
  });

  it('refuses peers past maxPeers but admits a web seed; refuses everyone while paused or stopped', () => {
    const t = setup(2);
    for (const id of ['a', 'b']) expect(t.swarm.add(testChannel(), id, false)).toBeDefined();
    expect(t.swarm.wantsPeers).toBe(false);
    const third = testChannel();
    expect(t.swarm.add(third, 'c', false)).toBeUndefined();
    expect(third.closes).toBe(1);
    const seed = testChannel();
    expect(t.swarm.add(seed, 'webseed', true)?.backup).toBe(true);
    expect(seed.closes).toBe(0);
    expect(t.swarm.size).toBe(3);

    for (const state of ['paused', 'stopped'] as const) {
      const u = setup(2);
      u.setState(state);
      expect(u.swarm.wantsPeers).toBe(false);
      const peer = testChannel();
      const backup = testChannel();
      expect(u.swarm.add(peer, 'a', false)).toBeUndefined();
      expect(u.swarm.add(backup, 'webseed', true)).toBeUndefined();
      expect([peer.closes, backup.closes]).toEqual([1, 1]);
      expect(u.swarm.size).toBe(0);
    }
  });

  it('a peer banned by id after it left is dropped when it connects again', () => {
    const t = setup();
    const remote = peerIdFor(7);
    t.swarm.ban(toHex(remote), 'sent corrupt data for piece 3');
    expect(t.swarm.banned).toEqual(new Set([toHex(remote)]));
    const channel = testChannel();
    t.swarm.add(channel, 'x', false);
    channel.handshake(remote);
    expect(channel.closes).toBe(1);
    expect(t.swarm.size).toBe(0);
    expect(t.log).toEqual(['connected x', 'peer x dropped: banned earlier in this session', 'disconnected x']);
    // Another peer id is welcome.
    const other = testChannel();
    t.swarm.add(other, 'y', false);
    other.handshake(peerIdFor(8));
    expect(t.swarm.peer('y')).toBeDefined();
  });

  it('banning a connected peer drops it and bans both its connection id and its peer id', () => {
    const t = setup();
    const remote = peerIdFor(7);
    const channel = testChannel();
    const peer = t.swarm.add(channel, 'x', false)!;
    channel.handshake(remote);
    t.swarm.ban(peer, 'lied');
    expect(t.swarm.banned).toEqual(new Set(['x', toHex(remote)]));
    expect(channel.closes).toBe(1);
    expect(t.swarm.peer('x')).toBeUndefined();
    expect(t.log).toEqual(['connected x', 'ban x: lied', 'peer x dropped: banned: lied', 'disconnected x']);
  });

  it('drops a peer whose handshake carries a peer id it is told to refuse (another tab of this browser), and no other', () => {
    const sibling = toHex(peerIdFor(5));
    const t = setup(2, (peerId) => (toHex(peerId) === sibling ? 'another tab of this browser' : undefined));
    const tab = testChannel();
    t.swarm.add(tab, 'x', false);
    tab.handshake(peerIdFor(5));
    expect(tab.closes).toBe(1);
    expect(t.swarm.size).toBe(0);
    expect(t.log).toEqual(['connected x', 'peer x dropped: another tab of this browser', 'disconnected x']);
    const stranger = testChannel();
    t.swarm.add(stranger, 'y', false);
    stranger.handshake(peerIdFor(6));
    expect(t.swarm.peer('y')).toBeDefined();
  });
});
