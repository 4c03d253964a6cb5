/**
 * HTTP with `fetch`, with errors a person can act on: the Range requests of web seeds, and .torrent
 * files (a magnet link's `xs=` exact source, an element's `src`).
 */
import { concatBytes } from '../core/bytes.js';
import { WebSeedError, type RangeFetcher } from '../core/webseed.js';
import { TabswarmError, errorMessage } from '../core/errors.js';

/** A .torrent file larger than this is refused (real ones are a few hundred KiB at most). */
export const MAX_TORRENT_FILE_BYTES = 16 * 1024 * 1024;

/** The body was longer than the reader would take (the connection is cut there). */
class TooLong extends Error {}

/**
 * Reads at most `max` bytes of a response's body, as a stream: once more than `max` have come it
 * stops, aborts the request (`abort`, the controller of the fetch's signal: the connection is cut,
 * nothing more is downloaded) and throws {@link TooLong}. So no answer, however long or endless, is
 * held in memory beyond `max` and one chunk.
 */
async function readAtMost(response: Response, max: number, abort: AbortController): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max || !response.body) {
    abort.abort();
    if (declared > max) throw new TooLong();
    return new Uint8Array(await response.arrayBuffer()); // no body: nothing to read
  }
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > max) {
      void reader.cancel().catch(() => undefined);
      abort.abort();
      throw new TooLong();
    }
    parts.push(value);
  }
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}

/** An AbortController that also follows `signal` (the caller's). */
function follow(signal: AbortSignal | undefined): AbortController {
  const abort = new AbortController();
  if (signal?.aborted) abort.abort(signal.reason);
  else signal?.addEventListener('abort', () => abort.abort(signal.reason), { once: true, signal: abort.signal });
  return abort;
}

/**
 * Fetches a .torrent file; rejects with a TabswarmError that says why it could not (or the abort).
 * More than {@link MAX_TORRENT_FILE_BYTES} is refused, said by `Content-Length` or counted as it comes.
 */
export async function fetchTorrentFile(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  const abort = follow(signal);
  let response: Response;
  try {
    response = await fetch(url, { signal: abort.signal, credentials: 'same-origin' });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new TabswarmError(
      `the .torrent file ${url} could not be loaded: the server is unreachable, or it does not let this page read it (CORS: Access-Control-Allow-Origin)`,
    );
  }
  if (!response.ok) {
    abort.abort();
    throw new TabswarmError(`the .torrent file ${url} could not be loaded: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  try {
    return await readAtMost(response, MAX_TORRENT_FILE_BYTES, abort);
  } catch (e) {
    if (e instanceof TooLong) throw new TabswarmError(`${url} is too large for a .torrent file (more than ${MAX_TORRENT_FILE_BYTES} bytes)`);
    if (signal?.aborted) throw e;
    throw new TabswarmError(`the .torrent file ${url} could not be loaded: ${errorMessage(e)}`);
  }
}

/**
 * Fetches bytes [start, end) of `url` with a Range request; anything but those bytes is an error.
 * The body is read as a stream and never past the range: a server that sends more (a longer or
 * endless body, or the whole file as a 200) is cut off there, and `signal` aborts the request.
 */
export const fetchRange: RangeFetcher = async (url, start, end, signal) => {
  const abort = follow(signal);
  let response: Response;
  try {
    response = await fetch(url, { headers: { Range: `bytes=${start}-${end - 1}` }, cache: 'no-store', signal: abort.signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new WebSeedError(
      `web seed ${url} is unreachable or does not allow this page to read it (the server must send CORS headers: ` +
        `Access-Control-Allow-Origin, and allow the Range header)${e instanceof Error ? `: ${e.message}` : ''}`,
    );
  }
  const noRanges = new WebSeedError(`web seed ${url} does not support Range requests (it answered 200 with the whole file)`);
  if (response.status === 200) {
    // The whole file instead of the range: only usable when the range is the whole file, so read
    // no further than the range (and one more byte would prove the file longer).
    if (start !== 0) {
      abort.abort();
      throw noRanges;
    }
    try {
      return await readAtMost(response, end, abort);
    } catch (e) {
      if (e instanceof TooLong) throw noRanges;
      throw readError(url, e, signal);
    }
  }
  if (response.status !== 206) {
    abort.abort();
    throw new WebSeedError(`web seed ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const range = /^bytes (\d+)-(\d+)\//.exec(response.headers.get('Content-Range') ?? '');
  if (range && (Number(range[1]) !== start || Number(range[2]) !== end - 1)) {
    abort.abort();
    throw new WebSeedError(`web seed ${url} answered bytes ${range[1]}-${range[2]} to a request for ${start}-${end - 1}`);
  }
  try {
    return await readAtMost(response, end - start, abort);
  } catch (e) {
    if (e instanceof TooLong) throw new WebSeedError(`web seed ${url} sent more than the ${end - start} bytes asked for`);
    throw readError(url, e, signal);
  }
};

function readError(url: string, e: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return e;
  return new WebSeedError(`web seed ${url}: the answer broke off${e instanceof Error ? ` (${e.message})` : ''}`);
}

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
