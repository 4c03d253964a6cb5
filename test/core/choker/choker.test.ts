import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../../src/core/random.js';
import { choke, fillFree, initialChokerState, type ChokerPeer } from '../../../src/core/choker/choker.js';

function peer(id: string, down: number, up = 0, interested = true, connectedAt = -1e9): ChokerPeer<string> {
  return { id, interested, downloadRate: down, uploadRate: up, connectedAt };
}

describe('choker', () => {
  it('leeching: unchokes the three fastest uploaders to us plus one optimistic peer', () => {
    const peers = [peer('a', 10), peer('b', 50), peer('c', 40), peer('d', 5), peer('e', 30), peer('f', 1)];
    const { unchoke, state } = choke(peers, false, initialChokerState(), 0, rng(1));
    expect(unchoke.size).toBe(4);
    for (const id of ['b', 'c', 'e']) expect(unchoke.has(id)).toBe(true);
    expect(state.optimistic).toBeDefined();
    expect(['a', 'd', 'f']).toContain(state.optimistic);
    expect(unchoke.has(state.optimistic!)).toBe(true);
  });

  it('never unchokes a peer that is not interested', () => {
    const peers = [peer('a', 100, 0, false), peer('b', 1), peer('c', 0, 0, false)];
    const { unchoke } = choke(peers, false, initialChokerState(), 0, rng(2));
    expect([...unchoke]).toEqual(['b']);
  });

  it('seeding: ranks peers by how fast we upload to them', () => {
    const peers = [peer('a', 0, 5), peer('b', 0, 90), peer('c', 0, 70), peer('d', 0, 80), peer('e', 0, 1)];
    const { unchoke } = choke(peers, true, initialChokerState(), 0, rng(3));
    for (const id of ['b', 'c', 'd']) expect(unchoke.has(id)).toBe(true);
  });

  it('keeps the optimistic peer for the interval, then rotates to another one', () => {
    const peers = [peer('a', 9), peer('b', 8), peer('c', 7), peer('x', 0), peer('y', 0), peer('z', 0)];
    const random = rng(4);
    let d = choke(peers, false, initialChokerState(), 0, random);
    const first = d.state.optimistic;
    d = choke(peers, false, d.state, 10_000, random);
    expect(d.state.optimistic).toBe(first);
    d = choke(peers, false, d.state, 30_000, random);
    expect(d.state.optimistic).not.toBe(first);
    expect(['x', 'y', 'z']).toContain(d.state.optimistic);
  });

  it('favours newcomers for the optimistic slot about three to one', () => {
    const peers = [peer('a', 9), peer('b', 8), peer('c', 7), peer('old', 0, 0, true, -1e9), peer('new', 0, 0, true, 0)];
    const random = rng(5);
    let newcomer = 0;
    for (let i = 0; i < 2000; i++) {
      const d = choke(peers, false, initialChokerState(), 1000, random);
      if (d.state.optimistic === 'new') newcomer++;
    }
    expect(newcomer / 2000).toBeGreaterThan(0.68);
    expect(newcomer / 2000).toBeLessThan(0.82);
  });

  it('fills free slots between rechokes, choking only unchoked peers that want nothing: the best-ranked choked interested peers, as many as are free', () => {
    const view = (p: ChokerPeer<string>, unchoked: boolean) => ({ ...p, unchoked });
    const peers = [
      view(peer('a', 0), true),
      view(peer('b', 0), true),
      view(peer('c', 90, 0, false), true), // unchoked but not interested: its slot is free
      view(peer('d', 20), false),
      view(peer('e', 50), false),
      view(peer('f', 10), false),
      view(peer('g', 99, 0, false), false),
    ];
    // Four slots, two held by interested peers: the two fastest choked interested peers come in, c
    // (which wants nothing) goes out, and a and b stay, though they upload to us slower than d, e, f.
    expect(fillFree(peers, false, 4, rng(5))).toEqual({ choke: ['c'], unchoke: ['e', 'd'] });
    // Seeding ranks by our upload to them.
    const seeding = [view(peer('a', 0, 1), true), view(peer('x', 0, 5), false), view(peer('y', 0, 70), false)];
    expect(fillFree(seeding, true, 2, rng(6))).toEqual({ choke: [], unchoke: ['y'] });
    // No slot free: nothing.
    expect(fillFree(peers.slice(0, 2), false, 2, rng(7))).toEqual({ choke: [], unchoke: [] });
    // Equal ranks: any of them, at random.
    const ties = ['p', 'q', 'r', 's', 't'].map((id) => view(peer(id, 0), false));
    const firsts = new Set(Array.from({ length: 20 }, (_, k) => fillFree(ties, false, 1, rng(100 + k)).unchoke[0]));
    expect(firsts.size).toBeGreaterThan(2);
  });
});
