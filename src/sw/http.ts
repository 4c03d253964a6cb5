/**
 * The HTTP side of streaming, as pure functions shared by the service worker and the page: stream
 * URLs, `Range` parsing (RFC 9110 §14), the headers of each answer, content types by extension and
 * `Content-Disposition`. No DOM or worker API here, so it is tested in Node.
 */

/**
 * The path under the service worker's scope where its streams are; it answers only URLs there shaped
 * as a stream of a torrent a page has (see {@link routeRequest}), the site's others go to the network.
 */
export const STREAM_PREFIX = 'stream/';
/** The service worker's URL at the app's root (so that its scope covers the app). */
export const SERVICE_WORKER_FILE = 'tabswarm-sw.js';

/** What a stream URL names: one file of a torrent, or a one-shot download offered by the page. */
export type StreamTarget = { kind: 'file'; infoHash: string; fileIndex: number } | { kind: 'offer'; id: string };

export interface ParsedStreamUrl {
  target: StreamTarget;
  /** `?download`: answered as an attachment (saved, not shown). */
  download: boolean;
}

const HEX_40 = /^[0-9a-f]{40}$/;
const OFFER_ID = /^[0-9a-z]{8,64}$/;

/** The last path segment: a readable name for the URL (the answer's name comes from the page). */
function nameSegment(name: string): string {
  return encodeURIComponent(name.split('/').pop() || 'file');
}

/** `<scope>stream/<infoHash>/<fileIndex>/<name>`, with `?download` for an attachment. */
export function fileStreamUrl(scope: string, infoHash: string, fileIndex: number, name: string, download = false): string {
  return `${scope}${STREAM_PREFIX}${infoHash}/${fileIndex}/${nameSegment(name)}${download ? '?download' : ''}`;
}

/** `<scope>stream/offer/<id>/<name>`: a stream the page offers once, as an attachment. */
export function offerStreamUrl(scope: string, id: string, name: string): string {
  return `${scope}${STREAM_PREFIX}offer/${id}/${nameSegment(name)}`;
}

/**
 * The target of a stream URL under `scope`: `<scope>stream/<40 hex>/<file index>/<name>` or
 * `<scope>stream/offer/<id>/<name>`, nothing more or less. Undefined for any other URL, under the
 * stream path or not: the site's own URL, which the worker leaves to the network.
 */
export function parseStreamUrl(url: string, scope: string): ParsedStreamUrl | undefined {
  const base = scope + STREAM_PREFIX;
  if (!url.startsWith(base)) return undefined;
  const parsed = new URL(url);
  const rest = url.slice(base.length).split(/[?#]/)[0]!;
  const parts = rest.split('/');
  const download = parsed.searchParams.has('download');
  if (parts.length !== 3 || parts[2] === '') return undefined;
  const [first, second] = parts as [string, string, string];
  if (first === 'offer') return OFFER_ID.test(second) ? { target: { kind: 'offer', id: second }, download: true } : undefined;
  const infoHash = first.toLowerCase();
  if (!HEX_40.test(infoHash) || !/^(0|[1-9][0-9]{0,8})$/.test(second)) return undefined;
  return { target: { kind: 'file', infoHash, fileIndex: Number(second) }, download };
}

/** What the worker knows when a request comes (see {@link routeRequest}). */
export interface RouteContext {
  /** The worker's scope. */
  scope: string;
  /** Whether a page of this worker has said it has the torrent of this info hash. */
  has(infoHash: string): boolean;
  /** Whether every page has said what it has since this worker started (a restarted worker knows nothing). */
  complete: boolean;
  /** Whether the request comes from a page that streams (its word about a new torrent may still be on the way). */
  fromStreamingPage: boolean;
}

/**
 * `network`: not a tabswarm stream (another path, another shape, a method other than GET or HEAD,
 * or a torrent no page of the worker has): the worker does not answer it, so a site's own URLs under
 * `stream/` reach its server as if there were no worker. `stream`: the worker answers from a page,
 * or, when no page turns out to have it, with the network's answer (a torrent the worker did not
 * know of yet, a one-shot download).
 */
export type Route = { kind: 'network' } | { kind: 'stream'; stream: ParsedStreamUrl };

export function routeRequest(method: string, url: string, context: RouteContext): Route {
  const network = { kind: 'network' } as const;
  if (method !== 'GET' && method !== 'HEAD') return network;
  const stream = parseStreamUrl(url, context.scope);
  if (!stream) return network;
  const target = stream.target;
  if (target.kind === 'offer' || context.has(target.infoHash) || !context.complete || context.fromStreamingPage) return { kind: 'stream', stream };
  return network;
}

/** A byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What a `Range` header asks of a resource of `size` bytes:
 * - `{ kind: 'full' }`: no range (or one the server may ignore: not `bytes`, malformed, several
 *   ranges), answered 200 with the whole body;
 * - `{ kind: 'range', start, end }`: one satisfiable range, clamped to the size, answered 206;
 * - `{ kind: 'unsatisfiable' }`: a valid range that lies wholly past the end, answered 416.
 */
export type RangeRequest = { kind: 'full' } | ({ kind: 'range' } & ByteRange) | { kind: 'unsatisfiable' };

export function parseRange(header: string | null | undefined, size: number): RangeRequest {
  if (header === null || header === undefined) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'full' };
  const [, first, last] = m as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // A suffix: the last N bytes.
    const n = Number(last);
    if (!Number.isSafeInteger(n)) return { kind: 'full' };
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - n), end: size };
  }
  const start = Number(first);
  const end = last === '' ? size : Number(last) + 1;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { kind: 'full' };
  if (last !== '' && end <= start) return { kind: 'full' }; // last < first: invalid, ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end: Math.min(end, size) };
}

