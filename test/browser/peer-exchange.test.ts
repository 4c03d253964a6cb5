/**
 * Peers find peers (issue 19) with real tabs, real WebRTC and real trackers, inside the private
 * network namespace; no ICE servers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTracker, type TrackerServer } from './lib-harness.js';
import { libTestBed } from './lib-test-bed.js';
import { Tab } from './tab.js';

const MiB = 1024 * 1024;

/** The magnet link without its trackers (`tr=`): each tab finds peers through its own trackers only. */
function withoutTrackers(magnet: string): string {
  return magnet.replace(/&tr=[^&]*/g, '');
}

describe('peers find peers', () => {
  const bed = libTestBed();
  const tabs: Tab[] = [];
  const trackers: TrackerServer[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) trackers.push(await startTracker());
  });
  afterAll(async () => {
    for (const t of trackers) await t.close();
  });

  async function tab(): Promise<Tab> {
    const t = await Tab.open(bed.browser, bed.lib);
    tabs.push(t);
    return t;
  }

  afterEach(async () => {
    for (const t of tabs.splice(0)) await t.close().catch(() => {});
  });

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
  }, 180_000);
});
