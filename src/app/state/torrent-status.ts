/**
 * What the app says about a torrent: its state in one word, and whether it has been waiting for
 * peers long enough to tell the person. Pure functions over the few fields they read, tested in Node.
 */
import { displayName } from '../../shared/format.js';

export type TorrentState = 'metadata' | 'downloading' | 'seeding' | 'paused' | 'error' | 'done';

/** The fields of a `Torrent` the state depends on. */
export interface TorrentStateInput {
  /** The metadata (file list) is known. */
  hasMetadata: boolean;
  isDone: boolean;
  paused: boolean;
  lastError: Error | undefined;
  numPeers: number;
}

/**
 * One word for a torrent. A torrent that stopped on an error is also paused, so the error wins.
 * A complete torrent is `seeding` while peers are connected (it serves them) and `done` otherwise.
 */
export function torrentState(t: TorrentStateInput): TorrentState {
  if (t.lastError) return 'error';
  if (t.paused) return 'paused';
  if (!t.hasMetadata) return 'metadata';
  if (!t.isDone) return 'downloading';
  return t.numPeers > 0 ? 'seeding' : 'done';
}

export const STATE_LABELS: Record<TorrentState, string> = {
  metadata: 'Metadata…',
  downloading: 'Downloading',
  seeding: 'Seeding',
  paused: 'Paused',
  error: 'Error',
  done: 'Done',
};

/** How long a torrent may have no peer before the app says it is waiting for some. */
export const PEER_WAIT_MS = 10_000;

/** Whether a torrent is looking for peers and has none: not done, not paused, no peer connected. */
export function lacksPeers(t: TorrentStateInput): boolean {
  return !t.isDone && !t.paused && !t.lastError && t.numPeers === 0;
}

/**
 * The time since which a torrent has lacked peers, given the previous value: kept while it still
 * lacks them, started now when it begins to, cleared when it has some (or needs none).
 */
export function nextLackingSince(previous: number | undefined, lacking: boolean, now: number): number | undefined {
  if (!lacking) return undefined;
  return previous ?? now;
}

/** Whether to tell the person that a torrent is waiting for peers. */
export function isWaitingForPeers(lackingSince: number | undefined, now: number): boolean {
  return lackingSince !== undefined && now - lackingSince >= PEER_WAIT_MS;
}

/** "2.5 MiB of 10 MiB" style split: bytes verified of the wanted length. */
export function verifiedBytes(progress: number, length: number): number {
  return Math.round(Math.min(1, Math.max(0, progress)) * length);
}

/**
 * A file's path as shown in its torrent's file list: without the torrent name that begins every
 * path of a multi-file torrent (`holiday/photos/a.jpg` in torrent `holiday` is `photos/a.jpg`),
 * with its hidden characters shown (`displayName`).
 */
export function pathInTorrent(path: string, torrentName: string): string {
  const prefix = `${torrentName}/`;
  return displayName(path.startsWith(prefix) && path.length > prefix.length ? path.slice(prefix.length) : path);
}
