import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/session/clock.js';
import { SimNetwork } from '../../../src/core/sim/network.js';

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('VirtualClock', () => {
  it('runs timers in time order, ties in the order they were set, skipping cancelled ones', async () => {
    const clock = new VirtualClock(settle);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => log.push(`c@${clock.now()}`), 20);
    const h = clock.setTimeout(() => log.push('never'), 15);
    clock.clearTimeout(h);
    await clock.run(() => false);
    expect(log).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('keeps that order over thousands of timers, set before and while running, some cleared', async () => {
    const clock = new VirtualClock(settle);
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const expected: { at: number; order: number }[] = [];
    const fired: number[] = [];
    let order = 0;
    const add = (ms: number): void => {
      const entry = { at: clock.now() + ms, order: order++ };
      const h = clock.setTimeout(() => {
        fired.push(entry.order);
        if (fired.length < 3000) add(random(40)); // due times collide often
      }, ms);
      if (random(5) === 0) clock.clearTimeout(h);
      else expected.push(entry);
    };
    for (let i = 0; i < 2000; i++) add(random(100));
    await clock.run(() => false);
    expected.sort((a, b) => a.at - b.at || a.order - b.order);
    expect(fired).toEqual(expected.map((e) => e.order));
  });

  it('lets promise chains started by a timer finish before time moves on', async () => {
    const clock = new VirtualClock(settle);
    const log: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => log.push(`settled@${clock.now()}`));
    }, 5);
    clock.setTimeout(() => log.push(`next@${clock.now()}`), 6);
    await clock.run(() => false);
    expect(log).toEqual(['settled@5', 'next@6']);
  });

  it('runScheduled runs the same timers in the same order as run, promise chains settling in between', async () => {
    const trace = async (go: (clock: VirtualClock, done: () => boolean) => Promise<void>) => {
      const clock = new VirtualClock(settle);
      const log: string[] = [];
      for (const [ms, name] of [
        [5, 'a'],
        [5, 'b'],
        [6, 'c'],
        [200, 'late'],
      ] as const) {
        clock.setTimeout(() => {
          log.push(`${name}@${clock.now()}`);
          void Promise.resolve()
            .then(() => Promise.resolve())
            .then(() => log.push(`${name} settled@${clock.now()}`));
        }, ms);
      }
      await go(clock, () => log.length >= 6);
      return { log, now: clock.now() };
    };
    const schedule = (next: () => void) => queueMicrotask(() => process.nextTick(next));
    const expected = ['a@5', 'b@5', 'a settled@5', 'b settled@5', 'c@6', 'c settled@6'];
    expect(await trace((clock, done) => clock.run(done))).toEqual({ log: expected, now: 6 });
    expect(await trace((clock, done) => clock.runScheduled(done, Infinity, schedule))).toEqual({ log: expected, now: 6 });
    // The limit, as run: later timers stay.
    expect((await trace((clock) => clock.runScheduled(() => false, 100, schedule))).now).toBe(100);
  });

  it('stops at the limit without running later timers', async () => {
    const clock = new VirtualClock(settle);
    let ran = false;
    clock.setTimeout(() => (ran = true), 100);
    await clock.run(() => false, 50);
    expect(ran).toBe(false);
    expect(clock.now()).toBe(50);
  });
});

describe('SimNetwork', () => {
  it('delivers in order after serialisation at the slower end plus latency', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 50);
    const a = net.node('a', { upload: 1000, download: Infinity });
    const b = net.node('b', { upload: Infinity, download: 500 });
    const [ab, ba] = net.connect(a, b);
    const got: [number, number][] = [];
    ba.onData = (d) => got.push([clock.now(), d.length]);
    ab.send(new Uint8Array(100)); // leaves a at 100 ms, arrives 150, taken in by 350
    ab.send(new Uint8Array(100)); // leaves a at 200 ms, arrives 250, b busy until 350 → 550
    expect(ab.bufferedAmount).toBe(200);
    await clock.run(() => got.length === 2);
    expect(got).toEqual([
      [350, 100],
      [550, 100],
    ]);
    expect(ab.bufferedAmount).toBe(0);
  });

  it('reports drain when the buffer empties and closes both ends', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 10);
    const [ab, ba] = net.connect(net.node('a', { upload: 100, download: 100 }), net.node('b', { upload: 100, download: 100 }));
    let drained = -1;
    let closed = -1;
    ab.onDrain = () => (drained = clock.now());
    ba.onClose = () => (closed = clock.now());
    ab.send(new Uint8Array(10));
    await clock.run(() => drained >= 0);
    expect(drained).toBe(100);
    ab.close();
    await clock.run(() => closed >= 0);
    expect(closed).toBe(110);
  });
});
