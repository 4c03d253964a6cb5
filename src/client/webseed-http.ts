/**
 * HTTP with `fetch`, with errors a person can act on: the Range requests of web seeds, and .torrent
 * files (a magnet link's `xs=` exact source, an element's `src`).
 */
import { WebSeedError, type RangeFetcher } from '../core/webseed.js';
import { TabswarmError } from '../core/errors.js';

/** A .torrent file larger than this is refused (real ones are a few hundred KiB at most). */
export const MAX_TORRENT_FILE_BYTES = 16 * 1024 * 1024;

/** Fetches a .torrent file; rejects with a TabswarmError that says why it could not (or the abort). */
export async function fetchTorrentFile(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new TabswarmError(
      `the .torrent file ${url} could not be loaded: the server is unreachable, or it does not let this page read it (CORS: Access-Control-Allow-Origin)`,
    );
  }
  if (!response.ok) {
    void response.body?.cancel();
    throw new TabswarmError(`the .torrent file ${url} could not be loaded: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_TORRENT_FILE_BYTES) {
    void response.body?.cancel();
    throw new TabswarmError(`${url} is too large for a .torrent file (${declared} bytes)`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_TORRENT_FILE_BYTES) throw new TabswarmError(`${url} is too large for a .torrent file (${bytes.length} bytes)`);
  return bytes;
}

/** Fetches bytes [start, end) of `url` with a Range request; anything but those bytes is an error. */
export const fetchRange: RangeFetcher = async (url, start, end) => {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: `bytes=${start}-${end - 1}` }, cache: 'no-store' });
  } catch (e) {
    throw new WebSeedError(
      `web seed ${url} is unreachable or does not allow this page to read it (the server must send CORS headers: ` +
        `Access-Control-Allow-Origin, and allow the Range header)${e instanceof Error ? `: ${e.message}` : ''}`,
    );
  }
  if (response.status === 200) {
    // The whole file instead of the range: only usable when the range is the whole file.
    const body = new Uint8Array(await response.arrayBuffer());
    if (start === 0 && body.length === end) return body;
    throw new WebSeedError(`web seed ${url} does not support Range requests (it answered 200 with the whole file)`);
  }
  if (response.status !== 206) {
    void response.body?.cancel();
    throw new WebSeedError(`web seed ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const range = /^bytes (\d+)-(\d+)\//.exec(response.headers.get('Content-Range') ?? '');
  if (range && (Number(range[1]) !== start || Number(range[2]) !== end - 1)) {
    void response.body?.cancel();
    throw new WebSeedError(`web seed ${url} answered bytes ${range[1]}-${range[2]} to a request for ${start}-${end - 1}`);
  }
  return new Uint8Array(await response.arrayBuffer());
};

/** A stable 20-byte id for a web seed's URL (it shows as the "peer id" of that source). */
export function webSeedPeerId(url: string): Uint8Array {
  const id = new TextEncoder().encode('-WS0001-____________');
  let h = 2166136261;
  for (let i = 0; i < url.length; i++) h = Math.imul(h ^ url.charCodeAt(i), 16777619) >>> 0;
  for (let i = 8; i < 20; i++) {
    id[i] = 97 + (h % 26);
    h = Math.imul(h ^ i, 16777619) >>> 0;
  }
  return id;
}
