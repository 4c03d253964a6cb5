/**
 * Creating a torrent from files (BEP 3), hashing piece by piece. The torrent name, the order of
 * files and the stripping of a common directory follow create-torrent, so the same files with
 * the same name and piece length give the same info hash as WebTorrent.
 */
import { formatMagnet } from './magnet.js';
import { encode, type BEncodable } from './bencode.js';
import { TorrentError } from './errors.js';
import { PieceGeometry } from './geometry.js';
import { MAX_PIECE_LENGTH, MIN_PIECE_LENGTH, parseTorrent, type Metainfo } from './metainfo.js';
import { findPathConflict, pathComponentProblem } from './torrent-paths.js';
import { sha1 } from './sha1.js';

/** The part of a DOM Blob (or File) that hashing needs; the core has no DOM types. */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface TorrentInputFile {
  /** '/'-separated path, e.g. a File's webkitRelativePath, or just its name. A leading '/' is ignored. */
  path: string;
  data: Uint8Array | BlobLike;
}

export interface CreateTorrentOptions {
  /** Torrent name; by default the common first directory, else the first file's name. */
  name?: string;
  /** A power of two from 16 KiB; by default chosen from the total size (see {@link defaultPieceLength}). */
  pieceLength?: number;
  announce?: string[];
  urlList?: string[];
  private?: boolean;
  comment?: string;
  /** Default {@link DEFAULT_CREATED_BY}. */
  createdBy?: string;
  /** A Date, or Unix time in seconds. Default: now. */
  creationDate?: number | Date;
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

export interface CreatedTorrent {
  infoHash: string;
  infoHashBytes: Uint8Array;
  torrentFile: Uint8Array;
  magnetURI: string;
  pieceLength: number;
  length: number;
  metainfo: Metainfo;
}

export const DEFAULT_CREATED_BY = 'tabswarm/0.1.0';
/** The largest piece length chosen automatically (as create-torrent). */
export const MAX_DEFAULT_PIECE_LENGTH = 4 * 1024 * 1024;
/** Bytes read from a Blob at a time. */
const READ_CHUNK = 4 * 1024 * 1024;
/** Pieces being hashed at once. */
const MAX_OUTSTANDING_HASHES = 4;

/**
 * The smallest piece length chosen automatically. create-torrent goes down to 16 KiB (64 KiB for a
 * 64 MiB file), but in a browser each piece costs a fixed amount whatever its size: an IndexedDB
 * record (Chromium keeps every value over 64 KiB as a blob file of its own), a read from the shared
 * File, a hash call, a `have` to every peer. Moving 64 MiB between two tabs took 15-17 CPU-seconds in
 * 64 KiB pieces and about 10 in 256 KiB pieces, and ran 20 % faster (README, "The benchmark"). 256 KiB
 * is also the classic BitTorrent default (mktorrent's). Pass `pieceLength` to get create-torrent's
 * choice, and so WebTorrent's info hash for the same files.
 */
export const MIN_DEFAULT_PIECE_LENGTH = 256 * 1024;

/**
 * Piece length for `totalBytes`: 2^round(log2(total / 1 KiB)) as create-torrent chooses it, within
 * [256 KiB, 4 MiB] (create-torrent: [16 KiB, 4 MiB]; the two agree from about 181 MiB up).
 */
export function defaultPieceLength(totalBytes: number): number {
  const exponent = Math.round(Math.log2(Math.max(1, totalBytes / 1024)));
  return Math.min(MAX_DEFAULT_PIECE_LENGTH, Math.max(MIN_DEFAULT_PIECE_LENGTH, 2 ** exponent));
}

function fail(message: string): never {
  throw new TorrentError(`Cannot create the torrent: ${message}`);
}

/** True when a string holds an unpaired UTF-16 surrogate (it has no UTF-8 form). */
function hasLoneSurrogate(s: string): boolean {
  return /\p{Cs}/u.test(s);
}

function checkText(s: unknown, what: string): string {
  if (typeof s !== 'string') fail(`${what} is not a string`);
  if (hasLoneSurrogate(s)) fail(`${what} ${JSON.stringify(s)} is not valid Unicode`);
  return s;
}

function checkComponent(s: string, what: string): string {
  checkText(s, what);
  const problem = pathComponentProblem(s);
  if (problem !== undefined) fail(`${what} ${JSON.stringify(s)} ${problem}`);
  return s;
}

function sizeOf(data: Uint8Array | BlobLike, path: string): number {
  const size = data instanceof Uint8Array ? data.length : data.size;
  if (!Number.isSafeInteger(size) || size < 0) fail(`the size of ${JSON.stringify(path)} is not a byte count`);
  return size;
}

interface Layout {
  name: string;
  single: boolean;
  /** Each file's path inside the torrent (without the torrent name). */
  paths: string[][];
}

/** Chooses the name, the single/multi-file form and the in-torrent paths, as create-torrent does. */
function layOut(files: readonly TorrentInputFile[], name: string | undefined): Layout {
  const split = files.map((f, i) => {
    const segments = checkText(f.path, `the path of file ${i}`).split('/');
    if (segments[0] === '') segments.shift();
    segments.forEach((s) => checkComponent(s, `a component of the path ${JSON.stringify(f.path)}`));
    return segments;
  });
  const first = split[0]!;
  if (split.length === 1 && first.length === 1) {
    return { name: checkComponent(name ?? first[0]!, 'the torrent name'), single: true, paths: [first] };
  }
  // A common first directory (every path has one, and it is the same) is stripped and names the torrent.
  const prefix = first.length >= 2 ? first[0]! : undefined;
  const common = prefix !== undefined && split.every((s) => s.length >= 2 && s[0] === prefix);
  const paths = common ? split.map((s) => s.slice(1)) : split;
  const chosen = name ?? (common ? prefix : first[first.length - 1]!);
  return { name: checkComponent(chosen, 'the torrent name'), single: false, paths };
}

function checkPieceLength(n: number): number {
  if (!Number.isSafeInteger(n) || n < MIN_PIECE_LENGTH || n > MAX_PIECE_LENGTH || (n & (n - 1)) !== 0) {
    fail(`the piece length ${n} is not a power of two from ${MIN_PIECE_LENGTH} to ${MAX_PIECE_LENGTH}`);
  }
  return n;
}

function unixSeconds(date: number | Date | undefined): number {
  const seconds = date === undefined ? Date.now() / 1000 : date instanceof Date ? date.getTime() / 1000 : date;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > Number.MAX_SAFE_INTEGER) fail('the creation date is not a valid time');
  return Math.floor(seconds);
}

