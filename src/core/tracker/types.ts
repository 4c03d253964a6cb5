/**
 * What the tracker client is written against: a text socket, a signaling peer factory and the
 * torrents that announce. Nothing here knows WebSocket or WebRTC; adapters provide both.
 */
import type { AnswerDescription, OfferDescription } from './messages.js';

/**
 * A text WebSocket. The client sets the handlers right after `connect` returns. The socket calls
 * `onopen` once when open, `onmessage` per text frame, and `onclose` once when closed for any reason
 * (a failed connection included). `onerror` is informative; the client closes the socket on it.
 */
export interface SocketLike {
  send(text: string): void;
  close(): void;
  onopen: (() => void) | undefined;
  onmessage: ((text: string) => void) | undefined;
  onclose: (() => void) | undefined;
  onerror: ((message: string) => void) | undefined;
}

/** Opens a socket to a tracker URL (ws: or wss:). May throw, e.g. on a malformed URL. */
export type SocketConnector = (url: string) => SocketLike;

/**
 * One WebRTC connection attempt, made by the caller's factory (trickle ICE off: one SDP each way).
 * The client never imports WebRTC.
 */
export interface SignalingPeer {
  /** Offerer side: hands over the remote answer. */
  signal(answer: AnswerDescription): void;
  /** Gives up on the connection (idempotent). */
  destroy(): void;
  /** Resolves when the connection is usable; rejects (or never settles) if it fails first. */
  readonly connected: Promise<void>;
  /** Resolves once the peer is closed or destroyed, for any reason. */
  readonly closed: Promise<void>;
}

export interface PeerFactory<P extends SignalingPeer> {
  createOffer(): Promise<{ offer: OfferDescription; peer: P }>;
  acceptOffer(offer: OfferDescription): Promise<{ answer: AnswerDescription; peer: P }>;
  /** Closes what it holds for later (offers made ahead: offer-pool.ts). */
  close?(): void;
}

export interface TransferStats {
  uploaded: number;
  downloaded: number;
  /** Bytes still missing; undefined when unknown (no metadata yet). 0 for a seed. */
  left: number | undefined;
}

/** A torrent announced to its trackers. */
export interface TorrentRegistration {
  /** 20 bytes. */
  infoHash: Uint8Array;
  /** Tracker URLs; only ws: and wss: ones are used, the others are ignored. */
  trackers: readonly string[];
  stats(): TransferStats;
  /** How many more peers the torrent wants right now (0 when it has enough). */
  wantsPeers(): number;
  /**
   * No connected peer has a piece it lacks (TorrentSession.starving): it announces again after the
   * minimum interval, then twice that, and so on, up to the regular interval (announce-timer.ts).
   */
  starving?(): boolean;
  /**
   * Every slot is taken and a peer's offer comes through the tracker: whether the torrent closed a
   * connection to make room for it (TorrentSession.makeRoom). Without it, such offers are refused.
   */
  makeRoom?(): boolean;
}

/** What `TrackerClient.announce` returns. */
export interface AnnouncedTorrent {
  readonly infoHash: Uint8Array;
  /** The download finished: sends `completed` to every tracker (once). */
  complete(): void;
  /** Announces again soon (at most once per `minAnnounceInterval`), e.g. when more peers are wanted. */
  reannounce(): void;
  /** Asks every connected tracker for this torrent's counts; answers come as `scrape` events. */
  scrape(): void;
  /** Sends `stopped` to every tracker and forgets the torrent. Pending offers are dropped. */
  remove(): void;
}

export type WarningKind = 'failure' | 'warning' | 'protocol' | 'socket' | 'signaling';

/**
 * What the client reports besides peers. `warning`: `failure` / `warning` are the tracker's own
 * `failure reason` / `warning message`; `protocol` a message refused by the parser; `socket` a
 * connection problem; `signaling` a failure of the peer factory (its `url` is '').
 */
export type TrackerEvent =
  | { type: 'warning'; kind: WarningKind; url: string; infoHash?: Uint8Array; message: string }
  | { type: 'connected'; url: string }
  | { type: 'disconnected'; url: string; retryInMs: number | undefined }
  | { type: 'announced'; url: string; infoHash: Uint8Array; event: 'started' | 'completed' | 'stopped' | undefined; offers: number }
  | { type: 'reply'; url: string; infoHash: Uint8Array; interval?: number; complete?: number; incomplete?: number }
  | { type: 'scrape'; url: string; infoHash: Uint8Array; complete: number; incomplete: number; downloaded: number };
