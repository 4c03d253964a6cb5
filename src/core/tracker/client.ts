/**
 * The WebSocket tracker client: several trackers per torrent, one socket per tracker URL shared by
 * every torrent, offers only while a torrent wants peers (with a per-torrent and a client-wide peer
 * cap), incoming offers answered within the caps, `started` / `completed` / `stopped` events.
 *
 * Everything platform-specific is injected: the socket (`connect`), WebRTC (`peers`) and time
 * (`clock`), so the whole client runs in-process on a virtual clock in tests.
 */
import { fromBinaryString, toBinaryString } from '../bytes.js';
import { TabswarmError } from '../errors.js';
import { realClock, type Clock, type TimerHandle } from '../session/clock.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { TrackerConnection, type ConnectionHost, type ConnectionOptions } from './connection.js';
import { MAX_OFFERS } from './messages.js';
import { Signaling, type SignalingOptions } from './signaling.js';
import type { AnnouncedTorrent, PeerFactory, SignalingPeer, SocketConnector, TorrentRegistration, TrackerEvent, TransferStats } from './types.js';

export interface TrackerClientOptions<P extends SignalingPeer> {
  /** 20 bytes, the same for every torrent. */
  peerId: Uint8Array;
  connect: SocketConnector;
  peers: PeerFactory<P>;
  /** A connection completed. The peer is the caller's from now on. */
  onPeer(infoHash: Uint8Array, peer: P, remotePeerId: Uint8Array): void;
  /**
   * A connection to a peer that answered (or whose offer we answered) failed before it opened, or
   * did not open within `connectTimeout`: `reason` says why, as the peer factory's peer put it.
   */
  onPeerFailed?: (infoHash: Uint8Array, reason: string) => void;
  onEvent?: (event: TrackerEvent) => void;
  clock?: Clock;
  /** In [0, 1); jitters the reconnection delays. */
  random?: () => number;
  /** Peers (pending and connected) per torrent at most. Default 40. */
  maxPeersPerTorrent?: number;
  /** Peers (pending and connected) over all torrents at most. Default 100. */
  maxPeers?: number;
  /** Offers per announce at most (≤ 10). Default 10. */
  offersPerAnnounce?: number;
  /** ms; default 50 s (as WebTorrent). */
  offerTimeout?: number;
  /** ms; default 30 s. */
  connectTimeout?: number;
  /**
   * ms; a starving torrent whose connection failed announces again this long after its last
   * announce, then twice and four times that (at most `minInterval`), no more until it announces fed.
   * Default 5 s.
   */
  retryAfterFailure?: number;
  /** ms; default 10 s. */
  socketOpenTimeout?: number;
  backoff?: Partial<BackoffOptions>;
  /** ms; before the tracker sends its own. Default 120 s. */
  defaultInterval?: number;
  /** ms; the tracker's interval is clamped to [min, max]. Defaults 30 s and 30 min. */
  minInterval?: number;
  maxInterval?: number;
}

interface TorrentEntry {
  readonly bytes: Uint8Array;
  readonly reg: TorrentRegistration;
  readonly urls: string[];
  completed: boolean;
}

