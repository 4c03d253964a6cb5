import { describe, expect, it } from 'vitest';
import { PiecePicker, PRIORITY } from '../../../src/core/picker/index.js';
import { BLOCK, keys, peer, piecesOf, rng, seed, setup } from './fixtures.js';

describe('piece picker: ordering', () => {
  it('picks the rarest piece first, the whole piece from one peer', () => {
    const picker = setup({ availability: '3332333' });
    expect(keys(picker.pickBlocks(seed('a'), 4))).toEqual(['3:0', '3:1', '3:2', '3:3']);
  });

  it('goes on to the next rarest once the rarest is taken', () => {
    const picker = setup({ availability: '5553455' });
    expect(piecesOf(picker.pickBlocks(seed('a'), 8))).toEqual([3, 4]);
  });

  it('orders many small pieces by rarity across one pick', () => {
    const picker = setup({ availability: '5432112345', blocksPerPiece: 1 });
    const got = picker.pickBlocks(seed('a'), 6).map((r) => r.index);
    expect(got.slice(0, 2).sort()).toEqual([4, 5]);
    expect(got.slice(2, 4).sort()).toEqual([3, 6]);
    expect(got.slice(4, 6).sort()).toEqual([2, 7]);
  });

  it('breaks ties among equally rare pieces with the injected random', () => {
    const seen = new Set<number>();
    for (let s = 1; s <= 60; s++) {
      const first = setup({ availability: '2121212', random: rng(s) }).pickBlocks(seed('a'), 1)[0]!.index;
      const again = setup({ availability: '2121212', random: rng(s) }).pickBlocks(seed('a'), 1)[0]!.index;
      expect(again).toBe(first);
      seen.add(first);
    }
    expect([...seen].sort()).toEqual([1, 3, 5]);
  });

  it('of equally rare pieces, finishes the extent (1 MiB: four 256 KiB pieces) it started before another, starting at random', () => {
    const firstExtents = new Set<number>();
    for (let s = 1; s <= 12; s++) {
      const picker = setup({ availability: '1'.repeat(16), blocksPerPiece: 16, random: rng(s) });
      // A whole piece (16 blocks) per call.
      const order = Array.from({ length: 16 }, () => piecesOf(picker.pickBlocks(seed('a'), 16))[0]!);
      expect(new Set(order).size).toBe(16);
      const extents = order.map((i) => Math.floor(i / 4));
      for (let k = 0; k < 16; k += 4) expect(new Set(extents.slice(k, k + 4)).size).toBe(1);
      firstExtents.add(extents[0]!);
    }
    expect(firstExtents.size).toBeGreaterThan(2);
  });

  it('takes a piece the peer suggested (BEP 6) before rarer ones, but not before a higher priority, a partial piece, or a piece it lacks', () => {
    const suggests = (...pieces: number[]) => ({ ...seed('a'), suggested: new Set(pieces) });
    expect(piecesOf(setup({ availability: '3332333' }).pickBlocks(suggests(5), 4))).toEqual([5]);
    const urgent = setup({ availability: '3332333' });
    urgent.setPriority(1, PRIORITY.high);
    expect(piecesOf(urgent.pickBlocks(suggests(5), 4))).toEqual([1]);
    const started = setup({ availability: '3332333' });
    started.pickBlocks(seed('b'), 2); // piece 3, half requested by b: b finishes it
    expect(piecesOf(started.pickBlocks({ ...peer('b', 'xxxxxxx'), suggested: new Set([5]) }, 2))).toEqual([3]);
    expect(piecesOf(setup({ availability: '3332333' }).pickBlocks({ ...peer('a', 'xxxxx.x'), suggested: new Set([5]) }, 4))).toEqual([3]);
  });

  it('never gives a peer a piece it lacks', () => {
    const picker = setup({ availability: '1222222' });
    const got = picker.pickBlocks(peer('a', '.xx.xx.'), 100);
    expect(piecesOf(got).sort()).toEqual([1, 2, 4, 5]);
    expect(picker.pickBlocks(peer('b', 'x......'), 100).map((r) => r.index)).toEqual([0, 0, 0, 0]);
  });

  it('never picks a piece of priority 0, nor one we have', () => {
    const picker = setup({ availability: '1111111', priority: '1110000', have: 'x......' });
    expect(piecesOf(picker.pickBlocks(seed('a'), 100)).sort()).toEqual([1, 2]);
    // Everything wanted is requested now: a second peer only gets endgame duplicates of those.
    expect(picker.inEndgame()).toBe(true);
    expect(piecesOf(picker.pickBlocks(seed('b'), 100)).sort()).toEqual([1, 2]);
  });

  it('fetches higher priority before rarer', () => {
    const picker = setup({ availability: '1119111', priority: '4447444' });
    expect(piecesOf(picker.pickBlocks(seed('a'), 4))).toEqual([3]);
  });

  it('continues a partial piece before a rarer untouched one', () => {
    const picker = setup({ availability: '3333333' });
    const first = picker.pickBlocks(seed('a'), 2);
    const x = first[0]!.index;
    // Make another piece the rarest: the partial one still comes first.
    const rare = (x + 1) % 7;
    for (let i = 0; i < 7; i++) if (i !== rare) picker.incrementAvailability(i);
    expect(keys(picker.pickBlocks(seed('a'), 3))).toEqual([`${x}:2`, `${x}:3`, `${rare}:0`]);
  });

  it('finishes a piece nobody is working on any more before anything else', () => {
    const picker = setup({ availability: '1999999' });
    const got = picker.pickBlocks(seed('a'), 2);
    expect(piecesOf(got)).toEqual([0]);
    picker.blockReceived('a', 0, 0);
    picker.peerGone('a');
    expect(picker.pieceState(0)).toBe('partial');
    // Another peer with a rarer piece available still finishes piece 0 first.
    picker.removeAvailability(new Set([5]));
    expect(keys(picker.pickBlocks(seed('b'), 3))).toEqual(['0:1', '0:2', '0:3']);
  });

  it('prefers an untouched piece over one another peer is filling, and joins it only if nothing else', () => {
    const picker = setup({ availability: '1222' });
    expect(keys(picker.pickBlocks(seed('a'), 2))).toEqual(['0:0', '0:1']);
    expect(piecesOf(picker.pickBlocks(seed('b'), 4))).not.toContain(0);
    // A peer that has only piece 0 shares it, taking the blocks nobody requested.
    expect(keys(picker.pickBlocks(peer('c', 'x...'), 4))).toEqual(['0:2', '0:3']);
  });

  it('fetches critical pieces in their order before rarer ones', () => {
    const picker = setup({ availability: '1111999', critical: [5, 4, 6] });
    expect(piecesOf(picker.pickBlocks(seed('a'), 12))).toEqual([5, 4, 6]);
    expect([0, 1, 2, 3]).toContain(picker.pickBlocks(seed('b'), 4)[0]!.index);
    expect(picker.critical).toEqual([5, 4, 6]);
  });

  it('lets several peers share a critical piece, and asks for critical pieces before finishing partial ones', () => {
    const picker = setup({ availability: '1999999' });
    picker.pickBlocks(seed('a'), 2); // piece 0, the rarest
    picker.setCritical([3, 4]);
    // A reader waits for pieces 3 and 4: their blocks go out before the rest of piece 0.
    expect(keys(picker.pickBlocks(seed('a'), 4))).toEqual(['3:0', '3:1', '3:2', '3:3']);
    expect(keys(picker.pickBlocks(seed('b'), 3))).toEqual(['4:0', '4:1', '4:2']);
    expect(keys(picker.pickBlocks(seed('a'), 3))).toEqual(['4:3', '0:2', '0:3']);
  });

  it('critical does not override priority 0', () => {
    const picker = setup({ priority: '0444', critical: [0, 1] });
    expect(piecesOf(picker.pickBlocks(seed('a'), 4))).toEqual([1]);
  });

  it('asks a choking peer only for its allowed-fast pieces', () => {
    const picker = setup({ availability: '1111' });
    expect(picker.pickBlocks(peer('a', 'xxxx', { choked: true }), 10)).toEqual([]);
    const got = picker.pickBlocks(peer('a', 'xxxx', { choked: true, allowedFast: [2, 3] }), 100);
    expect(piecesOf(got).sort()).toEqual([2, 3]);
  });

  it('returns nothing for a count of zero or less', () => {
    const picker = setup({ availability: '11' });
    expect(picker.pickBlocks(seed('a'), 0)).toEqual([]);
    expect(picker.pickBlocks(seed('a'), -3)).toEqual([]);
    expect(picker.pieceState(0)).toBe('none');
  });
});

