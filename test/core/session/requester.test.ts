import { describe, expect, it } from 'vitest';
import { testRequester, wiredPeer } from './peer-fixture.js';
import type { Peer } from '../../../src/core/session/peer.js';
import { PiecePicker } from '../../../src/core/picker/index.js';
import { BitField, type WireEvent } from '../../../src/core/wire/index.js';

const BLOCK = 16 * 1024;
const PIECE = 4 * BLOCK;

function setup(pieces = 16, o: { fast?: boolean } = {}) {
  let time = 0;
  const clock = { now: () => time, setTimeout: () => 0, clearTimeout: () => {}, advance: (ms: number) => void (time += ms) };
  const picker = new PiecePicker<string>({ pieceCount: pieces, pieceLength: PIECE, totalLength: pieces * PIECE });
  const peers = new Map<string, Peer>();
  const dropped: string[] = [];
  const critical: number[] = [];
  const requester = testRequester({ clock, peers, criticalPieces: () => critical, drop: (peer, reason) => dropped.push(`${peer.id}: ${reason}`) });
  requester.attach(picker);
  /** A peer that unchokes us, interests us and has `has` (every piece by default). */
  const add = (id: string, has?: (i: number) => boolean, backup = false) => {
    const w = wiredPeer({ id, clock, pieceCount: pieces, fast: o.fast ?? true, backup });
    const { peer, sent } = w;
    if (has) {
      const bits = new BitField(pieces);
      for (let i = 0; i < pieces; i++) if (has(i)) bits.set(i);
      w.deliver({ type: 'bitfield', bits: bits.toBytes() });
    } else if (o.fast === false) {
      const bits = new BitField(pieces);
      for (let i = 0; i < pieces; i++) bits.set(i);
      w.deliver({ type: 'bitfield', bits: bits.toBytes() });
    } else w.deliver({ type: 'haveAll' });
    w.deliver({ type: 'unchoke' });
    peer.setInterested(true);
    for (let i = 0; i < pieces; i++) if (peer.hasPiece(i)) picker.incrementAvailability(i);
    peers.set(id, peer);
    const requests = () => {
      peer.flush();
      return sent.filter((e): e is Extract<WireEvent, { type: 'request' }> => e.type === 'request');
    };
    const cancels = () => {
      peer.flush();
      return sent.filter((e) => e.type === 'cancel');
    };
    return { peer, requests, cancels, deliver: w.deliver };
  };
  return { clock, picker, requester, add, dropped, critical };
}

