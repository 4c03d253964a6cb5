/**
 * Real tabs, real WebRTC, a real tracker: the library bundle moves files between browser contexts
 * (each with its own IndexedDB). Runs inside the private network namespace of `npm test`; no ICE
 * servers are given.
 */
import { describe, expect, it } from 'vitest';
import { startTracker, type TrackerServer } from './lib-harness.js';
import { libTestBed, tabsOn } from './lib-test-bed.js';

const MiB = 1024 * 1024;

describe('browser swarm', () => {
  const bed = libTestBed();

  const tab = tabsOn(bed);

  it('one tab seeds a 32 MiB file, another downloads it by magnet link through the tracker: identical bytes', async () => {
    const seeder = await tab();
    const leecher = await tab();
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, 32 * MiB, 42);
    expect(magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}/);
    const start = Date.now();
    await leecher.add(bed.tracker.url, magnet);
    await leecher.waitFor((s) => s.done, 90_000, 'the download');
    const seconds = (Date.now() - start) / 1000;
    console.log(`32 MiB tab to tab: ${seconds.toFixed(2)} s, ${(32 / seconds).toFixed(1)} MiB/s`);
    expect(await leecher.fileSha256()).toBe(sha256);
  }, 120_000);

  it('one seeder and three magnet-only leechers all finish with identical bytes', async () => {
    const seeder = await tab();
    const leechers = [await tab(), await tab(), await tab()];
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, 8 * MiB + 12345, 7);
    await Promise.all(leechers.map((l) => l.add(bed.tracker.url, magnet)));
    await Promise.all(leechers.map((l) => l.waitFor((s) => s.done, 90_000, 'a leecher')));
    for (const l of leechers) expect(await l.fileSha256()).toBe(sha256);
  }, 120_000);

  it('a leecher reloaded half way resumes from IndexedDB and fetches only what was missing', async () => {
    const size = 32 * MiB;
    const seeder = await tab();
    const leecher = await tab();
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, size, 11);
    await leecher.add(bed.tracker.url, magnet);
    const before = await leecher.waitFor((s) => s.progress >= 0.5, 60_000, 'half of the download');
    await leecher.reload();
    await leecher.restore(bed.tracker.url);
    const restored = await leecher.status();
    expect(restored.torrents).toBe(1);
    expect(restored.progress).toBeGreaterThanOrEqual(before.progress - 0.05);
    const after = await leecher.waitFor((s) => s.done, 90_000, 'the resumed download');
    expect(await leecher.fileSha256()).toBe(sha256);
    // Bytes received after the reload: no more than the missing part plus what was in flight.
    const missing = size * (1 - restored.progress);
    expect(after.downloaded).toBeLessThanOrEqual(missing + 2 * MiB);
  }, 180_000);

  it('the tracker killed and restarted mid-download: the peers announce again and the download completes', async () => {
    const own = await startTracker();
    const port = own.port;
    let current: TrackerServer = own;
    try {
      const seeder = await tab();
      const leecher = await tab();
      const { magnet, sha256 } = await seeder.seed(own.url, 24 * MiB, 5);
      await leecher.add(own.url, magnet);
      await leecher.waitFor((s) => s.progress > 0.2, 60_000, 'a fifth of the download');
      await own.close();
      await new Promise((r) => setTimeout(r, 500));
      current = await startTracker(port);
      // Both tabs reconnect (backoff capped at 10 s) and announce again.
      const until = Date.now() + 30_000;
      let stats = await current.stats();
      while (stats.peers < 2 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        stats = await current.stats();
      }
      if (stats.peers < 2) console.log('tracker events', await seeder.trackerEvents(), await leecher.trackerEvents());
      expect(stats.peers).toBe(2);
      await leecher.waitFor((s) => s.done, 90_000, 'the download');
      expect(await leecher.fileSha256()).toBe(sha256);
    } finally {
      await current.close();
    }
  }, 180_000);

  it('the only seeder leaves half way and another arrives: the download completes', async () => {
    const first = await tab();
    const leecher = await tab();
    const { magnet, sha256 } = await first.seed(bed.tracker.url, 32 * MiB, 13);
    await leecher.add(bed.tracker.url, magnet);
    await leecher.waitFor((s) => s.progress >= 0.5, 60_000, 'half of the download');
    await first.close();
    const stalled = await leecher.status();
    expect(stalled.done).toBe(false);
    const second = await tab();
    const again = await second.seed(bed.tracker.url, 32 * MiB, 13);
    expect(again.magnet).toBe(magnet);
    await leecher.waitFor((s) => s.done, 90_000, 'the download from the second seeder');
    expect(await leecher.fileSha256()).toBe(sha256);
  }, 180_000);
});
