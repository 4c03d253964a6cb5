/**
 * The WebRTC side of the tracker client, written against the caller's {@link PeerFactory}: makes
 * offers while a torrent wants peers, answers offers within the caps, expires what goes unanswered,
 * and hands connected peers over through `onPeer`.
 */
import type { Clock } from '../session/clock.js';
import { errorMessage } from '../errors.js';
import { randomBinaryId } from './backoff.js';
import { LinkBook, type Link } from './links.js';
import type { AnswerDescription, OfferDescription } from './messages.js';
import type { PeerFactory, SignalingPeer } from './types.js';

export interface SignalingOptions {
  /** An offer without an answer after this long is dropped, ms. */
  offerTimeout: number;
  /** A link answered (either way) but not connected after this long is dropped, ms. */
  connectTimeout: number;
  maxPeersPerTorrent: number;
  maxPeers: number;
}

export interface PendingOffer<P> {
  /** Binary string. */
  offerId: string;
  offer: OfferDescription;
  link: Link<P>;
}

export interface SignalingHooks<P> {
  /** How many more peers the torrent (binary info hash) wants; 0 if unknown. */
  demand(infoHash: string): number;
  /** Every slot of the torrent is taken: whether it closed a connection for a peer the tracker introduces. */
  makeRoom?(infoHash: string): boolean;
  onPeer(infoHash: string, peer: P, remote: string): void;
  warn(infoHash: string, message: string): void;
  /**
   * A connection to a known remote peer (it answered our offer, or we answered its) did not come
   * up: the peer failed (`connected` rejected: its message is the reason) or closed before it
   * opened, or `connectTimeout` passed. Not called for attempts we gave up ourselves.
   */
  failed(infoHash: string, remote: string, reason: string): void;
}

export class Signaling<P extends SignalingPeer> {
  readonly links: LinkBook<P>;

  constructor(
    selfId: string,
    private readonly clock: Clock,
    private readonly factory: PeerFactory<P>,
    private readonly o: SignalingOptions,
    private readonly hooks: SignalingHooks<P>,
  ) {
    this.links = new LinkBook<P>(selfId, clock);
  }

  /**
   * How many more connection attempts the torrent may start now. The caps count every pending
   * link. The torrent's own demand counts, for an incoming offer, only links with a known remote:
   * our unanswered offers (most go nowhere in a small swarm) must not make us refuse a real peer.
   */
  wanted(infoHash: string, incoming = false): number {
    const raw = this.hooks.demand(infoHash);
    const demand = Number.isFinite(raw) ? Math.floor(raw) : 0;
    const t = this.links.counts(infoHash);
    const n = Math.min(
      demand - (incoming ? t.answered : t.pending),
      this.o.maxPeersPerTorrent - t.pending - t.connected,
      this.o.maxPeers - this.links.pending - this.links.connected,
    );
    return Math.max(0, n);
  }

  /** Makes up to `n` offers (fewer if the torrent wants fewer). Failed ones are left out. */
  async createOffers(infoHash: string, n: number): Promise<PendingOffer<P>[]> {
    const count = Math.min(n, this.wanted(infoHash));
    const links: Link<P>[] = [];
    for (let i = 0; i < count; i++) links.push(this.links.open(infoHash, 'self'));
    const made = await Promise.all(
      links.map(async (link): Promise<PendingOffer<P> | undefined> => {
        try {
          const { offer, peer } = await this.factory.createOffer();
          if (!this.links.attach(link, peer)) return undefined;
          return { offerId: randomBinaryId(), offer, link };
        } catch (e) {
          this.links.close(link);
          this.hooks.warn(infoHash, `could not create an offer: ${errorMessage(e)}`);
          return undefined;
        }
      }),
    );
    return made.filter((p): p is PendingOffer<P> => p !== undefined && p.link.state === 'pending');
  }

  /** The offer was sent: it expires after `offerTimeout` unless answered. */
  arm(p: PendingOffer<P>, onExpire: () => void): void {
    p.link.timer = this.clock.setTimeout(() => {
      p.link.timer = undefined;
      this.links.close(p.link);
      onExpire();
    }, this.o.offerTimeout);
  }

  /** Drops a pending offer (its socket is gone, or the torrent removed). */
  drop(p: PendingOffer<P>): void {
    this.links.close(p.link);
  }

  /** `remote` answered one of our offers. */
  answered(p: PendingOffer<P>, remote: string, answer: AnswerDescription): void {
    const link = p.link;
    if (link.timer !== undefined) this.clock.clearTimeout(link.timer);
    link.timer = undefined;
    const peer = link.peer;
    if (!peer || !this.links.bind(link, remote)) {
      this.links.close(link);
      return;
    }
    try {
      peer.signal(answer);
    } catch (e) {
      this.links.close(link);
      this.hooks.warn(link.infoHash, `could not use an answer: ${errorMessage(e)}`);
      return;
    }
    this.watch(link, peer, remote);
  }

  /**
   * `remote` offers to connect. Resolves to our answer (to send, then call `watch`), or undefined
   * if the offer is refused (caps, duplicate) or failed.
   */
  async accept(infoHash: string, remote: string, offer: OfferDescription): Promise<{ answer: AnswerDescription; link: Link<P> } | undefined> {
    if (!this.links.accepts(infoHash, remote, 'remote')) return undefined;
    // A full torrent may make room for it (a newcomer may have no other way in); the link of the
    // connection it closed is still counted for a moment, so this one may go one over the caps.
    if (this.wanted(infoHash, true) <= 0 && !(this.hooks.makeRoom?.(infoHash) ?? false)) return undefined;
    const link = this.links.open(infoHash, 'remote');
    this.links.bind(link, remote);
    try {
      const { answer, peer } = await this.factory.acceptOffer(offer);
      if (!this.links.attach(link, peer)) return undefined;
      return { answer, link };
    } catch (e) {
      this.links.close(link);
      this.hooks.warn(infoHash, `could not answer an offer: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /**
   * Waits for the link to connect (within `connectTimeout`), then hands the peer over; tells
   * `failed` when it does not (a link closed here before, for a duplicate or a removed torrent, is
   * not a failure).
   */
  watch(link: Link<P>, peer: P, remote: string): void {
    if (link.state !== 'pending') return;
    const giveUp = (reason: string, destroyPeer = true): void => {
      if (link.state !== 'pending') return;
      this.links.close(link, destroyPeer);
      this.hooks.failed(link.infoHash, remote, reason);
    };
    link.timer = this.clock.setTimeout(() => {
      link.timer = undefined;
      giveUp(`no connection within ${Math.round(this.o.connectTimeout / 1000)} s`);
    }, this.o.connectTimeout);
    peer.connected.then(
      () => {
        if (this.links.markConnected(link)) this.hooks.onPeer(link.infoHash, peer, remote);
      },
      (e: unknown) => giveUp(errorMessage(e)),
    );
    void peer.closed.then(() => {
      giveUp('the connection closed before it opened', false);
      this.links.close(link, false);
    });
  }
}
