/** The tracker client's offers and answers: caps, expiry, hand-over, duplicates. */
import { describe, expect, it } from 'vitest';
import { LinkBook } from '../../src/core/tracker/links.js';
import { bid, type FakePeer } from './fakes.js';
import { Harness, IH1, IH2, offersOf, SELF, takeAnswer, URL1 } from './harness.js';

describe('offers', () => {
  it('makes min(wanted, 10) offers, none when the torrent wants no peers', async () => {
    const h = new Harness();
    h.add(IH1, 40);
    h.add(IH2, 0);
    await h.settle();
    const sent = h.socket().announces();
    const a = sent.find((m) => m['info_hash'] === IH1);
    const b = sent.find((m) => m['info_hash'] === IH2);
    expect(offersOf(a)).toHaveLength(10);
    expect(a?.['numwant']).toBe(10);
    expect(offersOf(b)).toHaveLength(0);
    expect(b?.['numwant']).toBe(0);
    const ids = offersOf(a).map((o) => o['offer_id'] as string);
    expect(new Set(ids).size).toBe(10);
    expect(ids.every((id) => id.length === 20 && id.split('').every((c) => c.charCodeAt(0) < 256))).toBe(true);
  });

  it('counts pending offers against what the torrent wants, and respects the per-torrent cap', async () => {
    const h = new Harness({ maxPeersPerTorrent: 3 });
    const t = h.add(IH1, 10);
    await h.settle();
    expect(offersOf(h.socket().announces()[0])).toHaveLength(3);
    await h.advance(40_000); // offers still pending: the next announce has none
    t.handle.reannounce();
    await h.settle();
    expect(h.socket().announces()).toHaveLength(2);
    expect(offersOf(h.socket().announces()[1])).toHaveLength(0);
  });

  it('expires unanswered offers at 50 s, destroying their peers', async () => {
    const h = new Harness();
    h.add(IH1, 3);
    await h.settle();
    const offers = offersOf(h.socket().announces()[0]);
    expect(h.factory.live()).toHaveLength(3);
    await h.advance(49_999);
    expect(h.factory.live()).toHaveLength(3);
    expect(h.client.peerCounts.pending).toBe(3);
    await h.advance(1);
    expect(h.factory.live()).toHaveLength(0);
    expect(h.client.peerCounts).toEqual({ pending: 0, connected: 0 });
    await h.answerOffer(h.socket(), offers[0]!, bid(0x61)); // too late
    expect(h.connected).toHaveLength(0);
  });

  it('hands a connected peer over with its remote id and counts it until it closes', async () => {
    const h = new Harness();
    const t = h.add(IH1, 2);
    await h.settle();
    const offers = offersOf(h.socket().announces()[0]);
    await h.answerOffer(h.socket(), offers[1]!, bid(0x62));
    expect(h.connected).toHaveLength(1);
    expect(h.connected[0]!.remote).toBe(bid(0x62));
    expect(h.connected[0]!.peer.isConnected).toBe(true);
    expect(h.client.peerCounts).toEqual({ pending: 1, connected: 1 });
    await h.advance(60_000); // long after the expiry: a connected peer is the caller's, not expired
    expect(h.connected[0]!.peer.destroyed).toBe(false);
    expect(h.client.peerCounts).toEqual({ pending: 0, connected: 1 });
    h.connected[0]!.peer.destroy();
    await h.settle();
    expect(h.client.peerCounts).toEqual({ pending: 0, connected: 0 });
    t.handle.remove();
  });

  it('drops an answered offer that does not connect within 30 s', async () => {
    const h = new Harness();
    h.registry.autoConnect = false;
    h.add(IH1, 1);
    await h.settle();
    await h.answerOffer(h.socket(), offersOf(h.socket().announces()[0])[0]!, bid(0x63));
    await h.advance(29_999);
    expect(h.factory.live()).toHaveLength(1);
    await h.advance(1);
    expect(h.factory.live()).toHaveLength(0);
    expect(h.connected).toHaveLength(0);
  });

  it('drops at once the offers the swarm is too small to receive', async () => {
    const h = new Harness();
    h.add(IH1, 5);
    await h.settle();
    const offers = offersOf(h.socket().announces()[0]);
    h.socket().receive({ action: 'announce', interval: 120, complete: 1, incomplete: 1, info_hash: IH1 });
    expect(h.factory.live()).toHaveLength(2); // two peers in the swarm, us included: one spare kept
    expect(h.client.peerCounts.pending).toBe(2);
    await h.answerOffer(h.socket(), offers[0]!, bid(0x60));
    expect(h.connected).toHaveLength(1);
    await h.answerOffer(h.socket(), offers[4]!, bid(0x5f)); // a dropped one
    expect(h.connected).toHaveLength(1);
  });

  it('still announces, without the offers that failed, when the factory fails', async () => {
    const h = new Harness();
    h.factory.failOffers = true;
    h.add(IH1, 3);
    await h.settle();
    expect(offersOf(h.socket().announces()[0])).toHaveLength(0);
    expect(h.warnings('signaling')).toHaveLength(3);
    expect(h.client.peerCounts.pending).toBe(0);
  });
});

