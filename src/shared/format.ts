/**
 * Human-readable numbers for the app and the element: sizes, rates, durations, percentages and ratios.
 * Pure functions with no DOM, so they run (and are tested) in Node.
 */

/** Shown where a number has no meaningful value (an unknown ETA, a NaN). */
export const NO_VALUE = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/**
 * A byte count in binary units with three significant digits and no trailing zeros:
 * `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`, `1.02 GiB`, `100 GiB`. Values from 1000 to 1023 of a unit
 * are shown as whole numbers (`1010 KiB`) rather than in exponent notation.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return NO_VALUE;
  if (n < 0) return `-${formatBytes(-n)}`;
  let unit = 0;
  let value = n;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const rounded = Number(value.toPrecision(3));
  if (rounded < 1000) return `${rounded} ${BYTE_UNITS[unit]}`;
  const whole = Math.round(value);
  if (whole >= 1024 && unit < BYTE_UNITS.length - 1) return `1 ${BYTE_UNITS[unit + 1]}`;
  return `${whole} ${BYTE_UNITS[unit]}`;
}

/** A transfer rate: `formatBytes` per second, e.g. `1.5 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  const bytes = formatBytes(bytesPerSecond);
  return bytes === NO_VALUE ? NO_VALUE : `${bytes}/s`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * A duration rounded to the second, with its two largest units: `45 s`, `3 min 05 s`, `2 h 04 min`,
 * `3 d 07 h`. Infinity, NaN and negative durations (an ETA that cannot be estimated) give `—`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return NO_VALUE;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad2(total % 60)} s`;
  if (total < 86400) return `${Math.floor(total / 3600)} h ${pad2(Math.floor((total % 3600) / 60))} min`;
  return `${Math.floor(total / 86400)} d ${pad2(Math.floor((total % 86400) / 3600))} h`;
}

/**
 * A moment (ms since the epoch) as HH:MM:SS, local time. Not `Intl.DateTimeFormat`: the first one a
 * page builds loads the locale's data, 14-20 ms of the main thread while the app starts.
 */
export function formatClockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * A fraction in [0, 1] as a whole percentage, rounded down so that `100 %` means done:
 * 0.42 → `42 %`, 0.9999 → `99 %`, 1 → `100 %`. Values outside [0, 1] are clamped; NaN gives `—`.
 */
export function formatPercent(fraction: number): string {
  if (Number.isNaN(fraction)) return NO_VALUE;
  if (fraction >= 1) return '100 %';
  if (fraction <= 0) return '0 %';
  // The epsilon absorbs binary rounding (0.29 * 100 is 28.999999999999996), the cap keeps 99 % until done.
  return `${Math.min(99, Math.floor(fraction * 100 + 1e-9))} %`;
}

/** A share ratio (uploaded / downloaded) with two decimals: `1.25`; `∞` when nothing was downloaded. */
export function formatRatio(x: number): string {
  if (Number.isNaN(x)) return NO_VALUE;
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  return x.toFixed(2);
}

/**
 * Characters that change how a name reads without being seen: bidirectional controls (a right-to-left
 * override shows `photo‮gpj.exe` as `photoexe.jpg`), zero-width characters and the byte order mark.
 */
const HIDDEN = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * A name as it may be shown: every hidden or direction-changing character is replaced by a visible
 * escape (`⟨U+202E⟩`), so that a name cannot pass for another. For display only: saving uses the
 * name's own characters, cleaned by the save code.
 */
export function displayName(name: string): string {
  return name.replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
