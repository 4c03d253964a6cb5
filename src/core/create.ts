/**
 * Creating a torrent from files (BEP 3), hashing piece by piece. The torrent name, the order of
 * files and the stripping of a common directory follow create-torrent, so the same files with
 * the same name and piece length give the same info hash as WebTorrent. v2 and hybrid torrents
 * (BEP 52, `version`) follow libtorrent 2.0 instead (see create-v2.ts): files in the file tree's
 * order, and in a hybrid a padding file after each one that does not end a piece.
 */
import { formatMagnet } from './magnet.js';
import { encode, type BEncodable } from './bencode.js';
import { TorrentError } from './errors.js';
import { PieceGeometry } from './geometry.js';
import { MAX_PIECE_LENGTH, MIN_PIECE_LENGTH, parseTorrent, type Metainfo, type TorrentVersion } from './metainfo.js';
import { findPathConflict, pathComponentProblem } from './torrent-paths.js';
import { sha1 } from './sha1.js';
import { canonicalOrder, fileTree, hashFileTree, paddingAfter, paddingEntry, pieceLayers, readChunks, type BlobLike } from './create-v2.js';
import type { FileTree } from './merkle.js';

export type { BlobLike } from './create-v2.js';

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
  /**
   * 'v1' (the default: what WebTorrent peers read), 'v2' (BitTorrent v2 only, BEP 52) or 'hybrid'
   * (both: v1 peers and v2 peers alike; its files are sorted and padded to whole pieces).
   */
  version?: TorrentVersion;
}

export interface CreatedTorrent<F extends TorrentInputFile = TorrentInputFile> {
  version: TorrentVersion;
  /** What the torrent is known by (see Metainfo.infoHash): the v1 hash, or a v2-only torrent's truncated v2 hash. */
  infoHash: string;
  infoHashBytes: Uint8Array;
  /** v2 and hybrid: the SHA-256 info hash, 64 hex digits. */
  infoHashV2?: string;
  /** The files given, in the torrent's order (v2 and hybrid torrents sort them). */
  files: F[];
  torrentFile: Uint8Array;
  magnetURI: string;
  pieceLength: number;
  length: number;
  metainfo: Metainfo;
}

export const DEFAULT_CREATED_BY = 'tabswarm/0.1.0';
/** The largest piece length chosen automatically (as create-torrent). */
export const MAX_DEFAULT_PIECE_LENGTH = 4 * 1024 * 1024;
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
    if (data instanceof Uint8Array) await feed(data);
    else await readChunks(data, sizes[f]!, () => fail(`${JSON.stringify(path)} changed while it was being read`), feed);
  }
  await Promise.all(pending);
  return hashes;
}

/** Hashes the v1 pieces of `files` laid end to end, each followed by `padding[i]` zero bytes. */
async function hashV1(
  files: readonly TorrentInputFile[],
  sizes: readonly number[],
  padding: readonly number[],
  pieceLength: number,
  onProgress: ((hashedBytes: number, totalBytes: number) => void) | undefined,
): Promise<{ pieces: Uint8Array; length: number }> {
  const inputs: TorrentInputFile[] = [];
  const lengths: number[] = [];
  const zeros = new Uint8Array(pieceLength);
  files.forEach((f, i) => {
    inputs.push(f);
    lengths.push(sizes[i]!);
    if (padding[i]! > 0) {
      inputs.push({ path: '', data: zeros.subarray(0, padding[i]) });
      lengths.push(padding[i]!);
    }
  });
  let offset = 0;
  const placed = lengths.map((l) => {
    const entry = { length: l, offset };
    offset += l;
    return entry;
  });
  const geometry = new PieceGeometry({ length: offset, pieceLength, files: placed });
  return { pieces: await hashPieces(inputs, lengths, geometry, onProgress), length: offset };
}

/** Hashes every file's v2 Merkle tree, in order. */
async function hashV2(
  files: readonly TorrentInputFile[],
  sizes: readonly number[],
  pieceLength: number,
  onProgress: ((hashedBytes: number) => void) | undefined,
): Promise<(FileTree | undefined)[]> {
  const trees: (FileTree | undefined)[] = [];
  let hashed = 0;
  for (let i = 0; i < files.length; i++) {
    const { data, path } = files[i]!;
    const changed = (): never => fail(`${JSON.stringify(path)} changed while it was being read`);
    trees.push(
      await hashFileTree(data, sizes[i]!, pieceLength, changed, (n) => {
        hashed += n;
        onProgress?.(hashed);
      }),
    );
  }
  return trees;
}

