import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/core/session/limiter.js';
import { createTorrent } from '../../../src/core/create.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, seededStore, storedBytes } from './swarm-harness.js';

const KiB = 1024;

function manualClock() {
  let now = 0;
  const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
  return { clock, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('lets a burst through, then makes each taker wait for its share', () => {
    const { clock, advance } = manualClock();
    const limit = new RateLimiter(clock, 64 * KiB); // burst: max(16 KiB, 16 KiB)
    expect(limit.take(16 * KiB)).toBe(0);
    expect(limit.take(16 * KiB)).toBe(250); // 16 KiB of debt at 64 KiB/s
    expect(limit.take(16 * KiB)).toBe(500);
    expect(limit.available()).toBe(0);
    advance(500);
    expect(limit.msUntil(16 * KiB)).toBe(250); // the debt is paid; one block more takes 250 ms
    advance(1000);
    expect(limit.available()).toBe(16 * KiB); // never more than the burst
  });

  it('without a limit never waits; a limit can be changed and rejects nonsense', () => {
    const { clock } = manualClock();
    const limit = new RateLimiter(clock);
    expect(limit.take(10 ** 9)).toBe(0);
    expect(limit.available()).toBe(Infinity);
    limit.rate = 32 * KiB;
    expect(limit.limited).toBe(true);
    expect(() => (limit.rate = -1)).toThrow(RangeError);
    expect(() => (limit.rate = NaN)).toThrow(RangeError);
  });
});

describe('rate limits in a swarm', () => {
  async function transfer(limits: { up?: number; down?: number }): Promise<{ seconds: number; ok: boolean }> {
    const data = fixtureBytes(40 * 16 * KiB, 4);
    const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: 16 * KiB });
    const swarm = new TestSwarm();
    const clock = swarm.clock;
    await swarm.add('seeder', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      store: await seededStore(metainfo, data),
      uploadLimit: limits.up ? new RateLimiter(clock, limits.up) : undefined,
    });
    const leecher = await swarm.add('leecher', {
      metainfo,
      infoHash: metainfo.infoHashBytes,
      downloadLimit: limits.down ? new RateLimiter(clock, limits.down) : undefined,
    });
    swarm.connectAll();
    await swarm.runUntil(() => leecher.session.done);
    const ok = (await storedBytes(leecher.store, metainfo)).every((b, i) => b === data[i]);
    swarm.stop();
    return { seconds: clock.now() / 1000, ok };
  }

  it('an upload limit and a download limit each hold the transfer to their rate', async () => {
    const free = await transfer({});
    const up = await transfer({ up: 64 * KiB });
    const down = await transfer({ down: 64 * KiB });
    // 640 KiB at 64 KiB/s: about 10 s (less the first burst); unlimited links are much faster.
    expect(free.seconds).toBeLessThan(3);
    for (const r of [up, down]) {
      expect(r.ok).toBe(true);
      expect(r.seconds).toBeGreaterThan(9);
      expect(r.seconds).toBeLessThan(13);
    }
  });
});
