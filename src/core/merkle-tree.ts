/**
 * One file's Merkle tree as a v2 session holds it (BEP 52): the `pieces root`, the piece layer once
 * known (from the .torrent, or from peers with a proof), and what follows from them — the expected
 * hash of each piece, the check of a piece's bytes or of one block against verified leaf hashes, and
 * the nodes a `hashes` reply carries. Pure: the hash function is given.
 *
 * Layers count from the leaves (0: one hash per 16 KiB block) to the root at `height`; the piece
 * layer is `log2(pieceLength / 16 KiB)`. A file no longer than a piece has no piece layer: its one
 * piece hashes to the root.
 */
import { bytesEqual, concatBytes } from './bytes.js';
import { BLOCK_SIZE } from './geometry.js';
import { filePieceCount, HASH_SIZE, log2, padHash, parentLayer, rootOf } from './merkle.js';
import { treeHeight, uncleCount } from './merkle-proof.js';
import type { Sha256 } from './sha256.js';

/** What a hash request or reply names, without the root. */
export interface HashSpan {
  baseLayer: number;
  index: number;
  length: number;
  proofLayers: number;
}

const ZERO_HASH = new Uint8Array(HASH_SIZE);

/** The leaf hashes of a piece's bytes (only the file's part: `size` bytes), 16 KiB at a time. */
export async function leafHashes(data: Uint8Array, size: number, hash: Sha256): Promise<Uint8Array[]> {
  const jobs: Promise<Uint8Array>[] = [];
  for (let at = 0; at < size; at += BLOCK_SIZE) jobs.push(hash(data.subarray(at, Math.min(at + BLOCK_SIZE, size))));
  return Promise.all(jobs);
}

export class FileHashTree {
  readonly height: number;
  /** The piece layer's number (above `height` for a file of one piece: it has none). */
  readonly pieceLayer: number;
  /** Pieces of the file. */
  readonly pieces: number;
  /** Leaves under one piece (for a one-piece file: the whole padded leaf layer). */
  readonly leavesPerPiece: number;
  private layer: Uint8Array[] | undefined;
  private partial: (Uint8Array | undefined)[] | undefined;
  /** Layers from the piece layer up to the root, padded (built on first use when serving). */
  private upper: Uint8Array[][] | undefined;

  constructor(
    readonly root: Uint8Array,
    readonly length: number,
    readonly pieceLength: number,
    private readonly hash: Sha256,
  ) {
    this.height = treeHeight(length);
    this.pieces = filePieceCount(length, pieceLength);
    this.pieceLayer = this.pieces > 1 ? log2(pieceLength / BLOCK_SIZE) : this.height;
    this.leavesPerPiece = 2 ** this.pieceLayer;
  }

  /** Whether each piece's expected hash is known (always for a file of one piece). */
  get hasLayer(): boolean {
    return this.pieces === 1 || this.layer !== undefined;
  }

  /** The piece layer, once known (for a one-piece file: just the root). */
  get pieceHashes(): readonly Uint8Array[] | undefined {
    return this.pieces === 1 ? [this.root] : this.layer;
  }

  /** Takes a verified piece layer (one hash per piece; pad hashes past the file's end are left out). */
  setLayer(hashes: readonly Uint8Array[]): void {
    this.addLayerHashes(0, hashes);
  }

  /**
   * Takes verified piece-layer hashes from `index` on (a `hashes` reply proven against the root);
   * true when the layer is complete with them.
   */
  addLayerHashes(index: number, hashes: readonly Uint8Array[]): boolean {
    if (this.hasLayer) return true;
    this.partial ??= Array.from({ length: this.pieces }, () => undefined);
    hashes.forEach((h, k) => {
      if (index + k < this.pieces) this.partial![index + k] ??= new Uint8Array(h);
    });
    if (this.partial.some((h) => h === undefined)) return false;
    this.layer = this.partial as Uint8Array[];
    this.partial = undefined;
    return true;
  }

