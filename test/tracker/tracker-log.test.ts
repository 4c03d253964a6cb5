/** The tracker's log summary (scripts/tracker-log.mjs): counts per reason, one line per period. */
import { describe, expect, it } from 'vitest';
import { EventSummary } from '../../scripts/tracker-log.mjs';

function summary(): { lines: string[]; tick(): void; advance(ms: number): void; log: EventSummary; cleared: () => boolean } {
  const lines: string[] = [];
  let now = 1_000_000;
  let due: (() => void) | undefined;
  let cleared = false;
  const log = new EventSummary({
    print: (line) => lines.push(line),
    periodMs: 60_000,
    now: () => now,
    setInterval: (fn, ms) => {
      expect(ms).toBe(60_000);
      due = fn;
      return 'timer';
    },
    clearInterval: (timer) => {
      expect(timer).toBe('timer');
      cleared = true;
    },
  });
  return {
    lines,
    log,
    cleared: () => cleared,
    advance: (ms) => (now += ms),
    tick: () => {
      now += 60_000;
      due!();
    },
  };
}

describe('the tracker log summary', () => {
  it('prints one line a minute with the count of each reason, most frequent first', () => {
    const s = summary();
    for (let i = 0; i < 2700; i++) s.log.count('rate limit');
    for (let i = 0; i < 3; i++) s.log.count('not a JSON object');
    s.log.count('frame too large');
    expect(s.lines).toEqual([]);
    s.tick();
    expect(s.lines).toEqual(['[tracker] last 60 s: rate limit 2,700, not a JSON object 3, frame too large 1']);
  });

  it('prints nothing for a quiet minute, and starts each minute from zero', () => {
    const s = summary();
    s.tick();
    expect(s.lines).toEqual([]);
    s.log.count('no pong');
    s.tick();
    s.tick();
    s.log.count('no pong');
    s.tick();
    expect(s.lines).toEqual(['[tracker] last 60 s: no pong 1', '[tracker] last 60 s: no pong 1']);
  });

  it('keeps the detail of the first event of a reason (an unexpected error message)', () => {
    const s = summary();
    s.log.count('internal error', 'boom');
    s.log.count('internal error', 'bang');
    s.tick();
    expect(s.lines).toEqual(['[tracker] last 60 s: internal error 2 (first: boom)']);
  });

  it('prints what is left on close, for the time since the last line, and stops its timer', () => {
    const s = summary();
    s.tick();
    s.advance(12_000);
    s.log.count('socket cap');
    s.log.close();
    expect(s.lines).toEqual(['[tracker] last 12 s: socket cap 1']);
    expect(s.cleared()).toBe(true);
  });
});
