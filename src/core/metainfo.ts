/**
 * Metainfo (.torrent files, BEP 3) parsing and validation. The info hash is the SHA-1 of the
 * exact bytes of the `info` value as they appear in the file: never of a re-encoding.
 *
 * Everything a hostile file can get wrong is reported as a {@link TorrentError} whose
 * message says what is wrong; junk in optional fields (trackers, comment, dates) is skipped.
 */
import { decodeWithSpans, decodeWithSpansSliced, isBytes, isDict, isInt, isList, type BDict, type BValue } from './bencode.js';
import { bytesEqual, fromHex, fromUtf8, fromUtf8Strict, toHex } from './bytes.js';
import { TabswarmError, TorrentError } from './errors.js';
import { sha1 } from './sha1.js';
import { Slicer, UNSLICED } from './slicer.js';
import { pathComponentProblem, PathTree, quote } from './torrent-paths.js';

/** Re-exported: they were defined here before torrent-paths.ts. */
export { findPathConflict, pathComponentProblem } from './torrent-paths.js';

/** The smallest piece length we accept: one block. */
export const MIN_PIECE_LENGTH = 16 * 1024;
/** The largest piece length we accept (libtorrent 2 and qBittorrent create up to 256 MiB). */
export const MAX_PIECE_LENGTH = 256 * 1024 * 1024;
/**
 * Larger inputs are parsed in slices of time with turns of the event loop between them (see
 * slicer.ts): a .torrent of 100,000 files (about 5 MB) takes a few hundred milliseconds to parse,
 * which must not freeze a page. Smaller ones (a few thousand files at most) are parsed in one go.
 */
export const SLICED_ABOVE_BYTES = 64 * 1024;
/** Loop iterations between two looks at the slicer's clock. */
const CHECK_EVERY = 1024;

function slicerFor(bytes: Uint8Array): Slicer {
  return bytes.length > SLICED_ABOVE_BYTES ? new Slicer() : UNSLICED;
}

export interface TorrentFileEntry {
  /** Path joined with '/'; for a multi-file torrent it starts with the torrent name (as WebTorrent). */
  path: string;
  /** The components of `path` (so the torrent name first, for a multi-file torrent). */
  pathSegments: string[];
  /** The last path component. */
  name: string;
  length: number;
  /** Offset of the file's first byte within the whole torrent. */
  offset: number;
}

export interface Metainfo {
  /** SHA-1 of the raw info dictionary, 40 lowercase hex digits. */
  infoHash: string;
  infoHashBytes: Uint8Array;
  /** The raw bencoded info dictionary (served to peers over ut_metadata). */
  infoBytes: Uint8Array;
  name: string;
  pieceLength: number;
  lastPieceLength: number;
  /** One 20-byte SHA-1 per piece. */
  pieces: Uint8Array[];
  /** Total bytes of all files. */
  length: number;
  files: TorrentFileEntry[];
  /** True for a single-file torrent (`length` in the info dictionary, not `files`). */
  singleFile: boolean;
  private: boolean;
  /** Every tracker: `announce`, then `announce-list` flattened; deduplicated, in order. */
  announce: string[];
  /** Tracker tiers (BEP 12): `announce-list`, or `[[announce]]` without one. */
  announceList: string[][];
  /** Web seeds (BEP 19). */
  urlList: string[];
  comment?: string;
  createdBy?: string;
  creationDate?: Date;
}

class Checker {
  constructor(private readonly prefix: string) {}
  fail(message: string): never {
    throw new TorrentError(`${this.prefix}: ${message}`);
  }
}

/** A UTF-8 text value, or undefined when `v` is not a byte string of valid UTF-8. */
function text(v: BValue | undefined): string | undefined {
  if (!isBytes(v)) return undefined;
  if (v.length <= 64) {
    // Fast path for short ASCII (most path components): no TextDecoder call.
    let out = '';
    for (const b of v) {
      if (b >= 0x80) return fromUtf8Strict(v);
      out += String.fromCharCode(b);
    }
    return out;
  }
  return fromUtf8Strict(v);
}

