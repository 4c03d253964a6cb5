/**
 * What a `<tab-swarm>` attribute names: the torrent of `src` (a magnet link, a tabswarm share link,
 * or the URL of a .torrent file), the file of `file`, and how that file is shown. Every failure is a
 * {@link SourceError} whose message says what is wrong in words a page author can act on.
 */
import { parseMagnet } from '../core/magnet.js';
import { parseTorrent } from '../core/metainfo.js';
import { TabswarmError, errorMessage } from '../core/errors.js';
import type { TorrentFile } from '../client/index.js';
import { previewKindOf } from '../sw/http.js';
import { ShareLinkError, shareFromLocation, type SharedTorrent } from '../shared/share-link.js';
import { fetchTorrentFile as fetchTorrent } from '../client/webseed-http.js';

export class SourceError extends Error {
  override name = 'SourceError';
}

/** A torrent to add: its info hash, and what `client.add` takes. */
export interface ResolvedSource {
  infoHash: string;
  input: string | Uint8Array;
  /** A private share's secret, from its link (the files are decrypted with it). */
  secret?: Uint8Array;
}

/** Resolves `src` against `base` (the page's URL): a magnet link is parsed, a URL is fetched. */
export async function resolveSource(src: string, base: string, signal: AbortSignal): Promise<ResolvedSource> {
  const text = src.trim();
  if (text === '') throw new SourceError('no src: give a magnet link or the URL of a .torrent file');
  const shared = text.toLowerCase().startsWith('magnet:') ? { magnet: text } : sharedTorrent(text, base);
  if (shared !== undefined) {
    try {
      const infoHash = parseMagnet(shared.magnet).infoHash;
      return shared.secret ? { infoHash, input: shared.magnet, secret: shared.secret } : { infoHash, input: shared.magnet };
    } catch (e) {
      throw new SourceError(`the magnet link is not valid: ${errorMessage(e)}`);
    }
  }
  if (!looksLikeTorrentUrl(text)) throw new SourceError(`"${text}" is neither a magnet link, a share link nor the URL of a .torrent file`);
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new SourceError(`"${text}" is neither a magnet link, a share link nor the URL of a .torrent file`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'blob:' && url.protocol !== 'data:') {
    throw new SourceError(`src must be a magnet link or an http(s) URL of a .torrent file, not a ${url.protocol} URL`);
  }
  const bytes = await fetchTorrentFile(url.href, signal);
  try {
    const metainfo = await parseTorrent(bytes);
    return { infoHash: metainfo.infoHash, input: bytes };
  } catch (e) {
    if (e instanceof TabswarmError) throw new SourceError(`${e.message.replace(/\.$/, '')} (${url.href})`);
    throw e;
  }
}

/**
 * Whether `text` can be the URL of a .torrent file: an absolute URL, or a relative one that is a path
 * (`/…`, `./…`, `../…`) or names a `.torrent` file. Anything else (a word, a sentence, a hash) would
 * be fetched from the page's own folder as a relative URL: it is refused with a clear error instead.
 */
export function looksLikeTorrentUrl(text: string): boolean {
  if (/\s/.test(text)) return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return true;
  if (/^(\/|\.\.?\/)/.test(text)) return true;
  return /\.torrent(?:[?#]|$)/i.test(text);
}

/**
 * The magnet link in a tabswarm share link (`https://…/#<hash>`, `…/#magnet:?…`), and a private
 * share's secret (`#<hash>.<secret>`), if `text` is one.
 */
function sharedTorrent(text: string, base: string): SharedTorrent | undefined {
  let href: string;
  try {
    href = new URL(text, base).href;
  } catch {
    return undefined;
  }
  try {
    return shareFromLocation(href);
  } catch (e) {
    if (e instanceof ShareLinkError) throw new SourceError(`the share link is not valid: ${e.message}`);
    return undefined;
  }
}

async function fetchTorrentFile(url: string, signal: AbortSignal): Promise<Uint8Array> {
  try {
    return await fetchTorrent(url, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    throw new SourceError(errorMessage(e));
  }
}

/** How the element shows a file: played, shown as an image, or as a card with a save button. */
export type DisplayKind = 'video' | 'audio' | 'image' | 'card';

export function displayKindOf(name: string): DisplayKind {
  const kind = previewKindOf(name);
  return kind === 'video' || kind === 'audio' || kind === 'image' ? kind : 'card';
}

/** A file's path without the torrent's name in front (as the app shows it). */
export function pathInTorrent(file: TorrentFile, torrentName: string): string {
  const prefix = `${torrentName}/`;
  return file.path.startsWith(prefix) && file.path.length > prefix.length ? file.path.slice(prefix.length) : file.path;
}

/**
 * The file `wanted` names: an index (`"2"`), or a path (with or without the torrent's name in front,
 * or a file name found once). Empty: the largest playable file (video or audio), else the largest
 * image, else the largest file.
 */
export function pickFile(files: readonly TorrentFile[], wanted: string, torrentName: string): TorrentFile {
  const w = wanted.trim();
  if (w === '') {
    const largest = (list: readonly TorrentFile[]) => list.reduce<TorrentFile | undefined>((a, f) => (a && a.length >= f.length ? a : f), undefined);
    const kinds = files.map((f) => displayKindOf(f.name));
    const playable = files.filter((_, i) => kinds[i] === 'video' || kinds[i] === 'audio');
    const images = files.filter((_, i) => kinds[i] === 'image');
    const file = largest(playable) ?? largest(images) ?? largest(files);
    if (!file) throw new SourceError('this torrent has no files');
    return file;
  }
  if (/^\d+$/.test(w)) {
    const file = files[Number(w)];
    if (!file) throw new SourceError(`this torrent has no file ${w} (its files are numbered 0 to ${files.length - 1})`);
    return file;
  }
  const exact = files.find((f) => f.path === w || pathInTorrent(f, torrentName) === w);
  if (exact) return exact;
  const byName = files.filter((f) => f.name === w);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new SourceError(`this torrent has ${byName.length} files named "${w}": give its path or its index`);
  const list = files.slice(0, 5).map((f) => pathInTorrent(f, torrentName));
  const more = files.length > list.length ? `, and ${files.length - list.length} more` : '';
  throw new SourceError(`this torrent has no file "${w}" (it has ${list.join(', ')}${more})`);
}
