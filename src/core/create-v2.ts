/**
 * The BitTorrent v2 parts of torrent creation (BEP 52) for create.ts: the canonical file order, each
 * file's Merkle tree over 16 KiB blocks, the `file tree`, the `piece layers`, and the padding files
 * (BEP 47) that align a hybrid torrent's v1 files to pieces. Laid out as libtorrent 2.0 does, so the
 * same files and piece length give the same info dictionary.
 */
import type { BEncodable } from './bencode.js';
import { compareBytes, toBinaryString, utf8 } from './bytes.js';
import { BLOCK_SIZE } from './geometry.js';
import { treeFromLeaves, type FileTree } from './merkle.js';
import { sha256 } from './sha256.js';

/** The part of a DOM Blob (or File) that hashing needs; the core has no DOM types. */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Bytes read from a Blob at a time (a whole number of blocks). */
export const READ_CHUNK = 4 * 1024 * 1024;

/**
 * The order of files in a v2 or hybrid torrent: the `file tree`'s, depth first with each directory's
 * entries in byte order of their UTF-8 names. Returns indexes into `paths`.
 */
export function canonicalOrder(paths: readonly (readonly string[])[]): number[] {
  const encoded = paths.map((p) => p.map(utf8));
  const compare = (a: readonly Uint8Array[], b: readonly Uint8Array[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = compareBytes(a[i]!, b[i]!);
      if (d !== 0) return d;
    }
    return a.length - b.length;
  };
  return paths.map((_, i) => i).sort((x, y) => compare(encoded[x]!, encoded[y]!));
}

/** Reads `data` in chunks of whole blocks, calling `onChunk` with each. */
export async function readChunks(
  data: Uint8Array | BlobLike,
  size: number,
  changed: () => never,
  onChunk: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  for (let start = 0; start < size; start += READ_CHUNK) {
    const end = Math.min(size, start + READ_CHUNK);
    if (data instanceof Uint8Array) {
      await onChunk(data.subarray(start, end));
      continue;
    }
    const chunk = new Uint8Array(await data.slice(start, end).arrayBuffer());
    if (chunk.length !== end - start) changed();
    await onChunk(chunk);
  }
}

/** A file's Merkle tree (undefined for an empty file), reading it block by block. */
export async function hashFileTree(
  data: Uint8Array | BlobLike,
  size: number,
  pieceLength: number,
  changed: () => never,
  onBytes: (bytes: number) => void,
): Promise<FileTree | undefined> {
  if (size === 0) return undefined;
  const leaves: Uint8Array[] = [];
  await readChunks(data, size, changed, async (chunk) => {
    const jobs: Promise<Uint8Array>[] = [];
    for (let at = 0; at < chunk.length; at += BLOCK_SIZE) jobs.push(sha256(chunk.subarray(at, at + BLOCK_SIZE)));
    leaves.push(...(await Promise.all(jobs)));
    onBytes(chunk.length);
  });
  return treeFromLeaves(leaves, size, pieceLength, sha256);
}

/** A dictionary key of raw bytes, as the encoder takes it (one char per byte). */
function key(text: string): string {
  return toBinaryString(utf8(text));
}

type Tree = Map<string, BEncodable>;

/**
 * The `file tree`: `paths` below the torrent name (a single file: just its name), in any order (the
 * encoder sorts the keys).
 */
export function fileTree(paths: readonly (readonly string[])[], sizes: readonly number[], trees: readonly (FileTree | undefined)[]): Tree {
  const root: Tree = new Map();
  paths.forEach((segments, i) => {
    let dir = root;
    for (const segment of segments.slice(0, -1)) {
      let next = dir.get(key(segment)) as Tree | undefined;
      if (next === undefined) {
        next = new Map();
        dir.set(key(segment), next);
      }
      dir = next;
    }
    const entry: Record<string, BEncodable> = { length: sizes[i]! };
    const t = trees[i];
    if (t !== undefined) entry['pieces root'] = t.root;
    dir.set(key(segments[segments.length - 1]!), new Map([['', entry]]));
  });
  return root;
}

/** `piece layers`: the layer of each file larger than a piece, by its root. */
export function pieceLayers(trees: readonly (FileTree | undefined)[]): Map<string, Uint8Array> | undefined {
  const layers = new Map<string, Uint8Array>();
  for (const t of trees) if (t?.pieceLayer !== undefined) layers.set(toBinaryString(t.root), t.pieceLayer);
  return layers.size > 0 ? layers : undefined;
}

/** The zero bytes that follow a file of `size` to the next piece boundary (none for an empty or aligned file). */
export function paddingAfter(size: number, pieceLength: number): number {
  const rest = size % pieceLength;
  return size === 0 || rest === 0 ? 0 : pieceLength - rest;
}

/** A padding file's entry in a hybrid torrent's `files`, as libtorrent writes it. */
export function paddingEntry(length: number): Record<string, BEncodable> {
  return { attr: 'p', length, path: ['.pad', String(length)] };
}
