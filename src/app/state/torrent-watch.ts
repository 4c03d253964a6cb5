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
