import { describe, expect, it } from 'vitest';
import type { Torrent } from '../../src/client/index.js';
import { TorrentWatches } from '../../src/app/state/torrent-watch.js';

/** Just what watching reads of a torrent: its events, whether it is done, and no files to play. */
function fakeTorrent(infoHash: string, isDone = false) {
  const t = Object.assign(new EventTarget(), { infoHash, name: infoHash, isDone, following: false, files: [] });
  return t as unknown as Torrent & EventTarget;
}

describe('TorrentWatches', () => {
  it('tells each completion once, while watched, and only of torrents that were not complete when watched', () => {
    const log: string[] = [];
    const watches = new TorrentWatches({
      refresh: () => log.push('refresh'),
      done: (t) => log.push(`done ${t.infoHash}`),
      error: (t, e) => log.push(`error ${t.infoHash} ${e.message}`),
    });
    const a = fakeTorrent('a');
    const b = fakeTorrent('b', true);
    expect(watches.watch(a)).toBe(true);
    expect(watches.watch(a)).toBe(false);
    expect(watches.watch(b)).toBe(true);
    a.dispatchEvent(new CustomEvent('done'));
    a.dispatchEvent(new CustomEvent('done'));
    b.dispatchEvent(new CustomEvent('done'));
    expect(log).toEqual(['done a', 'refresh', 'refresh', 'refresh']);
    log.length = 0;
    a.dispatchEvent(new CustomEvent('error', { detail: { error: new Error('quota') } }));
    expect(log).toEqual(['error a quota', 'refresh']);
    // The client is replaced: nothing is heard until watched again, and a torrent still incomplete
    // then is still told when it completes.
    const c = fakeTorrent('c');
    watches.watch(c);
    watches.unwatchAll();
    log.length = 0;
    c.dispatchEvent(new CustomEvent('done'));
    expect(log).toEqual([]);
    watches.watch(c);
    c.dispatchEvent(new CustomEvent('done'));
    expect(log).toEqual(['done c', 'refresh']);
    // Unwatched (removed): nothing more.
    log.length = 0;
    watches.unwatch(c);
    c.dispatchEvent(new CustomEvent('error', { detail: { error: new Error('gone') } }));
    expect(log).toEqual([]);
  });
});
