/**
 * The pieces of a v2 or hybrid torrent as BEP 52 lays them out: every non-empty file starts a piece,
 * so a piece never spans two files; piece `i` is piece `j` of one file, whose bytes end within it
 * (the rest of a file's last piece is the alignment gap: zeros, hashed by no tree). Each file's
 * `FileHashTree` says what its pieces must hash to; identical files share a root, and one tree.
 */
import { bytesEqual, toHex } from './bytes.js';
import { BLOCK_SIZE } from './geometry.js';
import type { Metainfo } from './metainfo.js';
import { splitHashes } from './merkle.js';
import { FileHashTree, leafHashes } from './merkle-tree.js';
import type { Sha256 } from './sha256.js';

/** Where a piece lies in its file's tree. */
export interface PieceInTree {
  tree: FileHashTree;
  /** The piece's number within its file. */
  j: number;
  /** Bytes of the file in the piece (the rest, up to the piece's size, is the alignment gap). */
  size: number;
}

/** What checking a piece's bytes against its tree gave. */
export type TreeCheck =
  /** `leaves`: the piece's leaf hashes, now known right (block checks use them). */
  | { ok: true; leaves: Uint8Array[] }
  /** `badBlocks`: the blocks known wrong (when the piece's leaves were known), else undefined. */
  | { ok: false; badBlocks: number[] | undefined }
  /** The file's piece layer is not known yet. */
  | { ok: undefined };

export class V2Pieces {
  readonly trees = new Map<string, FileHashTree>();
  private readonly firstPieces: number[] = [];
  private readonly fileTrees: FileHashTree[] = [];
  private readonly fileEnds: number[] = [];
  private readonly pieceLength: number;

  constructor(meta: Metainfo, hash: Sha256) {
    this.pieceLength = meta.pieceLength;
    for (const f of meta.files) {
      if (f.piecesRoot === undefined || f.length === 0) continue;
      const hex = toHex(f.piecesRoot);
      let tree = this.trees.get(hex);
      if (!tree) {
        tree = new FileHashTree(f.piecesRoot, f.length, meta.pieceLength, hash);
        const layer = meta.pieceLayers?.get(hex);
        if (layer) tree.setLayer(splitHashes(layer));
        this.trees.set(hex, tree);
      }
      this.firstPieces.push(f.offset / meta.pieceLength);
      this.fileTrees.push(tree);
      this.fileEnds.push(f.offset + f.length);
    }
  }

  /** The tree of the file whose `pieces root` this is. */
  tree(root: Uint8Array): FileHashTree | undefined {
    const tree = this.trees.get(toHex(root));
    return tree && bytesEqual(tree.root, root) ? tree : undefined;
  }

  /** Files whose piece layer is still to come (from peers). */
  missingLayers(): FileHashTree[] {
    return [...this.trees.values()].filter((t) => !t.hasLayer);
  }

  /** Where piece `i` lies, or undefined for a piece of no file (none in a valid torrent). */
  locate(i: number): PieceInTree | undefined {
    let lo = 0;
    let hi = this.firstPieces.length - 1;
    if (hi < 0 || i < this.firstPieces[0]!) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.firstPieces[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    const tree = this.fileTrees[lo]!;
    const j = i - this.firstPieces[lo]!;
    if (j >= tree.pieces) return undefined;
    return { tree, j, size: Math.min(this.pieceLength, this.fileEnds[lo]! - i * this.pieceLength) };
  }

  /** The global index of piece `j` of a file with this tree (the first file that has it). */
  pieceOf(tree: FileHashTree, j: number): number | undefined {
    const f = this.fileTrees.indexOf(tree);
    return f < 0 ? undefined : this.firstPieces[f]! + j;
  }

  /**
   * Checks piece `i`'s bytes: its file's part against the tree, the gap after it for zeros. With
   * `knownLeaves` (verified leaf hashes of the piece) a failure says which blocks are wrong.
   */
  async check(i: number, data: Uint8Array, hash: Sha256, knownLeaves?: readonly Uint8Array[]): Promise<TreeCheck> {
    const at = this.locate(i);
    if (!at || !at.tree.hasLayer) return { ok: undefined };
    const leaves = await leafHashes(data, at.size, hash);
    const badBlocks = knownLeaves ? leaves.flatMap((leaf, b) => (knownLeaves[b] && bytesEqual(leaf, knownLeaves[b]) ? [] : [b])) : undefined;
    const dirty = data.subarray(at.size).findIndex((byte) => byte !== 0);
    const gapClean = dirty < 0;
    const gapBlock = Math.floor((at.size + dirty) / BLOCK_SIZE);
    if (!gapClean && badBlocks && !badBlocks.includes(gapBlock)) badBlocks.push(gapBlock);
    if (gapClean && (await at.tree.checkPiece(at.j, leaves))) return { ok: true, leaves };
    return { ok: false, badBlocks };
  }
}
