/**
 * The timeline of a download (issue 23): the phases a magnet download goes through, each marked
 * once and in order, and the bytes its channels carried, counted at both ends.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient } from '../../src/client/client.js';
import { PHASES, Timeline } from '../../src/core/session/timeline.js';
import { clientBed } from './client-bed.js';
import { fixtureBytes } from '../fixtures/greeting.js';

describe('timeline', () => {
  const { clients } = clientBed();

  it('keeps the first moment of each phase, from its start', () => {
    let now = 1000;
    const t = new Timeline(() => now);
    now = 1005;
    t.mark('peer');
    now = 1020;
    t.mark('peer');
    t.mark('piece');
    expect(t.read().phases).toEqual({ peer: 5, piece: 20 });
  });

  it('marks every phase of a magnet download in order, and counts what the channels carried at both ends', async () => {
    const [a, b] = (await clients(2)) as [BaseClient, BaseClient];
    const size = 300_000;
    const seeded = await a.seed([{ path: 'timed.bin', data: fixtureBytes(size, 7) }], { pieceLength: 32768 });
    const got = await b.add(seeded.magnetURI);
    await got.done;
    const { phases, channels } = got.timeline.read();
    expect(Object.keys(phases)).toEqual([...PHASES]);
    const times = PHASES.map((p) => phases[p]!);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(phases.added).toBe(0);
    // The leecher received the file, the metadata and the protocol around them; it sent requests.
    expect(channels.bytesIn).toBeGreaterThan(size);
    expect(channels.bytesIn).toBeLessThan(size * 1.2);
    expect(channels.messagesIn).toBeGreaterThan(0);
    expect(channels.bytesOut).toBeGreaterThan(0);
    expect(channels.bytesOut).toBeLessThan(size / 10);
    // The seeder counted the same bytes the other way (but for the last few messages in flight).
    const sent = seeded.timeline.read().channels;
    expect(sent.bytesOut).toBeGreaterThan(size);
    expect(Math.abs(sent.bytesOut - channels.bytesIn)).toBeLessThan(1024);
    expect(Math.abs(sent.bytesIn - channels.bytesOut)).toBeLessThan(1024);
    // A seeder's own download has no phases beyond its start.
    expect(seeded.timeline.read().phases.request).toBeUndefined();
  });
});
