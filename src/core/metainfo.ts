/**
 * Metainfo (.torrent files, BEP 3; v2 and hybrid, BEP 52; padding files, BEP 47) parsing and
 * validation. The info hash is the SHA-1 (v1) or SHA-256 (v2) of the exact bytes of the `info` value
 * as they appear in the file: never of a re-encoding.
 *
 * Identity: a v1 or hybrid torrent is known by its SHA-1 info hash (`infoHash`; WebTorrent peers and
 * the v1 swarm use it); a v2-only torrent by the first 20 bytes of its SHA-256 info hash, the form
 * BEP 52 uses on the wire and with trackers. Store keys, tracker announces and handshakes all take
 * `infoHash` as they are. Padding files are never in `files`: a file's `offset` still places it in
 * the torrent, so files may have gaps between them (zeros, covered by the piece hashes).
 *
 * Everything a hostile file can get wrong is reported as a {@link TorrentError} whose
 * message says what is wrong; junk in optional fields (trackers, comment, dates) is skipped.
 */
import { decodeWithSpans, decodeWithSpansSliced, isBytes, isDict, isInt, isList, type BDict, type BValue } from './bencode.js';
import { bytesEqual, fromHex, fromUtf8, toHex } from './bytes.js';
import { TabswarmError, TorrentError } from './errors.js';
import { checkHybrid, readFileTree, readPieceLayers, treeOffsets, type FileAttributes, type TreeFile } from './metainfo-v2.js';
import { component, entry, readV1, requireComponent, text, type Checker } from './metainfo-v1.js';
import { sha1 } from './sha1.js';
import { sha256 } from './sha256.js';
import { Slicer, UNSLICED } from './slicer.js';

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
  /** v2 and hybrid: the root of the file's Merkle tree (32 bytes); absent for an empty file. */
  piecesRoot?: Uint8Array;
  /** BEP 47 attributes (executable, hidden, symbolic link), when the file has any. */
  attributes?: FileAttributes;
}

export type { FileAttributes } from './metainfo-v2.js';

/** 'v1' (BEP 3), 'v2' (v2-only, BEP 52) or 'hybrid' (both halves, describing the same files). */
export type TorrentVersion = 'v1' | 'v2' | 'hybrid';