/** Reads a name or path component; undefined when absent or not usable. */
function component(v: BValue | undefined): string | undefined {
  const s = text(v);
  return s !== undefined && pathComponentProblem(s) === undefined ? s : undefined;
}

function requireComponent(c: Checker, v: BValue | undefined, describeIt: string | (() => string)): string {
  const what = (): string => (typeof describeIt === 'string' ? describeIt : describeIt());
  if (v === undefined) c.fail(`${what()} is missing`);
  if (!isBytes(v)) c.fail(`${what()} is not a string`);
  const s = text(v);
  if (s === undefined) c.fail(`${what()} is not valid UTF-8`);
  const problem = pathComponentProblem(s);
  if (problem !== undefined) c.fail(`${what()} ${quote(s)} ${problem}`);
  return s;
}

function requireLength(c: Checker, v: BValue | undefined, what: string): number {
  if (v === undefined) c.fail(`${what} is missing`);
  if (!isInt(v)) c.fail(`${what} is not an integer`);
  if (v < 0) c.fail(`${what} is negative (${v})`);
  return v;
}

function readPath(c: Checker, file: BDict, index: number): string[] {
  const utf8Path = file['path.utf-8'];
  if (isList(utf8Path) && utf8Path.length > 0) {
    const parts = utf8Path.map(component);
    if (parts.every((p): p is string => p !== undefined)) return parts;
  }
  const path = file['path'];
  if (path === undefined) c.fail(`file ${index} has no 'path'`);
  if (!isList(path)) c.fail(`the 'path' of file ${index} is not a list`);
  if (path.length === 0) c.fail(`the 'path' of file ${index} is empty`);
  return path.map((p, j) => requireComponent(c, p, () => `component ${j} of the path of file ${index}`));
}

interface FileSpec {
  segments: string[];
  length: number;
}

async function readFiles(c: Checker, info: BDict, slicer: Slicer): Promise<{ files: FileSpec[]; single: boolean }> {
  const length = info['length'];
  const files = info['files'];
  if (length !== undefined && files !== undefined) c.fail("the info dictionary has both 'length' and 'files'");
  if (length !== undefined) return { files: [{ segments: [], length: requireLength(c, length, "'length'") }], single: true };
  if (files === undefined) {
    if (info['meta version'] === 2 || info['file tree'] !== undefined) {
      c.fail('this is a BitTorrent v2-only torrent, which is not supported (a hybrid v1/v2 torrent works)');
    }
    c.fail("the info dictionary has neither 'length' nor 'files'");
  }
  if (!isList(files)) c.fail("'files' is not a list");
  if (files.length === 0) c.fail("'files' is an empty list");
  const out: FileSpec[] = [];
  for (let i = 0; i < files.length; i++) {
    if (i % CHECK_EVERY === 0) await slicer.check();
    const f = files[i];
    if (!isDict(f)) c.fail(`file ${i} is not a dictionary`);
    out.push({ segments: readPath(c, f, i), length: requireLength(c, f['length'], `the 'length' of file ${i}`) });
  }
  return { files: out, single: false };
}

interface InfoFields {
  name: string;
  pieceLength: number;
  lastPieceLength: number;
  pieces: Uint8Array[];
  length: number;
  files: TorrentFileEntry[];
  singleFile: boolean;
  private: boolean;
}