const VERSIONS: readonly TorrentVersion[] = ['v1', 'v2', 'hybrid'];

/**
 * Creates a torrent from `files` (in the given order for v1; v2 and hybrid torrents sort them).
 * Throws {@link TorrentError} for no data, bad paths or names, a bad piece length or version.
 */
export async function createTorrent<F extends TorrentInputFile>(input: readonly F[], opts: CreateTorrentOptions = {}): Promise<CreatedTorrent<F>> {
  if (input.length === 0) fail('no files were given');
  const version = opts.version ?? 'v1';
  if (!VERSIONS.includes(version)) fail(`the version ${JSON.stringify(version)} is none of ${VERSIONS.join(', ')}`);
  const name = opts.name === undefined ? undefined : checkText(opts.name, 'the torrent name');
  const given = layOut(input, name);
  const conflict = given.single ? undefined : findPathConflict(given.paths);
  if (conflict !== undefined) fail(conflict);
  // v2 and hybrid torrents list their files in the file tree's order.
  const order = version === 'v1' ? input.map((_, i) => i) : canonicalOrder(given.paths);
  const files = order.map((i) => input[i]!);
  const layout = { ...given, paths: order.map((i) => given.paths[i]!) };
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

  const info: Record<string, BEncodable | undefined> = {
    name: layout.name,
    'piece length': pieceLength,
    private: opts.private === true ? 1 : undefined,
  };
  let layers: Map<string, Uint8Array> | undefined;
  // A hybrid is hashed twice (v1 pieces, then v2 trees): each pass is half of the progress.
  const passes = version === 'hybrid' ? 2 : 1;
  const progress = (base: number) => (done: number) => opts.onProgress?.((base + done) / passes, length);

  if (version !== 'v1') {
    const trees = await hashV2(files, sizes, pieceLength, progress(version === 'hybrid' ? length : 0));
    info['meta version'] = 2;
    info['file tree'] = fileTree(layout.single ? [[layout.name]] : layout.paths, sizes, trees);
    layers = pieceLayers(trees);
  }
  if (version !== 'v2') {
    // A hybrid's v1 files are each padded to a whole piece (BEP 47), as libtorrent 2.0 does.
    const padding = sizes.map((size) => (version === 'hybrid' && !layout.single ? paddingAfter(size, pieceLength) : 0));
    const v1 = await hashV1(files, sizes, padding, pieceLength, (done) => progress(0)(Math.min(done, length)));
    info['pieces'] = v1.pieces;
    if (layout.single) info['length'] = length;
    else info['files'] = layout.paths.flatMap((path, i) => [{ length: sizes[i]!, path }, ...(padding[i]! > 0 ? [paddingEntry(padding[i]!)] : [])]);
  }

  const torrentFile = encode({
    announce: announce[0],
    'announce-list': announce.length > 1 ? announce.map((u) => [u]) : undefined,
    'url-list': urlList.length > 0 ? urlList : undefined,
    comment: opts.comment === undefined ? undefined : checkText(opts.comment, 'the comment'),
    'created by': checkText(opts.createdBy ?? DEFAULT_CREATED_BY, "'created by'"),
    'creation date': unixSeconds(opts.creationDate),
    info,
    'piece layers': layers,
  });
  const metainfo = await parseTorrent(torrentFile);
  const created: CreatedTorrent<F> = {
    version,
    infoHash: metainfo.infoHash,
    infoHashBytes: metainfo.infoHashBytes,
    files,
    torrentFile,
    magnetURI: formatMagnet({
      infoHash: metainfo.infoHash,
      infoHashV2: metainfo.infoHashV2,
      version,
      name: metainfo.name,
      announce: metainfo.announce,
      urlList: metainfo.urlList,
    }),
    pieceLength,
    length,
    metainfo,
  };
  if (metainfo.infoHashV2 !== undefined) created.infoHashV2 = metainfo.infoHashV2;
  return created;
}
