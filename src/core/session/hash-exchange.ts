/**
 * BEP 52 hash messages in a session: fetching the piece layers a magnet link's metadata lacks
 * (proven against each file's `pieces root`), fetching the leaf hashes of pieces in progress so that
 * each 16 KiB block can be checked (proven against the piece layer), and serving both to peers. A
 * reply that does not prove out gets its sender banned; a reply we never asked for drops it; a
 * request we cannot serve is answered with a hash reject. Only with peers that set the v2 bit.
 */
import { bytesEqual, concatBytes, toHex } from '../bytes.js';
import { errorMessage } from '../errors.js';
import { HASH_SIZE, rootFromPieceLayer, splitHashes } from '../merkle.js';
import { climbProof, hashRangeProblem, verifyHashes } from '../merkle-proof.js';
import { leafHashes, type FileHashTree, type HashSpan } from '../merkle-tree.js';
import type { Sha256 } from '../sha256.js';
import type { V2Pieces } from '../v2-pieces.js';
import type { HashMessage, Peer } from './peer.js';

/** Hashes asked for or served in one message at most (BEP 52: requests SHOULD NOT ask for more than 512). */
export const MAX_HASHES = 512;
/** A request unanswered for this long is asked of another peer. */
const HASH_TIMEOUT = 10_000;
/** Hash requests of one peer we work on at once; more are rejected. */
const MAX_SERVING = 16;
/** Hash requests of one peer we may reject before it is dropped (a flood of nonsense). */
const MAX_REJECTED = 256;

export interface HashExchangeOptions {
  pieces: V2Pieces;
  hash: Sha256;
  now(): number;
  /** A verified piece's bytes, when we hold it. */
  readPiece(index: number): Promise<Uint8Array | undefined>;
  have(index: number): boolean;
  ban(peer: Peer, reason: string): void;
  drop(peer: Peer, reason: string): void;
  /** A file's piece layer is complete now: its pieces can be verified. */
  layerKnown(tree: FileHashTree): void;
  /** The leaf hashes of piece `index` are known (proven): its blocks can be checked one by one. */
  leavesKnown(index: number, leaves: Uint8Array[]): void;
  /** The leaf hashes asked for piece `index` will not come from the peer asked (it refused, left, lied or was silent). */
  leavesLost(index: number): void;
}

interface Asked {
  peer: Peer;
  at: number;
  tree: FileHashTree;
  span: HashSpan;
  /** The piece whose leaves these are (leaf requests). */
  piece?: number;
}

const keyOf = (tree: FileHashTree, s: Pick<HashSpan, 'baseLayer' | 'index' | 'length'>): string => `${toHex(tree.root)}:${s.baseLayer}:${s.index}:${s.length}`;

export class HashExchange {
  private readonly asked = new Map<string, Asked>();
  /** Pieces whose leaves are asked for or known. */
  private readonly leafPieces = new Set<number>();
  private readonly serving = new Map<Peer, number>();
  private readonly rejected = new Map<Peer, number>();
  /** Piece layers being rebuilt from the pieces we hold (a seed whose metadata came without them). */
  private readonly rebuilding = new Map<FileHashTree, Promise<void>>();
  /** Leaves of pieces served lately (peers ask for the leaves of a piece they fetch from us). */
  private readonly leafCache = new Map<number, Promise<Uint8Array[] | undefined>>();

  constructor(private readonly o: HashExchangeOptions) {}

  /** Asks `peer` for the piece layers still missing (of files it has pieces of) that nobody is fetching. */
  fetchLayers(peer: Peer): void {
    if (!peer.v2 || peer.closed) return;
    for (const tree of this.o.pieces.missingLayers()) {
      const first = this.o.pieces.pieceOf(tree, 0);
      if (first === undefined || !this.peerHasAny(peer, first, tree.pieces)) continue;
      const width = 2 ** (tree.height - tree.pieceLayer);
      const length = Math.min(MAX_HASHES, width);
      for (let index = 0; index < tree.pieces; index += length) this.ask(peer, tree, tree.layerRequest(index, length));
    }
  }

