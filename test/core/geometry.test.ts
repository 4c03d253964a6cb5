import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, PieceGeometry, type FileSegment } from '../../src/core/geometry.js';
import { TorrentError } from '../../src/core/errors.js';
import { geometryOfFiles } from '../fixtures/geometry.js';

const KIB16 = 16384;

const geometry = (pieceLength: number, lengths: number[]): PieceGeometry => geometryOfFiles(lengths, pieceLength);

/** Brute force: for each byte of piece i, which file and offset it belongs to. */
function bruteSegments(pieceLength: number, lengths: number[], piece: number, total: number): FileSegment[] {
  const out: FileSegment[] = [];
  const start = piece * pieceLength;
  const end = Math.min(total, start + pieceLength);
  let fileStart = 0;
  lengths.forEach((len, fileIndex) => {
    const from = Math.max(start, fileStart);
    const to = Math.min(end, fileStart + len);
    if (to > from) out.push({ fileIndex, fileOffset: from - fileStart, pieceOffset: from - start, length: to - from });
    fileStart += len;
  });
  return out;
}

describe('PieceGeometry basics', () => {
  it('has a short last piece and short last block', () => {
    const g = geometry(KIB16 * 2, [KIB16 * 5 + 100]);
    expect(g.pieceCount).toBe(3);
    expect([g.pieceSize(0), g.pieceSize(1), g.pieceSize(2)]).toEqual([32768, 32768, KIB16 + 100]);
    expect(g.lastPieceSize).toBe(KIB16 + 100);
    expect(g.blockCount(0)).toBe(2);
    expect(g.blockCount(2)).toBe(2);
    expect(g.blockSize(2, 0)).toBe(BLOCK_SIZE);
    expect(g.blockSize(2, 1)).toBe(100);
    expect(g.blockOffset(1)).toBe(BLOCK_SIZE);
    expect(g.pieceOffset(2)).toBe(65536);
    expect(g.blocks(2)).toEqual([
      { index: 2, begin: 0, length: BLOCK_SIZE },
      { index: 2, begin: BLOCK_SIZE, length: 100 },
    ]);
  });

  it('handles an exact multiple of the piece length: no short piece', () => {
    const g = geometry(KIB16, [KIB16 * 3]);
    expect(g.pieceCount).toBe(3);
    expect(g.pieceSize(2)).toBe(KIB16);
    expect(g.lastPieceSize).toBe(KIB16);
    expect(g.blockCount(2)).toBe(1);
    expect(g.blockSize(2, 0)).toBe(KIB16);
  });

  it('handles a 1-byte torrent', () => {
    const g = geometry(KIB16, [1]);
    expect(g.pieceCount).toBe(1);
    expect(g.pieceSize(0)).toBe(1);
    expect(g.blockCount(0)).toBe(1);
    expect(g.blockSize(0, 0)).toBe(1);
    expect(g.pieceFiles(0)).toEqual([{ fileIndex: 0, fileOffset: 0, pieceOffset: 0, length: 1 }]);
    expect(g.rangePieces(0, 1)).toEqual({ first: 0, last: 0, spans: [{ piece: 0, begin: 0, end: 1 }] });
  });

  it('has no pieces for zero bytes', () => {
    const g = geometry(KIB16, [0, 0]);
    expect(g.pieceCount).toBe(0);
    expect(g.lastPieceSize).toBe(0);
    expect(g.filePieceRange(1)).toBeNull();
    expect(() => g.pieceSize(0)).toThrow(RangeError);
  });

  it('rejects out-of-range indexes', () => {
    const g = geometry(KIB16, [KIB16 + 1]);
    expect(() => g.pieceSize(2)).toThrow(RangeError);
    expect(() => g.pieceSize(-1)).toThrow(RangeError);
    expect(() => g.pieceSize(0.5)).toThrow(RangeError);
    expect(() => g.blockSize(1, 1)).toThrow(RangeError);
    expect(() => g.rangePieces(0, KIB16 + 2)).toThrow(RangeError);
    expect(() => g.rangePieces(5, 4)).toThrow(RangeError);
    expect(() => g.filePieceRange(1)).toThrow(RangeError);
    expect(() => g.pieceAt(KIB16 + 1)).toThrow(RangeError);
  });

  it('refuses inconsistent input', () => {
    expect(() => new PieceGeometry({ length: 10, pieceLength: KIB16, files: [{ length: 11, offset: 0 }] })).toThrow(/end at byte 11, after/);
    expect(
      () =>
        new PieceGeometry({
          length: 10,
          pieceLength: KIB16,
          files: [
            { length: 5, offset: 0 },
            { length: 5, offset: 4 },
          ],
        }),
    ).toThrow(/file 1 starts at 4, before the end of the files before it \(5\)/);
    expect(() => new PieceGeometry({ length: 1, pieceLength: 0, files: [{ length: 1, offset: 0 }] })).toThrow(TorrentError);
  });

  it('leaves padding (a gap between files, or after the last) to no file', () => {
    // a.bin: 20 bytes, padding to 16 KiB, b.bin: 5 bytes, padding to 32 KiB (libtorrent's hybrid layout).
    const g = new PieceGeometry({
      length: 2 * KIB16,
      pieceLength: KIB16,
      files: [
        { length: 20, offset: 0 },
        { length: 0, offset: KIB16 },
        { length: 5, offset: KIB16 },
      ],
    });
    expect(g.pieceCount).toBe(2);
    expect(g.pieceSize(1)).toBe(KIB16);
    expect(g.pieceFiles(0)).toEqual([{ fileIndex: 0, fileOffset: 0, pieceOffset: 0, length: 20 }]);
    expect(g.pieceFiles(1)).toEqual([{ fileIndex: 2, fileOffset: 0, pieceOffset: 0, length: 5 }]);
    expect(g.filePieceRange(2)).toEqual({ first: 1, last: 1 });
    expect(g.fileRangePieces(2, 1, 5)).toEqual({ first: 1, last: 1, spans: [{ piece: 1, begin: 1, end: 5 }] });
  });

  it('validates peer requests with containsRange', () => {
    const g = geometry(KIB16, [KIB16 + 10]);
    expect(g.containsRange(0, 0, KIB16)).toBe(true);
    expect(g.containsRange(1, 0, 10)).toBe(true);
    expect(g.containsRange(1, 0, 11)).toBe(false);
    expect(g.containsRange(1, 5, 0)).toBe(false);
    expect(g.containsRange(2, 0, 1)).toBe(false);
    expect(g.containsRange(0, -1, 1)).toBe(false);
  });
});

