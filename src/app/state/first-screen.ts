/**
 * What a torrent's card shows first, before the person opens anything: a torrent of one video or
 * audio file offers Play in the card, one image is shown in it, and a torrent of several files shows
 * its file list open. Decided once, when the file list becomes known; the person's own opening and
 * closing is kept afterwards.
 */
import { previewKindOf } from '../../sw/http.js';

export interface FirstScreen {
  /** The one file the card plays or shows itself, and how. */
  lead?: { index: number; kind: 'video' | 'audio' | 'image' };
  /** The Files section starts open. */
  filesOpen: boolean;
}

export function firstScreen(files: readonly { name: string; length: number }[]): FirstScreen {
  if (files.length > 1) return { filesOpen: true };
  const file = files[0];
  const kind = file && file.length > 0 ? previewKindOf(file.name) : undefined;
  if (kind === 'video' || kind === 'audio' || kind === 'image') return { lead: { index: 0, kind }, filesOpen: false };
  return { filesOpen: false };
}