describe('piece picker: geometry', () => {
  it('gives the short last block and the short last piece their exact lengths', () => {
    // Pieces of 40000 bytes (blocks 16384, 16384, 7232); the last piece is 20000 (16384, 3616).
    const picker = new PiecePicker({ pieceCount: 3, pieceLength: 40000, totalLength: 100000, random: rng(1) });
    picker.setCritical([0, 1, 2]);
    const got = picker.pickBlocks(seed('a'), 100);
    expect(got).toEqual([
      { index: 0, begin: 0, length: BLOCK },
      { index: 0, begin: BLOCK, length: BLOCK },
      { index: 0, begin: 2 * BLOCK, length: 7232 },
      { index: 1, begin: 0, length: BLOCK },
      { index: 1, begin: BLOCK, length: BLOCK },
      { index: 1, begin: 2 * BLOCK, length: 7232 },
      { index: 2, begin: 0, length: BLOCK },
      { index: 2, begin: BLOCK, length: 3616 },
    ]);
    expect(got.reduce((n, r) => n + r.length, 0)).toBe(100000);
    expect(picker.wantsBlock(2, BLOCK, 3616)).toBe(true);
    expect(picker.wantsBlock(2, BLOCK, BLOCK)).toBe(false);
    expect(picker.wantsBlock(2, 100, 3616)).toBe(false);
    expect(picker.wantsBlock(3, 0, BLOCK)).toBe(false);
  });

  it('a one-block torrent shorter than a block', () => {
    const picker = new PiecePicker({ pieceCount: 1, pieceLength: BLOCK * 4, totalLength: 10, random: rng(1) });
    expect(picker.pickBlocks(seed('a'), 5)).toEqual([{ index: 0, begin: 0, length: 10 }]);
    expect(picker.blockReceived('a', 0, 0)).toEqual({ cancel: [], duplicate: false, pieceComplete: true });
    picker.pieceVerified(0);
    expect(picker.isComplete()).toBe(true);
  });

  it('rejects a piece count that does not match the lengths', () => {
    expect(() => new PiecePicker({ pieceCount: 3, pieceLength: BLOCK, totalLength: 4 * BLOCK })).toThrow(RangeError);
    expect(() => new PiecePicker({ pieceCount: 0, pieceLength: BLOCK, totalLength: 0 })).toThrow(RangeError);
  });

  it('setFilePriorities gives a shared boundary piece the higher priority', () => {
    const picker = setup({ priority: '444444' });
    picker.setFilePriorities([
      { first: 0, last: 2, priority: PRIORITY.skip },
      { first: 2, last: 5, priority: PRIORITY.high },
    ]);
    expect([0, 1, 2, 3, 4, 5].map((i) => picker.priority(i))).toEqual([0, 0, 7, 7, 7, 7]);
    picker.setPriority(5, 1);
    expect(picker.priority(5)).toBe(1);
    expect(() => picker.setPriority(0, 8)).toThrow(RangeError);
    expect(() => picker.setPriority(6, 1)).toThrow(RangeError);
  });

  it('reports completion, remaining bytes, missing pieces and progress of the selection', () => {
    // 4 pieces of 2 blocks; the last piece is 1000 bytes.
    const picker = setup({ priority: '4404', have: 'x...', blocksPerPiece: 2, totalLength: 3 * 2 * BLOCK + 1000 });
    expect(picker.haveCount).toBe(1);
    expect([0, 1, 2, 3].filter((i) => picker.wants(i))).toEqual([1, 3]);
    expect(picker.wantedRemaining()).toBe(2 * BLOCK + 1000);
    expect(picker.isComplete()).toBe(false);
    picker.blockReceived('a', 1, 0);
    expect(picker.progressBytes()).toEqual({ wanted: 4 * BLOCK + 1000, verified: 2 * BLOCK, received: 3 * BLOCK });
    picker.blockReceived('a', 1, BLOCK);
    picker.pieceVerified(1);
    picker.blockReceived('a', 3, 0);
    picker.pieceVerified(3);
    expect(picker.isComplete()).toBe(true);
    expect(picker.isSeed()).toBe(false);
    expect(picker.progress()).toBe(1);
    expect(picker.wantedRemaining()).toBe(0);
    // Selecting piece 2 makes us incomplete again.
    picker.setPriority(2, PRIORITY.normal);
    expect(picker.isComplete()).toBe(false);
    expect([0, 1, 2, 3].filter((i) => picker.wants(i))).toEqual([2]);
  });

  it('interesting: a peer with a piece we want and are not hashing', () => {
    const picker = setup({ priority: '4404', have: 'x...' });
    expect(picker.interesting(new Set([0]))).toBe(false); // we have it
    expect(picker.interesting(new Set([2]))).toBe(false); // deselected
    expect(picker.interesting((i: number) => i === 1)).toBe(true);
    expect(picker.interesting(Uint8Array.of(0b0001_0000))).toBe(true); // piece 3, wire format
    for (let b = 0; b < 4; b++) picker.blockReceived('a', 3, b * BLOCK);
    expect(picker.pieceState(3)).toBe('complete');
    expect(picker.interesting(new Set([3]))).toBe(false);
  });

  it('counts availability from bitfields, haves and seeds', () => {
    const picker = setup({ priority: '444444444' });
    picker.addAvailability(Uint8Array.of(0b1010_0000, 0b1000_0000));
    picker.addAvailability(new Set([0, 1]));
    picker.incrementAvailability(8);
    picker.addAvailability(null);
    expect([0, 1, 2, 3, 8].map((i) => picker.availability(i))).toEqual([3, 2, 2, 1, 3]);
    picker.removeAvailability(null);
    picker.removeAvailability(Uint8Array.of(0b1010_0000, 0b1000_0000));
    picker.removeAvailability(new Set([3])); // never below zero
    expect([0, 1, 2, 3, 8].map((i) => picker.availability(i))).toEqual([1, 1, 0, 0, 1]);
  });

  it('wants: a selected piece we neither have nor are hashing', () => {
    const picker = setup({ priority: '4404', have: 'x...', blocksPerPiece: 1 });
    picker.blockReceived('a', 3, 0);
    expect([0, 1, 2, 3].map((i) => picker.wants(i))).toEqual([false, true, false, false]);
    picker.pieceFailed(3);
    expect(picker.wants(3)).toBe(true);
  });

  it('writes our pieces as a wire-format bitfield', () => {
    const picker = setup({ have: 'x.......x' });
    expect([...picker.bitfield()]).toEqual([0b1000_0000, 0b1000_0000]);
    expect(picker.have(0)).toBe(true);
    expect(picker.have(1)).toBe(false);
  });
});