describe('incoming offers', () => {
  it('answers while the torrent wants peers and connects when the offerer takes the answer', async () => {
    const h = new Harness({ offersPerAnnounce: 0 });
    h.add(IH1, 1);
    await h.settle();
    const s = h.socket();
    const remote = await h.relayOffer(s, bid(0x64));
    expect(s.answers()).toHaveLength(1);
    expect(s.answers()[0]).toMatchObject({ action: 'announce', info_hash: IH1, peer_id: SELF, to_peer_id: bid(0x64) });
    expect(await takeAnswer(h, s, remote)).toBe(true);
    expect(h.connected.map((c) => c.remote)).toEqual([bid(0x64)]);
    // wantsPeers() still says 1 (the test's torrent does not count its peers), yet the same
    // remote offering again is refused as a duplicate of a live connection.
    await h.relayOffer(s, bid(0x64));
    expect(s.answers()).toHaveLength(1);
  });

  it('answers a real peer even while its own unanswered offers fill what the torrent wants', async () => {
    const h = new Harness();
    h.add(IH1, 2);
    await h.settle();
    expect(h.client.peerCounts.pending).toBe(2);
    const remote = await h.relayOffer(h.socket(), bid(0x6c));
    expect(h.socket().answers()).toHaveLength(1);
    expect(await takeAnswer(h, h.socket(), remote)).toBe(true);
    expect(h.connected.map((c) => c.remote)).toEqual([bid(0x6c)]);
  });

  it('refuses offers when the torrent wants no peers', async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    await h.settle();
    await h.relayOffer(h.socket(), bid(0x65));
    expect(h.socket().answers()).toHaveLength(0);
    expect(h.factory.made).toHaveLength(0);
    t.wants = 1;
    await h.relayOffer(h.socket(), bid(0x65));
    expect(h.socket().answers()).toHaveLength(1);
  });

  it('a full torrent answers an offer when it closed a connection to make room for it (and only then); a duplicate does not ask it', async () => {
    const h = new Harness();
    const t = h.add(IH1, 0);
    await h.settle();
    await h.relayOffer(h.socket(), bid(0x70));
    expect(t.makeRoomCalls).toBe(1);
    expect(h.socket().answers()).toHaveLength(0);
    t.roomMade = true;
    const remote = await h.relayOffer(h.socket(), bid(0x71));
    expect(
      h
        .socket()
        .answers()
        .map((m) => m['to_peer_id']),
    ).toEqual([bid(0x71)]);
    expect(await takeAnswer(h, h.socket(), remote)).toBe(true);
    expect(h.connected.map((c) => c.remote)).toEqual([bid(0x71)]);
    // The same peer offering again is a duplicate: no connection is closed for it.
    await h.relayOffer(h.socket(), bid(0x71));
    expect(t.makeRoomCalls).toBe(2);
  });

  it('refuses offers beyond the client-wide cap, pending and connected counted', async () => {
    const h = new Harness({ maxPeers: 3, offersPerAnnounce: 0 });
    h.add(IH1, 10);
    h.add(IH2, 10);
    await h.settle();
    const s = h.socket(URL1);
    const first = await h.relayOffer(s, bid(0x66), IH1);
    await takeAnswer(h, s, first); // one connected
    await h.relayOffer(s, bid(0x67), IH2); // pending
    await h.relayOffer(s, bid(0x68), IH1); // pending
    await h.relayOffer(s, bid(0x69), IH2); // over the cap
    await h.relayOffer(s, bid(0x6a), IH1); // over the cap
    expect(s.answers().map((m) => m['to_peer_id'])).toEqual([bid(0x66), bid(0x67), bid(0x68)]);
    expect(h.client.peerCounts).toEqual({ pending: 2, connected: 1 });
    await h.advance(30_000); // the two pending answers time out: room again
    await h.relayOffer(s, bid(0x6b), IH2);
    expect(s.answers()).toHaveLength(4);
  });

  it('an offer flood from a hostile tracker (1,000 offers, other torrents mixed in) stays within the caps', async () => {
    const h = new Harness({ maxPeers: 20, maxPeersPerTorrent: 8, offersPerAnnounce: 0 });
    h.add(IH1, 8);
    await h.settle();
    const s = h.socket(URL1);
    // 20-byte binary strings, distinct for each i.
    const id = (i: number, tag: number) => (String.fromCharCode(i & 0xff) + String.fromCharCode(tag | ((i >> 8) & 0x0f))).repeat(10);
    for (let i = 0; i < 1000; i++) await h.relayOffer(s, id(i, 0x10), i % 3 === 0 ? IH2 : IH1, id(i, 0x20));
    // Only torrents we have are answered, and never more than the per-torrent cap at once.
    expect(s.answers().length).toBeLessThanOrEqual(8);
    expect(s.answers().every((m) => m['info_hash'] === IH1)).toBe(true);
    expect(h.client.peerCounts.pending + h.client.peerCounts.connected).toBeLessThanOrEqual(8);
  });

  it('keeps one connection per remote peer when offers cross', async () => {
    const h = new Harness({ offersPerAnnounce: 1 });
    h.add(IH1, 5);
    await h.settle();
    const s = h.socket();
    const ours = offersOf(s.announces()[0])[0]!;
    // The remote (id above ours) offers to us; we answer. Then it answers our offer as well.
    h.registry.autoConnect = false;
    await h.relayOffer(s, bid(0x7a));
    expect(s.answers()).toHaveLength(1);
    const [ourOfferer, ourAnswerer] = h.factory.made;
    await h.answerOffer(s, ours, bid(0x7a));
    // Our id is lower: both sides keep the connection we offered; the one it offered is dropped.
    expect(ourAnswerer?.destroyed).toBe(true);
    expect(ourOfferer?.destroyed).toBe(false);
    h.registry.autoConnect = true;
    const kept = h.factory.live();
    expect(kept).toHaveLength(1);
    kept[0]!.link();
    await h.settle();
    expect(h.connected.map((c) => c.remote)).toEqual([bid(0x7a)]);
  });
});