export interface Metainfo {
  version: TorrentVersion;
  /**
   * What the torrent is known by, 40 lowercase hex digits: the SHA-1 of the raw info dictionary (v1
   * and hybrid), or the first 20 bytes of its SHA-256 (v2-only).
   */
  infoHash: string;
  infoHashBytes: Uint8Array;
  /** v1 and hybrid: the SHA-1 info hash (the same as `infoHash`). */
  infoHashV1?: string;
  /** v2 and hybrid: the SHA-256 info hash, 64 lowercase hex digits. */
  infoHashV2?: string;
  infoHashV2Bytes?: Uint8Array;
  /** The raw bencoded info dictionary (served to peers over ut_metadata). */
  infoBytes: Uint8Array;
  name: string;
  pieceLength: number;
  lastPieceLength: number;
  /** One 20-byte SHA-1 per piece (v1 and hybrid); empty for a v2-only torrent. */
  pieces: Uint8Array[];
  /**
   * v2 and hybrid, from a .torrent: the piece layers it has (BEP 52), by the hex `pieces root` of the
   * files larger than one piece; checked against the roots. Metadata from peers has none at first: a
   * session fills them in as they come from peers (hash requests, proven against the roots).
   */
  pieceLayers?: Map<string, Uint8Array>;
  /** Bytes the pieces cover: every file, and the padding between them (v1: the sum of `files`). */
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

class FailWith implements Checker {
  constructor(private readonly prefix: string) {}
  fail(message: string): never {
    throw new TorrentError(`${this.prefix}: ${message}`);
  }
}

interface InfoFields {
  version: TorrentVersion;
  name: string;
  pieceLength: number;
  lastPieceLength: number;
  pieces: Uint8Array[];
  length: number;
  files: TorrentFileEntry[];
  singleFile: boolean;
  private: boolean;
  /** The v2 file tree (v2 and hybrid), for the piece layers. */
  tree: TreeFile[] | undefined;
}

async function readInfo(c: Checker, info: BDict, slicer: Slicer): Promise<InfoFields> {
  const name = component(info['name.utf-8']) ?? requireComponent(c, info['name'], "the torrent 'name'");

  const pieceLength = info['piece length'];
  if (pieceLength === undefined) c.fail("'piece length' is missing");
  if (!isInt(pieceLength)) c.fail("'piece length' is not an integer");
  if (pieceLength < MIN_PIECE_LENGTH) c.fail(`the piece length ${pieceLength} is below the minimum of ${MIN_PIECE_LENGTH} bytes`);
  if (pieceLength > MAX_PIECE_LENGTH) c.fail(`the piece length ${pieceLength} is above the maximum of ${MAX_PIECE_LENGTH} bytes`);
  if ((pieceLength & (pieceLength - 1)) !== 0) c.fail(`the piece length ${pieceLength} is not a power of two`);

  const priv = info['private'];
  if (priv !== undefined && priv !== 0 && priv !== 1) c.fail("'private' is neither 0 nor 1");

  const metaVersion = info['meta version'];
  if (metaVersion !== undefined && metaVersion !== 2) {
    if (!isInt(metaVersion)) c.fail("'meta version' is not an integer");
    c.fail(`'meta version' ${metaVersion} is not supported (BitTorrent v2 is 2)`);
  }
  const fail = (m: string): never => c.fail(m);
  const tree = metaVersion === 2 ? await readFileTree(fail, info['file tree'], slicer) : undefined;
  const hasV1 = info['pieces'] !== undefined || info['length'] !== undefined || info['files'] !== undefined;
  const common = { name, pieceLength, private: priv === 1, tree };

  if (tree !== undefined && !hasV1) {
    // v2-only: every non-empty file starts a piece; the data ends with the last file's last byte.
    const { offsets, end } = treeOffsets(tree, pieceLength, fail);
    if (end === 0) c.fail('the torrent has no data (its total length is 0 bytes)');
    const single = tree.length === 1 && tree[0]!.segments.length === 1 && tree[0]!.segments[0] === name;
    // An empty file after the last data sits at its end (not at the next piece boundary, past the data).
    const files = tree.map((f, i) => entry(single ? [name] : [name, ...f.segments], f.length, Math.min(offsets[i]!, end), f.attributes, f.piecesRoot));
    const pieceCount = Math.ceil(end / pieceLength);
    return { ...common, version: 'v2', lastPieceLength: end - (pieceCount - 1) * pieceLength, pieces: [], length: end, files, singleFile: single };
  }

  const v1 = await readV1(c, info, name, pieceLength, slicer);
  if (tree !== undefined) {
    const placed = v1.files.map((f) => ({ segments: v1.single ? f.pathSegments : f.pathSegments.slice(1), length: f.length, offset: f.offset }));
    checkHybrid(fail, placed, v1.total, tree, pieceLength);
    v1.files.forEach((f, i) => {
      const root = tree[i]!.piecesRoot;
      if (root !== undefined) f.piecesRoot = root;
    });
  }
  const pieceCount = v1.pieces.length;
  return {
    ...common,
    version: tree === undefined ? 'v1' : 'hybrid',
    lastPieceLength: v1.total - (pieceCount - 1) * pieceLength,
    pieces: v1.pieces,
    length: v1.total,
    files: v1.files,
    singleFile: v1.single,
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

interface InfoHashes {
  infoHash: string;
  infoHashBytes: Uint8Array;
  infoHashV1?: string;
  infoHashV2?: string;
  infoHashV2Bytes?: Uint8Array;
}

/** The info hashes a torrent of `version` has, and the one it is known by (see the top of this file). */
async function hashInfo(
  infoBytes: Uint8Array,
  version: TorrentVersion,
  hasher: (data: Uint8Array) => Promise<Uint8Array> = sha1,
  hasher256: (data: Uint8Array) => Promise<Uint8Array> = sha256,
): Promise<InfoHashes> {
  const v1 = version === 'v2' ? undefined : await hasher(infoBytes);
  const v2 = version === 'v1' ? undefined : await hasher256(infoBytes);
  const known = v1 ?? v2!.subarray(0, 20);
  const out: InfoHashes = { infoHash: toHex(known), infoHashBytes: new Uint8Array(known) };
  if (v1 !== undefined) out.infoHashV1 = toHex(v1);
  if (v2 !== undefined) {
    out.infoHashV2 = toHex(v2);
    out.infoHashV2Bytes = v2;
  }
  return out;
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
  const c: Checker = new FailWith('Not a valid .torrent file');
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
  const { tree, ...fields } = await readInfo(c, info, slicer);

  const trackers = readTrackers(value);
  const meta: Metainfo = {
    ...(await hashInfo(infoBytes, fields.version)),
    infoBytes,
    ...fields,
    ...trackers,
    urlList: readUrlList(value),
  };
  if (tree !== undefined) meta.pieceLayers = await readPieceLayers((m) => c.fail(m), value['piece layers'], tree, fields.pieceLength, sha256, slicer);
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
 * same object as {@link parseTorrent}, without trackers (nor piece layers). When `infoHash` is
 * given, the bytes must hash to it: 20 bytes (40 hex digits) are what the torrent is known by
 * (`infoHash`; for a hybrid, the truncated v2 hash is accepted too), 32 bytes (64 hex digits) its
 * SHA-256 info hash.
 */
export async function parseInfoDict(
  infoBytes: Uint8Array,
  infoHash?: string | Uint8Array,
  /** SHA-1 to use (default SubtleCrypto); the engine passes its own injected hasher. */
  hasher?: (data: Uint8Array) => Promise<Uint8Array>,
  /** SHA-256 to use (default sha256.ts's), likewise. */
  hasher256?: (data: Uint8Array) => Promise<Uint8Array>,
): Promise<Metainfo> {
  const c: Checker = new FailWith('Invalid torrent metadata');
  if (!(infoBytes instanceof Uint8Array)) c.fail('the input is not a Uint8Array');
  if (infoBytes.length === 0) c.fail('the info dictionary is empty');
  const own = new Uint8Array(infoBytes);
  const { tree: _tree, ...fields } = await parseInfoBytes(c, own);
  const hashed = await hashInfo(own, fields.version, hasher, hasher256);
  if (infoHash !== undefined) {
    const expected = typeof infoHash === 'string' ? fromHex(infoHash) : infoHash;
    if (expected === undefined || (expected.length !== 20 && expected.length !== 32)) {
      c.fail('the expected info hash is not 20 bytes (40 hex digits) nor 32 (64 hex digits)');
    }
    const v2 = hashed.infoHashV2Bytes;
    const matches =
      expected.length === 20
        ? bytesEqual(expected, hashed.infoHashBytes) || (v2 !== undefined && bytesEqual(expected, v2.subarray(0, 20)))
        : v2 !== undefined && bytesEqual(expected, v2);
    if (!matches) {
      const got = expected.length === 32 ? (hashed.infoHashV2 ?? 'no SHA-256 info hash (a v1 torrent)') : hashed.infoHash;
      c.fail(`the info dictionary hashes to ${got}, not to ${toHex(expected)}`);
    }
  }
  return { ...hashed, infoBytes: own, ...fields, announce: [], announceList: [], urlList: [] };
}
