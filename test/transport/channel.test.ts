/**
 * DataChannelAdapter over a fake data channel (no WebRTC): drain through the `bufferedamountlow`
 * event, through the poll fallback where the event is missing, the watchdog for a lost event,
 * splitting of long sends, early data, close semantics and handler errors.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataChannelAdapter, type LowBufferEvents, type RawChannel } from '../../src/transport/channel.js';

class FakeEvents implements LowBufferEvents {
  bufferedAmountLowThreshold = 0;
  readonly listeners = new Set<() => void>();
  addEventListener(_type: 'bufferedamountlow', listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'bufferedamountlow', listener: () => void): void {
    this.listeners.delete(listener);
  }
  fire(): void {
    for (const l of this.listeners) l();
  }
}

class FakeRaw implements RawChannel {
  bufferedAmount = 0;
  readonly sent: Uint8Array[] = [];
  closes = 0;
  failSend = false;
  constructor(readonly lowBufferEvents: FakeEvents | undefined) {}
  send(data: Uint8Array): void {
    if (this.failSend) throw new Error('InvalidStateError');
    this.sent.push(data.slice());
    this.bufferedAmount += data.length;
  }
  close(): void {
    this.closes++;
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('DataChannelAdapter', () => {
  it('drains on the bufferedamountlow event with the threshold at lowWaterMark', () => {
    const events = new FakeEvents();
    const raw = new FakeRaw(events);
    const ch = new DataChannelAdapter(raw);
    expect(ch.usesLowBufferEvent).toBe(true);
    ch.lowWaterMark = 1000;
    expect(events.bufferedAmountLowThreshold).toBe(1000);
    let drains = 0;
    ch.onDrain = () => drains++;
    ch.send(new Uint8Array(5000));
    expect(ch.bufferedAmount).toBe(5000);
    raw.bufferedAmount = 900;
    events.fire();
    expect(drains).toBe(1);
    // a late event while the buffer is above the mark again is not a drain
    ch.send(new Uint8Array(5000));
    events.fire();
    expect(drains).toBe(1);
  });

  it('polls bufferedAmount where the event is missing, only while above the mark', () => {
    const raw = new FakeRaw(undefined);
    const ch = new DataChannelAdapter(raw, { pollMs: 10 });
    expect(ch.usesLowBufferEvent).toBe(false);
    ch.lowWaterMark = 100;
    let drains = 0;
    ch.onDrain = () => drains++;
    ch.send(new Uint8Array(50)); // at or below the mark: no timer
    expect(vi.getTimerCount()).toBe(0);
    ch.send(new Uint8Array(500));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(drains).toBe(0);
    raw.bufferedAmount = 100;
    vi.advanceTimersByTime(10);
    expect(drains).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(drains).toBe(1);
  });

  it('treats a threshold property that is not a number as no event', () => {
    const events = new FakeEvents();
    (events as unknown as { bufferedAmountLowThreshold: undefined }).bufferedAmountLowThreshold = undefined;
    const ch = new DataChannelAdapter(new FakeRaw(events));
    expect(ch.usesLowBufferEvent).toBe(false);
    expect(events.listeners.size).toBe(0);
  });

  it('a watchdog drains when the event is lost', () => {
    const events = new FakeEvents();
    const raw = new FakeRaw(events);
    const ch = new DataChannelAdapter(raw, { watchdogMs: 250 });
    let drains = 0;
    ch.onDrain = () => drains++;
    ch.send(new Uint8Array(10));
    raw.bufferedAmount = 0; // no event fired
    vi.advanceTimersByTime(249);
    expect(drains).toBe(0);
    vi.advanceTimersByTime(1);
    expect(drains).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drains through the event leave the watchdog running; it stops on a tick that finds the channel drained, draining again only if something was sent since', () => {
    const events = new FakeEvents();
    const raw = new FakeRaw(events);
    const ch = new DataChannelAdapter(raw, { watchdogMs: 250 });
    ch.lowWaterMark = 100;
    let drains = 0;
    ch.onDrain = () => drains++;
    const armed = vi.spyOn(globalThis, 'setInterval');
    // A seeder's channel: sent above the mark, drained through the event, again and again.
    for (let i = 0; i < 5; i++) {
      ch.send(new Uint8Array(1000));
      raw.bufferedAmount = 0;
      events.fire();
    }
    expect(drains).toBe(5);
    expect(armed).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    // The tick finds it drained, by the event, with nothing sent since: it stops, no second drain.
    vi.advanceTimersByTime(250);
    expect(vi.getTimerCount()).toBe(0);
    expect(drains).toBe(5);
    // Sent after the event's drain, and drained with the event lost: the watchdog catches it.
    ch.send(new Uint8Array(1000));
    raw.bufferedAmount = 0;
    events.fire();
    ch.send(new Uint8Array(1000));
    raw.bufferedAmount = 0; // this time no event
    vi.advanceTimersByTime(250);
    expect(drains).toBe(7);
    expect(vi.getTimerCount()).toBe(0);
    armed.mockRestore();
  });

  it('splits sends longer than the largest message, in order', () => {
    const raw = new FakeRaw(undefined);
    const ch = new DataChannelAdapter(raw, { maxMessage: 4 });
    ch.send(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    ch.send(new Uint8Array(0));
    ch.send(Uint8Array.from([11, 12]));
    expect(raw.sent.map((s) => [...s])).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
      [11, 12],
    ]);
  });

  it('sendParts: one message per call; with copiesOnSend the parts are joined in one buffer reused by every send', () => {
    const buffers = (copiesOnSend: boolean) => {
      const raw = new FakeRaw(undefined);
      const given: ArrayBufferLike[] = [];
      const send = raw.send.bind(raw);
      raw.send = (data) => {
        given.push(data.buffer);
        send(data);
      };
      const ch = new DataChannelAdapter(raw, { maxMessage: 8, copiesOnSend });
      ch.sendParts([Uint8Array.from([1, 2]), Uint8Array.from([3, 4, 5])]);
      ch.sendParts([Uint8Array.from([6]), Uint8Array.from([7, 8])]);
      ch.sendParts([Uint8Array.from([9, 10, 11, 12, 13]), Uint8Array.from([14, 15, 16, 17])]); // 9 > maxMessage: split
      expect(raw.sent.map((x) => [...x])).toEqual([[1, 2, 3, 4, 5], [6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 16], [17]]);
      return new Set(given.slice(0, 2)).size;
    };
    expect(buffers(true)).toBe(1);
    // A channel that may keep what it is given gets a buffer of its own each time.
    expect(buffers(false)).toBe(2);
  });

  it('holds data that comes before onData is set and delivers it in order', async () => {
    const ch = new DataChannelAdapter(new FakeRaw(undefined));
    ch.receive(Uint8Array.of(1));
    ch.receive(Uint8Array.of(2));
    const got: number[] = [];
    ch.onData = (d) => got.push(...d);
    ch.receive(Uint8Array.of(3));
    expect(got).toEqual([]);
    await Promise.resolve();
    expect(got).toEqual([1, 2, 3]);
    ch.receive(Uint8Array.of(4));
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('close: onClose once, the transport closed once, sends after close are no-ops', () => {
    const events = new FakeEvents();
    const raw = new FakeRaw(events);
    const ch = new DataChannelAdapter(raw);
    let closes = 0;
    ch.onClose = () => closes++;
    ch.send(new Uint8Array(10));
    ch.close();
    ch.close();
    ch.closedByTransport();
    expect(closes).toBe(1);
    expect(raw.closes).toBe(1);
    expect(events.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(() => ch.send(new Uint8Array(10))).not.toThrow();
    expect(raw.sent).toHaveLength(1);
    expect(ch.bufferedAmount).toBe(0);
  });

  it('a failing send closes the channel instead of throwing', () => {
    const raw = new FakeRaw(undefined);
    const ch = new DataChannelAdapter(raw);
    let closes = 0;
    ch.onClose = () => closes++;
    raw.failSend = true;
    expect(() => ch.send(new Uint8Array(10))).not.toThrow();
    expect(closes).toBe(1);
    expect(ch.closed).toBe(true);
  });

  it('an engine callback that throws closes the channel and is reported, never rethrown', () => {
    const errors: unknown[] = [];
    const events = new FakeEvents();
    const raw = new FakeRaw(events);
    const ch = new DataChannelAdapter(raw, { onHandlerError: (e) => errors.push(e) });
    ch.onData = () => {
      throw new Error('decoder bug');
    };
    ch.onClose = () => {
      throw new Error('close bug');
    };
    expect(() => ch.receive(Uint8Array.of(1))).not.toThrow();
    expect(ch.closed).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual(['decoder bug', 'close bug']);
  });
});