describe('connections that fail', () => {
  it("tells onPeerFailed, with the peer's reason, when an answered offer fails before it opens", async () => {
    const h = new Harness();
    h.registry.autoConnect = false;
    h.add(IH1, 2);
    await h.settle();
    await h.answerOffer(h.socket(), offersOf(h.socket().announces()[0])[0]!, bid(0x71));
    expect(h.failures).toEqual([]);
    const ours = h.factory.made.find((p) => p.partner !== undefined)!;
    ours.fail('the connection failed (no direct path; a TURN relay would help)');
    await h.settle();
    expect(h.failures).toEqual([{ infoHash: IH1, reason: 'the connection failed (no direct path; a TURN relay would help)' }]);
    expect(h.client.peerCounts).toEqual({ pending: 1, connected: 0 });
    // Said once: the 30 s timer of that link is gone with it.
    await h.advance(30_000);
    expect(h.failures).toHaveLength(1);
  });

  it('a starving torrent whose connection failed asks again 5 s after its last announce, then 10 s, then 20 s, not after the 30 s minimum; no more than three in a row', async () => {
    const h = new Harness();
    h.registry.autoConnect = false;
    const t = h.add(IH1, 20);
    t.starving = true;
    await h.settle();
    const socket = h.socket();
    const count = () => socket.announces().length;
    /** The tracker hands offer `k` of announce `n` to a peer, and that connection fails. */
    const failOfferOf = async (n: number, k = 0) => {
      await h.answerOffer(socket, offersOf(socket.announces()[n])[k]!, bid(0x71 + 4 * n + k));
      h.factory.made.find((p) => p.partner !== undefined && !p.destroyed)!.fail('ICE failed');
      await h.settle();
    };
    await failOfferOf(0);
    expect(h.failures).toHaveLength(1);
    await h.advance(4_999);
    expect(count()).toBe(1);
    await h.advance(1);
    expect(count()).toBe(2); // 5 s
    await failOfferOf(1);
    await failOfferOf(1, 1); // a second failure of the same announce schedules nothing more
    await h.advance(9_999);
    expect(count()).toBe(2);
    await h.advance(1);
    expect(count()).toBe(3); // 15 s: 10 s after the last
    await failOfferOf(2);
    await h.advance(20_000);
    expect(count()).toBe(4); // 35 s: 20 s after the last
    // Three in a row at most: a swarm it cannot reach is left to the starving backoff, which has
    // doubled with each of these announces (30, 60, 120 s) up to the 120 s interval.
    await failOfferOf(3);
    await h.advance(119_999);
    expect(count()).toBe(4);
    await h.advance(1);
    expect(count()).toBe(5); // 155 s
  });

  it('a fed torrent whose connection failed makes no early announce', async () => {
    const h = new Harness();
    h.registry.autoConnect = false;
    h.add(IH1, 20);
    await h.settle();
    const socket = h.socket();
    await h.answerOffer(socket, offersOf(socket.announces()[0])[0]!, bid(0x71));
    h.factory.made.find((p) => p.partner !== undefined)!.fail('ICE failed');
    await h.settle();
    expect(h.failures).toHaveLength(1);
    await h.advance(119_999);
    expect(socket.announces()).toHaveLength(1);
  });

  it('tells it when our answer to an offer fails, and when a peer closes before opening without a reason', async () => {
    const h = new Harness({ offersPerAnnounce: 0 });
    h.add(IH1, 5);
    await h.settle();
    await h.relayOffer(h.socket(), bid(0x72));
    await h.relayOffer(h.socket(), bid(0x73));
    const [first, second] = h.factory.made;
    first!.fail('the peer sent no address to connect to');
    second!.vanish();
    await h.settle();
    expect(h.failures.map((f) => f.reason)).toEqual(['the peer sent no address to connect to', 'the connection closed before it opened']);
    expect(h.client.peerCounts.pending).toBe(0);
  });

  it('tells it when an answered offer has not connected within 30 s', async () => {
    const h = new Harness();
    h.registry.autoConnect = false;
    h.add(IH1, 1);
    await h.settle();
    await h.answerOffer(h.socket(), offersOf(h.socket().announces()[0])[0]!, bid(0x74));
    await h.advance(29_999);
    expect(h.failures).toEqual([]);
    await h.advance(1);
    expect(h.failures).toEqual([{ infoHash: IH1, reason: 'no connection within 30 s' }]);
  });

  it('says nothing of offers that nobody answered, of duplicates it drops, nor of peers closed after they opened', async () => {
    const h = new Harness({ offersPerAnnounce: 1 });
    const t = h.add(IH1, 5);
    await h.settle();
    const s = h.socket();
    const ours = offersOf(s.announces()[0])[0]!;
    h.registry.autoConnect = false;
    await h.relayOffer(s, bid(0x7a));
    await h.answerOffer(s, ours, bid(0x7a)); // crossed offers: our answerer's link is dropped here
    expect(h.factory.made.filter((p) => p.destroyed)).toHaveLength(1);
    h.registry.autoConnect = true;
    h.factory.live()[0]!.link();
    await h.settle();
    expect(h.connected).toHaveLength(1);
    h.connected[0]!.peer.fail('closed after opening');
    t.wants = 0;
    t.handle.reannounce();
    await h.advance(60_000); // our later offers expire unanswered
    t.handle.remove();
    await h.settle();
    expect(h.failures).toEqual([]);
  });
});

describe('LinkBook tie-break', () => {
  it('makes both sides of crossed offers keep the same connection', () => {
    const A = bid(0x41);
    const B = bid(0x42);
    const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };
    const a = new LinkBook<FakePeer>(A, clock);
    const b = new LinkBook<FakePeer>(B, clock);
    // Connection 1 offered by A, connection 2 offered by B. Each side learns them in a different order.
    const a2 = a.open(IH1, 'remote');
    expect(a.bind(a2, B)).toBe(true);
    const a1 = a.open(IH1, 'self');
    expect(a.bind(a1, B)).toBe(true); // A's offer wins (A < B): link 2 closed
    expect(a2.state).toBe('closed');
    const b1 = b.open(IH1, 'remote');
    expect(b.bind(b1, A)).toBe(true);
    const b2 = b.open(IH1, 'self');
    expect(b.bind(b2, A)).toBe(false); // B's own offer loses on B's side too
    expect(b.accepts(IH1, A, 'remote')).toBe(false); // and A's further offers are duplicates
    expect(a.markConnected(a1)).toBe(true);
    expect(a.accepts(IH1, B, 'remote')).toBe(false);
    expect(a.accepts(IH2, B, 'remote')).toBe(true);
  });
});
