import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { RateMeter } from '../../../src/core/session/rate.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, seededStore, storedBytes, withSend, type TestNode } from './swarm-harness.js';

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

describe('send queue bounds', () => {
  /** Downloads 2 MiB over a fast link and returns the most the seeder's channel held queued. */
  async function peakQueue(options: { highWaterMark?: number; maxHighWaterMark?: number }): Promise<number> {
    const data = fixtureBytes(2 * 1024 * 1024, 77);
    const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: 128 * 1024 });
    const swarm = new TestSwarm(5);
    const seeder = await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      upload: 32 * 1024 * 1024,
      initialSeeding: false,
      ...options,
    });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes, download: 64 * 1024 * 1024 });
    let peak = 0;
    swarm.connect(seeder, leecher, (inner) =>
      withSend(inner, (bytes) => {
        inner.send(bytes);
        peak = Math.max(peak, inner.bufferedAmount);
      }),
    );
    await swarm.runUntil(() => leecher.session.done, 60_000);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
    return peak;
  }

  it('grows with the rate by default, and never past maxHighWaterMark when one is set', { timeout: 60_000 }, async () => {
    const grown = await peakQueue({});
    const capped = await peakQueue({ highWaterMark: 32 * 1024, maxHighWaterMark: 32 * 1024 });
    expect(grown).toBeGreaterThan(64 * 1024);
    // Checked before each block is queued: at most one block and a few small messages past the mark.
    expect(capped).toBeLessThanOrEqual(32 * 1024 + 16 * 1024 + 256);
  });
});

describe('requests', () => {
  it('go out in batches, not one message per block received', { timeout: 60_000 }, async () => {
    const data = fixtureBytes(2 * 1024 * 1024, 78);
    const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: 256 * 1024 });
    const swarm = new TestSwarm(6);
    const seeder = await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      upload: 32 * 1024 * 1024,
    });
    const leecher = await swarm.add('leecher', { metainfo, infoHash: metainfo.infoHashBytes, download: 64 * 1024 * 1024 });
    // The leecher's messages to the seeder: after the opening exchange, all of them carry requests.
    let messages = 0;
    swarm.connect(leecher, seeder, (inner) =>
      withSend(inner, (bytes) => {
        messages++;
        inner.send(bytes);
      }),
    );
    await swarm.runUntil(() => leecher.session.done, 60_000);
    expect(await storedBytes(leecher.store, metainfo)).toEqual(data);
    swarm.stop();
    const blocks = data.length / (16 * 1024);
    // One message per block received would be ~128; batches of up to 16 requests (a quarter of the
    // pipeline while it is shallow) take a few dozen.
    expect(messages).toBeLessThan(blocks / 4);
  });
});
