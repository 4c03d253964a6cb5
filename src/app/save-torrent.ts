/**
 * Saving a torrent's files with src/app/save.ts, and its .torrent file: the glue between the
 * client's `TorrentFile` and a `SaveSource`.
 */
import type { StreamServer, Torrent, TorrentFile } from '../client/index.js';
import { pageHost, safeFileName, saveAllAsZip, saveFile, type SaveHost, type SaveOutcome, type SaveSource } from './save.js';

/** A file to save; with `downloadUrl`, the service worker's URL that serves it as an attachment. */
export function fileSource(file: TorrentFile, downloadUrl?: string): SaveSource {
  return { name: file.name, path: file.path, length: file.length, stream: () => file.stream(), downloadUrl };
}

/** Whether every byte of a file is verified (saving it would otherwise wait for the rest). */
export const isComplete = (file: TorrentFile): boolean => file.length === 0 || file.progress >= 1;

/** The page as a save host; with `streaming`, downloads are streamed by the service worker. */
function hostFor(streaming: StreamServer | undefined): SaveHost {
  return pageHost(streaming ? (offer) => streaming.offer(offer) : undefined);
}

/** Saves one file. Call from a click: the file picker needs the gesture. */
export function saveTorrentFile(torrent: Torrent, file: TorrentFile, streaming?: StreamServer): Promise<SaveOutcome> {
  return saveFile(fileSource(file, streaming?.fileUrl(torrent, file.index, { download: true })), hostFor(streaming));
}

/** Saves a torrent's complete files: the file itself when there is one, else a zip of them all. */
export function saveTorrent(torrent: Torrent, streaming?: StreamServer): Promise<SaveOutcome> {
  const complete = torrent.files.filter(isComplete);
  if (torrent.files.length === 1 && complete[0]) return saveTorrentFile(torrent, complete[0], streaming);
  return saveAllAsZip(
    torrent.name,
    complete.map((f) => fileSource(f)),
    hostFor(streaming),
  );
}

/** The .torrent file, as an ordinary download named `<name>.torrent`. */
export function downloadTorrentFile(name: string, bytes: Uint8Array): void {
  const blob = new Blob([bytes.slice().buffer], { type: 'application/x-bittorrent' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${safeFileName(name)}.torrent`;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
