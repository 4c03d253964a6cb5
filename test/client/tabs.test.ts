/**
 * Two tabs of one browser (two clients over one store and one torrent list, with in-memory Web Locks
 * and BroadcastChannel: fake-tabs.ts) and a seeder elsewhere, on a real tracker: the torrent runs in
 * one tab only (one writer, one set of connections), the other shows it live and controls it, takes
 * it over when the first closes and completes it byte-identical; removing it with its data from the
 * tab that follows stops it where it runs, then deletes it; a damaged message changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient, type ClientEnvironment } from '../../src/client/client.js';
import type { PieceStore } from '../../src/core/session/store.js';
import type { Torrent } from '../../src/client/torrent.js';
import { clientBed, sha } from './client-bed.js';
import { fakeWorld, type FakeWorld } from './fake-env.js';
import { fakeBrowser, type FakeTab } from './fake-tabs.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { TabCoordinator, type TabHost } from '../../src/client/tabs/coordinator.js';

const PIECE = 16 * 1024;

async function until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A tab's environment: the browser's shared store and list, its tab platform, and a count of the pieces it writes. */
function tabEnv(world: FakeWorld, tab: FakeTab | undefined): { env: ClientEnvironment; writes: { count: number } } {
  const base = world.env();
  const writes = { count: 0 };
  return {
    writes,
    env: {
      ...base,
      tabs: tab?.platform,
      openStore: async (infoHash, kind) => {
        const opened = await base.openStore(infoHash, kind);
        const store: PieceStore = {
          put: (i, d) => (writes.count++, opened.store.put(i, d)),
          get: (i) => opened.store.get(i),
          stored: () => opened.store.stored(),
          clear: () => opened.store.clear(),
        };
        return { ...opened, store };
      },
    },
  };
}

