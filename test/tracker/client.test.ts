/** The tracker client on a virtual clock: reconnection, announces, events, filtering, teardown. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/core/tracker/backoff.js';
import { bid } from './fakes.js';
import { Harness, IH1, IH2, mulberry, offersOf, SELF, URL1, URL2 } from './harness.js';

const nominal = (i: number): number => Math.min(10_000, 250 * 2 ** i);

describe('backoff', () => {
  it('doubles from 250 ms, jitters ±25% and never exceeds 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => backoffDelay(i, () => 0.5))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffDelay(0, () => 0)).toBe(188);
    expect(backoffDelay(10, () => 0)).toBe(7500);
    expect(backoffDelay(10, () => 0.9999)).toBe(10_000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, () => r, DEFAULT_BACKOFF);
        const n = nominal(attempt);
        expect(d).toBeGreaterThanOrEqual(Math.floor(n * 0.75));
        expect(d).toBeLessThanOrEqual(Math.min(10_000, Math.ceil(n * 1.25)));
      }),
    );
  });

  it('retries a refusing tracker on that schedule, measured on the clock', async () => {
    const h = new Harness({ random: mulberry(99) }, () => 'refuse');
    h.add(IH1, 5);
    await h.advance(120_000);
    const delays = h.events.flatMap((e) => (e.type === 'disconnected' && e.retryInMs !== undefined ? [e.retryInMs] : []));
    expect(delays.length).toBeGreaterThan(15);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(nominal(i) * 0.75 - 1);
      expect(d).toBeLessThanOrEqual(Math.min(10_000, nominal(i) * 1.25 + 1));
    });
    expect(new Set(delays.slice(8)).size).toBeGreaterThan(1); // jittered at the cap too
    const gaps = h.net.connectTimes.slice(1).map((t, i) => t - h.net.connectTimes[i]!);
    expect(gaps).toEqual(delays.slice(0, gaps.length));
    expect(h.net.sockets.every((s) => s.sent.length === 0)).toBe(true);
  });
});

describe('connection lifecycle', () => {
  it('re-announces `started` (with offers) on every reconnection; a reply resets the backoff', async () => {
    const h = new Harness();
    h.add(IH1, 3);
    await h.settle();
    const s1 = h.socket();
    expect(s1.announces().map((m) => m['event'])).toEqual(['started']);
    s1.receive({ action: 'announce', interval: 120, complete: 0, incomplete: 1, info_hash: IH1 });
    s1.drop();
    expect(h.factory.live()).toHaveLength(0); // unanswered offers of a dead socket are dropped
    await h.advance(400);
    const s2 = h.socket();
    expect(s2).not.toBe(s1);
    expect(s2.announces()).toHaveLength(1);
    expect(s2.announces()[0]).toMatchObject({ event: 'started', numwant: 3, info_hash: IH1, peer_id: SELF });
    expect(offersOf(s2.announces()[0])).toHaveLength(3);
    const retries = h.events.flatMap((e) => (e.type === 'disconnected' && e.retryInMs !== undefined ? [e.retryInMs] : []));
    s2.drop(); // no reply this time: the next delay doubles
    const next = h.events.at(-1);
    expect(retries[0]).toBeLessThanOrEqual(313);
    expect(next?.type === 'disconnected' && next.retryInMs).toBeGreaterThanOrEqual(375);
  });

  it('shares one socket per tracker URL among torrents and closes it with the last torrent', async () => {
    const h = new Harness();
    const a = h.add(IH1, 0, { trackers: [URL1, URL2, 'udp://tracker.example:80', 'https://x.example/announce'] });
    const b = h.add(IH2, 0, { trackers: [URL1 + '  '] });
    await h.settle();
    expect(h.net.sockets.map((s) => s.url).sort()).toEqual([URL1, URL2]);
    expect(
      h
        .socket(URL1)
        .announces()
        .map((m) => m['info_hash']),
    ).toEqual([IH1, IH2]);
    a.handle.remove();
    expect(h.socket(URL2).closedByClient).toBe(true);
    expect(h.socket(URL1).closedByClient).toBe(false);
    b.handle.remove();
    expect(h.socket(URL1).closedByClient).toBe(true);
    expect(
      h
        .socket(URL1)
        .announces()
        .map((m) => [m['event'], m['info_hash']]),
    ).toEqual([
      ['started', IH1],
      ['started', IH2],
      ['stopped', IH1],
      ['stopped', IH2],
    ]);
  });

  it('opens a socket ahead of the first torrent when asked (preconnect): the torrent then announces without waiting for it to open', async () => {
    // The tracker takes 80 ms to accept a connection ('manual': the test opens it).
    const h = new Harness({}, () => 'manual');
    h.client.preconnect([URL1, 'https://not.a.ws.tracker/', URL1 + ' '], 30_000);
    expect(h.net.sockets.map((s) => s.url)).toEqual([URL1]);
    await h.advance(80);
    h.socket().open();
    await h.advance(20);
    h.add(IH1, 2);
    await h.settle();
    expect(h.net.sockets).toHaveLength(1);
    expect(
      h
        .socket()
        .announces()
        .map((m) => [m['event'], offersOf(m).length]),
    ).toEqual([['started', 2]]);
    expect(h.clock.now()).toBe(100); // at once, not 80 ms after the torrent came
    await h.advance(60_000); // a torrent uses it: still open after the 30 s
    expect(h.socket().closedByClient).toBe(false);
    expect(h.client.trackerUrls.get(URL1)).toEqual({ torrents: 1, open: true });
  });

  it('closes a socket opened ahead that no torrent used within the time given, and one whose torrent left after it', async () => {
    const h = new Harness();
    h.client.preconnect([URL1, URL2], 30_000);
    await h.settle();
    const t = h.add(IH1, 0, { trackers: [URL2] });
    await h.settle();
    t.handle.remove(); // the torrent leaves before the 30 s: its socket is still held ahead
    expect(h.socket(URL2).closedByClient).toBe(false);
    await h.advance(30_000);
    expect(h.socket(URL1).closedByClient).toBe(true);
    expect(h.socket(URL2).closedByClient).toBe(true);
    expect(h.client.trackerUrls.size).toBe(0);
    expect(h.net.sockets).toHaveLength(2); // and never reopened on its own
    h.client.destroy();
  });

  it('does not let a tracker that never connects block the others, and gives it up after 10 s', async () => {
    const h = new Harness({}, (url) => (url === URL1 ? 'manual' : 'open'));
    h.add(IH1, 2, { trackers: [URL1, URL2] });
    await h.settle();
    expect(h.socket(URL2).announces()).toHaveLength(1);
    await h.advance(10_000);
    expect(h.net.for(URL1)[0]?.closedByClient).toBe(true);
    expect(h.warnings('socket').some((w) => w.url === URL1)).toBe(true);
    await h.advance(400);
    expect(h.net.for(URL1)).toHaveLength(2);
  });

  it('announces on the server interval, clamped to [30 s, 30 min]', async () => {
    const h = new Harness();
    h.add(IH1, 0);
    await h.settle();
    const s = h.socket();
    const times = (): number => s.announces().length;
    s.receive({ action: 'announce', interval: 5, info_hash: IH1 });
    await h.advance(29_999);
    expect(times()).toBe(1);
    await h.advance(1);
    expect(times()).toBe(2);
    expect(s.announces()[1]!['event']).toBeUndefined();
    s.receive({ action: 'announce', interval: 1e9, info_hash: IH1 });
    await h.advance(30 * 60_000 - 1);
    expect(times()).toBe(2);
    await h.advance(1);
    expect(times()).toBe(3);
    const reply = h.events.find((e) => e.type === 'reply');
    expect(reply).toMatchObject({ type: 'reply', url: URL1, interval: 30_000 });
  });

  it('rate-limits reannounce() to one per 30 s', async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    await h.settle();
    const s = h.socket();
    await h.advance(10_000);
    t.handle.reannounce();
    t.handle.reannounce();
    await h.advance(19_999);
    expect(s.announces()).toHaveLength(1);
    await h.advance(1);
    expect(s.announces()).toHaveLength(2);
  });
});

describe('a starving torrent', () => {
  /** Runs the clock for `ms` in 5 s steps; returns when (ms) each new announce was seen. */
  async function announceTimes(h: Harness, ms: number, change?: (now: number) => void): Promise<number[]> {
    const times: number[] = [];
    let seen = h.socket().announces().length;
    for (let t = 0; t < ms; t += 5_000) {
      change?.(h.clock.now());
      await h.advance(5_000);
      const n = h.socket().announces().length;
      for (; seen < n; seen++) times.push(h.clock.now());
    }
    return times;
  }

  it('re-announces after the minimum interval, doubling up to the interval, and back to the interval once fed', async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    t.starving = true;
    await h.settle();
    h.socket().receive({ action: 'announce', interval: 120, info_hash: IH1 });
    // Starving until 250 s: announces at 0, 30, 90, 210 s (30 s doubling, capped at 120 s), then on the interval.
    const times = await announceTimes(h, 460_000, (now) => (t.starving = now < 250_000));
    expect(times).toEqual([30_000, 90_000, 210_000, 330_000, 450_000]);
  });

  it('does not make an early announce that is no longer needed: the timer checks again', async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    await h.settle();
    h.socket().receive({ action: 'announce', interval: 120, info_hash: IH1 });
    // Fed at 0 s, starving from 100 s: the 120 s announce is made starving, so the next is due at
    // 150 s; fed again at 130 s, that one is skipped and the torrent waits for 240 s.
    const times = await announceTimes(h, 250_000, (now) => (t.starving = now >= 100_000 && now < 130_000));
    expect(times).toEqual([120_000, 240_000]);
  });

  it("starts the backoff at the tracker's min interval", async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    t.starving = true;
    await h.settle();
    h.socket().receive({ action: 'announce', interval: 600, 'min interval': 45, info_hash: IH1 });
    expect(await announceTimes(h, 200_000)).toEqual([45_000, 135_000]);
  });
});

