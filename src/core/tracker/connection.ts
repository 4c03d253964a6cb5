/**
 * One tracker URL: one socket shared by every torrent announced there. Reconnects with jittered
 * exponential backoff and re-announces (`started`) on every new socket, since the server forgets a
 * peer whose socket closed. Announces per torrent on the server's interval (clamped), sooner while
 * the torrent starves (announce-timer.ts).
 */
import type { Clock, TimerHandle } from '../session/clock.js';
import { errorMessage } from '../errors.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { AnnounceTimer } from './announce-timer.js';
import { encodeAnnounce, encodeScrape, parseTrackerMessage, TrackerProtocolError, type AnnounceEvent, type TrackerReply } from './messages.js';
import { OfferBook } from './offer-book.js';
import type { PendingOffer, Signaling } from './signaling.js';
import type { SignalingPeer, SocketConnector, SocketLike, TrackerEvent, TransferStats, WarningKind } from './types.js';

export interface ConnectionOptions {
  backoff: BackoffOptions;
  /** Before the server said otherwise, ms. */
  defaultInterval: number;
  /** Server intervals are clamped to [minInterval, maxInterval], ms. */
  minInterval: number;
  maxInterval: number;
  /** A socket not open after this long is given up and retried, ms. */
  openTimeout: number;
  offersPerAnnounce: number;
  /** A starving torrent's first announce after a failed connection comes this long after its last, ms (see `retryAfterFailure`). */
  failureRetry: number;
}

/** What a connection needs from its client. */
export interface ConnectionHost<P extends SignalingPeer> {
  readonly clock: Clock;
  readonly random: () => number;
  /** Binary string. */
  readonly peerId: string;
  readonly connect: SocketConnector;
  readonly signaling: Signaling<P>;
  readonly options: ConnectionOptions;
  /** A live view of a torrent (`completed` and `starving` read the current state). */
  torrent(infoHash: string): { readonly bytes: Uint8Array; readonly completed: boolean; readonly starving: boolean; stats(): TransferStats } | undefined;
  emit(event: TrackerEvent): void;
}

interface Slot {
  readonly infoHash: string;
  readonly bytes: Uint8Array;
  started: boolean;
  completedSent: boolean;
  inFlight: boolean;
  /** The next periodic announce; when the last was sent; the tracker's intervals. */
  readonly timer: AnnounceTimer;
  /** Offer ids of the last announce, until its reply says how many peers could get them. */
  lastOffers: string[] | undefined;
}

export class TrackerConnection<P extends SignalingPeer> {
  private socket: SocketLike | undefined;
  private open = false;
  private generation = 0;
  private attempt = 0;
  private retryTimer?: TimerHandle;
  private openTimer?: TimerHandle;
  private readonly slots = new Map<string, Slot>();
  /** Opened ahead of its first torrent (see `preconnect`): its socket stays without one. */
  private ahead = false;
  private readonly offers: OfferBook<P>;

  constructor(
    readonly url: string,
    private readonly host: ConnectionHost<P>,
  ) {
    this.offers = new OfferBook(host.signaling, host.peerId);
  }