  /** Asks `peer` (which has piece `index`) for its leaf hashes, unless known or asked already. */
  fetchLeaves(peer: Peer, index: number): void {
    if (!peer.v2 || peer.closed || this.leafPieces.has(index)) return;
    const at = this.o.pieces.locate(index);
    if (!at?.tree.hasLayer || at.tree.leavesPerPiece < 2) return;
    this.leafPieces.add(index);
    this.ask(peer, at.tree, at.tree.leavesRequest(at.j), index);
  }

  /** The piece is done with (verified, or failed and refetched): its leaves may be asked again. */
  forgetLeaves(index: number): void {
    this.leafPieces.delete(index);
  }

  private ask(peer: Peer, tree: FileHashTree, span: HashSpan, piece?: number): void {
    const key = keyOf(tree, span);
    const prior = this.asked.get(key);
    if (prior && !prior.peer.closed && this.o.now() - prior.at < HASH_TIMEOUT) return;
    this.asked.set(key, { peer, at: this.o.now(), tree, span, ...(piece === undefined ? {} : { piece }) });
    peer.send({ type: 'hashRequest', piecesRoot: tree.root, ...span });
  }

  private peerHasAny(peer: Peer, first: number, count: number): boolean {
    if (peer.announced() === 'all') return true;
    for (let i = first; i < first + count; i++) if (peer.hasPiece(i)) return true;
    return false;
  }

  /** Requests unanswered too long are forgotten (asked of someone else); missing layers asked of `peers`. */
  tick(peers: Iterable<Peer>): void {
    const now = this.o.now();
    for (const [key, a] of this.asked) {
      if (now - a.at < HASH_TIMEOUT && !a.peer.closed) continue;
      this.lost(key, a);
    }
    for (const peer of peers) this.fetchLayers(peer);
  }

  peerGone(peer: Peer): void {
    for (const [key, a] of this.asked) {
      if (a.peer === peer) this.lost(key, a);
    }
    this.serving.delete(peer);
    this.rejected.delete(peer);
  }

  private lost(key: string, a: Asked): void {
    this.asked.delete(key);
    if (a.piece === undefined) return;
    this.leafPieces.delete(a.piece);
    this.o.leavesLost(a.piece);
  }

  /** Whether the leaves of piece `index` are asked for (or known). */
  leavesAsked(index: number): boolean {
    return this.leafPieces.has(index);
  }

  onMessage(peer: Peer, m: HashMessage): void {
    if (m.type === 'hashRequest') void this.serve(peer, m);
    else if (m.type === 'hashes') void this.received(peer, m).catch((e: unknown) => this.o.drop(peer, `could not check its hashes: ${errorMessage(e)}`));
    else this.refused(peer, m);
  }

  // ---- answering ------------------------------------------------------------------------------

  private async serve(peer: Peer, r: Extract<HashMessage, { type: 'hashRequest' }>): Promise<void> {
    const tree = this.o.pieces.tree(r.piecesRoot);
    const busy = this.serving.get(peer) ?? 0;
    const problem =
      tree === undefined
        ? 'no file of this torrent has that pieces root'
        : r.length > MAX_HASHES
          ? `asks for ${r.length} hashes (at most ${MAX_HASHES})`
          : busy >= MAX_SERVING
            ? 'too many hash requests at once'
            : hashRangeProblem(r, tree.height);
    let hashes: Uint8Array | undefined;
    if (problem === undefined) {
      this.serving.set(peer, busy + 1);
      try {
        if (!tree!.hasLayer) await this.rebuildLayer(tree!);
        hashes = await tree!.answer(r, (j) => this.pieceLeaves(tree!, j));
      } finally {
        this.serving.set(peer, (this.serving.get(peer) ?? 1) - 1);
      }
    }
    if (peer.closed) return;
    const span = { piecesRoot: r.piecesRoot, baseLayer: r.baseLayer, index: r.index, length: r.length, proofLayers: r.proofLayers };
    if (hashes !== undefined) {
      peer.send({ type: 'hashes', ...span, hashes });
      return;
    }
    peer.send({ type: 'hashReject', ...span });
    const count = (this.rejected.get(peer) ?? 0) + 1;
    this.rejected.set(peer, count);
    if (count > MAX_REJECTED)
      this.o.drop(peer, `more than ${MAX_REJECTED} hash requests we could not serve${problem === undefined ? '' : ` (the last: ${problem})`}`);
  }