describe('events', () => {
  it('sends started, then completed (no offers), then stopped (no offers)', async () => {
    const h = new Harness();
    const t = h.add(IH1, 4);
    await h.settle();
    t.stats = { uploaded: 5, downloaded: 1000, left: 0 };
    t.handle.complete();
    t.handle.complete();
    await h.settle();
    t.handle.remove();
    const sent = h.socket().announces();
    expect(sent.map((m) => m['event'])).toEqual(['started', 'completed', 'stopped']);
    expect(offersOf(sent[0])).toHaveLength(4);
    expect(sent[1]).toMatchObject({ left: 0, downloaded: 1000, uploaded: 5, numwant: 0 });
    expect(offersOf(sent[1])).toHaveLength(0);
    expect(offersOf(sent[2])).toHaveLength(0);
    expect(h.factory.live()).toHaveLength(0);
    expect(h.socket().closedByClient).toBe(true);
  });

  it('keeps started before completed when completing during the started announce', async () => {
    const h = new Harness({}, () => 'manual');
    const t = h.add(IH1, 2);
    h.socket().open(); // started is being prepared (offers are async)
    t.handle.complete();
    await h.settle();
    expect(
      h
        .socket()
        .announces()
        .map((m) => m['event']),
    ).toEqual(['started', 'completed']);
  });

  it('sends only started (left 0) for a torrent complete before it could announce', async () => {
    const h = new Harness({}, () => 'manual');
    const t = h.add(IH1, 0, { left: 0 });
    t.handle.complete();
    h.socket().open();
    await h.advance(200_000);
    expect(
      h
        .socket()
        .announces()
        .map((m) => [m['event'], m['left']]),
    ).toEqual([
      ['started', 0],
      [undefined, 0],
    ]);
  });

  it('surfaces failure reasons, warnings and garbage as warning events', async () => {
    const h = new Harness();
    h.add(IH1, 0);
    await h.settle();
    const s = h.socket();
    s.receive({ action: 'announce', 'failure reason': 'torrent not allowed', info_hash: IH1 });
    s.receive({ action: 'announce', interval: 60, info_hash: IH1, 'warning message': 'be nice' });
    s.receive('not json at all');
    s.receive({ action: 'announce', offer: { type: 'offer', sdp: 5 }, offer_id: bid(1), peer_id: bid(2), info_hash: IH1 });
    expect(h.warnings().map((w) => [w.kind, w.message.slice(0, 19)])).toEqual([
      ['failure', 'torrent not allowed'],
      ['warning', 'be nice'],
      ['protocol', 'a tracker message i'],
      ['protocol', '`offer.sdp` must be'],
    ]);
    expect(h.warnings('failure')[0]?.infoHash).toEqual(Uint8Array.from(Array(20).fill(1)));
  });

  it('scrapes through connected trackers and reports only known torrents', async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    await h.settle();
    t.handle.scrape();
    expect(h.socket().sent.at(-1)).toEqual({ action: 'scrape', info_hash: IH1 });
    h.socket().receive({ action: 'scrape', files: { [IH1]: { complete: 2, incomplete: 3, downloaded: 2 }, [IH2]: { complete: 9 } } });
    expect(h.events.filter((e) => e.type === 'scrape')).toEqual([
      { type: 'scrape', url: URL1, infoHash: Uint8Array.from(Array(20).fill(1)), complete: 2, incomplete: 3, downloaded: 2 },
    ]);
  });
});

