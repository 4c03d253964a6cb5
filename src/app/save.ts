/**
 * Saving downloaded files to disk without holding them whole in memory: each file, or a zip of all
 * of them, is streamed into the file the user picks (`showSaveFilePicker`, Chromium). Elsewhere it is
 * an ordinary download streamed by the service worker (src/sw/sw.ts): a hidden frame opens a URL the
 * worker answers as an attachment, reading the bytes from the page a chunk at a time. Only where no
 * service worker controls the page (an insecure origin) is the file read whole into a Blob first.
 */
import { makeZip } from 'client-zip';
import { downloadThroughFrame } from '../shared/download-frame.js';

/** One file to save; `stream()` is called once, only when its bytes are about to be written. */
export interface SaveSource {
  /** The file's own name, suggested as the name to save it under. */
  name: string;
  /** The file's path within the torrent, `/`-separated; its path inside a zip. */
  path: string;
  /** Length in bytes. */
  length: number;
  stream(): ReadableStream<Uint8Array>;
  /** A URL the service worker answers with the file as an attachment, if it can (see `SaveHost.offer`). */
  downloadUrl?: string;
}

/**
 * `saved`: written to the file the user picked; `downloaded`: handed to the browser as a download
 * (the fallback); `cancelled`: the user closed the file picker, nothing was read.
 */
export type SaveOutcome = 'saved' | 'downloaded' | 'cancelled';

/** The subset of the File System Access API used here (not in TypeScript's DOM library). */
export interface SaveFilePickerOptions {
  suggestedName?: string;
  types?: { description?: string; accept: Record<string, string[]> }[];
}
export interface SaveFileHandle {
  createWritable(): Promise<WritableStream<Uint8Array>>;
}

/** A stream to download once through the service worker. */
export interface DownloadOffer {
  name: string;
  size?: number;
  open(): ReadableStream<Uint8Array>;
}

/** The parts of `window` that saving uses; tests pass a fake. */
export interface SaveHost {
  showSaveFilePicker?: (options?: SaveFilePickerOptions) => Promise<SaveFileHandle>;
  document: {
    createElement(tag: 'a'): HTMLAnchorElement;
    createElement(tag: 'iframe'): HTMLIFrameElement;
    body: { append(node: HTMLElement): void };
  };
  /**
   * Hands a stream to the service worker and returns the URL it serves it at, as an attachment
   * (`StreamServer.offer`); absent when no service worker controls the page.
   */
  offer?: (offer: DownloadOffer) => string;
}

const defaultHost = (): SaveHost => window;

/** This page as a {@link SaveHost}, with the service worker's `offer` when one serves the page. */
export function pageHost(offer?: SaveHost['offer']): SaveHost {
  const w: SaveHost = window;
  return { showSaveFilePicker: w.showSaveFilePicker?.bind(window), document, offer };
}

const MAX_NAME_BYTES = 255;
const MAX_EXTENSION_CHARS = 16;

/** C0 and C1 control characters (NUL, newline, escape…) and the line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds, to take them out of file names
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Bidirectional controls (embeddings, overrides, isolates, marks), used to disguise `exe.txt` as `txt.exe`. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Path separators and the other characters Windows forbids in names. */
const RESERVED = /[/\\<>:"|?*]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Device names Windows will not create a file under, with any extension. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

const encoder = new TextEncoder();
const utf8Length = (s: string): number => encoder.encode(s).length;

/** The longest prefix of `s` of at most `maxBytes` bytes of UTF-8, cut between code points. */
function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return s.slice(0, end);
}

const trimEnds = (s: string): string => s.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');

/**
 * A name that is safe to save a file under on any common file system, from a name chosen by whoever
 * made the torrent: no path separators or characters Windows forbids (replaced by `_`), no control
 * or bidirectional control characters (removed), no leading dots (so never `.`, `..` or a hidden
 * file) nor trailing dots and spaces, not a Windows device name, at most 255 bytes of UTF-8 with the
 * extension kept, and never empty (`file`).
 */
export function safeFileName(name: string): string {
  let s = name.replace(LONE_SURROGATE, '\ufffd').normalize('NFC');
  s = s.replace(CONTROL, '').replace(BIDI, '').replace(RESERVED, '_');
  s = trimEnds(s);
  if (WINDOWS_DEVICE.test(s)) s = `_${s}`;
  if (utf8Length(s) > MAX_NAME_BYTES) {
    const dot = s.lastIndexOf('.');
    const extension = dot > 0 && s.length - dot - 1 <= MAX_EXTENSION_CHARS ? s.slice(dot) : '';
    const stem = truncateUtf8(s.slice(0, s.length - extension.length), MAX_NAME_BYTES - utf8Length(extension));
    s = extension && trimEnds(stem) ? `${stem.replace(/[\s.]+$/, '')}${extension}` : trimEnds(truncateUtf8(s, MAX_NAME_BYTES));
  }
  return s || 'file';
}

/**
 * The longest path a zip entry gets, in bytes of UTF-8: what `unzip` (Info-ZIP) and a Linux path
 * (PATH_MAX, 4,096 with its NUL) take. The zip format itself stores a name's length in 16 bits
 * (65,535 bytes at most); client-zip writes a longer one's length modulo 65,536, a corrupt archive.
 */