const WS_URL = /^wss?:\/\/[^\s/?#]+[^\s]*$/i;

/** Is this a tracker URL the client can use (ws: or wss:)? */
export function isWebSocketTrackerUrl(url: string): boolean {
  return WS_URL.test(url.trim());
}

export class TrackerClient<P extends SignalingPeer> {
  private readonly peerId: string;
  private readonly clock: Clock;
  private readonly signaling: Signaling<P>;
  private readonly host: ConnectionHost<P>;
  private readonly torrents = new Map<string, TorrentEntry>();
  private readonly trackers = new Map<string, TrackerConnection<P>>();
  private readonly preconnects = new Set<TimerHandle>();
  private destroyed = false;

  constructor(private readonly o: TrackerClientOptions<P>) {
    if (o.peerId.length !== 20) throw new TabswarmError('a peer id is 20 bytes');
    this.peerId = toBinaryString(o.peerId);
    this.clock = o.clock ?? realClock;
    const signalingOptions: SignalingOptions = {
      offerTimeout: o.offerTimeout ?? 50_000,
      connectTimeout: o.connectTimeout ?? 30_000,
      maxPeersPerTorrent: o.maxPeersPerTorrent ?? 40,
      maxPeers: o.maxPeers ?? 100,
    };
    this.signaling = new Signaling<P>(this.peerId, this.clock, o.peers, signalingOptions, {
      demand: (ih) => this.torrents.get(ih)?.reg.wantsPeers() ?? 0,
      makeRoom: (ih) => this.torrents.get(ih)?.reg.makeRoom?.() ?? false,
      onPeer: (ih, peer, remote) => {
        const entry = this.torrents.get(ih);
        this.o.onPeer(entry?.bytes ?? binaryToBytes(ih), peer, binaryToBytes(remote));
      },
      failed: (ih, _remote, reason) => {
        const entry = this.torrents.get(ih);
        this.o.onPeerFailed?.(entry?.bytes ?? binaryToBytes(ih), reason);
        // Without a peer that feeds it, a torrent does not wait out the minimum interval for another try.
        if (entry && this.torrents.get(ih) === entry && entry.reg.starving?.()) {
          for (const url of entry.urls) this.trackers.get(url)?.retryAfterFailure(ih);
        }
      },
      warn: (ih, message) => {
        const entry = this.torrents.get(ih);
        const event: TrackerEvent = { type: 'warning', kind: 'signaling', url: '', message };
        if (entry) event.infoHash = entry.bytes;
        this.emit(event);
      },
    });
    const connectionOptions: ConnectionOptions = {
      backoff: { ...DEFAULT_BACKOFF, ...o.backoff },
      defaultInterval: o.defaultInterval ?? 120_000,
      minInterval: o.minInterval ?? 30_000,
      maxInterval: o.maxInterval ?? 30 * 60_000,
      openTimeout: o.socketOpenTimeout ?? 10_000,
      offersPerAnnounce: Math.max(0, Math.min(MAX_OFFERS, o.offersPerAnnounce ?? MAX_OFFERS)),
      failureRetry: o.retryAfterFailure ?? 5_000,
    };
    this.host = {
      clock: this.clock,
      random: o.random ?? Math.random,
      peerId: this.peerId,
      connect: o.connect,
      signaling: this.signaling,
      options: connectionOptions,
      torrent: (ih) => {
        const entry = this.torrents.get(ih);
        if (!entry) return undefined;
        return {
          bytes: entry.bytes,
          get completed(): boolean {
            return entry.completed;
          },
          get starving(): boolean {
            return entry.reg.starving?.() ?? false;
          },
          stats: (): TransferStats => entry.reg.stats(),
        };
      },
      emit: (event) => this.emit(event),
    };
  }

  /** Connection attempts under way and connections handed over and still open, client-wide. */
  get peerCounts(): { pending: number; connected: number } {
    return { pending: this.signaling.links.pending, connected: this.signaling.links.connected };
  }

  /** Tracker URLs with a socket (open or opening) and how many torrents use each. */
  get trackerUrls(): Map<string, { torrents: number; open: boolean }> {
    const out = new Map<string, { torrents: number; open: boolean }>();
    for (const [url, c] of this.trackers) out.set(url, { torrents: c.torrents, open: c.isOpen });
    return out;
  }

  /** Starts announcing a torrent to its ws:/wss: trackers (`started` first). */
  announce(reg: TorrentRegistration): AnnouncedTorrent {
    if (this.destroyed) throw new TabswarmError('the tracker client is destroyed');
    if (reg.infoHash.length !== 20) throw new TabswarmError('an info hash is 20 bytes');
    const ih = toBinaryString(reg.infoHash);
    if (this.torrents.has(ih)) throw new TabswarmError('this torrent is announced already');
    const urls = [...new Set(reg.trackers.map((u) => u.trim()).filter(isWebSocketTrackerUrl))];
    const entry: TorrentEntry = { bytes: reg.infoHash.slice(), reg, urls, completed: false };
    this.torrents.set(ih, entry);
    for (const url of urls) {
      let c = this.trackers.get(url);
      if (!c) {
        c = new TrackerConnection<P>(url, this.host);
        this.trackers.set(url, c);
      }
      c.add(ih, entry.bytes);
    }
    const each = (fn: (c: TrackerConnection<P>) => void): void => {
      if (this.torrents.get(ih) !== entry) return;
      for (const url of urls) {
        const c = this.trackers.get(url);
        if (c) fn(c);
      }
    };
    return {
      infoHash: entry.bytes,
      complete: () => {
        if (entry.completed) return;
        entry.completed = true;
        each((c) => c.update(ih));
      },
      reannounce: () => each((c) => c.reannounce(ih)),
      scrape: () => each((c) => c.scrape(ih)),
      remove: () => {
        if (this.torrents.get(ih) !== entry) return;
        each((c) => this.detach(c, ih));
        this.torrents.delete(ih);
        this.signaling.links.closePending(ih);
      },
    };
  }

  /**
   * Opens the sockets to these trackers before any torrent needs them, so that the first torrent
   * added announces at once: a WebSocket takes tens of ms to open, and 80–170 ms in a busy page (the
   * streaming benchmark's timeline). Those no torrent uses within `holdMs` are closed again.
   */
  preconnect(urls: readonly string[], holdMs: number): void {
    if (this.destroyed) return;
    for (const url of new Set(urls.map((u) => u.trim()).filter(isWebSocketTrackerUrl))) {
      if (this.trackers.has(url)) continue;
      const c = new TrackerConnection<P>(url, this.host);
      this.trackers.set(url, c);
      c.preconnect();
      const timer = this.clock.setTimeout(() => {
        this.preconnects.delete(timer);
        c.endPreconnect();
        if (c.torrents === 0 && this.trackers.get(url) === c) this.trackers.delete(url);
      }, holdMs);
      this.preconnects.add(timer);
    }
  }

  /** Sends `stopped` for every torrent, closes every socket, clears every timer, drops pending offers. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const timer of this.preconnects) this.clock.clearTimeout(timer);
    this.preconnects.clear();
    for (const c of this.trackers.values()) c.destroy();
    this.trackers.clear();
    this.torrents.clear();
    this.signaling.links.closePending();
  }

  private detach(c: TrackerConnection<P>, ih: string): void {
    c.remove(ih);
    if (c.torrents === 0 && !c.heldAhead) this.trackers.delete(c.url);
  }

  private emit(event: TrackerEvent): void {
    this.o.onEvent?.(event);
  }
}

function binaryToBytes(s: string): Uint8Array {
  return fromBinaryString(s) ?? new Uint8Array(0);
}