describe('two tabs of one browser', () => {
  const { cleanup, tracker } = clientBed();

  /** A seeder in another browser, uploading slowly enough to watch, and a browser of `tabs` tabs (or, with `tabs: false`, without coordination). */
  async function setup(size: number, uploadLimit: number, coordinated = true, privately = false) {
    const t = await tracker();
    const seeder = new BaseClient(fakeWorld().env(), { announce: [t.url], uploadLimit });
    cleanup.push(() => seeder.destroy());
    const data = fixtureBytes(size, 17);
    const seeded = await seeder.seed([{ path: 'movie.bin', data }], { pieceLength: PIECE, private: privately });
    const world = fakeWorld();
    const browser = fakeBrowser();
    const open = (): { client: BaseClient; tab: FakeTab; writes: { count: number } } => {
      const tab = browser.tab();
      const { env, writes } = tabEnv(world, coordinated ? tab : undefined);
      const client = new BaseClient(env, { announce: [t.url] });
      cleanup.push(() => client.destroy());
      return { client, tab, writes };
    };
    // The most peers the seeder had at once: one per engine of the browser.
    let seederPeers = 0;
    const timer = setInterval(() => (seederPeers = Math.max(seederPeers, seeded.numPeers)), 20);
    cleanup.push(async () => clearInterval(timer));
    return { t, seeder, seeded, data, world, browser, open, seederPeers: () => seederPeers };
  }

  it('runs the torrent in one tab; the other shows it live, pauses and resumes it there, takes it over when that tab closes, and completes it byte-identical', async () => {
    const s = await setup(1_200_000, 250_000);
    const a = s.open();
    const running = await a.client.add(s.seeded.magnetURI);
    await until(() => running.progress > 0, 'the first tab to download');
    const b = s.open();
    await b.client.ready;
    const followed = b.client.torrents[0]!;
    expect(followed.infoHash).toBe(running.infoHash);
    expect(followed.following).toBe(true);
    expect(running.following).toBe(false);
    // Live numbers, from the tab that runs it.
    await until(() => followed.progress > 0 && followed.numPeers === 1 && followed.files.length === 1, 'the state of the running tab');
    const seen = followed.progress;
    await until(() => followed.progress > seen, 'progress to move on in the second tab');
    expect(followed.pieceStates().length).toBe(running.pieceStates().length);
    // Control through the running tab.
    followed.pause();
    await until(() => running.paused && followed.paused, 'both tabs to show it paused');
    const pausedAt = running.progress;
    await new Promise((r) => setTimeout(r, 500));
    expect(running.progress).toBe(pausedAt);
    expect(running.numPeers).toBe(0);
    followed.resume();
    // (Resumed: announced again. Reconnecting to the same seeder after a pause in one client takes
    // longer than this test waits, with or without tabs; the takeover below connects afresh.)
    await until(() => !running.paused && !followed.paused, 'both tabs to show it resumed');
    // One writer, one set of connections: the seeder never had two peers from this browser.
    expect(b.writes.count).toBe(0);
    expect(a.writes.count).toBeGreaterThan(0);
    expect(s.seederPeers()).toBe(1);
    expect(followed.progress).toBeLessThan(1);
    // A reader in the second tab gets the pieces the first one stored.
    const stored = followed.pieceStates().indexOf(2);
    expect(stored).toBeGreaterThanOrEqual(0);
    const piece = await followed.piece(stored);
    expect(Buffer.from(piece)).toEqual(Buffer.from(s.data.subarray(stored * PIECE, (stored + 1) * PIECE)));

    // The running tab closes: the browser lets its lock go, and the second tab takes over from the store.
    a.tab.close();
    await a.client.destroy();
    await until(() => !followed.following, 'the second tab to take over');
    await followed.done;
    expect(b.writes.count).toBeGreaterThan(0);
    expect(sha(new Uint8Array(await (await followed.files[0]!.blob()).arrayBuffer()))).toBe(sha(s.data));
    expect(s.seederPeers()).toBe(1);
  }, 60_000);

  it('without coordination (no Web Locks) both tabs run it, and the seeder counts two peers: what the test above rules out', async () => {
    const s = await setup(600_000, 250_000, false);
    const a = s.open();
    await a.client.add(s.seeded.magnetURI);
    const b = s.open();
    await b.client.ready;
    await until(() => s.seederPeers() === 2, 'the seeder to see both tabs');
    expect(b.client.torrents[0]!.following).toBe(false);
  }, 60_000);

  it('removing it with its data in the tab that follows stops it where it runs first, then deletes record and pieces, everywhere', async () => {
    const s = await setup(600_000, 250_000);
    const a = s.open();
    const running = await a.client.add(s.seeded.magnetURI);
    await until(() => running.progress > 0, 'some pieces stored');
    const b = s.open();
    await b.client.ready;
    const followed = b.client.torrents[0]!;
    await until(() => followed.progress > 0, 'the second tab to show it');
    const removedIn: string[] = [];
    a.client.addEventListener('remove', () => removedIn.push('a'));
    b.client.addEventListener('remove', () => removedIn.push('b'));
    await b.client.remove(followed, { deleteData: true });
    expect(a.client.torrents).toEqual([]);
    expect(b.client.torrents).toEqual([]);
    expect(removedIn.sort()).toEqual(['a', 'b']);
    expect(s.world.records.size).toBe(0);
    expect(await s.world.stores.get(running.infoHash)!.stored()).toEqual([]);
    // Stopped: nothing is written after the delete, and the lock is free.
    const writes = a.writes.count;
    await new Promise((r) => setTimeout(r, 500));
    expect(a.writes.count).toBe(writes);
    expect([...s.browser.holders().keys()]).toEqual([]);
  }, 60_000);

  it('a torrent added in one tab shows in another already open, which saves it from the shared store once done; damaged and foreign messages change nothing', async () => {
    const s = await setup(600_000, 250_000);
    const a = s.open();
    const b = s.open();
    await Promise.all([a.client.ready, b.client.ready]);
    const running = await a.client.add(s.seeded.magnetURI);
    await until(() => b.client.torrents.length === 1, 'the other tab to list it');
    const followed: Torrent = b.client.torrents[0]!;
    expect(followed.following).toBe(true);
    await until(() => followed.progress > 0, 'its state');
    // A state claiming completion, but of another version, or damaged, or of a torrent nobody runs.
    const forged = { infoHash: running.infoHash, name: 'x', hasMetadata: true, paused: true, done: true, progress: 1, downloaded: 0, uploaded: 0 };
    s.browser.inject({ v: 2, from: 'ee'.repeat(20), type: 'state', torrent: forged });
    s.browser.inject({ v: 1, from: 'ee'.repeat(20), type: 'state', torrent: { ...forged, progress: 7 } });
    s.browser.inject({ v: 1, from: 'ee'.repeat(20), type: 'command', infoHash: running.infoHash, command: { kind: 'explode' } });
    s.browser.inject('not even an object');
    await new Promise((r) => setTimeout(r, 300));
    expect(followed.isDone).toBe(false);
    expect(followed.paused).toBe(false);
    expect(running.paused).toBe(false);
    expect(a.client.torrents).toHaveLength(1);
    // Complete in the running tab: done in the other too, which saves the file from the shared store.
    await running.done;
    await followed.done;
    expect(followed.following).toBe(true);
    expect(followed.isDone).toBe(true);
    expect(sha(new Uint8Array(await (await followed.files[0]!.blob()).arrayBuffer()))).toBe(sha(s.data));
    expect(b.writes.count).toBe(0);
  }, 60_000);

  it('a private share runs in one tab; the other, opened later, reads its key from the saved record and shows and saves its real file', async () => {
    const s = await setup(600_000, 250_000, true, true);
    const a = s.open();
    const running = await a.client.add(`magnet:?xt=urn:btih:${s.seeded.infoHash}`, { secret: s.seeded.secret! });
    await running.ready;
    expect(running.files.map((f) => f.path)).toEqual(['movie.bin']);
    const b = s.open();
    await b.client.ready;
    const followed = b.client.torrents[0]!;
    expect(followed.following).toBe(true);
    // Its manifest is read from the pieces the running tab stored: the share's name and file, not the container's.
    await followed.ready;
    expect(followed.name).toBe('movie.bin');
    expect(followed.files.map((f) => [f.path, f.length])).toEqual([['movie.bin', s.data.length]]);
    await followed.done;
    // The share's one file, counted over its own bytes (the container adds a header and padding).
    await until(() => followed.fileProgress(0) === 1 && followed.completeFiles === 1, 'the file to show complete');
    expect(sha(new Uint8Array(await (await followed.files[0]!.blob()).arrayBuffer()))).toBe(sha(s.data));
    expect(b.writes.count).toBe(0);
    expect(s.seederPeers()).toBe(1);
  }, 60_000);

  it("each tab learns the other tabs' peer ids and refuses them as peers, until a tab says goodbye", async () => {
    const browser = fakeBrowser();
    const idOf = (n: number) => new Uint8Array(20).fill(n);
    const host = (n: number): TabHost => ({
      peerId: idOf(n),
      ready: Promise.resolve(),
      get: () => undefined,
      saved: async () => undefined,
      metainfoOf: async () => undefined,
      openSaved: async () => undefined,
      remove: async () => undefined,
      dropSaved: async () => undefined,
      forget: () => undefined,
      warn: () => undefined,
    });
    const first = new TabCoordinator(browser.tab().platform, host(1));
    const second = new TabCoordinator(browser.tab().platform, host(2));
    cleanup.push(async () => first.close());
    await until(() => first.refuses(idOf(2)) !== undefined && second.refuses(idOf(1)) !== undefined, 'hello and here');
    expect(first.refuses(idOf(2))).toBe('another tab of this browser');
    expect(first.refuses(idOf(3))).toBeUndefined();
    expect(first.refuses(idOf(1))).toBeUndefined();
    second.close();
    await until(() => first.refuses(idOf(2)) === undefined, 'bye');
  });
});
