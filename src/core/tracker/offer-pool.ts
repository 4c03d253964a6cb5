/**
 * Offers made ahead. A WebRTC offer names no torrent, so a client can make its first announce's
 * offers while the page is still starting (restoring its torrents, opening the app): then the first
 * announce leaves the moment a torrent is added instead of after ICE gathering (in Chromium about
 * 35 ms for ten offers, plus the wait for late host candidates; README, "The benchmark").
 *
 * Made once, when asked (`warm`), never refilled on their own: offers nobody took are closed after
 * `maxAgeMs`, so a tab left open holds no idle connection for longer than that. A factory that fails
 * (no WebRTC in this page) is not tried again by warming; each `createOffer` still asks it, and its
 * error reaches the caller as before.
 */
import type { Clock, TimerHandle } from '../session/clock.js';
import type { AnswerDescription, OfferDescription } from './messages.js';
import type { PeerFactory, SignalingPeer } from './types.js';

export interface OfferPoolOptions {
  /** Offers made by `warm`. */
  size: number;
  /** An offer not taken by then is closed. */
  maxAgeMs: number;
  clock: Clock;
}

type Made<P> = { offer: OfferDescription; peer: P };

interface Ready<P> {
  made: Made<P>;
  timer: TimerHandle;
}

/** An offer being made: taken by a caller before it is ready (it then goes to that caller), or not. */
interface Making<P> {
  made: Promise<Made<P>>;
  taken: boolean;
}

export class OfferPool<P extends SignalingPeer> implements PeerFactory<P> {
  private ready: Ready<P>[] = [];
  private making: Making<P>[] = [];
  private broken = false;
  private closed = false;

  constructor(
    private readonly factory: PeerFactory<P>,
    private readonly o: OfferPoolOptions,
  ) {}

  /** Offers ready to be taken. */
  get size(): number {
    return this.ready.length;
  }

  /** Makes offers until `size` are ready or being made. */
  warm(): void {
    while (!this.closed && !this.broken && this.ready.length + this.making.length < this.o.size) {
      const slot: Making<P> = { made: this.factory.createOffer(), taken: false };
      this.making.push(slot);
      slot.made.then(
        (made) => {
          this.making.splice(this.making.indexOf(slot), 1);
          if (slot.taken) return;
          if (this.closed) return made.peer.destroy();
          const entry: Ready<P> = { made, timer: this.o.clock.setTimeout(() => this.drop(entry, true), this.o.maxAgeMs) };
          this.ready.push(entry);
          // One that closed while waiting (the page froze it, the network changed) is not handed out.
          void made.peer.closed.then(() => this.drop(entry, false));
        },
        () => {
          this.making.splice(this.making.indexOf(slot), 1);
          this.broken = true;
        },
      );
    }
  }

  /**
   * A ready offer when there is one, else one being made (sooner ready than a new one), else a new
   * one. Once closed, always a new one: the pool may have been closed because what its offers were
   * made with changed (the page's STUN/TURN servers).
   */
  createOffer(): Promise<Made<P>> {
    if (this.closed) return this.factory.createOffer();
    const entry = this.ready.shift();
    if (entry) {
      this.o.clock.clearTimeout(entry.timer);
      return Promise.resolve(entry.made);
    }
    const slot = this.making.find((m) => !m.taken);
    if (!slot) return this.factory.createOffer();
    slot.taken = true;
    return slot.made;
  }

  acceptOffer(offer: OfferDescription): Promise<{ answer: AnswerDescription; peer: P }> {
    return this.factory.acceptOffer(offer);
  }

  /** Closes the offers not taken; offers being made are closed as they come, and none is made ahead again. */
  close(): void {
    this.closed = true;
    for (const entry of [...this.ready]) this.drop(entry, true);
  }

  private drop(entry: Ready<P>, destroy: boolean): void {
    const i = this.ready.indexOf(entry);
    if (i < 0) return;
    this.ready.splice(i, 1);
    this.o.clock.clearTimeout(entry.timer);
    if (destroy) entry.made.peer.destroy();
  }
}
