import { describe, expect, it } from 'vitest';
import { InitialSeeding, type RevealPeer } from '../../../src/core/session/initial-seeding.js';

const PIECE = 16 * 1024;

function peer(id: string, rate: number): RevealPeer & { have: Set<number> } {
  const have = new Set<number>();
  return { id, have, hasPiece: (i) => have.has(i), uploadRate: () => rate };
}

describe('initial seeding', () => {
  it('never reveals to a second peer a piece still waiting at another: each piece leaves the seeder once before any leaves twice', () => {
    let x = 1;
    const random = () => (x = (x * 16807) % 2147483647) / 2147483647;
    // 8 pieces; each peer is kept 6 pieces ahead (its rate), more than half of them.
    const seeding = new InitialSeeding(8, () => PIECE, PIECE, random, 1, 1);
    const a = peer('a', 6 * PIECE);
    const b = peer('b', 6 * PIECE);
    seeding.addPeer(a);
    seeding.addPeer(b);
    const toA = seeding.peerUpdated(a);
    const toB = seeding.peerUpdated(b);
    expect(toA.length).toBe(6);
    // Only what no one is fetching: the 2 (or 3, with b's first piece) left, never one of a's.
    expect(toB.filter((i) => toA.includes(i))).toEqual([]);
    // Serving pieces to a reveals more to a, but only fresh ones, until every piece has left once.
    const revealed = new Map<string, Set<number>>([
      ['a', new Set(toA)],
      ['b', new Set(toB)],
    ]);
    let finished: Map<string, number[]> | undefined;
    const served = new Map<number, number>();
    for (let round = 0; round < 20 && !finished; round++) {
      for (const p of [a, b]) {
        const mine = [...revealed.get(p.id)!].filter((i) => !p.have.has(i));
        const i = mine[0];
        if (i === undefined) continue;
        p.have.add(i);
        served.set(i, (served.get(i) ?? 0) + 1);
        const r = seeding.served(p, i, PIECE);
        for (const n of r.next) revealed.get(p.id)!.add(n);
        if (r.finished) finished = r.finished;
        if (finished) break;
      }
    }
    expect(finished).toBeDefined();
    expect([...served.values()].every((n) => n === 1)).toBe(true);
    expect(served.size).toBe(8);
  });

  it('reveals again a piece uploaded to a peer that has left: nobody else can give it', () => {
    const seeding = new InitialSeeding(
      4,
      () => PIECE,
      PIECE,
      () => 0,
      1,
      1,
    );
    const gone = peer('gone', PIECE);
    seeding.addPeer(gone);
    const [first] = seeding.peerUpdated(gone);
    expect(first).toBeDefined();
    seeding.served(gone, first!, PIECE);
    seeding.removePeer('gone');
    // The next peer lacks that piece and one never uploaded (the others it had from elsewhere): the
    // never-uploaded one is shown first, then the one only we can give.
    const next = peer('next', PIECE);
    const other = (first! + 1) % 4;
    for (let i = 0; i < 4; i++) if (i !== first && i !== other) next.have.add(i);
    expect(seeding.addPeer(next)).toEqual([other]);
    expect(seeding.peerUpdated(next)).toEqual([first]);
  });
});
