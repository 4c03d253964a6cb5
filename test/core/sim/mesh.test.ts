import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/session/clock.js';
import { Mesh, type MeshOptions } from '../../../src/core/sim/mesh.js';
import { messagesOf } from '../../../src/core/sim/tracker.js';
import { mulberry32 } from '../../../src/core/random.js';

const settle = () => new Promise<void>((r) => setImmediate(r));

/** A mesh of `trackersOf.length` peers; records connections and checks the caps at each one. */
function world(trackers: number, trackersOf: number[][], options: Partial<MeshOptions>, seeking: (i: number) => boolean = () => true) {
  const clock = new VirtualClock(settle);
  const pairs: string[] = [];
  const problems: string[] = [];
  const mesh: Mesh = new Mesh(
    clock,
    mulberry32(11),
    trackers,
    {
      connect: (a, b) => {
        pairs.push(a < b ? `${a}-${b}` : `${b}-${a}`);
        for (const p of [a, b]) if (mesh.linksOf(p).size > mesh.o.maxPeers) problems.push(`${p} over the cap`);
      },
      seeking,
    },
    options,
  );
  for (const ts of trackersOf) mesh.add(ts);
  // Peers arrive over a second, as in the simulator.
  const arrival = mulberry32(5);
  const joinAll = () => trackersOf.forEach((_, i) => clock.setTimeout(() => mesh.join(i), i === 0 ? 0 : arrival() * 1000));
  return { clock, mesh, pairs, problems, joinAll };
}

const degrees = (mesh: Mesh, n: number) => Array.from({ length: n }, (_, i) => mesh.linksOf(i).size);

describe('Mesh: trackers only', () => {
  it('connects peers that announce with offers, within the caps and without duplicates', async () => {
    const w = world(
      1,
      Array.from({ length: 30 }, () => [0]),
      { trackerOffers: 10, maxPeers: 12 },
    );
    w.joinAll();
    await w.clock.run(() => false, 60_000);
    expect(w.problems).toEqual([]);
    expect(new Set(w.pairs).size).toBe(w.pairs.length);
    expect(Math.max(...degrees(w.mesh, 30))).toBe(12);
    expect(w.mesh.components()).toBe(1);
    const c = w.mesh.trackerCounts();
    expect(c.answersRelayed).toBeGreaterThanOrEqual(w.pairs.length); // answers that came when there was no room were dropped
    expect(c.offersRelayed).toBeGreaterThanOrEqual(c.answersRelayed);
    expect(w.mesh.relay).toEqual({ pexMessages: 0, pexEntries: 0, offers: 0, answers: 0, refusals: 0 });
  });

  it('sends no offers for a peer that does not seek, and its slots come back after the offer timeout', async () => {
    const w = world(1, [[0], [0], [0]], { trackerOffers: 5, offerTimeout: 1_000, announceInterval: 1e9 }, (i) => i !== 2);
    w.joinAll();
    await w.clock.run(() => false, 10_000);
    expect(w.pairs).toEqual(['0-1']); // 0 offered into an empty swarm, 1 offered to 0; 2 only answers and nobody offered after it joined
    expect(w.mesh.trackerCounts()).toEqual({ announces: 3, offersRelayed: 1, answersRelayed: 1 });
    expect([0, 1, 2].map((i) => w.mesh.free(i))).toEqual([39, 39, 40]);
  });

  it('leaves peers of independent trackers in separate swarms', async () => {
    const w = world(
      2,
      Array.from({ length: 20 }, (_, i) => [i % 2]),
      { trackerOffers: 10, relay: true },
    );
    w.joinAll();
    await w.clock.run(() => false, 60_000);
    expect(w.mesh.components()).toBe(2);
    expect(
      w.pairs.every((p) =>
        p
          .split('-')
          .map(Number)
          .every((x, _, [a]) => x % 2 === a! % 2),
      ),
    ).toBe(true);
  });
});

