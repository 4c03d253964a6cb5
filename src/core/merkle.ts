/**
 * BitTorrent v2 Merkle trees (BEP 52): a file's leaves are the SHA-256 hashes of its 16 KiB blocks
 * (the last one hashed as it is, however short), padded with zero hashes to a power of two; each node
 * is the SHA-256 of its two children. The "piece layer" is the layer whose nodes each cover one piece;
 * the root is the file's `pieces root`. Pure: the hash function is given.
 */
import { concatBytes } from './bytes.js';
import { BLOCK_SIZE } from './geometry.js';
import type { Sha256 } from './sha256.js';

/** Bytes in one hash. */
export const HASH_SIZE = 32;
/** Hashes handed to the hash function at once. */
const BATCH = 4096;

/** The hash of a subtree of `height` levels over zero leaves (height 0: the zero leaf itself). */
export async function padHash(height: number, hash: Sha256): Promise<Uint8Array> {
  let node: Uint8Array = new Uint8Array(HASH_SIZE);
  for (let h = 0; h < height; h++) node = await hash(concatBytes([node, node]));
  return node;
}

/** log2 of a power of two. */
export function log2(powerOfTwo: number): number {
  return Math.round(Math.log2(powerOfTwo));
}

/** The layer above `layer`, whose last node, if alone, is paired with `pad`. */
export async function parentLayer(layer: readonly Uint8Array[], pad: Uint8Array, hash: Sha256): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let start = 0; start < layer.length; start += BATCH * 2) {
    const jobs: Promise<Uint8Array>[] = [];
    const end = Math.min(layer.length, start + BATCH * 2);
    for (let i = start; i < end; i += 2) jobs.push(hash(concatBytes([layer[i]!, layer[i + 1] ?? pad])));
    out.push(...(await Promise.all(jobs)));
  }
  return out;
}

/**
 * Hashes `layer` (nodes at `height`) up to a single root, padding each layer with the pad hash of its
 * height; with `levels`, exactly that many layers up (a subtree of 2^levels nodes).
 */
export async function rootOf(layer: readonly Uint8Array[], height: number, hash: Sha256, levels?: number): Promise<Uint8Array> {
  if (layer.length === 0) throw new RangeError('a Merkle tree needs at least one node');
  let nodes = layer;
  let pad = await padHash(height, hash);
  for (let level = 0; levels === undefined ? nodes.length > 1 : level < levels; level++) {
    nodes = await parentLayer(nodes, pad, hash);
    pad = await hash(concatBytes([pad, pad]));
  }
  if (nodes.length !== 1) throw new RangeError(`${layer.length} nodes do not fit a subtree of ${levels ?? 0} levels`);
  return nodes[0]!;
}

/** The hashes in a concatenation of 32-byte hashes. */
export function splitHashes(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at + HASH_SIZE <= bytes.length; at += HASH_SIZE) out.push(bytes.subarray(at, at + HASH_SIZE));
  return out;
}

/** Pieces of `pieceLength` in a file of `length` bytes. */
export function filePieceCount(length: number, pieceLength: number): number {
  return Math.ceil(length / pieceLength);
}

/** The `pieces root` a file's piece layer gives (it must have the file's piece count of hashes). */
export async function rootFromPieceLayer(layer: Uint8Array, pieceLength: number, hash: Sha256): Promise<Uint8Array> {
  return rootOf(splitHashes(layer), log2(pieceLength / BLOCK_SIZE), hash);
}

export interface FileTree {
  /** The `pieces root`. */
  root: Uint8Array;
  /** The piece layer, concatenated; only for a file larger than one piece (as `piece layers` holds it). */
  pieceLayer: Uint8Array | undefined;
}

/** A file's root and piece layer from the hashes of its blocks (at least one). */
export async function treeFromLeaves(leaves: readonly Uint8Array[], length: number, pieceLength: number, hash: Sha256): Promise<FileTree> {
  if (length <= pieceLength) return { root: await rootOf(leaves, 0, hash), pieceLayer: undefined };
  let layer: readonly Uint8Array[] = leaves;
  let pad: Uint8Array = new Uint8Array(HASH_SIZE);
  for (let level = log2(pieceLength / BLOCK_SIZE); level > 0; level--) {
    layer = await parentLayer(layer, pad, hash);
    pad = await hash(concatBytes([pad, pad]));
  }
  const pieceLayer = concatBytes(layer);
  return { root: await rootFromPieceLayer(pieceLayer, pieceLength, hash), pieceLayer };
}
