/** Public types of the piece picker. */
import type { LayoutOptions, Pieces } from './layout.js';
import type { PieceGeometry } from '../geometry.js';

/** What `pickBlocks` needs to know about the peer it picks for. */
export interface PickerPeer<P> {
  readonly id: P;
  /** The peer has (announced) this piece. */
  has(index: number): boolean;
  /** The peer is choking us: only its allowed-fast pieces (BEP 6) may be requested. Default false. */
  readonly choked?: boolean;
  /** Pieces the peer lets us request while it chokes us (BEP 6 allowed fast). */
  readonly allowedFast?: ReadonlySet<number>;
  /** Pieces the peer suggested (BEP 6 `suggest`): among untouched pieces of a priority, taken first. */
  readonly suggested?: ReadonlySet<number>;
}

/** One block to request, as a `request`/`cancel` message names it. */
export interface BlockRequest {
  readonly index: number;
  readonly begin: number;
  readonly length: number;
}

/** What `blockReceived` reports. */
export interface BlockReceipt<P> {
  /** The OTHER peers this block was requested from (endgame): send them cancels. */
  readonly cancel: P[];
  /**
   * Not wanted: already received, the piece is verified, (index, begin) names no block, or the
   * piece was not started and the budget has no memory for it. Drop the data.
   */
  readonly duplicate: boolean;
  /** This block completed its piece: hash it, then call `pieceVerified` or `pieceFailed`. */
  readonly pieceComplete: boolean;
}

/** Options of `pieceFailed`. */
export interface FailOptions {
  /**
   * Refetch the piece from one peer at a time (no sharing, no endgame duplicates), so that a
   * second failure names its sender. Lasts until the piece verifies or fails without it.
   */
  readonly exclusive?: boolean;
}

/** A block request together with the peer it is outstanding at. */
export interface PeerRequest<P> extends BlockRequest {
  readonly peer: P;
}

/**
 * none: untouched (every block missing); partial: some blocks requested or received;
 * complete: every block received, awaiting the hash check; verifying: the caller is hashing it;
 * verified: we have it.
 */
export type PieceState = 'none' | 'partial' | 'complete' | 'verifying' | 'verified';

/** Blocks of a verified piece report 'received'. */
export type BlockState = 'missing' | 'requested' | 'received';

/** Piece priorities: 0 skips the piece (deselected file); higher is fetched earlier. */
export const PRIORITY = { skip: 0, low: 1, normal: 4, high: 7 } as const;
export const MAX_PRIORITY = 7;

/**
 * Memory for pieces in progress (see session/memory.ts): a piece's size is reserved before its
 * first block is requested and released when the piece is verified, fails, or is given up.
 */
export interface PieceBudget {
  /** Bytes that could be reserved now. */
  available(): number;
  /** Reserves `bytes` if they fit; false otherwise. */
  tryReserve(bytes: number): boolean;
  /** Gives back bytes reserved earlier. */
  release(bytes: number): void;
}

export interface PickerOptions extends LayoutOptions {
  /** The torrent's geometry, when the caller has one (the counts above must match it). */
  readonly geometry?: PieceGeometry;
  /** Memory for pieces in progress: a piece it cannot reserve for is not started. Default: none. */
  readonly budget?: PieceBudget;
  /** Tie-breaking among equally rare pieces; inject a seeded generator for deterministic tests. */
  readonly random?: () => number;
  /** Endgame: how many peers beyond the first may be asked for the same block. Default 2. */
  readonly maxDuplicates?: number;
  /** Pieces already verified (resume); more can be added with `pieceVerified`. */
  readonly have?: Pieces;
}

/** Bytes of the selected pieces (priority > 0), and how much of them we have. */
export interface Progress {
  readonly wanted: number;
  readonly verified: number;
  /** Verified bytes plus received but not yet verified blocks of selected pieces. */
  readonly received: number;
}
