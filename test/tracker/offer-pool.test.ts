/**
 * Offers made ahead (issue 23): the first announce's offers are ready before a torrent is added;
 * those nobody takes are closed, not remade; a page without WebRTC is not asked again and again.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/session/clock.js';
import { OfferPool } from '../../src/core/tracker/offer-pool.js';
import { FakeFactory } from './fakes.js';

const settle = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

function pool(size = 3, maxAgeMs = 30_000) {
  const clock = new VirtualClock(settle);
  const factory = new FakeFactory('P');
  return { clock, factory, pool: new OfferPool(factory, { size, maxAgeMs, clock }) };
}

describe('OfferPool', () => {
  it('hands out the offers it made ahead, then makes new ones', async () => {
    const { factory, pool: p } = pool(3);
    p.warm();
    await settle();
    expect(p.size).toBe(3);
    expect(factory.made).toHaveLength(3);
    const taken = await Promise.all([p.createOffer(), p.createOffer(), p.createOffer()]);
    expect(taken.map((t) => t.peer)).toEqual(factory.made);
    expect(factory.made).toHaveLength(3); // none made for these
    expect(p.size).toBe(0);
    const fresh = await p.createOffer();
    expect(factory.made).toHaveLength(4);
    expect(fresh.peer).toBe(factory.made[3]);
    // Taking them did not start a refill.
    await settle();
    expect(factory.made).toHaveLength(4);
  });

  it('an offer still being made is taken as it is, rather than making another', async () => {
    const { factory, pool: p } = pool(2);
    p.warm();
    const [a, b, c] = await Promise.all([p.createOffer(), p.createOffer(), p.createOffer()]);
    expect([a.peer, b.peer]).toEqual(factory.made.slice(0, 2));
    expect(c.peer).toBe(factory.made[2]);
    expect(factory.made).toHaveLength(3);
    await settle();
    expect(p.size).toBe(0); // the two taken while made did not also become ready
  });

  it('warming twice makes no more than its size', async () => {
    const { factory, pool: p } = pool(2);
    p.warm();
    p.warm();
    await settle();
    p.warm();
    await settle();
    expect(factory.made).toHaveLength(2);
  });

  it('closes the offers nobody took after maxAge, and does not make them again', async () => {
    const { clock, factory, pool: p } = pool(2, 30_000);
    p.warm();
    await settle();
    const kept = await p.createOffer();
    await clock.run(() => false, 29_000);
    expect(factory.live()).toHaveLength(2);
    await clock.run(() => false, 31_000);
    expect(p.size).toBe(0);
    expect(factory.live()).toEqual([kept.peer]); // the one taken is the caller's
    expect(factory.made).toHaveLength(2);
  });

  it('does not hand out an offer whose connection closed while it waited', async () => {
    const { factory, pool: p } = pool(2);
    p.warm();
    await settle();
    factory.made[0]!.vanish();
    await settle();
    expect(p.size).toBe(1);
    expect((await p.createOffer()).peer).toBe(factory.made[1]);
  });

  it('a factory that fails is not retried by warming, and each createOffer still says why', async () => {
    const { factory, pool: p } = pool(3);
    factory.failOffers = true;
    p.warm();
    await settle();
    factory.failOffers = false;
    p.warm();
    await settle();
    expect(factory.made).toHaveLength(0);
    factory.failOffers = true;
    await expect(p.createOffer()).rejects.toThrow('no WebRTC today');
  });

  it('close destroys the offers not taken, and those still being made as they come', async () => {
    const { factory, pool: p } = pool(2);
    p.warm();
    await settle();
    const taken = await p.createOffer();
    p.warm(); // one more on its way
    p.close();
    await settle();
    expect(factory.live()).toEqual([taken.peer]);
    expect(p.size).toBe(0);
  });

  it('once closed (its STUN/TURN servers changed, say), every offer is a new one, never one made before', async () => {
    const { factory, pool: p } = pool(2);
    p.warm(); // both still being made
    p.close();
    const after = await p.createOffer();
    expect(factory.made).toHaveLength(3);
    expect(after.peer).toBe(factory.made[2]);
    await settle();
    expect(factory.live()).toEqual([after.peer]); // the two made ahead were closed as they came
  });
});
