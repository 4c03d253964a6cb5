/**
 * Peers find peers (issue 19, items 2 and 3) in-process: peer exchange (ts_pex) and signaling
 * relayed through peers (ts_signal) over the fake connector, on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { bytesEqual } from '../../../src/core/bytes.js';
import { FakeSignaling } from './fake-connector.js';
import { TestSwarm, seededStore, storedBytes, type TestNode } from './swarm-harness.js';

const PIECE = 16 * 1024;

async function fixture(size = 48 * PIECE + 5) {
  const data = fixtureBytes(size, 23);
  const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
  return { metainfo, data };
}

/** Remote peers of each node, sampled: the most each had at once. */
function watchPeers(swarm: TestSwarm, nodes: TestNode[]): Map<string, number> {
  const most = new Map<string, number>();
  const sample = (): void => {
    for (const n of nodes) most.set(n.name, Math.max(most.get(n.name) ?? 0, n.session.peerCount));
    swarm.clock.setTimeout(sample, 500);
  };
  sample();
  return most;
}

describe('peer exchange and relayed signaling (in-process)', () => {
  it('six magnet leechers that met only the seeder connect to each other through it and all complete', async () => {
    const { metainfo, data } = await fixture();
    const swarm = new TestSwarm();
    const signaling = new FakeSignaling(swarm.net);
    const connect = signaling.connector.bind(signaling);
    const seeder = await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      upload: 256 * 1024,
      connect,
    });
    const leechers: TestNode[] = [];
    for (let i = 0; i < 6; i++) leechers.push(await swarm.add(`l${i}`, { infoHash: metainfo.infoHashBytes, connect }));
    for (const l of leechers) swarm.connect(seeder, l);
    await swarm.runUntil(() => leechers.every((l) => l.session.done && l.session.peerCount === 6), 120_000);
    for (const l of leechers) {
      expect(bytesEqual(await storedBytes(l.store, metainfo), data)).toBe(true);
      // The seeder and the five others.
      expect(l.session.peerCount).toBe(6);
      expect(l.warnings.filter((w) => w.includes('dropped'))).toEqual([]);
    }
    // Each pair connected once: 15 connections between leechers, half offered by each side's lower id.
    expect(leechers.reduce((n, l) => n + l.session.relayedConnections, 0)).toBe(30);
    expect(signaling.accepted).toBeGreaterThanOrEqual(15);
    // The leechers traded: the seeder uploaded well under six copies.
    expect(seeder.session.uploaded).toBeLessThan(4 * data.length);
    swarm.stop();
  });

  it('the hub that introduced everyone leaves: the others stay connected to each other and complete from the seeders', async () => {
    const { metainfo, data } = await fixture();
    const swarm = new TestSwarm();
    const signaling = new FakeSignaling(swarm.net);
    const connect = signaling.connector.bind(signaling);
    const hub = await swarm.add('hub', { infoHash: metainfo.infoHashBytes, connect });
    const seeders = [];
    for (let i = 0; i < 2; i++) {
      seeders.push(
        await swarm.add(`s${i}`, { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), connect, upload: 32 * 1024 }),
      );
    }
    const leechers: TestNode[] = [];
    for (let i = 0; i < 5; i++) leechers.push(await swarm.add(`l${i}`, { infoHash: metainfo.infoHashBytes, connect }));
    for (const n of [...seeders, ...leechers]) swarm.connect(hub, n);
    // Long enough for two rounds of peer exchange and the relayed offers.
    await swarm.runUntil(() => leechers.every((l) => l.session.peerCount >= 7), 60_000);
    expect(leechers.filter((l) => l.session.done)).toEqual([]);
    hub.session.stop();
    await swarm.runUntil(() => leechers.every((l) => l.session.done), 300_000);
    await swarm.runUntil(() => false, 1_000);
    for (const l of leechers) {
      expect(bytesEqual(await storedBytes(l.store, metainfo), data)).toBe(true);
      expect(l.session.peerCount).toBe(6);
    }
    swarm.stop();
  });

  it('peer caps hold on both ends: leechers with maxPeers 3 never hold more', async () => {
    const { metainfo, data } = await fixture(16 * PIECE);
    const swarm = new TestSwarm();
    const signaling = new FakeSignaling(swarm.net);
    const connect = signaling.connector.bind(signaling);
    const seeder = await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      connect,
      upload: 128 * 1024,
    });
    const leechers: TestNode[] = [];
    for (let i = 0; i < 6; i++) leechers.push(await swarm.add(`l${i}`, { infoHash: metainfo.infoHashBytes, connect, maxPeers: 3 }));
    for (const l of leechers) swarm.connect(seeder, l);
    const most = watchPeers(swarm, leechers);
    await swarm.runUntil(() => false, 60_000);
    for (const l of leechers) expect(most.get(l.name)).toBeLessThanOrEqual(3);
    expect(leechers.some((l) => l.session.relayedConnections > 0)).toBe(true);
    swarm.stop();
  });

  it('a peer without a connector (as WebTorrent) is never told of peers nor offered to, and nothing breaks', async () => {
    const { metainfo, data } = await fixture(16 * PIECE);
    const swarm = new TestSwarm();
    const signaling = new FakeSignaling(swarm.net);
    const connect = signaling.connector.bind(signaling);
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), connect });
    const plain = await swarm.add('plain', { infoHash: metainfo.infoHashBytes });
    const others: TestNode[] = [];
    for (let i = 0; i < 3; i++) others.push(await swarm.add(`l${i}`, { infoHash: metainfo.infoHashBytes, connect }));
    for (const n of [plain, ...others]) swarm.connect(seeder, n);
    await swarm.runUntil(() => [plain, ...others].every((n) => n.session.done), 120_000);
    await swarm.runUntil(() => false, 30_000);
    expect(plain.session.peerCount).toBe(1);
    expect(plain.warnings).toEqual([]);
    // What the client reads to ask trackers for fewer peers (item 4): peers that can introduce others.
    expect(plain.session.relayPeers).toBe(0);
    expect(seeder.session.relayPeers).toBe(3);
    for (const l of others) {
      expect(l.session.peerCount).toBe(3);
      expect(l.session.relayPeers).toBe(3);
    }
    expect(bytesEqual(await storedBytes(plain.store, metainfo), data)).toBe(true);
    swarm.stop();
  });
});
