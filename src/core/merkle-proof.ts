/**
 * Checking the hashes a peer sends (BEP 52 `hashes` message) against a file's Merkle tree: the
 * `length` base-layer hashes hash up to the root of their subtree, and the uncle hashes that follow
 * (one per layer, from that subtree's root upward) carry it further, to the file's `pieces root`
 * when the proof is complete. Pure: the hash function is given (SubtleCrypto, or JavaScript).
 *
 * Layers count from the leaves (layer 0: one hash per 16 KiB block) to the root, at layer
 * `treeHeight(length)`; layer L has 2^(height - L) nodes, those past the file's end being pad hashes.
 */
import { concatBytes } from './bytes.js';
import { BLOCK_SIZE } from './geometry.js';
import { HASH_SIZE, log2, parentLayer, padHash, splitHashes } from './merkle.js';
import type { Sha256 } from './sha256.js';

/** The layers above the leaves of a file's tree: log2 of its block count rounded up to a power of two. */
export function treeHeight(fileLength: number): number {
  const blocks = Math.max(1, Math.ceil(fileLength / BLOCK_SIZE));
  return Math.ceil(Math.log2(blocks));
}

/** What a `hashes` message says (its hashes: the base-layer ones, then the uncles). */
export interface HashesReply {
  baseLayer: number;
  index: number;
  length: number;
  proofLayers: number;
  /** Concatenated 32-byte hashes. */
  hashes: Uint8Array;
}

export type ProofResult =
  /** `base`: the base-layer hashes, now trusted; `top`: the node the proof reached (the root when complete). */
  { ok: true; base: Uint8Array[]; top: { layer: number; index: number; node: Uint8Array } } | { ok: false; reason: string };

/** Uncle hashes a reply carries: `proofLayers`, but no more than there are layers above its subtree. */
export function uncleCount(reply: Pick<HashesReply, 'baseLayer' | 'length' | 'proofLayers'>, height: number): number {
  return Math.max(0, Math.min(reply.proofLayers, height - reply.baseLayer - log2(reply.length)));
}

/** Why a hash range cannot be in a tree of `height` layers, or undefined when it can. */
export function hashRangeProblem(r: Pick<HashesReply, 'baseLayer' | 'index' | 'length'>, height: number): string | undefined {
  if (!Number.isSafeInteger(r.baseLayer) || r.baseLayer < 0 || r.baseLayer > height) return `base layer ${r.baseLayer} is not in a tree of ${height} layers`;
  const width = 2 ** (height - r.baseLayer);
  if (!Number.isSafeInteger(r.length) || r.length < 1 || (r.length & (r.length - 1)) !== 0) return `length ${r.length} is not a power of two`;
  if (r.length > width) return `length ${r.length} is more than the ${width} hashes of layer ${r.baseLayer}`;
  if (!Number.isSafeInteger(r.index) || r.index < 0 || r.index % r.length !== 0) return `index ${r.index} is not a multiple of the length ${r.length}`;
  if (r.index + r.length > width) return `hashes ${r.index} to ${r.index + r.length - 1} are past the ${width} of layer ${r.baseLayer}`;
  return undefined;
}

/**
 * Hashes a reply's base hashes and uncles as far as they go. Fails, saying why, when the range is not
 * in the file's tree or the reply holds the wrong number of hashes; never throws for peer input.
 */
export async function climbProof(reply: HashesReply, fileLength: number, hash: Sha256): Promise<ProofResult> {
  const height = treeHeight(fileLength);
  const problem = hashRangeProblem(reply, height);
  if (problem !== undefined) return { ok: false, reason: problem };
  const uncles = uncleCount(reply, height);
  const expected = (reply.length + uncles) * HASH_SIZE;
  if (reply.hashes.length !== expected) {
    return { ok: false, reason: `${reply.hashes.length} bytes of hashes, not the ${reply.length} hashes and ${uncles} uncles (${expected} bytes) asked for` };
  }
  const all = splitHashes(reply.hashes);
  const base = all.slice(0, reply.length);
  let layer = reply.baseLayer;
  let nodes = base;
  // Within the range every node has its sibling: no padding is needed (a pad hash never pairs here).
  const unused = await padHash(0, hash);
  while (nodes.length > 1) {
    nodes = await parentLayer(nodes, unused, hash);
    layer++;
  }
  let node = nodes[0]!;
  let index = reply.index / reply.length;
  for (let u = 0; u < uncles; u++) {
    const uncle = all[reply.length + u]!;
    node = await hash(index % 2 === 0 ? concatBytes([node, uncle]) : concatBytes([uncle, node]));
    index = Math.floor(index / 2);
    layer++;
  }
  return { ok: true, base, top: { layer, index, node } };
}

/** Checks a reply whose proof reaches the root against the file's `pieces root`. */
export async function verifyHashes(reply: HashesReply, piecesRoot: Uint8Array, fileLength: number, hash: Sha256): Promise<ProofResult> {
  const climbed = await climbProof(reply, fileLength, hash);
  if (!climbed.ok) return climbed;
  const height = treeHeight(fileLength);
  if (climbed.top.layer !== height) return { ok: false, reason: `the proof ends at layer ${climbed.top.layer}, below the root (layer ${height})` };
  const same = climbed.top.node.length === piecesRoot.length && climbed.top.node.every((b, i) => b === piecesRoot[i]);
  return same ? climbed : { ok: false, reason: 'the hashes do not lead to the pieces root' };
}