describe('Mesh: peer exchange and relayed offers', () => {
  it('grows the mesh through peers far beyond what the tracker introduced, counting no tracker message for it', async () => {
    const n = 60;
    const off = world(
      1,
      Array.from({ length: n }, () => [0]),
      { trackerOffers: 2, maxPeers: 20 },
    );
    const on = world(
      1,
      Array.from({ length: n }, () => [0]),
      { trackerOffers: 2, maxPeers: 20, relay: true },
    );
    off.joinAll();
    on.joinAll();
    await off.clock.run(() => false, 60_000);
    await on.clock.run(() => false, 60_000);
    const mean = (w: typeof on) => degrees(w.mesh, n).reduce((a, b) => a + b, 0) / n;
    expect(mean(off)).toBeLessThan(5);
    expect(mean(on)).toBeGreaterThan(15);
    expect(on.problems).toEqual([]);
    expect(new Set(on.pairs).size).toBe(on.pairs.length);
    expect(messagesOf(on.mesh.trackerCounts())).toBe(messagesOf(off.mesh.trackerCounts()));
    const r = on.mesh.relay;
    // Every connection came from an answer, through the tracker or a peer, unless the cap dropped it.
    expect(r.answers + on.mesh.trackerCounts().answersRelayed).toBeGreaterThanOrEqual(on.pairs.length);
    expect(r.answers).toBeGreaterThan(on.mesh.trackerCounts().answersRelayed);
    expect(r.answers + r.refusals).toBeGreaterThanOrEqual(r.offers - 2 * 8 * n); // all but those in flight came back
    expect(r.pexMessages).toBeGreaterThan(0);
  });

  it('joins swarms of separate trackers into one through a peer on both', async () => {
    const trackersOf = Array.from({ length: 40 }, (_, i) => (i === 0 ? [0, 1] : [i % 2]));
    const cross = (pairs: string[]) =>
      pairs.filter((p) => {
        const [a, b] = p.split('-').map(Number) as [number, number];
        return a !== 0 && b !== 0 && a % 2 !== b % 2;
      }).length;
    const off = world(2, trackersOf, { trackerOffers: 5 });
    const on = world(2, trackersOf, { trackerOffers: 5, relay: true });
    off.joinAll();
    on.joinAll();
    await off.clock.run(() => false, 60_000);
    await on.clock.run(() => false, 60_000);
    expect(cross(off.pairs)).toBe(0); // only the bridge links the two
    expect(cross(on.pairs)).toBeGreaterThan(20);
    expect(on.mesh.components()).toBe(1);
  });

  it('refills slots freed by closed connections from what neighbours told', async () => {
    const n = 30;
    const w = world(
      1,
      Array.from({ length: n }, () => [0]),
      { trackerOffers: 3, maxPeers: 6, relay: true },
    );
    w.joinAll();
    await w.clock.run(() => false, 30_000);
    const before = w.mesh.linksOf(5).size;
    expect(before).toBe(6);
    for (const q of [...w.mesh.linksOf(5)].slice(0, 3)) w.mesh.disconnected(5, q);
    expect(w.mesh.linksOf(5).size).toBe(3);
    await w.clock.run(() => false, 60_000);
    expect(w.mesh.linksOf(5).size).toBe(6);
    expect(w.problems).toEqual([]);
  });

  it('connects two peers that offer to each other at once exactly once', async () => {
    // 0 knows 1 and 2 (tracker); it tells each of the other, and both offer through it at once.
    const w = world(1, [[0], [0], [0]], { trackerOffers: 2, relay: true, pexInterval: 1_000 }, (i) => i !== 0);
    w.mesh.join(0);
    w.mesh.join(1);
    w.clock.setTimeout(() => w.mesh.join(2), 1);
    await w.clock.run(() => false, 20_000);
    expect([...w.pairs].sort()).toEqual(['0-1', '0-2', '1-2']);
  });
});

describe('Mesh: a starving peer', () => {
  it('announces as the real client does: from the minimum interval, doubling, and checks again before an early announce', async () => {
    const clock = new VirtualClock(settle);
    let starving = true;
    const mesh = new Mesh(clock, mulberry32(3), 1, { connect: () => undefined, seeking: () => true, starving: () => starving }, { latency: 0 });
    mesh.add([0]);
    mesh.join(0);
    await clock.run(() => false, 0);
    let seen = mesh.trackerCounts().announces;
    expect(seen).toBe(1); // at 0 s
    const times: number[] = [];
    for (let t = 0; t < 700_000; t += 5_000) {
      // Starving until 250 s and from 400 s to 460 s.
      starving = t < 250_000 || (t >= 400_000 && t < 460_000);
      await clock.run(() => false, t + 5_000);
      const n = mesh.trackerCounts().announces;
      for (; seen < n; seen++) times.push(clock.now());
    }
    // 30, 90, 210 s starving (the last capped at the 120 s interval), 330 s fed, 450 s starving
    // again (next due at 480 s, skipped: fed by then), then 570 s and 690 s on the interval.
    expect(times).toEqual([30_000, 90_000, 210_000, 330_000, 450_000, 570_000, 690_000]);
  });
});
