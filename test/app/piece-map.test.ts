import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cellRect, columnFill, columnRange, describePieces, layout, summarisePieces, type GridLayout } from '../../src/app/components/piece-map.js';

describe('summarisePieces', () => {
  it('counts verified, downloading and missing pieces', () => {
    expect(summarisePieces(new Uint8Array([2, 2, 1, 0, 0, 0, 2]))).toEqual({ verified: 3, downloading: 1, missing: 3 });
    expect(summarisePieces(new Uint8Array(0))).toEqual({ verified: 0, downloading: 0, missing: 0 });
  });

  it('counts unknown state bytes as missing', () => {
    expect(summarisePieces(new Uint8Array([3, 255, 2]))).toEqual({ verified: 1, downloading: 0, missing: 2 });
  });
});

describe('describePieces', () => {
  it('names the verified and downloading counts', () => {
    const states = new Uint8Array(1024);
    states.fill(2, 0, 412);
    states.fill(1, 412, 420);
    expect(describePieces(summarisePieces(states))).toBe('412 of 1024 pieces verified, 8 downloading');
  });

  it('leaves out downloading when there is none, and says piece for one', () => {
    expect(describePieces({ verified: 3, downloading: 0, missing: 1 })).toBe('3 of 4 pieces verified');
    expect(describePieces({ verified: 1, downloading: 0, missing: 0 })).toBe('1 of 1 piece verified');
  });
});

describe('layout', () => {
  it('draws nothing without pieces or width', () => {
    expect(layout(0, 800).kind).toBe('empty');
    expect(layout(10, 0).kind).toBe('empty');
    expect(layout(0, 800).height).toBe(0);
  });

  it('switches to a bar of one column per pixel when there are more pieces than pixels', () => {
    const bar = layout(1025, 1024);
    expect(bar).toMatchObject({ kind: 'bar', width: 1024, columns: 1024, height: 24 });
    expect(layout(1025, 1024, 2)).toMatchObject({ kind: 'bar', height: 48 });
    expect(layout(1024, 1024).kind).toBe('grid');
  });

  it('uses big cells for few pieces', () => {
    const grid = layout(10, 1000) as GridLayout;
    expect(grid).toMatchObject({ kind: 'grid', pitch: 14, rows: 1, columns: 71, gap: 1, height: 13 });
    expect((layout(10, 2000, 2) as GridLayout).pitch).toBe(28);
  });

  it('shrinks the cells to keep the grid within 160 CSS pixels of height', () => {
    const grid = layout(1000, 1200) as GridLayout;
    expect(grid.kind).toBe('grid');
    expect(grid.height).toBeLessThanOrEqual(160);
    // the next larger pitch would have been too tall
    const bigger = grid.pitch + 1;
    expect(Math.ceil(1000 / Math.floor(1200 / bigger)) * bigger).toBeGreaterThan(160);
  });

  it('places every piece in its own cell inside the canvas, filling the width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 1.25, 1.5, 2, 3), (count, width, dpr) => {
        const l = layout(count, width, dpr);
        if (count > width) {
          expect(l.kind).toBe('bar');
          return;
        }
        if (l.kind !== 'grid') throw new Error(`expected a grid, got ${l.kind}`);
        expect(l.height).toBeLessThanOrEqual(Math.round(160 * dpr));
        expect(l.columns * l.rows).toBeGreaterThanOrEqual(count);
        expect(l.columns * (l.rows - 1)).toBeLessThan(count);
        const last = cellRect(l, l.columns - 1);
        expect(last.x + last.w + l.gap).toBe(l.width);
        expect(cellRect(l, 0)).toMatchObject({ x: 0, y: 0 });
        // plain checks in the loop (an expect per cell is slow), one assertion on the first bad cell
        let bad: string | undefined;
        let prev = cellRect(l, 0);
        for (let i = 0; i < count && bad === undefined; i++) {
          const r = cellRect(l, i);
          const newRow = i % l.columns === 0;
          if (r.w < 1 || r.h < 1) bad = `cell ${i} is empty`;
          else if (r.x + r.w > l.width || r.y + r.h > l.height) bad = `cell ${i} is outside the canvas`;
          else if (i > 0 && !newRow && r.x < prev.x + prev.w) bad = `cell ${i} overlaps the one before`;
          else if (i > 0 && newRow && r.y < prev.y + prev.h) bad = `row of cell ${i} overlaps the row above`;
          prev = r;
        }
        expect(bad).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('columnRange', () => {
  it('covers every piece exactly once with non-empty columns', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 20000 }), (columns, extra) => {
        const count = columns + extra;
        let next = 0;
        let contiguous = true;
        for (let c = 0; c < columns; c++) {
          const [start, end] = columnRange(count, columns, c);
          if (start !== next || end <= start) contiguous = false;
          next = end;
        }
        expect(contiguous).toBe(true);
        expect(next).toBe(count);
      }),
    );
  });
});

describe('columnFill', () => {
  it('fills the column in proportion to verified then downloading pieces', () => {
    expect(columnFill(0, 0, 4, 24)).toEqual({ verifiedPx: 0, downloadingPx: 0 });
    expect(columnFill(4, 0, 4, 24)).toEqual({ verifiedPx: 24, downloadingPx: 0 });
    expect(columnFill(2, 0, 4, 24)).toEqual({ verifiedPx: 12, downloadingPx: 0 });
    expect(columnFill(1, 1, 4, 24)).toEqual({ verifiedPx: 6, downloadingPx: 6 });
    expect(columnFill(0, 4, 4, 24)).toEqual({ verifiedPx: 0, downloadingPx: 24 });
  });

  it('shows a single verified piece and an incomplete column visibly', () => {
    expect(columnFill(1, 0, 1000, 24).verifiedPx).toBe(1);
    expect(columnFill(999, 0, 1000, 24).verifiedPx).toBe(23);
    expect(columnFill(999, 1, 1000, 24)).toEqual({ verifiedPx: 23, downloadingPx: 1 });
  });

  it('never exceeds the column height', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.nat(100), fc.nat(100), fc.nat(100), (h, v, d, m) => {
        const total = v + d + m;
        const { verifiedPx, downloadingPx } = columnFill(v, d, total, h);
        expect(verifiedPx + downloadingPx).toBeLessThanOrEqual(h);
        expect(verifiedPx === h).toBe(total > 0 && v === total);
      }),
    );
  });
});
