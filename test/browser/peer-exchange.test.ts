/**
 * Peers find peers (issue 19) with real tabs, real WebRTC and real trackers, inside the private
 * network namespace; no ICE servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracker, type TrackerServer } from './lib-harness.js';
import { libTestBed, tabsOn } from './lib-test-bed.js';
import type { Tab } from './tab.js';

const MiB = 1024 * 1024;

/** The magnet link without its trackers (`tr=`): each tab finds peers through its own trackers only. */
function withoutTrackers(magnet: string): string {
  return magnet.replace(/&tr=[^&]*/g, '');
}

describe('peers find peers', () => {
  const bed = libTestBed();
  const trackers: TrackerServer[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) trackers.push(await startTracker());
  });
  afterAll(async () => {
    for (const t of trackers) await t.close();
  });

  const tab = tabsOn(bed);

  it('chained trackers (seeder on T0, leecher i on Ti-1 and Ti, the last on T3), magnet links without trackers: every leecher completes byte-identical', async () => {
    const t = [bed.tracker.url, ...trackers.map((x) => x.url)];
    const seeder = await tab();
    const { magnet, sha256 } = await seeder.seed(t[0]!, 4 * MiB + 777, 19);
    const bare = withoutTrackers(magnet);
    expect(bare).not.toContain('tr=');
    const leechers = [await tab(), await tab(), await tab(), await tab()];
    const trackersOf = [[t[0]!, t[1]!], [t[1]!, t[2]!], [t[2]!, t[3]!], [t[3]!]];
    await Promise.all(leechers.map((l, i) => l.add(trackersOf[i]!, bare)));
    await Promise.all(leechers.map((l, i) => l.waitFor((s) => s.done, 120_000, `leecher ${i + 1}`)));
    for (const l of leechers) expect(await l.fileSha256()).toBe(sha256);
    // The last leecher shares a tracker with leecher 3 only: the others it meets through peers.
    const last = await leechers[3]!.waitFor((s) => s.peers >= 4, 120_000, 'the last leecher connected to 4 of the other 5 tabs');
    console.log(`chained trackers: the last leecher holds ${last.peers} peers`);
  }, 300_000);

  it('8 tabs met through one tracker; the tracker stops and a seeder leaves: the others stay connected, re-mesh through peers and complete', async () => {
    const own = await startTracker();
    try {
      const seeders = [await tab(), await tab()];
      const { magnet, sha256 } = await seeders[0]!.seed(own.url, 12 * MiB + 5, 29);
      await seeders[1]!.seed(own.url, 12 * MiB + 5, 29);
      const leechers: Tab[] = [];
      for (let i = 0; i < 6; i++) leechers.push(await tab());
      await Promise.all(leechers.map((l) => l.add(own.url, magnet)));
      await Promise.all(leechers.map((l, i) => l.waitFor((s) => s.peers >= 1 && s.progress > 0, 60_000, `leecher ${i + 1} started`)));
      await own.close();
      await seeders[0]!.close();
      const atStop = await Promise.all(leechers.map(async (l) => (await l.status()).peers));
      await Promise.all(leechers.map((l, i) => l.waitFor((s) => s.done, 180_000, `leecher ${i + 1}`)));
      for (const l of leechers) expect(await l.fileSha256()).toBe(sha256);
      // The 6 leechers and the seeder left: each holds every one of the other 6, without a tracker.
      const after = await Promise.all(leechers.map((l, i) => l.waitFor((s) => s.peers >= 6, 90_000, `leecher ${i + 1} meshed`)));
      console.log(`peers when the tracker stopped: ${atStop.join(' ')}; at the end: ${after.map((s) => s.peers).join(' ')}`);
      // A newcomer meets one of them on another tracker, and the rest through peers.
      const other = await startTracker();
      trackers.push(other);
      await leechers[0]!.page.evaluate(async (url) => {
        const tab = (globalThis as unknown as { tab: { client: { addTrackers(urls: string[]): void } } }).tab;
        tab.client.addTrackers([url]);
        await new Promise((r) => setTimeout(r, 0));
      }, other.url);
      const late = await tab();
      await late.add(other.url, withoutTrackers(magnet));
      await late.waitFor((s) => s.done, 120_000, 'the newcomer');
      expect(await late.fileSha256()).toBe(sha256);
      const meshed = await late.waitFor((s) => s.peers >= 5, 90_000, 'the newcomer connected to 5 of the 7 tabs');
      console.log(`the newcomer, introduced to one tab, holds ${meshed.peers} peers`);
    } finally {
      await own.close().catch(() => {});
    }
  }, 500_000);
});
