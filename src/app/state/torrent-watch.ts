/**
 * What the app reads and hears of each torrent of its client: the fields its state depends on, the
 * events that change what its card shows (refreshed at once rather than at the next tick),
 * completion and errors; and whether this tab runs it.
 */
import type { Torrent } from '../../client/index.js';
import { fetchLeadFirst } from './lead-first.js';

/** The fields of a torrent the state and notice helpers read. */
export function stateInput(t: Torrent) {
  return { hasMetadata: t.metainfo !== undefined, isDone: t.isDone, paused: t.paused, lastError: t.lastError, numPeers: t.numPeers };
}

/** The torrent, when this tab runs it (not another tab of this browser, which then serves its streams). */
export const runHere = (t: Torrent | undefined): Torrent | undefined => (t?.following ? undefined : t);

export interface TorrentWatcher {
  /** Re-read the numbers now. */
  refresh(): void;
  /** The torrent completed (called before the refresh). */
  done(): void;
  /** The torrent stopped on an error (called before the refresh). */
  error(error: Error): void;
}

/** Listens to `torrent` until `signal` aborts; meanwhile the start of a file its card offers to play is fetched first (lead-first.ts). */
export function watchTorrent(torrent: Torrent, signal: AbortSignal, w: TorrentWatcher): void {
  fetchLeadFirst(torrent, signal);
  const refresh = () => w.refresh();
  torrent.addEventListener('metadata', refresh, { signal });
  torrent.addEventListener('peer', refresh, { signal });
  // A connection that could not be made: its count on the torrent's card goes up.
  torrent.addEventListener(
    'warning',
    (e) => {
      if (e.detail.unreachable) w.refresh();
    },
    { signal },
  );
  torrent.addEventListener(
    'done',
    () => {
      w.done();
      w.refresh();
    },
    { signal },
  );
  torrent.addEventListener(
    'error',
    (e) => {
      w.error(e.detail.error);
      w.refresh();
    },
    { signal },
  );
}

/**
 * The torrents being watched (one `watchTorrent` each, until unwatched), and which of them have not
 * completed yet: each one that completes while watched is told once, as `done`.
 */
export class TorrentWatches {
  private readonly watching = new Map<Torrent, AbortController>();
  private readonly incomplete = new Set<string>();

  constructor(
    private readonly w: {
      /** Re-read the numbers now. */
      refresh(): void;
      /** A watched torrent completed (once; called before the refresh). */
      done(torrent: Torrent): void;
      /** A watched torrent stopped on an error (called before the refresh). */
      error(torrent: Torrent, error: Error): void;
    },
  ) {}

  /** Starts watching `torrent`; false if it was watched already. */
  watch(torrent: Torrent): boolean {
    if (this.watching.has(torrent)) return false;
    const abort = new AbortController();
    this.watching.set(torrent, abort);
    if (!torrent.isDone) this.incomplete.add(torrent.infoHash);
    watchTorrent(torrent, abort.signal, {
      refresh: () => this.w.refresh(),
      done: () => {
        if (this.incomplete.delete(torrent.infoHash)) this.w.done(torrent);
      },
      error: (error) => this.w.error(torrent, error),
    });
    return true;
  }

  unwatch(torrent: Torrent): void {
    this.watching.get(torrent)?.abort();
    this.watching.delete(torrent);
    this.incomplete.delete(torrent.infoHash);
  }

  /** Stops watching every torrent (the client is replaced); whether each completed is kept. */
  unwatchAll(): void {
    for (const abort of this.watching.values()) abort.abort();
    this.watching.clear();
  }
}
