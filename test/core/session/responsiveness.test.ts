import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { RateMeter } from '../../../src/core/session/rate.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, seededStore, storedBytes, type TestNode } from './swarm-harness.js';

const PIECE = 16 * 1024;

describe('session responsiveness', () => {
  it('a peer that loses interest frees its upload slot at once, not at the next rechoke', async () => {
    const data = fixtureBytes(4 * PIECE, 31);
    const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
    const swarm = new TestSwarm();
    // Two slots (one regular, one optimistic) and three leechers connected to the seeder only: the
    // third is unchoked only when one of the first two finishes and says it is not interested.
    const seeder = await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      uploadSlots: 2,
      initialSeeding: false,
    });
    const leechers: TestNode[] = [];
    for (let i = 0; i < 3; i++) {
      const l = await swarm.add(`l${i}`, { metainfo, infoHash: metainfo.infoHashBytes });
      swarm.connect(seeder, l);
      leechers.push(l);
    }
    await swarm.runUntil(() => leechers.every((l) => l.session.done), 60_000);
    for (const l of leechers) expect(await storedBytes(l.store, metainfo)).toEqual(data);
    // The periodic rechoke is every 10 s; the whole transfer takes well under a second.
    expect(Math.max(...leechers.map((l) => l.doneAt ?? Infinity))).toBeLessThan(2_000);
    swarm.stop();
  });
});

describe('RateMeter', () => {
  it('measures a young meter over its age, not its whole window', () => {
    let t = 0;
    const meter = new RateMeter(() => t, 5);
    t = 500;
    meter.add(100_000);
    t = 1_000;
    expect(meter.rate()).toBeCloseTo(100_000, -2);
    t = 2_000;
    meter.add(100_000);
    expect(meter.rate()).toBeCloseTo(100_000, -2);
    // Once older than the window, the usual sliding window.
    t = 10_000;
    expect(meter.rate()).toBe(0);
  });
});
