import { describe, expect, it } from 'vitest';
import { QUIET_ZONE, QrCodeTooLongError, matrixPath, qrMatrix, qrSvgPath, type QrMatrix } from '../../src/app/components/qr-code.js';

const dark = (m: QrMatrix, row: number, col: number): boolean => m.modules[row * m.size + col] === 1;

/** The 7×7 finder pattern: dark ring, light ring, dark 3×3 centre. */
function hasFinder(m: QrMatrix, top: number, left: number): boolean {
  for (let r = 0; r < 7; r++) {
    for (let c = 0; c < 7; c++) {
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      if (dark(m, top + r, left + c) !== (ring !== 2)) return false;
    }
  }
  return true;
}

/**
 * The error correction level from the format information beside the top-left finder (ISO 18004 §7.9):
 * bits 14..9 in row 8 columns 0..5, bit 8 at (8,7), bit 7 at (8,8), bit 6 at (7,8), bits 5..0 in
 * column 8 rows 5..0; masked with 101010000010010; the top two bits give the level.
 */
function errorCorrectionLevel(m: QrMatrix): string {
  const bit = (row: number, col: number): number => (dark(m, row, col) ? 1 : 0);
  let bits = 0;
  for (let c = 0; c <= 5; c++) bits |= bit(8, c) << (14 - c);
  bits |= bit(8, 7) << 8;
  bits |= bit(8, 8) << 7;
  bits |= bit(7, 8) << 6;
  for (let r = 0; r <= 5; r++) bits |= bit(r, 8) << r;
  // the second copy, in row 8 from the right edge: bits 0..7
  let copy = 0;
  for (let i = 0; i < 8; i++) copy |= bit(8, m.size - 1 - i) << i;
  expect(copy).toBe(bits & 0xff);
  return ['M', 'L', 'H', 'Q'][((bits ^ 0b101010000010010) >> 13) & 3] ?? '?';
}

/** Rebuilds the module matrix from a path of `M x y h n v1 h-n z` runs. */
function pathToMatrix(path: string, size: number): Uint8Array {
  const modules = new Uint8Array(size * size);
  const runs = [...path.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)];
  expect(runs.map((r) => r[0]).join('')).toBe(path);
  for (const [, x, y, n, back] of runs) {
    expect(back).toBe(n);
    const row = Number(y) - QUIET_ZONE;
    const col = Number(x) - QUIET_ZONE;
    for (let i = 0; i < Number(n); i++) {
      expect(modules[row * size + col + i]).toBe(0);
      modules[row * size + col + i] = 1;
    }
  }
  return modules;
}

describe('qrMatrix', () => {
  it('uses the smallest version for a short string, at level M', () => {
    const m = qrMatrix('HELLO WORLD'); // 11 bytes: version 1 (21 modules) holds 14 bytes at M
    expect(m.size).toBe(21);
    expect(m.modules).toHaveLength(21 * 21);
    expect(errorCorrectionLevel(m)).toBe('M');
    expect(qrMatrix('https://example.com').size).toBe(25); // 19 bytes: version 2 holds 26
  });

  it('has the three finder patterns and the timing patterns', () => {
    const m = qrMatrix('https://example.com/#magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567');
    expect(hasFinder(m, 0, 0)).toBe(true);
    expect(hasFinder(m, 0, m.size - 7)).toBe(true);
    expect(hasFinder(m, m.size - 7, 0)).toBe(true);
    expect(hasFinder(m, m.size - 7, m.size - 7)).toBe(false);
    for (let i = 8; i < m.size - 8; i++) {
      expect(dark(m, 6, i)).toBe(i % 2 === 0);
      expect(dark(m, i, 6)).toBe(i % 2 === 0);
    }
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(qrMatrix('é'.repeat(7)).size).toBe(21); // 14 bytes: still version 1
    expect(qrMatrix('é'.repeat(8)).size).toBe(25); // 16 bytes: version 2
  });

  it('fits a 2 KB share link, falling back to level L beyond what M holds', () => {
    const link = `https://tabswarm.example/#${'a'.repeat(2000 - 26)}`;
    const m = qrMatrix(link);
    expect((m.size - 17) % 4).toBe(0);
    expect(m.size).toBeGreaterThanOrEqual(17 + 4 * 35);
    expect(m.size).toBeLessThanOrEqual(177);
    expect(errorCorrectionLevel(m)).toBe('M');

    const fullM = qrMatrix('a'.repeat(2331)); // the most version 40 holds at M
    expect(fullM.size).toBe(177);
    expect(errorCorrectionLevel(fullM)).toBe('M');
    const overM = qrMatrix('a'.repeat(2332));
    expect(errorCorrectionLevel(overM)).toBe('L');
    expect(qrMatrix('a'.repeat(2953)).size).toBe(177);
  });

  it('rejects text longer than the largest QR code holds', () => {
    expect(() => qrMatrix('a'.repeat(2954))).toThrow(QrCodeTooLongError);
    expect(() => qrMatrix('€'.repeat(1000))).toThrow(/3000 bytes/);
  });
});

describe('qrSvgPath', () => {
  it('draws exactly the dark modules, offset by the quiet zone', () => {
    for (const text of ['HELLO WORLD', 'https://example.com/some/longer/path?with=query&and=more#fragment']) {
      const m = qrMatrix(text);
      const path = qrSvgPath(text);
      expect(path.length).toBeGreaterThan(0);
      expect(path).toBe(matrixPath(m));
      expect(pathToMatrix(path, m.size)).toEqual(m.modules);
    }
  });

  it('merges horizontal runs of dark modules', () => {
    // the top row of any code starts with the 7-module finder edge
    expect(qrSvgPath('HELLO WORLD').startsWith(`M${QUIET_ZONE} ${QUIET_ZONE}h7v1h-7z`)).toBe(true);
  });
});
