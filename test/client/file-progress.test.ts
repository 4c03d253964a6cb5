import { describe, expect, it } from 'vitest';
import { PieceGeometry } from '../../src/core/geometry.js';
import { geometryOfFiles } from '../fixtures/geometry.js';
import { FileProgress } from '../../src/client/file-progress.js';
import { mulberry32 as rng } from '../../src/core/random.js';

/** What a file's progress is by definition: the bytes of it that lie in verified pieces. */
function expected(g: PieceGeometry, have: Set<number>, f: number): number {
  const length = g.fileLength(f);
  if (length === 0) return 1;
  let bytes = 0;
  for (let p = 0; p < g.pieceCount; p++) {
    if (!have.has(p)) continue;
    for (const s of g.pieceFiles(p)) if (s.fileIndex === f) bytes += s.length;
  }
  return bytes / length;
}

describe('FileProgress', () => {
  it('agrees with the bytes of verified pieces, file by file, whatever the order pieces come in', () => {
    const r = rng(7);
    for (let round = 0; round < 40; round++) {
      // Files of 0 to 3 pieces and a bit, some empty, some inside one piece, some across many.
      const lengths = Array.from({ length: 1 + Math.floor(r() * 12) }, () => (r() < 0.15 ? 0 : Math.floor(r() * 3.3 * 16384)));
      if (!lengths.some((l) => l > 0)) lengths.push(1);
      const g = geometryOfFiles(lengths, 16384);
      const table = new FileProgress(g);
      const have = new Set<number>();
      const order = Array.from({ length: g.pieceCount }, (_, i) => i).sort(() => r() - 0.5);
      for (const p of order) {
        table.add(p);
        if (r() < 0.3) table.add(p); // a piece counted twice is counted once
        have.add(p);
        for (let f = 0; f < lengths.length; f++) expect(table.progress(f)).toBeCloseTo(expected(g, have, f), 12);
        const complete = lengths.filter((_, f) => expected(g, have, f) === 1).length;
        expect(table.completeFiles).toBe(complete);
        expect(table.pieces).toBe(have.size);
      }
      expect(table.completeFiles).toBe(lengths.length);
    }
  });

  it('counts what it was not told about in one pass (pieces found in storage), and only once', () => {
    const g = geometryOfFiles([5000, 40000, 0, 30000], 16384);
    const table = new FileProgress(g);
    expect(table.completeFiles).toBe(1); // the empty file
    table.add(0);
    table.addAll((p) => p === 0 || p === 1 || p === 4);
    expect(table.pieces).toBe(3);
    const have = new Set([0, 1, 4]);
    for (let f = 0; f < 4; f++) expect(table.progress(f)).toBeCloseTo(expected(g, have, f), 12);
    expect(table.completeFiles).toBe(2);
  });

  it('refuses a piece or a file that is not there', () => {
    const table = new FileProgress(geometryOfFiles([100, 200], 16384));
    expect(() => table.add(1)).toThrow(RangeError);
    expect(() => table.progress(2)).toThrow(RangeError);
    expect(table.pieces).toBe(0);
  });

  it('reads a file of 100,000 in constant time, and a piece costs the files it touches', () => {
    const lengths = Array.from({ length: 100_000 }, (_, i) => 1000 + (i % 7));
    const g = geometryOfFiles(lengths, 16384);
    const table = new FileProgress(g);
    const started = performance.now();
    for (let p = 0; p < g.pieceCount; p += 2) table.add(p);
    let sum = 0;
    for (let round = 0; round < 10; round++) for (let f = 0; f < lengths.length; f++) sum += table.progress(f);
    // A million reads and half the pieces: a few ms; walking pieces per read would take minutes.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(sum).toBeGreaterThan(0);
    expect(table.completeFiles).toBeGreaterThan(40_000);
  });
});
