import { describe, expect, it } from 'vitest';
import { fetchLeadFirst, type LeadTorrent } from '../../src/app/state/lead-first.js';
import { CRITICAL_BYTES } from '../../src/client/stream-windows.js';

/** A torrent of `files` (none until `metadata()`), recording the windows opened and released. */
function fakeTorrent(files: { name: string; length: number }[], o: { following?: boolean; name?: string } = {}) {
  const listeners = new Map<string, (() => void)[]>();
  const windows: { file: number; start: number; end: number; released: boolean }[] = [];
  const heads: number[] = [];
  const state = { files: [] as { name: string; length: number }[], isDone: false };
  const torrent: LeadTorrent & { metadata(): void; finish(): void } = {
    get files() {
      return state.files;
    },
    get isDone() {
      return state.isDone;
    },
    name: o.name ?? files[0]?.name ?? '',
    following: o.following ?? false,
    wantHead() {
      heads.push(state.files.length);
    },
    prioritize(file, start, end) {
      const w = { file, start, end, released: false };
      windows.push(w);
      return { seek: () => {}, release: () => void (w.released = true) };
    },
    addEventListener(type, listener, { signal }) {
      if (signal.aborted) return;
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
      signal.addEventListener('abort', () =>
        listeners.set(
          type,
          (listeners.get(type) ?? []).filter((l) => l !== listener),
        ),
      );
    },
    metadata() {
      state.files = files;
      for (const l of listeners.get('metadata') ?? []) l();
    },
    finish() {
      state.isDone = true;
      for (const l of listeners.get('done') ?? []) l();
    },
  };
  return { torrent, windows, heads };
}

describe('fetchLeadFirst', () => {
  it('raises the start of the one video the card offers to play as soon as the metadata is known, until the torrent is done', () => {
    const { torrent, windows, heads } = fakeTorrent([{ name: 'film.webm', length: 512 * 1024 * 1024 }]);
    fetchLeadFirst(torrent, new AbortController().signal);
    expect(windows).toEqual([]);
    // Before the metadata, the link's name says it plays: the head of the torrent is asked for.
    expect(heads).toEqual([0]);
    torrent.metadata();
    expect(windows).toEqual([{ file: 0, start: 0, end: CRITICAL_BYTES, released: false }]);
    torrent.metadata(); // a private share's second 'metadata': still one window
    expect(windows).toHaveLength(1);
    torrent.finish();
    expect(windows[0]!.released).toBe(true);
  });

  it('lets go when the app does (the torrent removed), and raises nothing for files that do not play, or in a tab that only follows the torrent', () => {
    const { torrent, windows } = fakeTorrent([{ name: 'song.mp3', length: 4_000_000 }]);
    const abort = new AbortController();
    fetchLeadFirst(torrent, abort.signal);
    torrent.metadata();
    abort.abort();
    expect(windows).toEqual([{ file: 0, start: 0, end: CRITICAL_BYTES, released: true }]);

    for (const t of [
      fakeTorrent([{ name: 'archive.zip', length: 4_000_000 }]),
      fakeTorrent([
        { name: 'a.mp4', length: 4_000_000 },
        { name: 'b.mp4', length: 4_000_000 },
      ]),
      fakeTorrent([{ name: 'film.webm', length: 4_000_000 }], { following: true }),
    ]) {
      fetchLeadFirst(t.torrent, new AbortController().signal);
      t.torrent.metadata();
      expect(t.windows).toEqual([]);
    }
    // A link named like an archive asks for no head; one named like a video but following another tab neither.
    for (const t of [
      fakeTorrent([], { name: 'archive.zip' }),
      fakeTorrent([], { name: 'film.webm', following: true }),
      fakeTorrent([], { name: 'abcdef0123' }),
    ]) {
      fetchLeadFirst(t.torrent, new AbortController().signal);
      expect(t.heads).toEqual([]);
    }
  });
});
