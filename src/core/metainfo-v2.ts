/**
 * The BitTorrent v2 half of metainfo (BEP 52) and file attributes (BEP 47), for metainfo.ts: the
 * `file tree`, the `piece layers`, and the check that a hybrid torrent's v1 and v2 halves describe the
 * same files at the same places. Errors go through the caller's `fail`, so they read like the rest.
 */
import { isBytes, isDict, isInt, isList, type BDict, type BValue } from './bencode.js';
import { bytesEqual, fromBinaryString, fromUtf8Strict, toBinaryString, toHex } from './bytes.js';
import { filePieceCount, HASH_SIZE, rootFromPieceLayer } from './merkle.js';
import type { Sha256 } from './sha256.js';
import type { Slicer } from './slicer.js';
import { pathComponentProblem, quote } from './torrent-paths.js';

export type Fail = (message: string) => never;

/** BEP 47 file attributes other than padding (`p`, which removes a file from the list). */
export interface FileAttributes {
  /** `x`: an executable file. */
  executable: boolean;
  /** `h`: a hidden file. */
  hidden: boolean;
  /** `l`: a symbolic link (to `symlinkPath`, relative to the torrent's root, when given). */
  symlink: boolean;
  symlinkPath?: string[];
}

/** A file of a `file tree`, in tree order. */
export interface TreeFile {
  /** Path components below the torrent name. */
  segments: string[];
  length: number;
  /** 32 bytes; absent for an empty file. */
  piecesRoot: Uint8Array | undefined;
  attributes: FileAttributes | undefined;
  padding: boolean;
}

const CHECK_EVERY = 1024;

/** A UTF-8 path component, or undefined when it is not valid UTF-8 or not usable as a name. */
function componentOf(bytes: Uint8Array): string | undefined {
  const s = fromUtf8Strict(bytes);
  return s !== undefined && pathComponentProblem(s) === undefined ? s : undefined;
}

/** Reads `attr` (and `symlink path`): whether the entry is padding, and its other attributes. */
export function readAttributes(entry: BDict): { padding: boolean; attributes: FileAttributes | undefined } {
  const attr = entry['attr'];
  if (!isBytes(attr) || attr.length === 0) return { padding: false, attributes: undefined };
  const flags = new Set(toBinaryString(attr));
  const attributes: FileAttributes = { executable: flags.has('x'), hidden: flags.has('h'), symlink: flags.has('l') };
  const link = entry['symlink path'];
  if (attributes.symlink && isList(link) && link.length > 0) {
    const parts = link.map((p) => (isBytes(p) ? componentOf(p) : undefined));
    if (parts.every((p): p is string => p !== undefined)) attributes.symlinkPath = parts;
  }
  const any = attributes.executable || attributes.hidden || attributes.symlink;
  return { padding: flags.has('p'), attributes: any ? attributes : undefined };
}

/** Reads a `file tree`: every file, depth first in key (byte) order, as BEP 52 orders them. */
export async function readFileTree(fail: Fail, tree: BValue | undefined, slicer: Slicer): Promise<TreeFile[]> {
  if (tree === undefined) fail("the v2 'file tree' is missing");
  if (!isDict(tree)) fail("the 'file tree' is not a dictionary");
  const files: TreeFile[] = [];
  const where = (segments: readonly string[]): string => quote(segments.join('/'));

  const visit = async (node: BDict, segments: string[]): Promise<void> => {
    // Keys are binary strings, one char per byte: the default sort is byte order (Object.keys is not,
    // for names like "10" and "2").
    const keys = Object.keys(node).sort();
    if (keys.length === 0) fail(segments.length === 0 ? "the 'file tree' is empty" : `the directory ${where(segments)} in the 'file tree' is empty`);
    if (keys[0] === '') {
      if (segments.length === 0) fail("the 'file tree' has a file with an empty name at its top");
      if (keys.length > 1) fail(`${where(segments)} in the 'file tree' is both a file and a directory`);
      files.push(readTreeFile(fail, node[''], segments));
      if (files.length % CHECK_EVERY === 0) await slicer.check();
      return;
    }
    for (const key of keys) {
      const name = componentOf(fromBinaryString(key)!);
      if (name === undefined) {
        const raw = fromUtf8Strict(fromBinaryString(key)!);
        const problem = raw === undefined ? 'is not valid UTF-8' : pathComponentProblem(raw)!;
        fail(`a name in the 'file tree'${segments.length > 0 ? ` under ${where(segments)}` : ''} ${raw === undefined ? '' : `${quote(raw)} `}${problem}`);
      }
      const child = node[key];
      const path = [...segments, name];
      if (!isDict(child)) fail(`${where(path)} in the 'file tree' is not a dictionary`);
      await visit(child, path);
    }
  };
  await visit(tree, []);
  return files;
}

