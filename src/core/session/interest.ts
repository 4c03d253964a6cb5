/**
 * Our interest in each peer: whether we tell it `interested`, kept in step with what it has (its
 * bitfield and `have`s, counted by the picker) and what we still want (a piece verified, priorities
 * changed). A peer we are interested in is asked for blocks (requester.ts).
 */
import type { Peer } from './peer.js';
import type { BitField } from '../wire/index.js';
import type { PiecePicker } from '../picker/index.js';

export interface InterestOptions {
  /** The picker, once the metadata is known. */
  picker(): PiecePicker | undefined;
  /** What the peer has was counted (Downloads.peerHas). */
  peerHas(peer: Peer): void;
  /** Whether a streaming reader waits for the piece. */
  isCritical(index: number): boolean;
  /** The peer told us what it has (initial seeding may reveal more pieces to it). */
  updated(peer: Peer): void;
  /** Fills the peer's pipeline / cancels its requests for pieces no reader waits for (requester.ts). */
  fill(peer: Peer): void;
  preemptForCritical(peer: Peer): void;
}

export class Interest {
  constructor(private readonly o: InterestOptions) {}

  /** What a peer has changed: the picker counts it, and our interest follows. */
  availability(peer: Peer, added: number | BitField | 'all' | undefined, removed: BitField | 'all' | undefined): void {
    const picker = this.o.picker();
    if (picker) {
      if (removed !== undefined) picker.removeAvailability(removed === 'all' ? null : removed);
      if (typeof added === 'number') {
        picker.incrementAvailability(added);
        if (this.o.isCritical(added)) this.o.preemptForCritical(peer);
      } else if (added !== undefined) picker.addAvailability(added === 'all' ? null : added);
      this.o.peerHas(peer);
    }
    this.update(peer, typeof added === 'number' ? added : undefined);
  }

  /** A piece is verified and the peer told we have it: it may have nothing more we want. */
  pieceVerified(peer: Peer): void {
    if (peer.amInterested) this.update(peer);
  }

  /**
   * Our interest in a peer (and our requests to it), after it told us what it has or we got a piece. `announced`: the piece it
   * just said it has; when we want it, no need to look further; else the search starts where it last found one (`interestHint`).
   */
  update(peer: Peer, announced?: number): void {
    const picker = this.o.picker();
    if (peer.closed) return;
    // Before the metadata, a peer that said it has pieces likely has one we want: saying so now lets it unchoke us while the metadata
    // comes, so the first requests leave with it, not a round trip later. The metadata corrects it (we may hold those pieces already).
    if (!picker) return peer.setInterested(peer.announced() !== 'none');
    this.o.updated(peer);
    const known = announced !== undefined && picker.wants(announced) && peer.hasPiece(announced);
    const want = known || (peer.interestHint = picker.firstInteresting(peer.have ?? ((i) => peer.hasPiece(i)), peer.interestHint)) >= 0;
    peer.setInterested(want);
    if (want) this.o.fill(peer);
  }
}
