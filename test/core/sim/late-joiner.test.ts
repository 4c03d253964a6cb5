/**
 * Issue 19, a late joiner: a seeder and five leechers that join together fill each other's every
 * slot (five each); a sixth leecher joins 5 s later. Before peer turnover it found every peer full
 * and completed only because the seeds made room (room.ts: a seed closes a seed-to-seed
 * connection) and it asked the tracker again after 30 s instead of 120 s (announce-timer.ts). Now
 * the first comers, out of slots while none has a piece, each close a useless connection (room.ts:
 * peer turnover), and the late joiner finds a free slot at its first announce. Shedding and the
 * early re-announce are covered by room.test.ts, the tracker client's and the mesh's tests.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../src/sim/swarm.js';
import { FIVE_SLOTS, KiB } from './five-slots.js';

function run(relay: boolean) {
  return simulate({ ...FIVE_SLOTS, peers: 6, fileSize: 1024 * KiB, relay, lateJoiners: 1, lateJoinAt: 5_000 });
}

describe('a late joiner among full seeds', () => {
  it.each([false, true])('finds room and completes, relay %s', async (relay) => {
    const r = await run(relay);
    expect(r.stalled).toBe(false);
    expect(r.finished).toBe(6);
    // Joined at 5 s and connected at its first announce: about 8 s (without relays and before
    // turnover, 36 s: it had to wait for its second announce).
    expect(r.completionTime).toBeLessThan(20);
    expect(r.components).toBe(1);
  });
});
