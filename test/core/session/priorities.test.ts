import { describe, expect, it } from 'vitest';
import { Priorities } from '../../../src/core/session/priorities.js';
import { PiecePicker, PRIORITY } from '../../../src/core/picker/index.js';
import { geometryOfFiles } from '../../fixtures/geometry.js';

const PIECE = 32 * 1024;

/** Three files: a (pieces 0-1), b (piece 2 and the first half of 3), c (the rest of 3 and 4). */
function torrent() {
  const geometry = geometryOfFiles([2 * PIECE, 1.5 * PIECE, 1.5 * PIECE], PIECE);
  const picker = new PiecePicker({ geometry, pieceCount: geometry.pieceCount, pieceLength: PIECE, totalLength: geometry.length });
  return { geometry, picker, prio: () => [...Array(geometry.pieceCount).keys()].map((i) => picker.priority(i)) };
}

const { skip, normal, high } = PRIORITY;

describe('priorities', () => {
  it('keeps a selection and a stream window given before the metadata, and applies them once it is known', () => {
    const p = new Priorities();
    expect(p.select([true, false, false])).toBe(false);
    expect(p.setStream([2], [3])).toBeUndefined();
    expect(p.isCritical(2)).toBe(true);
    const t = torrent();
    expect(p.attach(t.picker, t.geometry)).toBe(true);
    // b and c are out, but the streamed pieces are in, at high priority.
    expect(t.prio()).toEqual([normal, normal, high, high, skip]);
  });

  it('drops pieces named before the metadata that lie past the end of the torrent', () => {
    const p = new Priorities();
    expect(p.setStream([0, 1, 2, 3, 4, 5, 6, 7], [9])).toBeUndefined();
    const t = torrent();
    expect(() => p.attach(t.picker, t.geometry)).not.toThrow();
    expect(p.criticalPieces).toEqual([0, 1, 2, 3, 4]);
    expect(t.prio()).toEqual([high, high, high, high, high]);
  });

  it('a piece shared by a selected and a deselected file is fetched; pieces leaving the window go back to their file', () => {
    const p = new Priorities();
    const t = torrent();
    p.attach(t.picker, t.geometry);
    p.select([false, true, false]);
    expect(t.prio()).toEqual([skip, skip, normal, normal, skip]);
    expect(p.setStream([0], [1, 4])).toBe(true);
    expect(t.prio()).toEqual([high, high, normal, normal, high]);
    expect(p.setStream([], [])).toBe(true);
    expect(t.prio()).toEqual([skip, skip, normal, normal, skip]);
    expect(p.setStream([], [])).toBe(false); // nothing changed
    expect(() => p.setStream([9], [])).toThrow(RangeError);
    expect(p.criticalPieces).toEqual([]);
  });

  it('names each peer the critical pieces it has not announced, once until they change', () => {
    const p = new Priorities();
    const t = torrent();
    p.attach(t.picker, t.geometry);
    p.setStream([1, 2, 3], []);
    t.picker.pieceVerified(1);
    const peer = {};
    const has = (i: number) => i === 3;
    expect(p.wantsFor(peer, has)).toEqual([2]);
    expect(p.wantsFor(peer, has)).toBeUndefined();
    expect(p.wantsFor({}, () => false)).toEqual([2, 3]);
    p.setStream([4], []);
    expect(p.wantsFor(peer, has)).toEqual([4]);
  });
});
