/**
 * Showing a complete file without a service worker (a page that is not a secure context: plain http
 * from another device). The file's bytes become an object URL, which has the page's own origin and
 * no headers, so it is given only a type that runs nothing: video, audio and raster images as they
 * are, other images drawn into a PNG, text as plain text. Anything else is not shown (it can be saved).
 */
import type { TorrentFile } from '../client/index.js';
import { contentTypeOf, inertTypeOf, previewKindOf } from '../sw/http.js';
import { rasterise } from '../shared/raster.js';

/** An object URL showing `file` (complete), or undefined when it cannot be shown safely. The caller revokes it. */
export async function blobPreviewUrl(file: TorrentFile): Promise<string | undefined> {
  const kind = previewKindOf(file.name);
  if (!kind || kind === 'pdf') return undefined;
  const blob = await file.blob();
  const inert = inertTypeOf(file.name);
  let shown: Blob;
  if (inert) shown = blob.slice(0, blob.size, inert);
  else if (kind === 'image') shown = await rasterise(blob, contentTypeOf(file.name).split(';')[0]!);
  else if (kind === 'text') shown = blob.slice(0, blob.size, 'text/plain;charset=utf-8');
  else return undefined;
  return URL.createObjectURL(shown);
}

/** Whether a complete file can be shown without a service worker (see `blobPreviewUrl`). */
export function blobPreviewable(name: string): boolean {
  const kind = previewKindOf(name);
  return kind !== undefined && kind !== 'pdf';
}
