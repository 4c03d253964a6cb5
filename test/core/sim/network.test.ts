import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/session/clock.js';
import { SimNetwork } from '../../../src/core/sim/network.js';

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('SimNetwork links', () => {
  it('keeps each channel in order when another channel took the downlink first', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 10);
    const a = net.node('a', { upload: 1000, download: Infinity });
    const c = net.node('c', { upload: 1000, download: Infinity });
    const b = net.node('b', { upload: Infinity, download: 1000 });
    const [ab, ba] = net.connect(a, b);
    const [cb, bc] = net.connect(c, b);
    const got: string[] = [];
    ba.onData = (d) => got.push(`a${d.length}@${clock.now()}`);
    bc.onData = (d) => got.push(`c${d.length}@${clock.now()}`);
    cb.send(new Uint8Array(100)); // leaves c at 100, arrives 110, taken in by 210
    ab.send(new Uint8Array(50)); // leaves a at 50, arrives 60, but b's downlink is busy until 210: 260
    ab.send(new Uint8Array(10)); // leaves a at 60, arrives 70: after the previous one, 270
    await clock.run(() => got.length === 3);
    expect(got).toEqual(['c100@210', 'a50@260', 'a10@270']);
    expect([a.sent, c.sent, b.received]).toEqual([60, 100, 160]);
  });

  it('counts what has not left the uplink in bufferedAmount, as time passes', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 5);
    const [ab] = net.connect(net.node('a', { upload: 1000, download: 1000 }), net.node('b', { upload: 1000, download: 1000 }));
    for (let i = 0; i < 4; i++) ab.send(new Uint8Array(100)); // leave at 100, 200, 300, 400
    const seen: number[] = [];
    for (const t of [50, 100, 250, 399, 400]) clock.setTimeout(() => seen.push(ab.bufferedAmount), t);
    await clock.run(() => seen.length === 5);
    expect(seen).toEqual([400, 300, 200, 100, 0]);
  });

  it('calls onDrain when a departure brings the buffer from above the low-water mark to it or below, as bufferedamountlow', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 5);
    const [ab] = net.connect(net.node('a', { upload: 1000, download: 1000 }), net.node('b', { upload: 1000, download: 1000 }));
    const drains: number[] = [];
    ab.onDrain = () => drains.push(clock.now());
    ab.lowWaterMark = 150;
    for (let i = 0; i < 4; i++) ab.send(new Uint8Array(100)); // 400 buffered; 100 left at 300 (crossed), 0 at 400
    clock.setTimeout(() => {
      expect(drains).toEqual([300]);
      ab.send(new Uint8Array(100)); // 100 buffered: never above the mark, no drain
    }, 1000);
    clock.setTimeout(() => ab.send(new Uint8Array(100)), 2000);
    clock.setTimeout(() => ab.send(new Uint8Array(100)), 2000); // 200 buffered; 100 left at 2100
    await clock.run(() => false);
    expect(drains).toEqual([300, 2100]);
  });

  it('brings the drain forward when the low-water mark is raised while sending', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 5);
    const [ab] = net.connect(net.node('a', { upload: 1000, download: 1000 }), net.node('b', { upload: 1000, download: 1000 }));
    const drains: number[] = [];
    ab.onDrain = () => drains.push(clock.now());
    for (let i = 0; i < 4; i++) ab.send(new Uint8Array(100)); // mark 0: would drain at 400
    ab.lowWaterMark = 250;
    await clock.run(() => clock.now() >= 500);
    expect(drains).toEqual([200]);
  });

  it('holds at most two timers per channel however much is in flight', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 50);
    const [ab, ba] = net.connect(net.node('a', { upload: 1e6, download: 1e6 }), net.node('b', { upload: 1e6, download: 1e6 }));
    let bytes = 0;
    ba.onData = (d) => (bytes += d.length);
    ab.lowWaterMark = 1000;
    for (let i = 0; i < 1000; i++) ab.send(new Uint8Array(1000));
    expect(clock.pending).toBeLessThanOrEqual(2);
    await clock.run(() => bytes === 1_000_000);
    expect(clock.now()).toBeCloseTo(1000 + 50 + 1, 6); // serialised at 1 MB/s, latency, the last chunk taken in
  });

  it('copies what is sent unless told not to', async () => {
    for (const copy of [true, false]) {
      const clock = new VirtualClock(settle);
      const net = new SimNetwork(clock, 1, { copy });
      const [ab, ba] = net.connect(net.node('a', { upload: Infinity, download: Infinity }), net.node('b', { upload: Infinity, download: Infinity }));
      let got: Uint8Array | undefined;
      ba.onData = (d) => (got = d);
      const sent = new Uint8Array([1, 2, 3]);
      ab.send(sent);
      sent[0] = 9;
      await clock.run(() => got !== undefined);
      expect([copy, got![0], got === sent]).toEqual([copy, copy ? 1 : 9, !copy]);
    }
  });

  it('sends parts as one chunk of their total size: delivered part by part, or copied whole', async () => {
    for (const copy of [true, false]) {
      const clock = new VirtualClock(settle);
      const net = new SimNetwork(clock, 10, { copy });
      const a = net.node('a', { upload: 1000, download: Infinity });
      const b = net.node('b', { upload: Infinity, download: 1000 });
      const [ab, ba] = net.connect(a, b);
      const got: string[] = [];
      ba.onData = (d) => got.push(`${d.length}@${clock.now()}`);
      const parts = [new Uint8Array(13), new Uint8Array(87)];
      ab.sendParts(parts); // leaves at 100, arrives 110, taken in by 210
      expect(ab.bufferedAmount).toBe(100);
      await clock.run(() => got.length === (copy ? 1 : 2));
      expect(got).toEqual(copy ? ['100@210'] : ['13@210', '87@210']);
      expect([a.sent, b.received]).toEqual([100, 100]);
    }
  });

  it('tells the connection it closed once, and drops what arrives after the other end closed', async () => {
    const clock = new VirtualClock(settle);
    const net = new SimNetwork(clock, 10);
    let closed = 0;
    const [ab, ba] = net.connect(net.node('a', { upload: 100, download: Infinity }), net.node('b', { upload: 100, download: Infinity }), () => closed++);
    const got: number[] = [];
    ba.onData = (d) => got.push(d.length);
    ab.send(new Uint8Array(1)); // arrives at 20
    ab.send(new Uint8Array(10)); // would arrive at 120
    clock.setTimeout(() => ba.close(), 50);
    await clock.run(() => false);
    expect(got).toEqual([1]);
    expect(closed).toBe(1);
    expect(net.closedChannels).toBe(2);
    expect(ab.bufferedAmount).toBe(0);
  });
});