describe('filtering', () => {
  it('ignores its own peer id and other info hashes', async () => {
    const h = new Harness();
    h.add(IH1, 5);
    await h.settle();
    const s = h.socket();
    await h.relayOffer(s, SELF);
    await h.relayOffer(s, bid(0x70), IH2);
    expect(s.answers()).toHaveLength(0);
    s.receive({ action: 'announce', interval: 60, info_hash: IH2 });
    expect(h.events.some((e) => e.type === 'reply')).toBe(false);
    const offers = offersOf(s.announces()[0]);
    await h.answerOffer(s, offers[0]!, SELF); // an "answer" from ourselves
    await h.answerOffer(s, offers[1]!, bid(0x71), IH2); // an answer under another info hash
    expect(h.connected).toHaveLength(0);
    expect(h.client.peerCounts).toEqual({ pending: 5, connected: 0 });
    await h.answerOffer(s, offers[0]!, bid(0x71));
    expect(h.connected.map((c) => [c.infoHash, c.remote])).toEqual([[IH1, bid(0x71)]]);
    await h.answerOffer(s, offers[0]!, bid(0x72)); // a second answer to the same offer
    expect(h.connected).toHaveLength(1);
  });
});

describe('destroy', () => {
  it('sends stopped everywhere, closes sockets, drops offers and leaves no live timer', async () => {
    const h = new Harness({}, (url) => (url === URL2 ? 'refuse' : 'open'));
    h.add(IH1, 3, { trackers: [URL1, URL2] });
    h.add(IH2, 0, { trackers: [URL1] });
    await h.settle();
    h.client.destroy();
    expect(
      h
        .socket(URL1)
        .announces()
        .map((m) => m['event']),
    ).toEqual(['started', 'started', 'stopped', 'stopped']);
    expect(h.socket(URL1).closedByClient).toBe(true);
    expect(h.factory.live()).toHaveLength(0);
    const before = { sockets: h.net.sockets.length, events: h.events.length };
    await h.advance(3_600_000);
    expect({ sockets: h.net.sockets.length, events: h.events.length }).toEqual(before);
    expect(() => h.add(IH1, 1)).toThrow(/destroyed/);
  });
});
