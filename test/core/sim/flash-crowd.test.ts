/**
 * Issue 19, a flash crowd that splits: twenty leechers join within a second, five slots each. The
 * seeder and the first comers fill each other's slots while none has a piece yet, and the later
 * ones, finding every slot taken, connect among themselves: a second swarm with no piece, which
 * got its first byte only once the first group finished and its seeds made room (or never, with
 * relays: it stalled). Peer turnover (room.ts: a leecher out of slots closes a quarter of its
 * useless connections) frees slots while the offers of the later comers still arrive, and the
 * crowd downloads as one swarm.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../src/sim/swarm.js';
import { FIVE_SLOTS, KiB } from './five-slots.js';

function run(relay: boolean) {
  return simulate({ ...FIVE_SLOTS, peers: 20, fileSize: 2048 * KiB, relay });
}

describe('a flash crowd out of slots', () => {
  it.each([false, true])('completes as one swarm, relay %s', async (relay) => {
    const r = await run(relay);
    expect(r.stalled).toBe(false);
    expect(r.finished).toBe(20);
    expect(r.components).toBe(1);
    // 16 s without relays, 19 s with them; without turnover 44 s and stalled.
    expect(r.completionTime).toBeLessThan(30);
  });
});
