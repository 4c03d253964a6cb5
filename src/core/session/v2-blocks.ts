/**
 * What BitTorrent v2 adds to a session's downloads (BEP 52): pieces checked against their file's
 * Merkle tree (waiting, for a magnet link, until the piece layer has come from peers), and single
 * 16 KiB blocks checked against the piece's leaf hashes once those are known, so that a peer that
 * sends one bad block is named by that block alone. The hash messages themselves are
 * hash-exchange.ts's; this module decides what a piece or a block is worth.
 */
import { bytesEqual, concatBytes, toHex } from '../bytes.js';
import { BLOCK_SIZE } from '../geometry.js';
import type { FileHashTree } from '../merkle-tree.js';
import type { Metainfo } from '../metainfo.js';
import type { Sha256 } from '../sha256.js';
import { V2Pieces } from '../v2-pieces.js';
import { HashExchange, type HashExchangeOptions } from './hash-exchange.js';
import type { Peer } from './peer.js';

/** What a piece check gave: right, or wrong (with the blocks known wrong, when the leaves were known). */
export type PieceCheck = { ok: true } | { ok: false; badBlocks?: number[] };

export type V2Options = Omit<HashExchangeOptions, 'pieces' | 'layerKnown' | 'leavesKnown' | 'leavesLost'> & {
  /** The proven leaves of a piece in progress came: check the blocks already received. */
  leavesArrived(index: number): void;
  /** A file's piece layer came: the leaves of its pieces in progress can be asked for now. */
  layerArrived(): void;
};

/** The info hashes peers may name a torrent by: `own`, and once the metadata is known a hybrid's other one. */
export function infoHashesOf(own: Uint8Array, m: Metainfo | undefined): Uint8Array[] {
  const hashes = [own];
  if (m?.infoHashV1 !== undefined) hashes.push(m.infoHashBytes);
  if (m?.infoHashV2Bytes !== undefined) hashes.push(m.infoHashV2Bytes.subarray(0, 20));
  return hashes;
}

export class V2Blocks {
  readonly pieces: V2Pieces;
  readonly exchange: HashExchange;
  /** Proven leaf hashes of pieces not verified yet. */
  private readonly leaves = new Map<number, Uint8Array[]>();
  private readonly waiting = new Map<FileHashTree, (() => void)[]>();
  /** Blocks of pieces in progress checked right against their leaf hash (a stream may read them). */
  private readonly good = new Map<number, Set<number>>();
  /** Waiting for the leaves of a piece: told whether they came. */
  private readonly waitingLeaves = new Map<number, ((came: boolean) => void)[]>();

  constructor(
    info: Metainfo,
    private readonly hash: Sha256,
    o: V2Options,
  ) {
    this.pieces = new V2Pieces(info, hash);
    this.exchange = new HashExchange({
      ...o,
      pieces: this.pieces,
      layerKnown: (tree) => {
        // The metadata's piece layers fill in as they come (its .torrent file is then complete).
        (info.pieceLayers ??= new Map()).set(toHex(tree.root), concatBytes(tree.pieceHashes!));
        for (const resume of this.waiting.get(tree) ?? []) resume();
        this.waiting.delete(tree);
        o.layerArrived();
      },
      leavesKnown: (index, leaves) => {
        if (!o.have(index)) {
          this.leaves.set(index, leaves);
          o.leavesArrived(index);
        }
        this.leavesSettled(index, true);
      },
      leavesLost: (index) => this.leavesSettled(index, false),
    });
  }

  /** Whether a block of piece `index` can be checked on its own now. */
  canCheckBlock(index: number): boolean {
    return this.leaves.has(index) || this.pieces.locate(index)?.tree.leavesPerPiece === 1;
  }

  /**
   * Whether block `b` (of `data.length` bytes, at `b * 16 KiB`) of piece `index` is right; undefined
   * when that cannot be told yet. The alignment gap must be zeros.
   */
  async checkBlock(index: number, b: number, data: Uint8Array): Promise<boolean | undefined> {
    const at = this.pieces.locate(index);
    if (!at) return undefined;
    const begin = b * BLOCK_SIZE;
    const fileBytes = Math.max(0, Math.min(data.length, at.size - begin));
    if (!data.subarray(fileBytes).every((byte) => byte === 0)) return false;
    if (fileBytes === 0) return true;
    const expected = at.tree.leavesPerPiece === 1 ? at.tree.pieceHash(at.j) : this.leaves.get(index)?.[b];
    if (expected === undefined) return undefined;
    return bytesEqual(await this.hash(data.subarray(0, fileBytes)), expected);
  }

  /** Checks a complete piece against its tree, first waiting for its file's piece layer if need be. */
  async checkPiece(index: number, data: Uint8Array): Promise<PieceCheck> {
    const at = this.pieces.locate(index);
    if (!at) return { ok: false };
    if (!at.tree.hasLayer) await new Promise<void>((resolve) => this.waiting.set(at.tree, [...(this.waiting.get(at.tree) ?? []), resolve]));
    return this.checkNow(index, data) as Promise<PieceCheck>;
  }

  /** Checks a piece now; undefined when its file's piece layer is not known (a hybrid's v1 check then suffices). */
  async checkNow(index: number, data: Uint8Array): Promise<PieceCheck | undefined> {
    const r = await this.pieces.check(index, data, this.hash, this.leaves.get(index));
    if (r.ok === undefined) return undefined;
    if (r.ok) return { ok: true };
    return r.badBlocks ? { ok: false, badBlocks: r.badBlocks } : { ok: false };
  }

  private leavesSettled(index: number, came: boolean): void {
    for (const tell of this.waitingLeaves.get(index) ?? []) tell(came);
    this.waitingLeaves.delete(index);
  }

  /**
   * The leaves of piece `index`, asked of a peer that has it if nobody is asked yet: whether they are
   * known now. (A piece that failed its check: its leaves say which blocks were wrong.)
   */
  async awaitLeaves(index: number, peers: Iterable<Peer>): Promise<boolean> {
    if (this.leaves.has(index)) return true;
    if (!this.exchange.leavesAsked(index))
      for (const p of peers) if (p.v2 && p.hasPiece(index) && !this.exchange.leavesAsked(index)) this.exchange.fetchLeaves(p, index);
    if (!this.exchange.leavesAsked(index)) return false;
    return new Promise<boolean>((resolve) => this.waitingLeaves.set(index, [...(this.waitingLeaves.get(index) ?? []), resolve]));
  }

  /** Block `b` of piece `index` (in progress) proved right on its own. */
  blockGood(index: number, b: number): void {
    const set = this.good.get(index) ?? new Set<number>();
    this.good.set(index, set.add(b));
  }

  isGood(index: number, b: number): boolean {
    return this.good.get(index)?.has(b) ?? false;
  }

  /** The piece's blocks are no longer held (it failed, was given up, or is being verified). */
  forgetGood(index: number): void {
    this.good.delete(index);
  }

  /** A piece is verified: its leaves are not needed any more. */
  verified(index: number): void {
    this.good.delete(index);
    this.leaves.delete(index);
    this.exchange.forgetLeaves(index);
  }

  /** The first block of a piece came from `peer`: it is asked for the piece's leaves (it has the piece). */
  started(peer: Peer, index: number): void {
    if (!this.leaves.has(index)) this.exchange.fetchLeaves(peer, index);
  }
}
