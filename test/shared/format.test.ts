import { describe, expect, it } from 'vitest';
import { displayName, formatBytes, formatClockTime, formatDuration, formatPercent, formatRate, formatRatio } from '../../src/shared/format.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('formatBytes', () => {
  it('shows whole bytes below one KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('uses binary units with three significant digits and no trailing zeros', () => {
    expect(formatBytes(KiB)).toBe('1 KiB');
    expect(formatBytes(1.5 * KiB)).toBe('1.5 KiB');
    expect(formatBytes(12.3 * MiB)).toBe('12.3 MiB');
    expect(formatBytes(1.02 * GiB)).toBe('1.02 GiB');
    expect(formatBytes(1.234 * GiB)).toBe('1.23 GiB');
    expect(formatBytes(123.4 * MiB)).toBe('123 MiB');
    expect(formatBytes(999 * KiB)).toBe('999 KiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3 TiB');
  });

  it('never falls into exponent notation between 1000 and 1024 of a unit', () => {
    expect(formatBytes(1000 * KiB)).toBe('1000 KiB');
    expect(formatBytes(1010 * KiB)).toBe('1010 KiB');
    expect(formatBytes(1023.9 * KiB)).toBe('1 MiB');
    expect(formatBytes(1023.9 * KiB)).not.toMatch(/e/);
  });

  it('handles the largest unit and non-finite input', () => {
    expect(formatBytes(2 * 1024 ** 6)).toBe('2 EiB');
    expect(formatBytes(5000 * 1024 ** 6)).toBe('5000 EiB');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Infinity)).toBe('—');
    expect(formatBytes(-1.5 * KiB)).toBe('-1.5 KiB');
  });
});

describe('formatRate', () => {
  it('appends per second', () => {
    expect(formatRate(1.5 * MiB)).toBe('1.5 MiB/s');
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(Number.NaN)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('shows seconds under a minute', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(44.6)).toBe('45 s');
  });

  it('shows minutes and zero-padded seconds under an hour', () => {
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(59.6)).toBe('1 min 00 s');
    expect(formatDuration(3599)).toBe('59 min 59 s');
  });

  it('shows hours and zero-padded minutes, then days and hours', () => {
    expect(formatDuration(2 * 3600 + 4 * 60 + 30)).toBe('2 h 04 min');
    expect(formatDuration(3600)).toBe('1 h 00 min');
    expect(formatDuration(3 * 86400 + 7 * 3600 + 59)).toBe('3 d 07 h');
  });

  it('gives a dash for durations that cannot be estimated', () => {
    expect(formatDuration(Infinity)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('formatPercent', () => {
  it('floors to a whole percent', () => {
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.42)).toBe('42 %');
    expect(formatPercent(0.429)).toBe('42 %');
    expect(formatPercent(0.001)).toBe('0 %');
  });

  it('is not fooled by binary rounding', () => {
    // 0.29 * 100 === 28.999999999999996 and 0.57 * 100 === 56.99999999999999
    expect(formatPercent(0.29)).toBe('29 %');
    expect(formatPercent(0.57)).toBe('57 %');
    expect(formatPercent(412 / 1024)).toBe('40 %');
  });

  it('shows 99 % until exactly done', () => {
    expect(formatPercent(0.999)).toBe('99 %');
    expect(formatPercent(1 - 1e-12)).toBe('99 %');
    expect(formatPercent(1)).toBe('100 %');
  });

  it('clamps out-of-range values and dashes NaN', () => {
    expect(formatPercent(1.5)).toBe('100 %');
    expect(formatPercent(-0.2)).toBe('0 %');
    expect(formatPercent(Number.NaN)).toBe('—');
  });
});

describe('formatRatio', () => {
  it('shows two decimals', () => {
    expect(formatRatio(1.25)).toBe('1.25');
    expect(formatRatio(0)).toBe('0.00');
    expect(formatRatio(2)).toBe('2.00');
    expect(formatRatio(1 / 3)).toBe('0.33');
  });

  it('handles nothing downloaded and NaN', () => {
    expect(formatRatio(Infinity)).toBe('∞');
    expect(formatRatio(Number.NaN)).toBe('—');
  });
});

describe('displayName', () => {
  it('shows every hidden or direction-changing character as a visible escape, and nothing else', () => {
    expect(displayName('photo\u202egpj.exe')).toBe('photo⟨U+202E⟩gpj.exe');
    expect(displayName('a\u200bb\u2066c\u2069\ufeffd\u061c')).toBe('a⟨U+200B⟩b⟨U+2066⟩c⟨U+2069⟩⟨U+FEFF⟩d⟨U+061C⟩');
    // Right-to-left letters and ordinary Unicode are names too: left as they are.
    expect(displayName('שלום.txt')).toBe('שלום.txt');
    expect(displayName('Été 2026 — 🎬.mkv')).toBe('Été 2026 — 🎬.mkv');
  });
});

describe('formatClockTime', () => {
  it('gives the local time as HH:MM:SS, zero-padded', () => {
    expect(formatClockTime(new Date(2026, 11, 6, 9, 5, 3).getTime())).toBe('09:05:03');
    expect(formatClockTime(new Date(2026, 11, 6, 23, 59, 59, 999).getTime())).toBe('23:59:59');
    expect(formatClockTime(new Date(2026, 0, 1, 0, 0, 0).getTime())).toBe('00:00:00');
  });
});
