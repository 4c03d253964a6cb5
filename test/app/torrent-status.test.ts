import { describe, expect, it } from 'vitest';
import {
  PEER_WAIT_MS,
  STATE_LABELS,
  isWaitingForPeers,
  lacksPeers,
  nextLackingSince,
  pathInTorrent,
  torrentState,
  verifiedBytes,
  type TorrentStateInput,
} from '../../src/app/state/torrent-status.js';
import { trackerReducer, unreachableTrackers, type TrackerStatuses } from '../../src/app/state/trackers.js';
import { StorageError } from '../../src/core/session/store.js';

const base: TorrentStateInput = { hasMetadata: true, isDone: false, paused: false, lastError: undefined, numPeers: 2 };

describe('torrentState', () => {
  it('names each state', () => {
    expect(torrentState({ ...base, hasMetadata: false })).toBe('metadata');
    expect(torrentState(base)).toBe('downloading');
    expect(torrentState({ ...base, isDone: true })).toBe('seeding');
    expect(torrentState({ ...base, isDone: true, numPeers: 0 })).toBe('done');
    expect(torrentState({ ...base, paused: true })).toBe('paused');
    expect(torrentState({ ...base, isDone: true, paused: true })).toBe('paused');
  });

  it('puts an error before paused (a torrent stopped on an error is paused too)', () => {
    expect(torrentState({ ...base, paused: true, lastError: new StorageError('full', true) })).toBe('error');
    expect(torrentState({ ...base, hasMetadata: false, lastError: new Error('x') })).toBe('error');
  });

  it('has a label for every state', () => {
    expect(STATE_LABELS.metadata).toBe('Metadata…');
    expect(Object.keys(STATE_LABELS).sort()).toEqual(['done', 'downloading', 'error', 'metadata', 'paused', 'seeding']);
  });
});

describe('waiting for peers', () => {
  it('a torrent lacks peers when it wants some and has none', () => {
    expect(lacksPeers({ ...base, numPeers: 0 })).toBe(true);
    expect(lacksPeers({ ...base, numPeers: 0, hasMetadata: false })).toBe(true);
    expect(lacksPeers(base)).toBe(false);
    expect(lacksPeers({ ...base, numPeers: 0, isDone: true })).toBe(false);
    expect(lacksPeers({ ...base, numPeers: 0, paused: true })).toBe(false);
    expect(lacksPeers({ ...base, numPeers: 0, lastError: new Error('x') })).toBe(false);
  });

  it('is told after ten seconds without a peer, counted from when the last one left', () => {
    let since = nextLackingSince(undefined, true, 1000);
    expect(since).toBe(1000);
    since = nextLackingSince(since, true, 5000);
    expect(since).toBe(1000);
    expect(isWaitingForPeers(since, 1000 + PEER_WAIT_MS - 1)).toBe(false);
    expect(isWaitingForPeers(since, 1000 + PEER_WAIT_MS)).toBe(true);
    // A peer came: the clock restarts when it leaves.
    since = nextLackingSince(since, false, 12_000);
    expect(since).toBeUndefined();
    expect(isWaitingForPeers(since, 99_999)).toBe(false);
    expect(nextLackingSince(since, true, 13_000)).toBe(13_000);
  });
});

describe('verifiedBytes and pathInTorrent', () => {
  it('clamps the progress', () => {
    expect(verifiedBytes(0.5, 1001)).toBe(501);
    expect(verifiedBytes(1.2, 100)).toBe(100);
    expect(verifiedBytes(-1, 100)).toBe(0);
  });

  it('drops the torrent name that begins the paths of a multi-file torrent', () => {
    expect(pathInTorrent('holiday/photos/a.jpg', 'holiday')).toBe('photos/a.jpg');
    expect(pathInTorrent('a.jpg', 'a.jpg')).toBe('a.jpg');
    expect(pathInTorrent('holidays/a.jpg', 'holiday')).toBe('holidays/a.jpg');
    expect(pathInTorrent('holiday/', 'holiday')).toBe('holiday/');
  });
});

describe('trackers', () => {
  const fail = (url: string) => ({ type: 'disconnected', url, retryInMs: 1000 }) as const;
  it('is unreachable only when no tracker is connected and one has failed', () => {
    let s: TrackerStatuses = new Map();
    expect(unreachableTrackers(s)).toEqual([]);
    s = trackerReducer(s, fail('ws://a'));
    expect(unreachableTrackers(s)).toEqual(['ws://a']);
    s = trackerReducer(s, fail('ws://a'));
    expect(s.get('ws://a')?.failures).toBe(2);
    s = trackerReducer(s, { type: 'connected', url: 'ws://b' });
    expect(unreachableTrackers(s)).toEqual([]);
    s = trackerReducer(s, fail('ws://b'));
    expect(unreachableTrackers(s)).toEqual(['ws://a', 'ws://b']);
    s = trackerReducer(s, { type: 'connected', url: 'ws://a' });
    expect(s.get('ws://a')).toEqual({ url: 'ws://a', connected: true, failures: 0 });
    expect(unreachableTrackers(s)).toEqual([]);
  });

  it('forgets a tracker closed on purpose (no retry), and ignores other events', () => {
    let s: TrackerStatuses = trackerReducer(new Map(), fail('ws://a'));
    const same = trackerReducer(s, { type: 'announced', url: 'ws://a' });
    expect(same).toBe(s);
    s = trackerReducer(s, { type: 'disconnected', url: 'ws://a', retryInMs: undefined });
    expect(s.size).toBe(0);
    expect(unreachableTrackers(s)).toEqual([]);
  });
});