  /**
   * A file's piece layer from its pieces, when we hold them all (a seed restored from its info
   * dictionary alone: piece layers are outside it); kept only if it hashes to the pieces root.
   */
  private rebuildLayer(tree: FileHashTree): Promise<void> {
    const first = this.o.pieces.pieceOf(tree, 0);
    if (first === undefined) return Promise.resolve();
    for (let j = 0; j < tree.pieces; j++) if (!this.o.have(first + j)) return Promise.resolve();
    let job = this.rebuilding.get(tree);
    if (!job) {
      job = (async () => {
        const layer: Uint8Array[] = [];
        for (let j = 0; j < tree.pieces; j++) {
          const leaves = await this.pieceLeaves(tree, j);
          if (!leaves) return;
          layer.push(await tree.pieceRootOf(leaves));
        }
        if (bytesEqual(await rootFromPieceLayer(concatBytes(layer), tree.pieceLength, this.o.hash), tree.root) && tree.addLayerHashes(0, layer)) {
          this.o.layerKnown(tree);
        }
      })().finally(() => this.rebuilding.delete(tree));
      this.rebuilding.set(tree, job);
    }
    return job;
  }

  private pieceLeaves(tree: FileHashTree, j: number): Promise<Uint8Array[] | undefined> {
    const index = this.o.pieces.pieceOf(tree, j);
    if (index === undefined || !this.o.have(index)) return Promise.resolve(undefined);
    let leaves = this.leafCache.get(index);
    if (!leaves) {
      const size = this.o.pieces.locate(index)!.size;
      leaves = this.o.readPiece(index).then((data) => (data ? leafHashes(data, size, this.o.hash) : undefined));
      this.leafCache.set(index, leaves);
      if (this.leafCache.size > 8) this.leafCache.delete(this.leafCache.keys().next().value!);
    }
    return leaves;
  }

  // ---- replies --------------------------------------------------------------------------------

  private refused(peer: Peer, m: Extract<HashMessage, { type: 'hashReject' }>): void {
    const tree = this.o.pieces.tree(m.piecesRoot);
    const key = tree && keyOf(tree, m);
    const a = key === undefined ? undefined : this.asked.get(key);
    if (a?.peer === peer) this.lost(key!, a);
  }

  private async received(peer: Peer, m: Extract<HashMessage, { type: 'hashes' }>): Promise<void> {
    const tree = this.o.pieces.tree(m.piecesRoot);
    const key = tree && keyOf(tree, m);
    const a = key === undefined ? undefined : this.asked.get(key);
    if (!a || a.peer !== peer || a.span.proofLayers !== m.proofLayers) {
      this.o.drop(peer, `sent hashes it was not asked for (layer ${m.baseLayer}, ${m.index} to ${m.index + m.length - 1})`);
      return;
    }
    this.asked.delete(key!);
    const t = a.tree;
    const reply = { baseLayer: m.baseLayer, index: m.index, length: m.length, proofLayers: m.proofLayers, hashes: m.hashes };
    if (a.piece === undefined) {
      const proof = await verifyHashes(reply, t.root, t.length, this.o.hash);
      if (!proof.ok) this.o.ban(peer, `sent piece-layer hashes that do not lead to the pieces root: ${proof.reason}`);
      else if (t.addLayerHashes(m.index, proof.base)) this.o.layerKnown(t);
      return;
    }
    const j = m.index / t.leavesPerPiece;
    const proof = await climbProof(reply, t.length, this.o.hash);
    const expected = t.pieceHash(j);
    const fits = proof.ok && proof.top.layer === t.pieceLayer && expected !== undefined && toHex(proof.top.node) === toHex(expected);
    if (!fits) {
      this.lost(key!, a);
      this.o.ban(peer, `sent leaf hashes of piece ${a.piece} that do not lead to its piece hash${proof.ok ? '' : `: ${proof.reason}`}`);
      return;
    }
    this.o.leavesKnown(a.piece, splitHashes(m.hashes.slice(0, m.length * HASH_SIZE)));
  }
}