  get torrents(): number {
    return this.slots.size;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Held open ahead of its first torrent (see `preconnect`). */
  get heldAhead(): boolean {
    return this.ahead;
  }

  add(infoHash: string, bytes: Uint8Array): void {
    if (this.slots.has(infoHash)) return;
    const slot: Slot = {
      infoHash,
      bytes,
      started: false,
      completedSent: false,
      inFlight: false,
      timer: new AnnounceTimer(
        this.host.clock,
        this.host.options.defaultInterval,
        this.host.options.minInterval,
        () => this.host.torrent(infoHash)?.starving ?? false,
        () => void this.announce(slot),
      ),
      lastOffers: undefined,
    };
    this.slots.set(infoHash, slot);
    if (this.open) void this.announce(slot);
    else if (!this.socket && this.retryTimer === undefined) this.connect();
  }

  /** Opens the socket before any torrent is added, for the first to announce at once (TrackerClient.preconnect). */
  preconnect(): void {
    this.ahead = true;
    if (!this.socket && this.retryTimer === undefined) this.connect();
  }

  /** No longer held open ahead: closed unless a torrent uses it. */
  endPreconnect(): void {
    this.ahead = false;
    if (this.slots.size === 0) this.shutDown();
  }

  /** Sends `stopped` if the tracker knows the torrent, and forgets it. The last one closes the socket. */
  remove(infoHash: string): void {
    const slot = this.slots.get(infoHash);
    if (!slot) return;
    this.slots.delete(infoHash);
    slot.timer.clear();
    if (this.open && slot.started && this.sendAnnounce(slot, 'stopped', [])) this.announced(slot, 'stopped', 0);
    this.offers.dropTorrent(infoHash);
    if (this.slots.size === 0 && !this.ahead) this.shutDown();
  }

  /** A pending event (`completed`) goes out at once. */
  update(infoHash: string): void {
    const slot = this.slots.get(infoHash);
    if (slot) void this.announce(slot);
  }

  /** Announces as soon as the rate limit allows. */
  reannounce(infoHash: string): void {
    this.announceWhen(infoHash, (timer) => timer.after(this.host.options.minInterval, false));
  }

  /** A connection of this starving torrent failed before it opened: it asks again soon (AnnounceTimer.afterFailure). */
  retryAfterFailure(infoHash: string): void {
    const o = this.host.options;
    this.announceWhen(infoHash, (timer) => timer.afterFailure(o.failureRetry, o.minInterval));
  }

  /** Announces now if `when` says so (it may set the slot's timer instead), while the socket is open and no announce is being made. */
  private announceWhen(infoHash: string, when: (timer: AnnounceTimer) => 'now' | 'set' | undefined): void {
    const slot = this.slots.get(infoHash);
    if (slot && this.open && !slot.inFlight && when(slot.timer) === 'now') void this.announce(slot);
  }

  scrape(infoHash: string): void {
    if (this.open && this.slots.has(infoHash)) this.send(encodeScrape([infoHash]));
  }

  destroy(): void {
    this.ahead = false;
    for (const infoHash of [...this.slots.keys()]) this.remove(infoHash);
    this.shutDown();
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.socket || (this.slots.size === 0 && !this.ahead)) return;
    const gen = ++this.generation;
    let socket: SocketLike;
    try {
      socket = this.host.connect(this.url);
    } catch (e) {
      this.warn('socket', `cannot connect: ${errorMessage(e)}`);
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (gen === this.generation) this.opened();
    };
    socket.onmessage = (text) => {
      if (gen === this.generation) this.onMessage(text);
    };
    socket.onclose = () => {
      if (gen === this.generation) this.lost();
    };
    socket.onerror = (message) => {
      if (gen !== this.generation) return;
      this.warn('socket', message || 'socket error');
      this.lost();
    };
    this.openTimer = this.host.clock.setTimeout(() => {
      this.openTimer = undefined;
      if (gen !== this.generation) return;
      this.warn('socket', 'timed out connecting');
      this.lost();
    }, this.host.options.openTimeout);
  }

  private opened(): void {
    this.clearOpenTimer();
    this.open = true;
    this.host.emit({ type: 'connected', url: this.url });
    for (const slot of this.slots.values()) void this.announce(slot);
  }

  /** The socket closed, failed or timed out: forget its state and retry later. */
  private lost(): void {
    this.closeSocket();
    if (this.slots.size > 0) this.retry();
    else this.host.emit({ type: 'disconnected', url: this.url, retryInMs: undefined });
  }

  private retry(): void {
    const delay = backoffDelay(this.attempt++, this.host.random, this.host.options.backoff);
    this.retryTimer = this.host.clock.setTimeout(() => this.connect(), delay);
    this.host.emit({ type: 'disconnected', url: this.url, retryInMs: delay });
  }

  private shutDown(): void {
    if (this.retryTimer !== undefined) this.host.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    if (this.socket) {
      this.closeSocket();
      this.host.emit({ type: 'disconnected', url: this.url, retryInMs: undefined });
    }
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.open = false;
    this.generation++;
    this.clearOpenTimer();
    for (const slot of this.slots.values()) {
      slot.started = false;
      slot.completedSent = false;
      slot.timer.lastSent = undefined;
      slot.timer.clear();
    }
    // Answers to these could only have come through this socket.
    this.offers.dropAll();
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = undefined;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  }