async function readInfo(c: Checker, info: BDict, slicer: Slicer): Promise<InfoFields> {
  const name = component(info['name.utf-8']) ?? requireComponent(c, info['name'], "the torrent 'name'");

  const pieceLength = info['piece length'];
  if (pieceLength === undefined) c.fail("'piece length' is missing");
  if (!isInt(pieceLength)) c.fail("'piece length' is not an integer");
  if (pieceLength < MIN_PIECE_LENGTH) c.fail(`the piece length ${pieceLength} is below the minimum of ${MIN_PIECE_LENGTH} bytes`);
  if (pieceLength > MAX_PIECE_LENGTH) c.fail(`the piece length ${pieceLength} is above the maximum of ${MAX_PIECE_LENGTH} bytes`);
  if ((pieceLength & (pieceLength - 1)) !== 0) c.fail(`the piece length ${pieceLength} is not a power of two`);

  const { files: specs, single } = await readFiles(c, info, slicer);
  let total = 0;
  const files: TorrentFileEntry[] = [];
  const tree = new PathTree();
  let conflict: string | undefined;
  for (let i = 0; i < specs.length; i++) {
    if (i % CHECK_EVERY === 0) await slicer.check();
    const spec = specs[i]!;
    const segments = single ? [name] : [name, ...spec.segments];
    files.push({ path: segments.join('/'), pathSegments: segments, name: segments[segments.length - 1]!, length: spec.length, offset: total });
    total += spec.length;
    if (!Number.isSafeInteger(total)) c.fail(`the total length passes the safe integer range at file ${i}`);
    if (!single) conflict ??= tree.add(segments);
  }
  if (total === 0) c.fail('the torrent has no data (its total length is 0 bytes)');
  if (conflict !== undefined) c.fail(conflict);

  const pieces = info['pieces'];
  if (pieces === undefined) c.fail("'pieces' is missing");
  if (!isBytes(pieces)) c.fail("'pieces' is not a byte string");
  if (pieces.length % 20 !== 0) c.fail(`'pieces' holds ${pieces.length} bytes, which is not a multiple of 20`);
  const pieceCount = Math.ceil(total / pieceLength);
  if (pieces.length !== pieceCount * 20) {
    c.fail(`'pieces' holds ${pieces.length / 20} hashes, but ${total} bytes in pieces of ${pieceLength} make ${pieceCount}`);
  }
  const own = new Uint8Array(pieces); // a copy: the hashes alone, not a view into the whole file
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < pieceCount; i++) {
    if (i % CHECK_EVERY === 0) await slicer.check();
    hashes.push(own.subarray(i * 20, i * 20 + 20));
  }

  const priv = info['private'];
  if (priv !== undefined && priv !== 0 && priv !== 1) c.fail("'private' is neither 0 nor 1");

  return {
    name,
    pieceLength,
    lastPieceLength: total - (pieceCount - 1) * pieceLength,
    pieces: hashes,
    length: total,
    files,
    singleFile: single,
    private: priv === 1,
  };
}

/** A tracker or web seed URL: a non-empty UTF-8 string, else undefined (junk is skipped). */
function url(v: BValue | undefined): string | undefined {
  const s = text(v)?.trim();
  return s ? s : undefined;
}

function readTrackers(top: BDict): { announce: string[]; announceList: string[][] } {
  const tiers: string[][] = [];
  const list = top['announce-list'];
  if (isList(list)) {
    for (const tier of list) {
      // A flat list of URLs (a common mistake) reads as one tier per URL.
      const urls = (isList(tier) ? tier : [tier]).map(url).filter((u): u is string => u !== undefined);
      if (urls.length > 0) tiers.push(urls);
    }
  }
  const single = url(top['announce']);
  if (tiers.length === 0 && single !== undefined) tiers.push([single]);
  const announce = [...new Set([...(single === undefined ? [] : [single]), ...tiers.flat()])];
  return { announce, announceList: tiers };
}

function readUrlList(top: BDict): string[] {
  const v = top['url-list'];
  const items = isList(v) ? v : [v];
  return [...new Set(items.map(url).filter((u): u is string => u !== undefined))];
}

async function hashInfo(
  infoBytes: Uint8Array,
  hasher: (data: Uint8Array) => Promise<Uint8Array> = sha1,
): Promise<{ infoHash: string; infoHashBytes: Uint8Array }> {
  const infoHashBytes = await hasher(infoBytes);
  return { infoHash: toHex(infoHashBytes), infoHashBytes };
}

async function decodeOrFail(c: Checker, bytes: Uint8Array, slicer: Slicer): ReturnType<typeof decodeWithSpansSliced> {
  try {
    return slicer === UNSLICED ? decodeWithSpans(bytes) : await decodeWithSpansSliced(bytes, slicer);
  } catch (err) {
    if (err instanceof TabswarmError) c.fail(`malformed bencode: ${err.message}`);
    throw err;
  }
}

function describe(v: BValue): string {
  if (isInt(v)) return 'an integer';
  if (isBytes(v)) return 'a string';
  if (isList(v)) return 'a list';
  return 'a dictionary';
}

