import { describe, expect, it } from 'vitest';
import { SeedingAnnouncer } from '../../../src/core/session/seeding-announcer.js';
import type { Peer } from '../../../src/core/session/peer.js';
import type { PieceGeometry } from '../../../src/core/geometry.js';
import { encodeWantMessage } from '../../../src/core/wire/index.js';
import { wiredPeer } from './peer-fixture.js';
import { geometryOfFiles } from '../../fixtures/geometry.js';
import { mulberry32 } from '../../../src/core/random.js';

/** 256 KiB pieces: four are kept revealed ahead of a peer (at least 1 MiB, at least 4 pieces). */
const PIECE = 256 * 1024;
const COUNT = 10;
/** Ten pieces, the last one half as long. */
const geometry = geometryOfFiles([9.5 * PIECE], PIECE);
const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
const everything = () => true;

function setup(o: { begin?: PieceGeometry | false } = {}) {
  const peers = new Map<string, Peer>();
  /** What the uploader was told to read ahead, per peer. */
  const readAhead: [string, number[]][] = [];
  const announcer = new SeedingAnnouncer(
    (id) => peers.get(id),
    (peer, pieces) => readAhead.push([peer.id, [...pieces]]),
  );
  // The strategy starts its search for the least spread piece at random() * count: from 0, in order.
  if (o.begin !== false) announcer.begin(o.begin ?? geometry, { random: () => 0, now: () => 0 });
  const add = (id: string) => {
    const w = wiredPeer({ id, clock, pieceCount: COUNT });
    peers.set(id, w.peer);
    let seen = 0;
    /** The pieces announced to the peer (with `have`) since the last call. */
    const haves = () => {
      w.peer.flush();
      const out = w.sent.slice(seen).flatMap((e) => (e.type === 'have' ? [e.index] : []));
      seen = w.sent.length;
      return out;
    };
    return { peer: w.peer, haves, deliver: w.deliver };
  };
  return { announcer, add, readAhead };
}