function readTreeFile(fail: Fail, value: BValue | undefined, segments: string[]): TreeFile {
  const at = quote(segments.join('/'));
  if (!isDict(value)) fail(`the entry of ${at} in the 'file tree' is not a dictionary`);
  const length = value['length'];
  if (length === undefined) fail(`the 'length' of ${at} in the 'file tree' is missing`);
  if (!isInt(length)) fail(`the 'length' of ${at} in the 'file tree' is not an integer`);
  if (length < 0) fail(`the 'length' of ${at} in the 'file tree' is negative (${length})`);
  let piecesRoot: Uint8Array | undefined;
  if (length > 0) {
    const root = value['pieces root'];
    if (root === undefined) fail(`the 'pieces root' of ${at} is missing`);
    if (!isBytes(root) || root.length !== HASH_SIZE) fail(`the 'pieces root' of ${at} is not ${HASH_SIZE} bytes`);
    piecesRoot = new Uint8Array(root);
  }
  const { padding, attributes } = readAttributes(value);
  if (padding) fail(`${at} in the 'file tree' is marked as padding, which v2 files never are`);
  return { segments, length, piecesRoot, attributes, padding: false };
}

/** Where each v2 file starts: every non-empty file at the start of a piece (BEP 52). */
export function treeOffsets(files: readonly TreeFile[], pieceLength: number, fail: Fail): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = 0;
  let end = 0;
  for (const f of files) {
    offsets.push(at);
    if (f.length === 0) continue;
    end = at + f.length;
    at = filePieceCount(f.length, pieceLength) * pieceLength + at;
    if (!Number.isSafeInteger(at)) fail('the total length passes the safe integer range');
  }
  return { offsets, end };
}

/**
 * Checks `piece layers` (a top-level key of the .torrent) against the file tree: the layer of a file
 * larger than a piece has one hash per piece and hashes up to its `pieces root`; a wrong one is
 * refused. A missing layer is not an error (like a magnet link's, it can come from peers, BEP 52):
 * the map then lacks it. Returns the layers by hex root; entries for no file are left out.
 */
export async function readPieceLayers(
  fail: Fail,
  value: BValue | undefined,
  files: readonly TreeFile[],
  pieceLength: number,
  hash: Sha256,
  slicer: Slicer,
): Promise<Map<string, Uint8Array>> {
  const layers = new Map<string, Uint8Array>();
  const needed = files.filter((f) => f.length > pieceLength);
  if (needed.length === 0) return layers;
  if (value === undefined) return layers;
  if (!isDict(value)) fail("'piece layers' is not a dictionary");
  for (let i = 0; i < needed.length; i++) {
    const f = needed[i]!;
    const root = f.piecesRoot!;
    const hex = toHex(root);
    if (layers.has(hex)) continue; // identical files share a root and a layer
    const at = quote(f.segments.join('/'));
    const layer = value[toBinaryString(root)];
    if (layer === undefined) continue;
    if (!isBytes(layer)) fail(`the piece layer of ${at} is not a byte string`);
    const count = filePieceCount(f.length, pieceLength);
    if (layer.length !== count * HASH_SIZE) {
      fail(`the piece layer of ${at} holds ${layer.length} bytes, but its ${count} pieces need ${count * HASH_SIZE}`);
    }
    const own = new Uint8Array(layer);
    if (!bytesEqual(await rootFromPieceLayer(own, pieceLength, hash), root)) {
      fail(`the piece layer of ${at} does not hash to its 'pieces root'`);
    }
    layers.set(hex, own);
    if (i % 64 === 0) await slicer.check();
  }
  return layers;
}

/** A v1 file (padding left out) as the hybrid check compares it. */
export interface PlacedFile {
  segments: readonly string[];
  length: number;
  offset: number;
}

/**
 * A hybrid torrent's halves must agree: the same files (padding left out), in the same order, of the
 * same lengths, each non-empty one at the same offset, and the v1 data ending within the v2 layout's
 * last piece.
 */
export function checkHybrid(fail: Fail, v1: readonly PlacedFile[], v1Length: number, v2: readonly TreeFile[], pieceLength: number): void {
  const disagree = (what: string): never => fail(`its v1 and v2 halves disagree (a hybrid torrent must describe the same files twice): ${what}`);
  if (v1.length !== v2.length) disagree(`'files' lists ${v1.length} files (padding left out), the 'file tree' ${v2.length}`);
  const { offsets, end } = treeOffsets(v2, pieceLength, fail);
  for (let i = 0; i < v1.length; i++) {
    const a = v1[i]!;
    const b = v2[i]!;
    const pathA = a.segments.join('/');
    const pathB = b.segments.join('/');
    if (a.segments.length !== b.segments.length || pathA !== pathB) disagree(`file ${i} is ${quote(pathA)} in 'files' but ${quote(pathB)} in the 'file tree'`);
    if (a.length !== b.length) disagree(`${quote(pathA)} has ${a.length} bytes in 'files' but ${b.length} in the 'file tree'`);
    if (a.length > 0 && a.offset !== offsets[i]) {
      disagree(`${quote(pathA)} starts at byte ${a.offset} in 'files' but at ${offsets[i]!} in the 'file tree' (are the padding files right?)`);
    }
  }
  const pieces = Math.ceil(end / pieceLength);
  if (v1Length < end || Math.ceil(v1Length / pieceLength) !== pieces) {
    disagree(`'files' holds ${v1Length} bytes, the 'file tree' ${pieces} pieces of ${pieceLength}`);
  }
}