describe('byte ranges to pieces', () => {
  const g = geometry(KIB16, [10, KIB16 * 2, 0, 5000]);

  it('maps a range of the whole torrent', () => {
    expect(g.rangePieces(KIB16 - 1, KIB16 * 2 + 1)).toEqual({
      first: 0,
      last: 2,
      spans: [
        { piece: 0, begin: KIB16 - 1, end: KIB16 },
        { piece: 1, begin: 0, end: KIB16 },
        { piece: 2, begin: 0, end: 1 },
      ],
    });
    expect(g.rangePieces(7, 7)).toBeNull();
    expect(g.pieceAt(KIB16)).toBe(1);
  });

  it('maps a range of one file', () => {
    // File 1 starts at byte 10: its bytes [KIB16 - 10, KIB16 - 9) are torrent byte KIB16.
    expect(g.fileRangePieces(1, KIB16 - 10, KIB16 - 9)).toEqual({ first: 1, last: 1, spans: [{ piece: 1, begin: 0, end: 1 }] });
    expect(g.fileRangePieces(3, 0, 5000)).toEqual({
      first: 2,
      last: 2,
      spans: [{ piece: 2, begin: 10, end: 5010 }],
    });
    expect(g.fileRangePieces(2, 0, 0)).toBeNull();
    expect(() => g.fileRangePieces(3, 0, 5001)).toThrow(RangeError);
  });

  it('gives the piece range of each file', () => {
    expect(g.filePieceRange(0)).toEqual({ first: 0, last: 0 });
    expect(g.filePieceRange(1)).toEqual({ first: 0, last: 2 });
    expect(g.filePieceRange(2)).toBeNull();
    expect(g.filePieceRange(3)).toEqual({ first: 2, last: 2 });
  });
});

describe('pieces to file segments', () => {
  it('crosses file boundaries and skips empty files', () => {
    const g = geometry(KIB16, [0, 10, 0, 0, KIB16, 0, 20, 0]);
    expect(g.pieceCount).toBe(2);
    expect(g.pieceFiles(0)).toEqual([
      { fileIndex: 1, fileOffset: 0, pieceOffset: 0, length: 10 },
      { fileIndex: 4, fileOffset: 0, pieceOffset: 10, length: KIB16 - 10 },
    ]);
    expect(g.pieceFiles(1)).toEqual([
      { fileIndex: 4, fileOffset: KIB16 - 10, pieceOffset: 0, length: 10 },
      { fileIndex: 6, fileOffset: 0, pieceOffset: 10, length: 20 },
    ]);
  });

  it('handles an empty file exactly on a piece boundary', () => {
    const g = geometry(KIB16, [KIB16, 0, KIB16]);
    expect(g.pieceFiles(0)).toEqual([{ fileIndex: 0, fileOffset: 0, pieceOffset: 0, length: KIB16 }]);
    expect(g.pieceFiles(1)).toEqual([{ fileIndex: 2, fileOffset: 0, pieceOffset: 0, length: KIB16 }]);
  });

  it('agrees with a brute-force mapping on random layouts', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let round = 0; round < 300; round++) {
      const pieceLength = KIB16 << rand(3);
      const lengths = Array.from({ length: 1 + rand(8) }, () => (rand(3) === 0 ? 0 : rand(3 * pieceLength)));
      const total = lengths.reduce((a, b) => a + b, 0);
      const g = geometry(pieceLength, lengths);
      expect(g.pieceCount).toBe(Math.ceil(total / pieceLength));
      let covered = 0;
      for (let p = 0; p < g.pieceCount; p++) {
        const segs = g.pieceFiles(p);
        expect(segs).toEqual(bruteSegments(pieceLength, lengths, p, total));
        covered += segs.reduce((a, s) => a + s.length, 0);
        let blockTotal = 0;
        for (let b = 0; b < g.blockCount(p); b++) blockTotal += g.blockSize(p, b);
        expect(blockTotal).toBe(g.pieceSize(p));
      }
      expect(covered).toBe(total);
      lengths.forEach((len, f) => {
        const r = g.filePieceRange(f);
        const touching = Array.from({ length: g.pieceCount }, (_, p) => p).filter((p) => g.pieceFiles(p).some((s) => s.fileIndex === f));
        if (len === 0) expect(r).toBeNull();
        else expect(r).toEqual({ first: touching[0], last: touching[touching.length - 1] });
      });
    }
  });
});