describe('requester', () => {
  it("fills a new peer's pipeline with at least 8 requests, then refills in batches", () => {
    const t = setup();
    const a = t.add('a');
    t.requester.fill(a.peer);
    expect(a.requests()).toHaveLength(8);
    expect(t.requester.outstanding(a.peer)).toBe(8);
    // One block back: the pipeline is one short, under a batch: no new request yet.
    const r = a.requests()[0]!;
    expect(t.requester.blockArrived(a.peer, r.index, r.begin, r.length)).toEqual({ kind: 'new', pieceComplete: false });
    t.requester.fill(a.peer);
    expect(a.requests()).toHaveLength(8);
    // Three back: still under a batch (half the pipeline). Four back: a batch of four.
    for (const x of a.requests().slice(1, 3)) t.requester.blockArrived(a.peer, x.index, x.begin, x.length);
    t.requester.fill(a.peer);
    expect(a.requests()).toHaveLength(8);
    const x = a.requests()[3]!;
    t.requester.blockArrived(a.peer, x.index, x.begin, x.length);
    t.requester.fill(a.peer);
    expect(a.requests()).toHaveLength(12);
  });

  it("keeps half a second of a peer's rate requested, not a second, and more of a far peer's: a round trip and a quarter", () => {
    const t = setup(64);
    const near = t.add('near');
    const far = t.add('far');
    t.requester.fill(near.peer);
    t.requester.fill(far.peer);
    // The first request to each went out alone: its block gives the round trip (100 and 800 ms).
    const back = (p: typeof near, k: number) => {
      const r = p.requests()[k]!;
      t.requester.blockArrived(p.peer, r.index, r.begin, r.length);
    };
    t.clock.advance(100);
    back(near, 0);
    t.clock.advance(700);
    back(far, 0);
    // Each sends us 256 KiB/s (a 1 MiB/s uplink shared by four upload slots), over the rate's window.
    for (let ms = 0; ms < 6000; ms += 62.5) {
      near.peer.downloaded.add(BLOCK);
      far.peer.downloaded.add(BLOCK);
      t.clock.advance(62.5);
    }
    // Near: 256 KiB/s × 0.5 s = 8 blocks. A second of it would be 16, a whole 256 KiB piece, which
    // other peers holding the piece could then no longer help with.
    expect(Math.abs(near.peer.downloaded.rate() - 256 * 1024)).toBeLessThan(8 * 1024);
    for (const k of [1, 2, 3]) back(near, k);
    t.requester.fill(near.peer);
    expect(t.requester.outstanding(near.peer)).toBe(8);
    // Far: 256 KiB/s × 1.25 × 0.8 s = 16 blocks, more than it delivers in a round trip (12.8).
    t.requester.fill(far.peer);
    expect(t.requester.outstanding(far.peer)).toBe(16);
  });

  it('drops a peer past 1 MiB of blocks nobody asked for; a block that crosses our cancel is excused and kept while its piece is in progress', () => {
    const t = setup();
    const a = t.add('a');
    t.requester.fill(a.peer);
    const r = a.requests()[0]!;
    t.clock.advance(31_000);
    expect(t.requester.checkTimeouts(a.peer, t.clock.now())).toBe(true);
    expect(a.cancels()).toHaveLength(8);
    // The block crossed our cancel: excused, but not kept: every request was cancelled, so its piece
    // is no longer in progress (no memory is held for it).
    expect(t.requester.blockArrived(a.peer, r.index, r.begin, r.length)).toEqual({ kind: 'unasked' });
    expect(t.dropped).toEqual([]);
    // Keep a piece in progress, time its other requests out, and the late block is kept.
    t.requester.fill(a.peer);
    const again = a.requests().slice(8);
    // Two blocks of one piece (the picker chooses pieces at random).
    const first = again[0]!;
    const second = again.find((x) => x.index === first.index && x.begin !== first.begin)!;
    t.requester.blockArrived(a.peer, first.index, first.begin, first.length);
    t.clock.advance(31_000);
    t.requester.checkTimeouts(a.peer, t.clock.now());
    expect(t.requester.blockArrived(a.peer, second.index, second.begin, second.length)).toEqual({ kind: 'new', pieceComplete: false });
    // Blocks never asked for: 64 are the allowance, the 65th drops the peer.
    const never = [...Array(16).keys()].find((i) => !a.requests().some((x) => x.index === i))!;
    for (let i = 0; i < 65; i++) expect(t.requester.blockArrived(a.peer, never, 0, BLOCK).kind).toBe('unasked');
    expect(t.dropped).toEqual(['a: sent too many blocks we did not ask for']);
  });

  it('a choke without the Fast Extension gives every request back; with it, requests stay until rejected', () => {
    const slow = setup(16, { fast: false });
    const a = slow.add('a');
    slow.requester.fill(a.peer);
    slow.requester.choked(a.peer);
    expect(slow.requester.outstanding(a.peer)).toBe(0);
    expect(slow.picker.requestsOf('a')).toEqual([]);

    const fast = setup(16, { fast: true });
    const b = fast.add('b');
    fast.requester.fill(b.peer);
    fast.requester.choked(b.peer);
    expect(fast.requester.outstanding(b.peer)).toBe(8);
    b.deliver({ type: 'choke' });
    const r = b.requests()[0]!;
    fast.requester.rejected(b.peer, r.index, r.begin);
    expect(fast.requester.outstanding(b.peer)).toBe(7);
  });

  it('in endgame, asks a peer for blocks requested elsewhere only once its own requests are all back, unless a stream waits', () => {
    // Four pieces of four blocks: a and b take eight each, so nothing is missing any more.
    const t = setup(4);
    const a = t.add('a');
    const b = t.add('b');
    t.requester.fill(a.peer);
    t.requester.fill(b.peer);
    expect(t.picker.inEndgame()).toBe(true);
    // c has nothing outstanding: it is given one duplicate at a time.
    const c = t.add('c');
    t.requester.fill(c.peer);
    expect(c.requests()).toHaveLength(1);
    t.requester.fill(c.peer);
    expect(c.requests()).toHaveLength(1);
    // Half of b's blocks are back: a batch is free, but b, with four still outstanding, gets no duplicates.
    const bs = b.requests();
    for (const r of bs.slice(0, 4)) t.requester.blockArrived(b.peer, r.index, r.begin, r.length);
    t.requester.fill(b.peer);
    expect(b.requests()).toHaveLength(8);
    // All of b's blocks back: now it helps with one of the blocks a still holds alone.
    for (const r of bs.slice(4)) t.requester.blockArrived(b.peer, r.index, r.begin, r.length);
    t.requester.fill(b.peer);
    expect(b.requests()).toHaveLength(9);
    const dup = b.requests()[8]!;
    expect(t.picker.requesters(dup.index, dup.begin)).toEqual(['a', 'b']);
    expect(t.requester.outstanding(b.peer)).toBe(1);
    // While a stream waits for a piece, a busy peer is given copies as before, as many as its pipeline takes.
    t.critical.push(1);
    t.requester.fill(b.peer);
    expect(b.requests().length).toBeGreaterThan(9);
    expect(t.requester.outstanding(b.peer)).toBe(b.requests().length - 8);
  });

  it('asks a web seed only for pieces no unchoking peer has, and gives everything back when a peer goes', () => {
    const t = setup(4);
    const peer = t.add('peer', (i) => i < 2);
    const seed = t.add('seed', undefined, true);
    t.requester.fill(seed.peer);
    expect(new Set(seed.requests().map((r) => r.index))).toEqual(new Set([2, 3]));
    t.requester.fill(peer.peer);
    expect(new Set(peer.requests().map((r) => r.index))).toEqual(new Set([0, 1]));
    t.requester.peerGone(peer.peer);
    expect(t.picker.requestsOf('peer')).toEqual([]);
    expect(t.requester.outstanding(peer.peer)).toBe(0);
  });

  it("a streaming reader's critical piece preempts the requests queued for ordinary pieces", () => {
    const t = setup(16);
    const a = t.add('a');
    t.requester.fill(a.peer);
    const asked = new Set(a.requests().map((r) => r.index));
    const critical = [...Array(16).keys()].find((i) => !asked.has(i))!;
    t.critical.push(critical);
    t.picker.setCritical([critical]);
    t.requester.preemptForCritical(a.peer);
    expect(a.cancels()).toHaveLength(8);
    expect(a.requests().slice(8)[0]!.index).toBe(critical);
  });
});
