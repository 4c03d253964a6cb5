/**
 * The events of `<tab-swarm>`: prefixed `tabswarm-`, bubbling and composed (they leave shadow roots),
 * and typed in the global `HTMLElementEventMap`, so `el.addEventListener('tabswarm-done', (e) => e.detail.file)`
 * type-checks.
 */
import type { Torrent, TorrentFile } from '../client/index.js';

export interface TabSwarmProgressDetail {
  torrent: Torrent;
  /** The file shown; undefined until the torrent's file list is known. */
  file: TorrentFile | undefined;
  /** Fraction of the file's bytes verified (of the torrent's, before the file is known). */
  progress: number;
  /** Bytes per second over the whole torrent. */
  downloadSpeed: number;
  uploadSpeed: number;
  numPeers: number;
}

export interface TabSwarmReadyDetail {
  torrent: Torrent;
  file: TorrentFile;
  /** How it is shown. */
  kind: 'video' | 'audio' | 'image' | 'card';
  /** Whether it streams through the service worker (else it is shown from a Blob once complete). */
  streaming: boolean;
}

export interface TabSwarmDoneDetail {
  torrent: Torrent;
  file: TorrentFile;
}

export interface TabSwarmErrorDetail {
  error: Error;
  /** What the element shows. */
  message: string;
}

/**
 * Why an element waits: `no-tracker` (nothing to find peers with), `no-peers` (none found),
 * `no-metadata` (peers, none of which has sent the file's details), `no-data` (peers, none sending).
 */
export type WaitingReason = 'no-tracker' | 'no-peers' | 'no-metadata' | 'no-data';

export interface TabSwarmWaitingDetail {
  reason: WaitingReason;
  /** How long nothing has arrived, in ms. */
  waitedMs: number;
  numPeers: number;
  /** Whether the page is a secure context (https or localhost); if not, a file plays only once complete. */
  secureContext: boolean;
  /** What the element shows. */
  message: string;
}

export interface TabSwarmEventDetails {
  /** While downloading, when something changed: at most four times a second, and once a second for speeds and peers. */
  'tabswarm-progress': TabSwarmProgressDetail;
  /** The file to show is known (and is being shown, or waits for its bytes). */
  'tabswarm-ready': TabSwarmReadyDetail;
  /** Every byte of the file shown is downloaded and verified. */
  'tabswarm-done': TabSwarmDoneDetail;
  /**
   * Nothing has arrived for 5 s (or there is no tracker): says why, once per reason; the element
   * shows the same message, kept up to date.
   */
  'tabswarm-waiting': TabSwarmWaitingDetail;
  /** Something went wrong: a bad `src`, a `.torrent` URL that does not load, no such `file`, a storage error. */
  'tabswarm-error': TabSwarmErrorDetail;
}

export type TabSwarmEventName = keyof TabSwarmEventDetails;

export function fire<K extends TabSwarmEventName>(from: EventTarget, type: K, detail: TabSwarmEventDetails[K]): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- it merges the events into the global map, which only an interface can do
  interface HTMLElementEventMap extends Readonly<{ [K in TabSwarmEventName]: CustomEvent<TabSwarmEventDetails[K]> }> {}
}
