/**
 * Issue 19, a late joiner: a seeder and five leechers that join together fill each other's every
 * slot (five each); a sixth leecher joins 5 s later. Before peer turnover it found every peer full
 * and completed only because the seeds made room (room.ts: a seed closes a seed-to-seed
 * connection) and it asked the tracker again after 30 s instead of 120 s (announce-timer.ts). Now
 * the first comers, out of slots while none has a piece, each close a useless connection (room.ts:
 * peer turnover), or, when every connection is useful, a full peer makes room for the peer the
 * tracker introduces (room.ts: makeRoom), and the late joiner gets in at its first announce. Shedding and the
 * early re-announce are covered by room.test.ts, the tracker client's and the mesh's tests.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../src/sim/swarm.js';
import { FIVE_SLOTS, KiB } from './five-slots.js';

function run(relay: boolean, seed: number) {
  return simulate({ ...FIVE_SLOTS, seed, peers: 6, fileSize: 1024 * KiB, relay, lateJoiners: 1, lateJoinAt: 5_000 });
}

const SEEDS = [1, 2, 3, 4, 5, 6];

describe('a late joiner among full seeds', () => {
  it.each([false, true])('finds room and completes, relay %s, whatever the seed', async (relay) => {
    for (const seed of SEEDS) {
      const r = await run(relay, seed);
      expect(r.stalled).toBe(false);
      expect(r.finished).toBe(6);
      // Joined at 5 s and connected at its first announce: about 8 s (without relays and before
      // turnover, 36 s: it had to wait for its second announce). With relays the first comers
      // fill each other's every slot with useful connections; a full peer then makes room for the
      // newcomer the tracker introduces (room.ts, makeRoom), or it waited 36 s for seeds 3–6.
      expect(r.completionTime, `seed ${seed}`).toBeLessThan(20);
      expect(r.components).toBe(1);
    }
  });
});