const TYPES: Record<string, string> = {
  // video
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  ogv: 'video/ogg',
  // audio
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  weba: 'audio/webm',
  // images
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
  // documents
  pdf: 'application/pdf',
  // text: shown as text, never run (HTML, SVG and XML from a torrent must not run on this origin)
  txt: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  csv: 'text/plain; charset=utf-8',
  tsv: 'text/plain; charset=utf-8',
  json: 'text/plain; charset=utf-8',
  srt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  nfo: 'text/plain; charset=utf-8',
  xml: 'text/plain; charset=utf-8',
  html: 'text/plain; charset=utf-8',
  htm: 'text/plain; charset=utf-8',
  js: 'text/plain; charset=utf-8',
  css: 'text/plain; charset=utf-8',
  ini: 'text/plain; charset=utf-8',
  yaml: 'text/plain; charset=utf-8',
  yml: 'text/plain; charset=utf-8',
  zip: 'application/zip',
};

export const DEFAULT_TYPE = 'application/octet-stream';

/** The content type for a file name, from its extension (case-insensitive). */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  return TYPES[ext] ?? DEFAULT_TYPE;
}

/**
 * Media types a browser shows without running anything of the file, even when a person opens its
 * URL as a page (a player or an image document): video, audio and raster images. Of a torrent's
 * files only these may be given a type in an object URL, which has the page's own origin and no
 * headers (no sandbox CSP, no `nosniff`): SVG, HTML, XHTML, XML (and any other type) open as a
 * document that runs its scripts on that origin.
 */
const INERT_TYPES = new Set([
  'video/webm',
  'video/x-matroska',
  'video/mp4',
  'video/quicktime',
  'video/ogg',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/ogg',
  'audio/flac',
  'audio/wav',
  'audio/webm',
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/x-icon',
]);

/** The type of `name` if it is an inert media type (see {@link INERT_TYPES}), else undefined. */
export function inertTypeOf(name: string): string | undefined {
  const type = contentTypeOf(name);
  return INERT_TYPES.has(type) ? type : undefined;
}

/** How the app can show a file of this name in the page, if at all. */
export type PreviewKind = 'video' | 'audio' | 'image' | 'pdf' | 'text';

export function previewKindOf(name: string): PreviewKind | undefined {
  const type = contentTypeOf(name);
  if (type === 'image/x-icon') return 'image';
  const [major] = type.split('/');
  if (major === 'video' || major === 'audio' || major === 'image') return major;
  if (type === 'application/pdf') return 'pdf';
  if (major === 'text') return 'text';
  return undefined;
}

/** `Content-Disposition` with an ASCII fallback name and the exact one (RFC 6266, RFC 8187). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** Everything that decides an answer's status and headers. */
export interface AnswerInput {
  /** The resource's bytes; undefined when unknown (an offered stream of unknown length). */
  size: number | undefined;
  /** The name the bytes go by (content type, download name). */
  name: string;
  /** The request's `Range` header. */
  range: string | null;
  /** Whether ranges are served (not for a one-shot stream, which can be read only once, in order). */
  ranges: boolean;
  download: boolean;
}

export interface Answer {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** The bytes to send, `end` exclusive; absent for a 416 or a stream of unknown length. */
  body: ByteRange | undefined;
}

/**
 * Status, headers and byte range for a request: 200 with the whole body without `Range`, 206 with
 * `Content-Range` for one satisfiable range, 416 with `Content-Range: bytes *\/size` otherwise.
 * Content of the page's own origin is never sniffed nor run: `nosniff`, and a sandbox CSP (but for
 * PDFs, which the browser's viewer cannot show sandboxed and which run no script of this origin).
 */
export function answer(input: AnswerInput): Answer {
  const type = contentTypeOf(input.name);
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': contentDisposition(input.download ? 'attachment' : 'inline', input.name),
  };
  if (type !== 'application/pdf') {
    headers['Content-Security-Policy'] = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'";
  }
  const size = input.size;
  if (size === undefined) return { status: 200, headers, body: undefined };
  if (input.ranges) headers['Accept-Ranges'] = 'bytes';
  const range = input.ranges ? parseRange(input.range, size) : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    headers['Content-Range'] = `bytes */${size}`;
    headers['Content-Length'] = '0';
    return { status: 416, headers, body: undefined };
  }
  if (range.kind === 'full') {
    headers['Content-Length'] = String(size);
    return { status: 200, headers, body: { start: 0, end: size } };
  }
  headers['Content-Length'] = String(range.end - range.start);
  headers['Content-Range'] = `bytes ${range.start}-${range.end - 1}/${size}`;
  return { status: 206, headers, body: { start: range.start, end: range.end } };
}
