import { describe, expect, it } from 'vitest';
import { BLOCK, keys, peer, piecesOf, seed, setup } from './fixtures.js';
import { MemoryBudget } from '../../../src/core/session/memory.js';

describe('piece picker: endgame', () => {
  it('duplicates outstanding blocks once everything is requested, at most maxDuplicates extra per block', () => {
    const picker = setup({ availability: '22', blocksPerPiece: 2 });
    expect(picker.pickBlocks(seed('a'), 10)).toHaveLength(4);
    expect(picker.inEndgame()).toBe(true);
    expect(keys(picker.pickBlocks(seed('b'), 10))).toEqual(['0:0', '0:1', '1:0', '1:1']);
    expect(picker.pickBlocks(seed('c'), 2)).toHaveLength(2);
    expect(picker.pickBlocks(seed('c'), 10)).toHaveLength(2);
    expect(picker.requesters(0, 0)).toEqual(['a', 'b', 'c']);
    // Three holders per block already: nobody else, and never the same peer twice.
    expect(picker.pickBlocks(seed('d'), 10)).toEqual([]);
    expect(picker.pickBlocks(seed('a'), 10)).toEqual([]);
  });

  it('prefers blocks with the fewest requesters', () => {
    const picker = setup({ availability: '2', blocksPerPiece: 3, maxDuplicates: 1 });
    picker.pickBlocks(seed('a'), 3);
    expect(keys(picker.pickBlocks(seed('b'), 1))).toEqual(['0:0']);
    expect(keys(picker.pickBlocks(seed('c'), 3))).toEqual(['0:1', '0:2']);
  });

  it('blockReceived names the other requesters to cancel, and a late copy is a duplicate', () => {
    const picker = setup({ availability: '2', blocksPerPiece: 2 });
    picker.pickBlocks(seed('a'), 2);
    picker.pickBlocks(seed('b'), 2);
    picker.pickBlocks(seed('c'), 1);
    expect(picker.blockReceived('b', 0, 0)).toEqual({ cancel: ['a', 'c'], duplicate: false, pieceComplete: false });
    expect(picker.blockReceived('a', 0, 0)).toEqual({ cancel: [], duplicate: true, pieceComplete: false });
    expect(picker.requestsOf('a')).toEqual([{ index: 0, begin: BLOCK, length: BLOCK }]);
    expect(picker.requestsOf('c')).toEqual([]);
    expect(picker.blockReceived('a', 0, BLOCK)).toEqual({ cancel: ['b'], duplicate: false, pieceComplete: true });
    expect(picker.blockSenders(0)).toEqual(['b', 'a']);
  });

  it('is not endgame while some wanted block is still missing, even if this peer cannot fetch it', () => {
    const picker = setup({ availability: '11' });
    picker.pickBlocks(peer('a', 'x.'), 4);
    expect(picker.inEndgame()).toBe(false);
    expect(picker.pickBlocks(peer('b', 'x.'), 4)).toEqual([]);
    // Deselecting the missing piece brings endgame.
    picker.setPriority(1, 0);
    expect(picker.inEndgame()).toBe(true);
    expect(picker.pickBlocks(peer('b', 'x.'), 4)).toHaveLength(4);
  });
});

