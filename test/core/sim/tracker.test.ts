import { describe, expect, it } from 'vitest';
import { messagesOf, SimTracker } from '../../../src/core/sim/tracker.js';
import { mulberry32 } from '../../../src/core/random.js';

describe('SimTracker', () => {
  it('hands each offer to a different other peer of its swarm, never back to the announcer', () => {
    const t = new SimTracker(0, mulberry32(3));
    expect(t.announce(0, 40)).toEqual([]); // alone: every offer goes nowhere
    for (let p = 1; p < 100; p++) {
      const to = t.announce(p, 40);
      expect(to).toHaveLength(Math.min(40, p));
      expect(new Set(to).size).toBe(to.length);
      expect(to.every((q) => q !== p && q >= 0 && q < p)).toBe(true);
    }
    expect(t.size).toBe(100);
    expect(t.counts).toEqual({ announces: 100, offersRelayed: 40 * 60 + (39 * 40) / 2 + 0, answersRelayed: 0 });
  });

  it('counts a peer once in its swarm however often it announces, and its answers and messages', () => {
    const t = new SimTracker(0, mulberry32(1));
    t.announce(1, 5);
    t.announce(2, 5);
    expect(t.announce(1, 5)).toEqual([2]);
    t.relayAnswer();
    expect(t.size).toBe(2);
    expect(t.has(2) && !t.has(3)).toBe(true);
    expect(t.counts).toEqual({ announces: 3, offersRelayed: 2, answersRelayed: 1 });
    expect(messagesOf(t.counts)).toBe(6);
  });

  it('spreads offers over the whole swarm', () => {
    const t = new SimTracker(0, mulberry32(7));
    for (let p = 0; p < 50; p++) t.announce(p, 0);
    const hits = new Array<number>(50).fill(0);
    for (let i = 0; i < 400; i++) for (const q of t.announce(0, 5)) hits[q]!++;
    // 2,000 offers over 49 peers: about 41 each; none left out, none far above.
    expect(hits[0]).toBe(0);
    expect(Math.min(...hits.slice(1))).toBeGreaterThan(15);
    expect(Math.max(...hits)).toBeLessThan(75);
  });
});