/** Reads the files in order, in chunks, and hashes each piece of their concatenation. */
async function hashPieces(
  files: readonly TorrentInputFile[],
  sizes: readonly number[],
  geometry: PieceGeometry,
  onProgress: ((hashedBytes: number, totalBytes: number) => void) | undefined,
): Promise<Uint8Array> {
  const hashes = new Uint8Array(geometry.pieceCount * 20);
  const pending: Promise<void>[] = [];
  let hashed = 0;
  let index = 0;
  let piece: Uint8Array | undefined;
  let fill = 0;

  const emit = async (bytes: Uint8Array): Promise<void> => {
    const i = index++;
    const job = sha1(bytes).then((h) => {
      hashes.set(h, i * 20);
      hashed += bytes.length;
      onProgress?.(hashed, geometry.length);
    });
    job.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    pending.push(job);
    if (pending.length >= MAX_OUTSTANDING_HASHES) await pending.shift();
  };

  const feed = async (chunk: Uint8Array): Promise<void> => {
    let at = 0;
    while (at < chunk.length) {
      const size = geometry.pieceSize(index);
      if (fill === 0 && chunk.length - at >= size) {
        await emit(chunk.subarray(at, at + size)); // a whole piece inside the chunk: no copy
        at += size;
        continue;
      }
      piece ??= new Uint8Array(size);
      const take = Math.min(size - fill, chunk.length - at);
      piece.set(chunk.subarray(at, at + take), fill);
      fill += take;
      at += take;
      if (fill === size) {
        const full = piece;
        piece = undefined;
        fill = 0;
        await emit(full);
      }
    }
  };

  for (let f = 0; f < files.length; f++) {
    const { data, path } = files[f]!;
    const size = sizes[f]!;
    if (data instanceof Uint8Array) {
      await feed(data);
      continue;
    }
    for (let start = 0; start < size; start += READ_CHUNK) {
      const end = Math.min(size, start + READ_CHUNK);
      const chunk = new Uint8Array(await data.slice(start, end).arrayBuffer());
      if (chunk.length !== end - start) fail(`${JSON.stringify(path)} changed while it was being read`);
      await feed(chunk);
    }
  }
  await Promise.all(pending);
  return hashes;
}

/**
 * Creates a torrent from `files` (in the given order). Throws {@link TorrentError} for no
 * data, bad paths or names, or a bad piece length.
 */
export async function createTorrent(files: readonly TorrentInputFile[], opts: CreateTorrentOptions = {}): Promise<CreatedTorrent> {
  if (files.length === 0) fail('no files were given');
  const name = opts.name === undefined ? undefined : checkText(opts.name, 'the torrent name');
  const layout = layOut(files, name);
  const conflict = layout.single ? undefined : findPathConflict(layout.paths);
  if (conflict !== undefined) fail(conflict);
  const sizes = files.map((f) => sizeOf(f.data, f.path));
  let length = 0;
  for (const s of sizes) {
    length += s;
    if (!Number.isSafeInteger(length)) fail('the files are too large');
  }
  if (length === 0) fail('the files hold no data (a torrent needs at least one byte)');
  const pieceLength = opts.pieceLength === undefined ? defaultPieceLength(length) : checkPieceLength(opts.pieceLength);
  const announce = (opts.announce ?? []).map((u, i) => checkText(u, `tracker ${i}`)).filter((u) => u.length > 0);
  const urlList = (opts.urlList ?? []).map((u, i) => checkText(u, `web seed ${i}`)).filter((u) => u.length > 0);

  let offset = 0;
  const geometry = new PieceGeometry({
    length,
    pieceLength,
    files: sizes.map((s) => {
      const entry = { length: s, offset };
      offset += s;
      return entry;
    }),
  });
  const pieces = await hashPieces(files, sizes, geometry, opts.onProgress);

  const info: Record<string, BEncodable | undefined> = {
    name: layout.name,
    'piece length': pieceLength,
    pieces,
    private: opts.private === true ? 1 : undefined,
  };
  if (layout.single) info['length'] = length;
  else info['files'] = layout.paths.map((path, i) => ({ length: sizes[i]!, path }));

  const torrentFile = encode({
    announce: announce[0],
    'announce-list': announce.length > 1 ? announce.map((u) => [u]) : undefined,
    'url-list': urlList.length > 0 ? urlList : undefined,
    comment: opts.comment === undefined ? undefined : checkText(opts.comment, 'the comment'),
    'created by': checkText(opts.createdBy ?? DEFAULT_CREATED_BY, "'created by'"),
    'creation date': unixSeconds(opts.creationDate),
    info,
  });
  const metainfo = await parseTorrent(torrentFile);
  return {
    infoHash: metainfo.infoHash,
    infoHashBytes: metainfo.infoHashBytes,
    torrentFile,
    magnetURI: formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, announce: metainfo.announce, urlList: metainfo.urlList }),
    pieceLength,
    length,
    metainfo,
  };
}