describe('piece picker: releasing requests', () => {
  it('peerGone returns its blocks to missing for the next peer', () => {
    const picker = setup({ availability: '1999' });
    const got = picker.pickBlocks(seed('a'), 3);
    expect(picker.peerGone('a')).toEqual(got);
    expect(picker.blockState(0, 0)).toBe('missing');
    expect(picker.pieceState(0)).toBe('none');
    expect(picker.pickBlocks(seed('b'), 3)).toEqual(got);
    expect(picker.peerGone('nobody')).toEqual([]);
  });

  it('a released block stays requested while another peer holds it', () => {
    const picker = setup({ availability: '2', blocksPerPiece: 1 });
    picker.pickBlocks(seed('a'), 1);
    picker.pickBlocks(seed('b'), 1);
    picker.peerGone('a');
    expect(picker.blockState(0, 0)).toBe('requested');
    expect(picker.requesters(0, 0)).toEqual(['b']);
    expect(picker.requestCancelled('b', 0, 0)).toBe(true);
    expect(picker.blockState(0, 0)).toBe('missing');
  });

  it('requestCancelled and peerRejected give the block back; unknown ones are ignored', () => {
    const picker = setup({ availability: '1' });
    picker.pickBlocks(seed('a'), 2);
    expect(picker.requesters(0, BLOCK)).toEqual(['a']);
    expect(picker.peerRejected('a', 0, BLOCK)).toBe(true);
    expect(picker.requesters(0, BLOCK)).toEqual([]);
    expect(picker.requestCancelled('a', 0, BLOCK)).toBe(false);
    expect(picker.requestCancelled('z', 0, 0)).toBe(false);
    expect(picker.requestCancelled('a', 0, 123)).toBe(false);
    expect(picker.requestCancelled('a', 9, 0)).toBe(false);
    expect(picker.blockState(0, 0)).toBe('requested');
    expect(picker.blockState(0, BLOCK)).toBe('missing');
    // The peer picks up where it left off: the released block first, then the rest in order.
    expect(keys(picker.pickBlocks(seed('a'), 3))).toEqual(['0:1', '0:2', '0:3']);
  });

  it('accepts a block that arrives after its request was cancelled, if still needed', () => {
    const picker = setup({ availability: '1', blocksPerPiece: 2 });
    picker.pickBlocks(seed('a'), 2);
    picker.requestCancelled('a', 0, 0);
    picker.pickBlocks(seed('b'), 1);
    expect(picker.blockReceived('a', 0, 0)).toEqual({ cancel: ['b'], duplicate: false, pieceComplete: false });
    expect(picker.requestsOf('b')).toEqual([]);
  });

  it('ignores blocks that name no block, or of pieces we have', () => {
    const picker = setup({ have: 'x.' });
    const dup = { cancel: [], duplicate: true, pieceComplete: false };
    expect(picker.blockReceived('a', 0, 0)).toEqual(dup);
    expect(picker.blockReceived('a', 1, 7)).toEqual(dup);
    expect(picker.blockReceived('a', 2, 0)).toEqual(dup);
    expect(picker.blockReceived('a', 1, 4 * BLOCK)).toEqual(dup);
    expect(picker.pieceState(1)).toBe('none');
  });
});

