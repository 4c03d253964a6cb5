/**
 * The block states of one piece being downloaded. A piece has a `PieceDownload` from its first
 * request (or first unsolicited block) until it is verified or fails its hash check; a piece with
 * no record is untouched: every block missing.
 *
 *   missing ──request──▶ requested ──receive──▶ received
 *      ▲                     │
 *      └──release (last requester cancelled, rejected, gone)
 *
 * A block has one requester outside endgame and a few in endgame. When every block is received
 * the piece is complete; the caller hashes it (`verifying` is set) and either the picker drops the
 * record (verified) or `reset` puts every block back to missing (failed).
 */

export const MISSING = 0;
export const REQUESTED = 1;
export const RECEIVED = 2;

const NOBODY: readonly never[] = [];

export class PieceDownload<P> {
  /** Per block: MISSING, REQUESTED or RECEIVED. */
  readonly state: Uint8Array;
  /** Per block: the peers it is requested from (only while REQUESTED). */
  private readonly requesters: (P[] | undefined)[];
  /** Per block: the peer whose copy we kept (only while RECEIVED). */
  private readonly senders: (P | undefined)[];
  missing: number;
  requested = 0;
  received = 0;
  /** Outstanding requests in this piece, per peer. */
  readonly active = new Map<P, number>();
  /** The caller is hashing the complete piece. */
  verifying = false;

  constructor(blocks: number) {
    this.state = new Uint8Array(blocks);
    this.requesters = new Array<P[] | undefined>(blocks).fill(undefined);
    this.senders = new Array<P | undefined>(blocks).fill(undefined);
    this.missing = blocks;
  }

  get blocks(): number {
    return this.state.length;
  }

  get complete(): boolean {
    return this.received === this.state.length;
  }

  /** Nothing requested and nothing received: the record can go. */
  get idle(): boolean {
    return this.requested === 0 && this.received === 0;
  }

  requestersOf(block: number): readonly P[] {
    return this.requesters[block] ?? NOBODY;
  }

  senderOf(block: number): P | undefined {
    return this.senders[block];
  }

  /** Adds `peer` as a requester of a MISSING or REQUESTED block. True when the block was missing. */
  request(block: number, peer: P): boolean {
    const wasMissing = this.state[block] === MISSING;
    const list = this.requesters[block] ?? [];
    list.push(peer);
    this.requesters[block] = list;
    this.active.set(peer, (this.active.get(peer) ?? 0) + 1);
    if (wasMissing) {
      this.state[block] = REQUESTED;
      this.missing--;
      this.requested++;
    }
    return wasMissing;
  }

  /**
   * Drops `peer`'s request for `block`. 'none': it had none; 'kept': others still hold the block;
   * 'missing': the block went back to missing.
   */
  release(block: number, peer: P): 'none' | 'kept' | 'missing' {
    const list = this.requesters[block];
    const at = list === undefined ? -1 : list.indexOf(peer);
    if (list === undefined || at < 0) return 'none';
    list.splice(at, 1);
    this.forget(peer);
    if (list.length > 0) return 'kept';
    this.requesters[block] = undefined;
    this.state[block] = MISSING;
    this.requested--;
    this.missing++;
    return 'missing';
  }

  /**
   * Marks `block` received from `peer`. Undefined when it was already received (a late duplicate:
   * drop the data). Otherwise whether it was missing (unsolicited) and the other requesters, to cancel.
   */
  receive(block: number, peer: P): { wasMissing: boolean; cancel: P[] } | undefined {
    const state = this.state[block];
    if (state === RECEIVED) return undefined;
    const cancel: P[] = [];
    for (const p of this.requesters[block] ?? NOBODY) {
      this.forget(p);
      if (p !== peer) cancel.push(p);
    }
    this.requesters[block] = undefined;
    if (state === MISSING) this.missing--;
    else this.requested--;
    this.state[block] = RECEIVED;
    this.senders[block] = peer;
    this.received++;
    return { wasMissing: state === MISSING, cancel };
  }

  /** A received block back to missing (it proved wrong on its own). False when it was not received. */
  discard(block: number): boolean {
    if (this.state[block] !== RECEIVED) return false;
    this.state[block] = MISSING;
    this.senders[block] = undefined;
    this.received--;
    this.missing++;
    return true;
  }

  /** Every block back to missing (hash failure). Returns how many blocks were not missing. */
  reset(): number {
    const changed = this.state.length - this.missing;
    this.state.fill(MISSING);
    this.requesters.fill(undefined);
    this.senders.fill(undefined);
    this.active.clear();
    this.missing = this.state.length;
    this.requested = 0;
    this.received = 0;
    this.verifying = false;
    return changed;
  }

  /** Blocks `peer` has an outstanding request for, in order. */
  blocksRequestedBy(peer: P): number[] {
    const out: number[] = [];
    if (!this.active.has(peer)) return out;
    for (let b = 0; b < this.state.length; b++) {
      if (this.requesters[b]?.includes(peer) === true) out.push(b);
    }
    return out;
  }

  private forget(peer: P): void {
    const n = (this.active.get(peer) ?? 0) - 1;
    if (n > 0) this.active.set(peer, n);
    else this.active.delete(peer);
  }
}