/** Decodes and validates an info dictionary given as its raw bytes. */
async function parseInfoBytes(c: Checker, infoBytes: Uint8Array): Promise<InfoFields> {
  const slicer = slicerFor(infoBytes);
  const { value } = await decodeOrFail(c, infoBytes, slicer);
  if (!isDict(value)) c.fail(`the info dictionary is ${describe(value)}`);
  return readInfo(c, value, slicer);
}

/**
 * Parses a .torrent file. Throws {@link TorrentError} (a {@link TabswarmError}) when the
 * file is malformed, with a message saying what is wrong.
 */
export async function parseTorrent(bytes: Uint8Array): Promise<Metainfo> {
  const c: Checker = new Checker('Not a valid .torrent file');
  if (!(bytes instanceof Uint8Array)) c.fail('the input is not a Uint8Array');
  if (bytes.length === 0) c.fail('the file is empty');
  if (bytes[0] !== 0x64) {
    const head = fromUtf8(bytes.subarray(0, 7)).toLowerCase();
    if (head.startsWith('magnet:')) c.fail('this is a magnet link, not a .torrent file');
    if (head.startsWith('<')) c.fail('this looks like an HTML page, not a .torrent file');
    c.fail("it does not start with a bencoded dictionary ('d')");
  }
  const slicer = slicerFor(bytes);
  const { value, spans } = await decodeOrFail(c, bytes, slicer);
  if (!isDict(value)) c.fail(`the top level is ${describe(value)}, not a dictionary`);
  const info = value['info'];
  const span = spans.get('info');
  if (info === undefined || span === undefined) c.fail("it has no 'info' dictionary");
  if (!isDict(info)) c.fail(`'info' is ${describe(info)}, not a dictionary`);
  // A copy (new Uint8Array, since Node's Buffer#slice would share memory).
  const infoBytes = new Uint8Array(bytes.subarray(span.start, span.end));
  const fields = await readInfo(c, info, slicer);

  const trackers = readTrackers(value);
  const meta: Metainfo = {
    ...(await hashInfo(infoBytes)),
    infoBytes,
    ...fields,
    ...trackers,
    urlList: readUrlList(value),
  };
  const comment = text(value['comment.utf-8']) ?? text(value['comment']);
  if (comment !== undefined) meta.comment = comment;
  const createdBy = text(value['created by']);
  if (createdBy !== undefined) meta.createdBy = createdBy;
  const date = value['creation date'];
  if (isInt(date)) {
    const d = new Date(date * 1000);
    if (!Number.isNaN(d.getTime())) meta.creationDate = d;
  }
  return meta;
}

/**
 * Validates an info dictionary received from peers (ut_metadata, BEP 9) and builds the
 * same object as {@link parseTorrent}, without trackers. When `infoHash` is given (hex or
 * 20 bytes), the bytes must hash to it.
 */
export async function parseInfoDict(
  infoBytes: Uint8Array,
  infoHash?: string | Uint8Array,
  /** SHA-1 to use (default SubtleCrypto); the engine passes its own injected hasher. */
  hasher?: (data: Uint8Array) => Promise<Uint8Array>,
): Promise<Metainfo> {
  const c: Checker = new Checker('Invalid torrent metadata');
  if (!(infoBytes instanceof Uint8Array)) c.fail('the input is not a Uint8Array');
  if (infoBytes.length === 0) c.fail('the info dictionary is empty');
  const own = new Uint8Array(infoBytes);
  const fields = await parseInfoBytes(c, own);
  const hashed = await hashInfo(own, hasher);
  if (infoHash !== undefined) {
    const expected = typeof infoHash === 'string' ? fromHex(infoHash) : infoHash;
    if (expected === undefined || expected.length !== 20) c.fail('the expected info hash is not 20 bytes (40 hex digits)');
    if (!bytesEqual(expected, hashed.infoHashBytes)) {
      c.fail(`the info dictionary hashes to ${hashed.infoHash}, not to ${toHex(expected)}`);
    }
  }
  return { ...hashed, infoBytes: own, ...fields, announce: [], announceList: [], urlList: [] };
}