describe('seeding announcer', () => {
  it('announces nothing before it begins, nor for a torrent of one piece', () => {
    for (const t of [setup({ begin: false }), setup({ begin: geometryOfFiles([PIECE], PIECE) })]) {
      expect(t.announcer.active).toBe(false);
      const a = t.add('a');
      t.announcer.greeted(a.peer);
      t.announcer.updated(a.peer);
      expect(t.announcer.wanted(a.peer, encodeWantMessage([0]), everything)).toBeUndefined();
      t.announcer.served(a.peer, 0, PIECE);
      expect(a.haves()).toEqual([]);
    }
  });

  it('reveals one piece to a peer it greets, then a few more once it may fetch them', () => {
    const t = setup();
    expect(t.announcer.active).toBe(true);
    const a = t.add('a');
    t.announcer.greeted(a.peer);
    expect(a.haves()).toEqual([0]);
    t.announcer.updated(a.peer); // still choked: nothing more
    expect(a.haves()).toEqual([]);
    a.peer.unchoke();
    t.announcer.updated(a.peer);
    expect(a.haves()).toEqual([1, 2, 3, 4]);
    t.announcer.updated(a.peer); // four are pending already
    expect(a.haves()).toEqual([]);
    // Another peer is shown the pieces revealed the least: the first one again (a cannot fetch it yet), then new ones.
    const b = t.add('b');
    t.announcer.greeted(b.peer);
    expect(b.haves()).toEqual([0]);
    b.peer.unchoke();
    t.announcer.updated(b.peer);
    expect(b.haves()).toEqual([5, 6, 7, 8]);
  });

  it('keeps pieces pending only for peers it unchoked: a choked one is shown one piece it lacks at a time', () => {
    const t = setup();
    const [a, b] = [t.add('a'), t.add('b')];
    t.announcer.greeted(a.peer);
    t.announcer.greeted(b.peer);
    expect([a.haves(), b.haves()]).toEqual([[0], [0]]);
    // a tells us what it has while choked (it got piece 0 elsewhere): one more piece, so that it may be interested.
    a.deliver({ type: 'have', index: 0 });
    t.announcer.updated(a.peer);
    expect(a.haves()).toEqual([1]);
    a.deliver({ type: 'have', index: 5 });
    t.announcer.updated(a.peer); // it still lacks piece 1: nothing more
    expect(a.haves()).toEqual([]);
    // b, unchoked, is kept four pieces ahead: those a was not given to fetch (a choked peer holds none pending).
    b.peer.unchoke();
    t.announcer.updated(b.peer);
    expect(b.haves()).toEqual([1, 2, 3, 4]);
  });

  it('reveals the pieces a ts_want message names first (those we have and it was not told of); a malformed one is reported', () => {
    const t = setup();
    const a = t.add('a');
    t.announcer.greeted(a.peer);
    expect(a.haves()).toEqual([0]);
    expect(t.announcer.wanted(a.peer, encodeWantMessage([7, 0, 8, 9]), (i) => i !== 9)).toBeUndefined();
    expect(a.haves()).toEqual([7, 8]);
    // The uploader reads them ahead, as it does the first pieces revealed to a new peer: the reader waits for them.
    expect(t.readAhead).toEqual([
      ['a', [0]],
      ['a', [7, 8]],
    ]);
    a.peer.unchoke();
    t.announcer.updated(a.peer); // two pending: two more, the least spread
    expect(a.haves()).toEqual([1, 2]);

    expect(t.announcer.wanted(a.peer, new Uint8Array([0x78]), everything)).toMatch(/^bad ts_want message: /);
    expect(t.announcer.wanted(a.peer, new TextEncoder().encode('d6:piecesi3ee'), everything)).toBe("bad ts_want message: 'pieces' is not a list");
    expect(a.haves()).toEqual([]);
  });

  it('ends once every piece has been served, telling every peer still there of the pieces it was not shown', () => {
    const t = setup();
    const [a, b, c] = [t.add('a'), t.add('b'), t.add('c')];
    for (const p of [a, b, c]) t.announcer.greeted(p.peer);
    a.peer.unchoke();
    t.announcer.updated(a.peer);
    const shown = { a: a.haves(), b: b.haves() };
    expect(shown.a).toEqual([0, 1, 2, 3, 4]);
    t.announcer.gone(c.peer); // c leaves: told nothing more
    c.haves();
    // Half of piece 1 does not count as served.
    t.announcer.served(a.peer, 1, PIECE / 2);
    expect(a.haves()).toEqual([]);
    t.announcer.served(a.peer, 1, PIECE / 2);
    shown.a.push(...a.haves()); // a was served one of its pending pieces: one more revealed
    expect(shown.a).toHaveLength(6);
    for (let i = 0; i < COUNT - 1; i++) {
      if (i === 1) continue;
      t.announcer.served(a.peer, i, PIECE);
      expect(t.announcer.active).toBe(true);
      shown.a.push(...a.haves());
    }
    t.announcer.served(a.peer, COUNT - 1, PIECE / 2); // the short last piece
    expect(t.announcer.active).toBe(false);
    const all = [...Array(COUNT).keys()];
    // Every piece, each once.
    for (const [shownBefore, p] of [
      [shown.a, a],
      [shown.b, b],
    ] as const) {
      const seen = [...shownBefore, ...p.haves()];
      expect(seen.toSorted((x, y) => x - y)).toEqual(all);
    }
    expect(c.haves()).toEqual([]);
    // Initial seeding is over for good: a new peer is shown nothing by have messages.
    const d = t.add('d');
    t.announcer.greeted(d.peer);
    t.announcer.updated(d.peer);
    expect(d.haves()).toEqual([]);
  });

  it('reveals the pieces of one extent (1 MiB: four 256 KiB pieces) before another, starting at a random one', () => {
    const count = 32;
    const firstExtents = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const peers = new Map<string, Peer>();
      const announcer = new SeedingAnnouncer((id) => peers.get(id));
      announcer.begin(geometryOfFiles([count * PIECE], PIECE), { random: mulberry32(seed), now: () => 0 });
      const w = wiredPeer({ id: 'a', clock, pieceCount: count });
      peers.set('a', w.peer);
      announcer.greeted(w.peer);
      const shown: number[] = [];
      for (let i = 0; i < 4; i++) {
        announcer.updated(w.peer);
        w.peer.flush();
        shown.push(...w.sent.flatMap((e) => (e.type === 'have' ? [e.index] : [])).filter((x) => !shown.includes(x)));
        // Served whole, the pending pieces make room for the next ones.
        for (const x of shown) announcer.served(w.peer, x, PIECE);
      }
      expect(shown.length).toBeGreaterThanOrEqual(12);
      const extents = shown.map((x) => Math.floor(x / 4));
      // Extent by extent: each extent's four pieces one after another.
      for (let k = 0; k + 4 <= 12; k += 4) expect(new Set(extents.slice(k, k + 4)).size).toBe(1);
      firstExtents.add(extents[0]!);
    }
    expect(firstExtents.size).toBeGreaterThan(3);
  });
});