  private async announce(slot: Slot): Promise<void> {
    if (!this.open || slot.inFlight) return;
    const torrent = this.host.torrent(slot.infoHash);
    if (!torrent) return;
    slot.timer.clear();
    const event: AnnounceEvent | undefined = !slot.started ? 'started' : torrent.completed && !slot.completedSent ? 'completed' : undefined;
    if (!torrent.starving) slot.timer.failures = 0;
    const gen = this.generation;
    // Completed while this announce was prepared? Then `completed` follows it.
    const completedBefore = torrent.completed;
    let offers: PendingOffer<P>[] = [];
    const wanted = event === 'completed' ? 0 : Math.min(this.host.signaling.wanted(slot.infoHash), this.host.options.offersPerAnnounce);
    if (wanted > 0) {
      slot.inFlight = true;
      offers = await this.host.signaling.createOffers(slot.infoHash, wanted);
      slot.inFlight = false;
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the socket may have closed during the await; TS keeps the narrowing of this.open from before it
    if (gen !== this.generation || !this.open || this.slots.get(slot.infoHash) !== slot) {
      for (const p of offers) this.host.signaling.drop(p);
      // A new socket opened meanwhile: its announce was skipped while this one was in flight.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above: this.open may have changed during the await
      if (this.open && this.slots.get(slot.infoHash) === slot && !slot.started) void this.announce(slot);
      return;
    }
    if (!this.sendAnnounce(slot, event, offers)) return;
    slot.lastOffers = offers.length > 0 ? offers.map((p) => p.offerId) : undefined;
    this.offers.track(offers);
    if (event === 'started') {
      slot.started = true;
      slot.completedSent = completedBefore;
    } else if (event === 'completed') {
      slot.completedSent = true;
    }
    slot.timer.next();
    this.announced(slot, event, offers.length); // Last: the listener may remove the torrent.
    if (torrent.completed && !slot.completedSent && this.slots.get(slot.infoHash) === slot) void this.announce(slot);
  }

  private announced(slot: Slot, event: AnnounceEvent | undefined, offers: number): void {
    this.host.emit({ type: 'announced', url: this.url, infoHash: slot.bytes, event, offers });
  }

  private sendAnnounce(slot: Slot, event: AnnounceEvent | undefined, offers: PendingOffer<P>[]): boolean {
    const stats = this.host.torrent(slot.infoHash)?.stats() ?? { uploaded: 0, downloaded: 0, left: undefined };
    const text = encodeAnnounce({
      infoHash: slot.infoHash,
      peerId: this.host.peerId,
      numwant: offers.length,
      uploaded: stats.uploaded,
      downloaded: stats.downloaded,
      left: stats.left,
      event,
      offers: offers.map((p) => ({ offerId: p.offerId, offer: p.offer })),
    });
    if (!this.send(text)) {
      for (const p of offers) this.host.signaling.drop(p);
      return false;
    }
    slot.timer.sent();
    return true;
  }

  private send(text: string): boolean {
    if (!this.socket || !this.open) return false;
    try {
      this.socket.send(text);
      return true;
    } catch (e) {
      this.warn('socket', `send failed: ${errorMessage(e)}`);
      this.lost();
      return false;
    }
  }

  private clearOpenTimer(): void {
    if (this.openTimer !== undefined) this.host.clock.clearTimeout(this.openTimer);
    this.openTimer = undefined;
  }

  private onMessage(text: string): void {
    const msg = parseTrackerMessage(text);
    if (msg instanceof TrackerProtocolError) return this.warn('protocol', msg.message);
    this.dispatch(msg);
  }

  private dispatch(msg: TrackerReply): void {
    const o = this.host.options;
    switch (msg.kind) {
      case 'failure': {
        const slot = msg.infoHash === undefined ? undefined : this.slots.get(msg.infoHash);
        if (slot) slot.lastOffers = undefined;
        return this.warn('failure', msg.reason, msg.infoHash);
      }
      case 'announce': {
        if (msg.warning !== undefined) this.warn('warning', msg.warning, msg.infoHash);
        const slot = msg.infoHash === undefined ? undefined : this.slots.get(msg.infoHash);
        if (!slot) return;
        this.attempt = 0; // The tracker works: the next disconnection starts the backoff afresh.
        if (msg.complete !== undefined && msg.incomplete !== undefined) this.dropSurplus(slot, msg.complete + msg.incomplete);
        const seconds = msg.interval ?? msg.minInterval;
        const clamp = (s: number | undefined): number | undefined => (s === undefined ? s : Math.min(o.maxInterval, Math.max(o.minInterval, s * 1000)));
        slot.timer.setIntervals(clamp(seconds), clamp(msg.minInterval));
        const reply: TrackerEvent = { type: 'reply', url: this.url, infoHash: slot.bytes };
        if (seconds !== undefined) reply.interval = slot.timer.interval;
        if (msg.complete !== undefined) reply.complete = msg.complete;
        if (msg.incomplete !== undefined) reply.incomplete = msg.incomplete;
        return this.host.emit(reply);
      }
      case 'offer': {
        const slot = this.slots.get(msg.infoHash);
        if (!slot || msg.peerId === this.host.peerId) return;
        const gen = this.generation;
        const live = (): boolean => gen === this.generation && this.slots.get(slot.infoHash) === slot;
        void this.offers.answer(msg, live, (text) => this.send(text));
        return;
      }
      case 'answer':
        return this.offers.answered(msg);
      case 'scrape':
        for (const f of msg.files) {
          const slot = this.slots.get(f.infoHash);
          if (slot)
            this.host.emit({ type: 'scrape', url: this.url, infoHash: slot.bytes, complete: f.complete, incomplete: f.incomplete, downloaded: f.downloaded });
        }
    }
  }

  /** Drops the last announce's offers that the reply's swarm size says nobody can get. */
  private dropSurplus(slot: Slot, swarm: number): void {
    const ids = slot.lastOffers;
    slot.lastOffers = undefined;
    if (ids) this.offers.dropSurplus(ids, swarm);
  }

  private warn(kind: WarningKind, message: string, infoHash?: string): void {
    const slot = infoHash === undefined ? undefined : this.slots.get(infoHash);
    const event: TrackerEvent = { type: 'warning', kind, url: this.url, message };
    if (slot) event.infoHash = slot.bytes;
    this.host.emit(event);
  }
}
