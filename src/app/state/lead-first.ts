/**
 * A torrent whose card offers Play (one video or audio file, first-screen.ts) fetches the start of
 * that file first from the moment its metadata is known, as a player at its start would: the
 * pieces a player reads first (the header, the first frames) are asked for with the metadata instead
 * of after the pieces the seeder happened to offer first, and are there or on their way when the
 * person presses Play (the stream then opens its own window over them). Held until the torrent is
 * complete or the app lets go of it; pieces already verified are not fetched again. Before the
 * metadata, a link whose name is that of a video or audio file has the torrent's first pieces asked
 * for (`wantHead`): a seeder that reveals its pieces a few at a time shows them before the metadata
 * comes, and they are requested with it.
 */
import type { PriorityWindow } from '../../client/file.js';
import { CRITICAL_BYTES } from '../../client/stream-windows.js';
import { firstScreen } from './first-screen.js';
import { previewKindOf } from '../../sw/http.js';

/** What this needs of a torrent (a `Torrent` fits). */
export interface LeadTorrent {
  /** Before the metadata, the link's name (`dn`). */
  readonly name: string;
  readonly files: readonly { readonly name: string; readonly length: number }[];
  readonly isDone: boolean;
  /** Another tab runs it (its priorities are that tab's). */
  readonly following: boolean;
  prioritize(fileIndex: number, start: number, end: number): PriorityWindow;
  wantHead(): void;
  addEventListener(type: 'metadata' | 'done', listener: () => void, options: { signal: AbortSignal }): void;
}

/** Until `signal` aborts: the first bytes of the torrent's file to play, before anything else. */
export function fetchLeadFirst(torrent: LeadTorrent, signal: AbortSignal): void {
  let window: PriorityWindow | undefined;
  const release = () => {
    window?.release();
    window = undefined;
  };
  const open = () => {
    if (window || signal.aborted || torrent.isDone || torrent.following) return;
    if (torrent.files.length === 0) {
      const kind = previewKindOf(torrent.name);
      if (kind === 'video' || kind === 'audio') torrent.wantHead();
      return;
    }
    const lead = firstScreen(torrent.files).lead;
    if (lead?.kind !== 'video' && lead?.kind !== 'audio') return;
    window = torrent.prioritize(lead.index, 0, CRITICAL_BYTES);
  };
  open();
  torrent.addEventListener('metadata', open, { signal });
  torrent.addEventListener('done', release, { signal });
  signal.addEventListener('abort', release, { once: true });
}
