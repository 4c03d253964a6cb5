/**
 * One tracker connection's side of WebRTC signaling: the offers it sent out (until answered,
 * expired or dropped) and the answers it sends back to offers relayed to it. The connection
 * decides when a socket is live and how text goes out; this module only keeps the books.
 */
import { encodeAnswer, type RelayedAnswer, type RelayedOffer } from './messages.js';
import type { PendingOffer, Signaling } from './signaling.js';
import type { SignalingPeer } from './types.js';

export class OfferBook<P extends SignalingPeer> {
  private readonly offers = new Map<string, PendingOffer<P>>();

  constructor(
    private readonly signaling: Signaling<P>,
    /** Our peer id (binary string). */
    private readonly peerId: string,
  ) {}

  /** Offers just sent in an announce: kept until answered, or dropped when they expire. */
  track(offers: readonly PendingOffer<P>[]): void {
    for (const p of offers) {
      this.offers.set(p.offerId, p);
      this.signaling.arm(p, () => this.offers.delete(p.offerId));
    }
  }

  /** Drops every offer of one torrent (it left this tracker). */
  dropTorrent(infoHash: string): void {
    for (const [id, p] of this.offers) {
      if (p.link.infoHash === infoHash) {
        this.offers.delete(id);
        this.signaling.drop(p);
      }
    }
  }

  /** Drops every offer: answers to them could only have come through a socket now closed. */
  dropAll(): void {
    for (const p of this.offers.values()) this.signaling.drop(p);
    this.offers.clear();
  }

  /**
   * The server relays an announce's offers to at most (swarm size − 1) other peers, the first
   * offers first. Keeping `swarm` of them (one spare, in case a tracker's counts leave us out),
   * the rest can never be answered: drop them now rather than after the offer timeout.
   */
  dropSurplus(ids: readonly string[], swarm: number): void {
    for (const id of ids.slice(Math.max(0, Math.floor(swarm)))) {
      const p = this.offers.get(id);
      if (!p) continue;
      this.offers.delete(id);
      this.signaling.drop(p);
    }
  }

  /** A remote peer answered one of our offers (ignored unless it matches one, and is not our own). */
  answered(msg: RelayedAnswer): void {
    const p = this.offers.get(msg.offerId);
    if (!p || p.link.infoHash !== msg.infoHash || msg.peerId === this.peerId) return;
    this.offers.delete(msg.offerId);
    this.signaling.answered(p, msg.peerId, msg.answer);
  }

  /**
   * Answers an offer relayed by the tracker. `live` says, after the answer is made, whether the
   * socket and torrent it came for are still there; `send` sends text on that socket.
   */
  async answer(msg: RelayedOffer, live: () => boolean, send: (text: string) => boolean): Promise<void> {
    const accepted = await this.signaling.accept(msg.infoHash, msg.peerId, msg.offer);
    if (!accepted) return;
    const { answer, link } = accepted;
    const sent = live() && send(encodeAnswer({ infoHash: msg.infoHash, peerId: this.peerId, toPeerId: msg.peerId, offerId: msg.offerId, answer }));
    if (!sent || !link.peer) {
      this.signaling.links.close(link);
      return;
    }
    this.signaling.watch(link, link.peer, msg.peerId);
  }
}