describe('piece picker: hash results', () => {
  function completeFromTwo() {
    const picker = setup({ availability: '19', blocksPerPiece: 2 });
    picker.pickBlocks(seed('a'), 1);
    picker.pickBlocks(peer('b', 'x.'), 1);
    expect(picker.blockReceived('a', 0, 0).pieceComplete).toBe(false);
    expect(picker.blockReceived('b', 0, BLOCK).pieceComplete).toBe(true);
    return picker;
  }

  it('walks a piece through complete, verifying, verified', () => {
    const picker = completeFromTwo();
    expect(picker.pieceState(0)).toBe('complete');
    picker.pieceVerifying(0);
    expect(picker.pieceState(0)).toBe('verifying');
    expect(picker.pieceVerified(0)).toEqual([]);
    expect(picker.pieceState(0)).toBe('verified');
    expect(picker.blockState(0, 0)).toBe('received');
    expect(picker.haveCount).toBe(1);
    expect(() => picker.pieceVerifying(1)).toThrow();
  });

  it('pieceFailed resets every block, names the senders, and the piece is picked again', () => {
    const picker = completeFromTwo();
    expect(picker.blockSenders(0)).toEqual(['a', 'b']);
    expect(picker.pieceFailed(0).sort()).toEqual(['a', 'b']);
    expect(picker.pieceState(0)).toBe('none');
    expect(picker.blockSenders(0)).toEqual([undefined, undefined]);
    expect(picker.wantsBlock(0, 0, BLOCK)).toBe(true);
    expect(piecesOf(picker.pickBlocks(seed('c'), 2))).toEqual([0]);
  });

  it('an exclusive refetch goes to one peer at a time', () => {
    const picker = completeFromTwo();
    picker.pieceFailed(0, { exclusive: true });
    expect(keys(picker.pickBlocks(seed('a'), 1))).toEqual(['0:0']);
    // b has only piece 0 but may not join while a works on it; not even in endgame.
    expect(picker.pickBlocks(peer('b', 'x.'), 4)).toEqual([]);
    expect(keys(picker.pickBlocks(seed('a'), 1))).toEqual(['0:1']);
    picker.pickBlocks(seed('c'), 8); // piece 1
    expect(picker.inEndgame()).toBe(true);
    expect(picker.pickBlocks(peer('b', 'x.'), 4)).toEqual([]);
    // Once a is gone, another peer may take over.
    picker.peerGone('a');
    expect(keys(picker.pickBlocks(peer('b', 'x.'), 4))).toEqual(['0:0', '0:1']);
  });

  it('pieceVerified on a piece still downloading returns the requests to cancel', () => {
    const picker = setup({ availability: '1' });
    picker.pickBlocks(seed('a'), 2);
    expect(picker.pieceVerified(0)).toEqual([
      { peer: 'a', index: 0, begin: 0, length: BLOCK },
      { peer: 'a', index: 0, begin: BLOCK, length: BLOCK },
    ]);
    expect(picker.isComplete()).toBe(true);
    expect(picker.requestsOf('a')).toEqual([]);
    expect(picker.pickBlocks(seed('a'), 2)).toEqual([]);
  });
});

describe('piece picker: memory budget', () => {
  it('starts a piece only when its size can be reserved, and releases it when the piece is verified, fails or is abandoned', () => {
    const budget = new MemoryBudget(2 * 2 * BLOCK);
    const picker = setup({ availability: '1111', blocksPerPiece: 2, budget });
    // Four blocks wanted; two pieces fit.
    expect(piecesOf(picker.pickBlocks(seed('a'), 8))).toHaveLength(2);
    expect(picker.requestsOf('a')).toHaveLength(4);
    expect(budget.used).toBe(4 * BLOCK);
    expect(picker.waitingForMemory).toBe(true);
    // Another peer may still share the pieces in progress (endgame) but starts none.
    const [first, second] = piecesOf(picker.requestsOf('a')) as [number, number];
    expect(piecesOf(picker.pickBlocks(seed('b'), 8)).every((i) => i === first || i === second)).toBe(true);
    // A block of an unstarted piece is not kept: there is no memory for it.
    const unstarted = [0, 1, 2, 3].find((i) => i !== first && i !== second)!;
    expect(picker.blockReceived('c', unstarted, 0)).toEqual({ cancel: [], duplicate: true, pieceComplete: false });
    expect(picker.pieceState(unstarted)).toBe('none');

    picker.blockReceived('a', first, 0);
    picker.blockReceived('a', first, BLOCK);
    picker.pieceVerified(first);
    expect(budget.used).toBe(2 * BLOCK);
    // Partial with a received block and no request: abandoned, its memory released.
    picker.blockReceived('a', second, 0);
    picker.peerGone('a');
    picker.peerGone('b');
    expect(picker.abandon(second)).toBe(true);
    expect(picker.pieceState(second)).toBe('none');
    expect(budget.used).toBe(0);
    expect(picker.pickBlocks(seed('d'), 4)).toHaveLength(4);
    expect(picker.waitingForMemory).toBe(false); // it asked for no more than fits
    // Not abandoned while a request is outstanding.
    const busy = piecesOf(picker.requestsOf('d'))[0]!;
    expect(picker.abandon(busy)).toBe(false);
  });
});
