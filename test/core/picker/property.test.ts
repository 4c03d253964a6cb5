/**
 * Model-based property test: random torrents, selections and swarms; peers pick, deliver, cancel,
 * reject and leave in random order, pieces sometimes fail their hash check, priorities change. A
 * plain model of the block states checks every answer of the picker as it goes, and its byte counts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PiecePicker, type PickerPeer } from '../../../src/core/picker/index.js';
import { BLOCK, rng } from './fixtures.js';

interface World {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
  priorities: number[];
  have: boolean[];
  peers: boolean[][];
  critical: number[];
  maxDuplicates: number;
  seed: number;
}

const world: fc.Arbitrary<World> = fc
  .record({ pieceCount: fc.integer({ min: 1, max: 10 }), blocks: fc.integer({ min: 1, max: 4 }), ragged: fc.boolean() })
  .chain(({ pieceCount, blocks, ragged }) => {
    const pieceLength = blocks * BLOCK - (ragged ? 1000 : 0);
    const bools = fc.array(fc.boolean(), { minLength: pieceCount, maxLength: pieceCount });
    return fc.record({
      pieceCount: fc.constant(pieceCount),
      pieceLength: fc.constant(pieceLength),
      totalLength: fc.integer({ min: (pieceCount - 1) * pieceLength + 1, max: pieceCount * pieceLength }),
      priorities: fc.array(fc.constantFrom(0, 1, 4, 4, 4, 7), { minLength: pieceCount, maxLength: pieceCount }),
      have: fc.array(
        fc.integer({ min: 0, max: 6 }).map((x) => x === 0),
        { minLength: pieceCount, maxLength: pieceCount },
      ),
      peers: fc.array(bools, { minLength: 1, maxLength: 5 }),
      critical: fc.uniqueArray(fc.integer({ min: 0, max: pieceCount - 1 }), { maxLength: 3 }),
      maxDuplicates: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer(),
    });
  });

function simulate(w: World): void {
  const r = rng(w.seed);
  const int = (n: number): number => Math.floor(r() * n);
  const picker = new PiecePicker<string>({
    pieceCount: w.pieceCount,
    pieceLength: w.pieceLength,
    totalLength: w.totalLength,
    random: rng(w.seed ^ 0x5bd1e995),
    maxDuplicates: w.maxDuplicates,
    have: (i: number) => w.have[i] === true,
  });
  w.priorities.forEach((p, i) => picker.setPriority(i, p));
  picker.setCritical(w.critical);
  // Every wanted piece must exist somewhere, or the download cannot finish.
  for (let i = 0; i < w.pieceCount; i++) if (!w.peers.some((p) => p[i])) w.peers[0]![i] = true;
  const ids = w.peers.map((_, n) => `p${n}`);
  w.peers.forEach((bits) => picker.addAvailability((i: number) => bits[i] === true));

  const { geometry: layout } = picker;
  const blocksOf = (i: number): number => layout.blockCount(i);
  const have = w.have.slice();
  const requested = new Map<string, Set<string>>(); // "i:b" -> requesters
  const received = new Set<string>();
  const wanted = (i: number): boolean => w.priorities[i]! > 0 && !have[i];
  const wantedMissing = (): number => {
    let n = 0;
    for (let i = 0; i < w.pieceCount; i++) {
      if (!wanted(i)) continue;
      for (let b = 0; b < blocksOf(i); b++) if (!received.has(`${i}:${b}`) && !requested.has(`${i}:${b}`)) n++;
    }
    return n;
  };
  const outstanding = (): [string, string][] => [...requested].flatMap(([k, set]) => [...set].map((p): [string, string] => [p, k]));
  const split = (k: string): [number, number] => k.split(':').map(Number) as [number, number];
  const release = (p: string, k: string): void => {
    const set = requested.get(k)!;
    set.delete(p);
    if (set.size === 0) requested.delete(k);
  };
  let failures = 0;
  const deliver = (p: string, i: number, b: number): void => {
    const k = `${i}:${b}`;
    const length = layout.blockLength(i, b);
    const dup = have[i] === true || received.has(k);
    expect(picker.wantsBlock(i, b * BLOCK, length)).toBe(!dup);
    const others = [...(requested.get(k) ?? [])].filter((x) => x !== p);
    const got = picker.blockReceived(p, i, b * BLOCK);
    expect(got.duplicate).toBe(dup);
    if (dup) return;
    requested.delete(k);
    received.add(k);
    expect(got.cancel.sort()).toEqual(others.sort());
    let complete = true;
    for (let x = 0; x < blocksOf(i); x++) complete &&= received.has(`${i}:${x}`);
    expect(got.pieceComplete).toBe(complete);
    if (!complete) return;
    for (let x = 0; x < blocksOf(i); x++) received.delete(`${i}:${x}`);
    if (failures < 4 && r() < 0.2) {
      failures++;
      picker.pieceFailed(i, { exclusive: r() < 0.5 });
    } else {
      expect(picker.pieceVerified(i)).toEqual([]);
      have[i] = true;
    }
  };

  for (let step = 0; step < 5000 && !picker.isComplete(); step++) {
    const roll = r();
    const pending = outstanding();
    if (roll < 0.45 || pending.length === 0) {
      const n = int(ids.length);
      const bits = w.peers[n]!;
      const choked = r() < 0.1;
      const fast = new Set([int(w.pieceCount), int(w.pieceCount)]);
      const peer: PickerPeer<string> = { id: ids[n]!, has: (i) => bits[i] === true, choked, allowedFast: fast };
      for (const q of picker.pickBlocks(peer, 1 + int(8))) {
        const b = q.begin / BLOCK;
        const k = `${q.index}:${b}`;
        expect(bits[q.index], 'the peer has the piece').toBe(true);
        if (choked) expect(fast.has(q.index), 'allowed fast while choked').toBe(true);
        expect(wanted(q.index), 'a wanted piece').toBe(true);
        expect(q.length).toBe(layout.blockLength(q.index, b));
        expect(received.has(k), 'not a received block').toBe(false);
        const holders = requested.get(k);
        if (holders !== undefined) {
          expect(wantedMissing(), 'duplicate requests only in endgame').toBe(0);
          expect(holders.has(peer.id), 'never twice to the same peer').toBe(false);
          expect(holders.size).toBeLessThanOrEqual(w.maxDuplicates);
        }
        requested.set(k, (holders ?? new Set()).add(peer.id));
      }
    } else if (roll < 0.85) {
      const [p, k] = pending[int(pending.length)]!;
      deliver(p, ...split(k));
    } else if (roll < 0.9) {
      // A block nobody asked this peer for (late after a cancel, or unsolicited).
      const i = int(w.pieceCount);
      deliver(ids[int(ids.length)]!, i, int(blocksOf(i)));
    } else if (roll < 0.96) {
      const [p, k] = pending[int(pending.length)]!;
      const [i, b] = split(k);
      expect(picker.requestCancelled(p, i, b * BLOCK)).toBe(true);
      release(p, k);
    } else if (roll < 0.98) {
      const p = ids[int(ids.length)]!;
      const mine = pending.filter(([x]) => x === p);
      expect(picker.peerGone(p)).toHaveLength(mine.length);
      for (const [x, k] of mine) release(x, k);
    } else {
      // A file selected or left out: a piece's priority changes (requests already out stay out).
      const i = int(w.pieceCount);
      const priority = [0, 1, 4, 7][int(4)]!;
      picker.setPriority(i, priority);
      w.priorities[i] = priority;
    }

    // The picker's view agrees with the model.
    let wantedBytes = 0;
    let verifiedBytes = 0;
    let receivedBytes = 0;
    for (let i = 0; i < w.pieceCount; i++) {
      if (w.priorities[i] === 0) continue;
      wantedBytes += layout.pieceSize(i);
      if (have[i]) verifiedBytes += layout.pieceSize(i);
      else for (let b = 0; b < blocksOf(i); b++) if (received.has(`${i}:${b}`)) receivedBytes += layout.blockLength(i, b);
    }
    expect(picker.progressBytes()).toEqual({ wanted: wantedBytes, verified: verifiedBytes, received: verifiedBytes + receivedBytes });
    expect(picker.wantedRemaining()).toBe(wantedBytes - verifiedBytes);
    expect(picker.inEndgame()).toBe(wantedMissing() === 0 && w.priorities.some((p, i) => p > 0 && !have[i]));
    for (let i = 0; i < w.pieceCount; i++) {
      for (let b = 0; b < blocksOf(i); b++) {
        const k = `${i}:${b}`;
        const state = have[i] || received.has(k) ? 'received' : requested.has(k) ? 'requested' : 'missing';
        expect(picker.blockState(i, b * BLOCK)).toBe(state);
        expect([...picker.requesters(i, b * BLOCK)].sort()).toEqual([...(requested.get(k) ?? [])].sort());
      }
    }
  }
  expect(picker.isComplete()).toBe(true);
  for (let i = 0; i < w.pieceCount; i++) if (w.priorities[i]! > 0) expect(picker.have(i)).toBe(true);
  expect(picker.wantedRemaining()).toBe(0);
}

describe('piece picker: property', () => {
  it('random swarms download to completion, never double-requesting outside endgame nor asking a peer for a piece it lacks', () => {
    fc.assert(fc.property(world, simulate), { numRuns: 300 });
  });
});