export const MAX_ZIP_PATH_BYTES = 4095;

/**
 * A path for a zip entry: each `/`- or `\`-separated segment made safe with `safeFileName`, with
 * empty, `.` and `..` segments dropped, so that extracting it cannot leave the target folder; and at
 * most {@link MAX_ZIP_PATH_BYTES} long (see {@link fitPath}).
 */
export function safeZipPath(path: string): string {
  const segments = path
    .split(/[/\\]/)
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .map(safeFileName);
  return segments.length > 0 ? fitPath(segments) : 'file';
}

/**
 * `segments` (safe names of at most 255 bytes each) as one path of at most MAX_ZIP_PATH_BYTES: the
 * file's name, under as many of the leading folders as fit (the deeper ones are left out).
 */
function fitPath(segments: readonly string[]): string {
  const name = segments[segments.length - 1] ?? 'file';
  let room = MAX_ZIP_PATH_BYTES - utf8Length(name);
  const kept: string[] = [];
  for (const folder of segments.slice(0, -1)) {
    const cost = utf8Length(folder) + 1;
    if (cost > room) break;
    kept.push(folder);
    room -= cost;
  }
  kept.push(name);
  return kept.join('/');
}

/**
 * `path`, or `name (2).ext`, `name (3).ext`… if an earlier entry took it (case-insensitively); the
 * name is shortened to make room for the number (the extension kept), and the path still fits.
 */
function uniquePath(path: string, taken: Set<string>): string {
  let candidate = path;
  const segments = path.split('/');
  const base = segments.pop() ?? 'file';
  const dot = base.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const tail = ` (${n})${ext}`;
    candidate = fitPath([...segments, `${truncateUtf8(stem, MAX_NAME_BYTES - utf8Length(tail))}${tail}`]);
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * A zip (stored, not compressed; Zip64 when needed) of `sources` under their safe, unique paths,
 * produced as it is read: each source's `stream()` is opened only when the zip reaches it.
 */
export function zipStream(sources: Iterable<SaveSource> | AsyncIterable<SaveSource>): ReadableStream<Uint8Array> {
  async function* entries() {
    const taken = new Set<string>();
    for await (const source of sources) {
      yield { name: uniquePath(safeZipPath(source.path), taken), size: source.length, input: source.stream() };
    }
  }
  return makeZip(entries());
}

/** Saves one file. Call it from a user gesture (a click): the file picker needs one. */
export function saveFile(source: SaveSource, host: SaveHost = defaultHost()): Promise<SaveOutcome> {
  return saveStream(safeFileName(source.name), () => source.stream(), undefined, host, { size: source.length, url: source.downloadUrl });
}

/** Saves all `sources` as one zip named after `name`. Call it from a user gesture (a click). */
export function saveAllAsZip(name: string, sources: Iterable<SaveSource> | AsyncIterable<SaveSource>, host: SaveHost = defaultHost()): Promise<SaveOutcome> {
  const zipName = safeFileName(/\.zip$/i.test(name) ? name : `${name}.zip`);
  const zip = { description: 'Zip archive', mimeType: 'application/zip', extension: '.zip' };
  return saveStream(zipName, () => zipStream(sources), zip, host);
}

interface FileType {
  description: string;
  mimeType: string;
  extension: string;
}

async function saveStream(
  suggestedName: string,
  open: () => ReadableStream<Uint8Array>,
  type: FileType | undefined,
  host: SaveHost,
  download: { size?: number; url?: string } = {},
): Promise<SaveOutcome> {
  if (host.showSaveFilePicker) {
    let handle: SaveFileHandle | undefined;
    try {
      // Called before any await: the picker needs the click's transient activation.
      const options: SaveFilePickerOptions = { suggestedName };
      if (type) options.types = [{ description: type.description, accept: { [type.mimeType]: [type.extension] } }];
      handle = await host.showSaveFilePicker(options);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return 'cancelled';
      // SecurityError (cross-origin frame, no user activation) and the like: download instead.
    }
    if (handle) {
      const writable = await handle.createWritable();
      // pipeTo closes the file when the stream ends, and aborts it (discarding the write) if the stream fails.
      await open().pipeTo(writable);
      return 'saved';
    }
  }
  const url = download.url ?? host.offer?.({ name: suggestedName, size: download.size, open });
  if (url) {
    downloadThroughFrame(url, { createElement: (tag) => host.document.createElement(tag), append: (node) => host.document.body.append(node) });
    return 'downloaded';
  }
  await downloadBlob(suggestedName, open(), type?.mimeType, host);
  return 'downloaded';
}

/**
 * The last resort, without a service worker: reads the whole stream into a Blob, then downloads it
 * through an object URL. The Blob is `application/octet-stream` (a zip: `application/zip`), never
 * typed from the file's name: the URL has this page's origin, and opened as a page an SVG or HTML
 * file of a torrent would run its script there.
 */
async function downloadBlob(name: string, stream: ReadableStream<Uint8Array>, mimeType: string | undefined, host: SaveHost): Promise<void> {
  const response = new Response(stream, { headers: { 'content-type': mimeType ?? 'application/octet-stream' } });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = host.document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  host.document.body.append(a);
  a.click();
  a.remove();
  // The download reads the URL asynchronously; revoking it at once could cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
