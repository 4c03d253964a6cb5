/**
 * Saving a torrent's files with src/app/save.ts, and its .torrent file: the glue between the
 * client's `TorrentFile` and a `SaveSource`.
 */
import type { Torrent, TorrentFile } from '../client/index.js';
import { safeFileName, saveAllAsZip, saveFile, type SaveOutcome, type SaveSource } from './save.js';

export function fileSource(file: TorrentFile): SaveSource {
  return { name: file.name, path: file.path, length: file.length, stream: () => file.stream() };
}

/** Whether every byte of a file is verified (saving it would otherwise wait for the rest). */
export const isComplete = (file: TorrentFile): boolean => file.length === 0 || file.progress >= 1;

/** Saves one file. Call from a click: the file picker needs the gesture. */
export function saveTorrentFile(file: TorrentFile): Promise<SaveOutcome> {
  return saveFile(fileSource(file));
}

/** Saves a torrent's complete files: the file itself when there is one, else a zip of them all. */
export function saveTorrent(torrent: Torrent): Promise<SaveOutcome> {
  const complete = torrent.files.filter(isComplete);
  if (torrent.files.length === 1 && complete[0]) return saveFile(fileSource(complete[0]));
  return saveAllAsZip(torrent.name, complete.map(fileSource));
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