  /** The hash piece `j` of the file must have, once the layer is known. */
  pieceHash(j: number): Uint8Array | undefined {
    return this.pieceHashes?.[j];
  }

  /** The subtree root of a piece's leaves (pad leaves are zero hashes). */
  async pieceRootOf(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
    return rootOf(leaves, 0, this.hash, this.pieceLayer);
  }

  /** Whether piece `j`'s file bytes hash to what the tree says; undefined while the layer is unknown. */
  async checkPiece(j: number, leaves: readonly Uint8Array[]): Promise<boolean | undefined> {
    const expected = this.pieceHash(j);
    if (expected === undefined) return undefined;
    return bytesEqual(await this.pieceRootOf(leaves), expected);
  }

  /** The hash request that fetches the piece layer `[index, index + length)` with a proof up to the root. */
  layerRequest(index: number, length: number): HashSpan {
    return { baseLayer: this.pieceLayer, index, length, proofLayers: this.height - this.pieceLayer - log2(length) };
  }

  /** The hash request for the leaves of piece `j`: checked against its piece hash, no proof needed. */
  leavesRequest(j: number): HashSpan {
    return { baseLayer: 0, index: j * this.leavesPerPiece, length: this.leavesPerPiece, proofLayers: 0 };
  }

  /**
   * The hashes answering a request, or undefined when we cannot serve it: the piece layer (and above)
   * once known, and the leaves of a piece we hold (`pieceLeaves(j)` gives them, or undefined).
   */
  async answer(r: HashSpan, pieceLeaves: (j: number) => Promise<Uint8Array[] | undefined>): Promise<Uint8Array | undefined> {
    const nodes: Uint8Array[] = [];
    const levels = log2(r.length);
    const span = [...Array<number>(r.length).keys()].map((k) => r.index + k);
    const at = async (layer: number, index: number): Promise<Uint8Array | undefined> => this.node(layer, index, pieceLeaves);
    for (const i of span) {
      const n = await at(r.baseLayer, i);
      if (n === undefined) return undefined;
      nodes.push(n);
    }
    const uncles = uncleCount(r, this.height);
    let index = r.index / r.length;
    for (let u = 0; u < uncles; u++) {
      const n = await at(r.baseLayer + levels + u, index ^ 1);
      if (n === undefined) return undefined;
      nodes.push(n);
      index >>= 1;
    }
    return concatBytes(nodes);
  }

  /** A node of the padded tree, or undefined when we do not know it. */
  private async node(layer: number, index: number, pieceLeaves: (j: number) => Promise<Uint8Array[] | undefined>): Promise<Uint8Array | undefined> {
    if (layer >= this.pieceLayer) {
      const upper = await this.upperLayers();
      return upper?.[layer - this.pieceLayer]?.[index];
    }
    const j = index >> (this.pieceLayer - layer);
    if (j >= this.pieces) return padHash(layer, this.hash);
    const leaves = await pieceLeaves(j);
    if (leaves === undefined) return undefined;
    let nodes: Uint8Array[] = [...leaves];
    while (nodes.length < this.leavesPerPiece) nodes.push(ZERO_HASH);
    for (let l = 0; l < layer; l++) nodes = await parentLayer(nodes, ZERO_HASH, this.hash);
    return nodes[index - j * (this.leavesPerPiece >> layer)];
  }

  private async upperLayers(): Promise<Uint8Array[][] | undefined> {
    const base = this.pieceHashes;
    if (base === undefined) return undefined;
    if (this.upper) return this.upper;
    const layers: Uint8Array[][] = [];
    let nodes = [...base];
    for (let layer = this.pieceLayer; layer <= this.height; layer++) {
      const width = 2 ** (this.height - layer);
      const pad = await padHash(layer, this.hash);
      while (nodes.length < width) nodes.push(pad);
      layers.push(nodes);
      if (layer < this.height) nodes = await parentLayer(nodes, pad, this.hash);
    }
    return (this.upper = layers);
  }
}
