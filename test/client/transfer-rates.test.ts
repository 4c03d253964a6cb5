import { describe, expect, it } from 'vitest';
import { CounterSpeed, SAMPLE_MS, TransferRates, WINDOW_MS, shareRatio } from '../../src/client/transfer-rates.js';

const KiB = 1024;

/** A counter that grows by `perSecond` from `from` ms on, sampled every SAMPLE_MS from 0 to `until`. */
function run(perSecond: number, from: number, until: number): { speed: CounterSpeed; total: (at: number) => number } {
  const speed = new CounterSpeed();
  const total = (at: number): number => Math.max(0, Math.floor(((at - from) * perSecond) / 1000));
  for (let at = 0; at <= until; at += SAMPLE_MS) speed.sample(at, total(at));
  return { speed, total };
}

describe('CounterSpeed', () => {
  it('gives a speed with the first bytes: 400 ms into a 1 MiB/s flow after 10 s of nothing, within a sample period of the truth', () => {
    const start = 10_000;
    for (const since of [100, 400, 900, 1500, 3000]) {
      const at = start + since;
      const { speed, total } = run(1024 * KiB, start, at - (at % SAMPLE_MS));
      const rate = speed.rate(at, total(at));
      // From the last sample before the first byte: at most one sample period too long a time.
      expect(rate, `${since} ms in`).toBeGreaterThan(1024 * KiB * (since / (since + SAMPLE_MS)) - 1);
      expect(rate, `${since} ms in`).toBeLessThanOrEqual(1024 * KiB);
    }
  });

  it('averages a steady flow over the window', () => {
    const { speed, total } = run(300 * KiB, 0, 20_000);
    expect(speed.rate(20_100, total(20_100))).toBeCloseTo(300 * KiB, -2);
  });

  it('falls to 0 a window after the bytes stop, and never reads 0 while they flow', () => {
    const speed = new CounterSpeed();
    // 2 s of 1 MiB/s, then nothing.
    const total = (at: number): number => Math.min(at, 2000) * 1024;
    const readings: [number, number][] = [];
    for (let at = 0; at <= 9000; at += SAMPLE_MS) {
      speed.sample(at, total(at));
      readings.push([at, speed.rate(at + 100, total(at + 100))]);
    }
    expect(readings.filter(([at, r]) => at < 2000 && r === 0)).toEqual([]);
    expect(readings.filter(([at, r]) => at >= 2000 + WINDOW_MS && r !== 0)).toEqual([]);
  });

  it('starts afresh when the counter goes back (a new session), and reads 0 after a reset', () => {
    const speed = new CounterSpeed();
    speed.sample(0, 5000);
    speed.sample(250, 9000);
    speed.sample(500, 100);
    expect(speed.rate(600, 100)).toBe(0);
    expect(speed.rate(750, 600)).toBe(2000);
    speed.reset();
    expect(speed.rate(1000, 10_000)).toBe(0);
  });
});

describe('TransferRates', () => {
  it('reads both counters on its clock; stopped, both speeds are 0', () => {
    let now = 0;
    const totals = { downloaded: 0, uploaded: 0 };
    const rates = new TransferRates(
      () => totals,
      () => now,
    );
    rates.sample();
    now = 500;
    totals.downloaded = 64 * KiB;
    totals.uploaded = 16 * KiB;
    expect(rates.download).toBe(128 * KiB);
    expect(rates.upload).toBe(32 * KiB);
    rates.stop();
    expect(rates.download).toBe(0);
    expect(rates.upload).toBe(0);
  });
});

describe('shareRatio', () => {
  it('is uploaded over downloaded, or over the length for a torrent seeded here', () => {
    expect(shareRatio(6000, 0, 6000)).toBe(1);
    expect(shareRatio(3000, 6000, 6000)).toBe(0.5);
    expect(shareRatio(0, 0, 0)).toBe(0);
  });
});
