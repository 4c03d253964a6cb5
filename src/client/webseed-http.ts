/**
 * The HTTP side of web seeds: Range requests with `fetch`, and errors a person can act on.
 */
import { WebSeedError, type RangeFetcher } from '../core/webseed.js';

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
