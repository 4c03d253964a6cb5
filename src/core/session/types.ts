/**
 * The public types of a torrent session: its options, its events and its read-only status.
 */
import type { Clock } from './clock.js';
import type { Hasher, PieceStore } from './store.js';
import type { RateLimiter } from './limiter.js';
import type { MemoryBudget } from './memory.js';
import type { Metainfo } from '../metainfo.js';
import type { PeerConnector } from './connector.js';
import type { Timeline } from './timeline.js';

export interface SessionOptions {
  /** What the swarm knows the torrent by (20 bytes): the SHA-1 info hash, or a v2 one's first 20 bytes. */
  infoHash: Uint8Array;
  /**
   * BitTorrent v2 (BEP 52): the SHA-256 info hash (32 bytes), from a `btmh` magnet link. When
   * `infoHash` is its first 20 bytes, metadata from peers is checked against it.
   */
  infoHashV2?: Uint8Array;
  peerId: Uint8Array;
  metainfo?: Metainfo;
  store: PieceStore;
  hasher: Hasher;
  /** SHA-256 for v2 Merkle trees (default: SubtleCrypto, or JavaScript where a page has none). */
  sha256?: Hasher;
  clock: Clock;
  random?: () => number;
  /** Connections at most. */
  maxPeers?: number;
  /** Upload slots, the optimistic one included. */
  uploadSlots?: number;
  /** Outstanding requests to one peer at most. */
  maxPipeline?: number;
  requestTimeout?: number;
  /**
   * Bytes queued on a channel above which we stop sending pieces until it drains: at least this,
   * and more on a fast connection (what it carries in `SEND_QUEUE_SECONDS`, up to
   * `MAX_HIGH_WATER_MARK`), so that a fast channel never runs dry between two drain events
   * while a slow one keeps requests from waiting behind a long queue.
   */
  highWaterMark?: number;
  /**
   * The most a channel's send queue holds however fast it is (default `MAX_HIGH_WATER_MARK`).
   * Browsers cap it low: Chromium's SCTP stalls for seconds at a time (retransmission timeouts)
   * when a data channel is handed hundreds of KiB at once on a busy machine.
   */
  maxHighWaterMark?: number;
  /** A seed reveals pieces a few at a time until each has been uploaded once (initial-seeding.ts). */
  initialSeeding?: boolean;
  /**
   * And goes on revealing only what no other peer can give (initial-seeding.ts): each piece leaves
   * the seed about once, at the price of time when its upload is faster than the leechers'.
   */
  superSeeding?: boolean;
  /** Rate limits, shared with the other torrents of the client. */
  uploadLimit?: RateLimiter;
  downloadLimit?: RateLimiter;
  /**
   * Bytes the torrent's pieces in progress may hold (default `TORRENT_PIECE_MEMORY`, memory.ts); also the
   * longest piece it accepts. A piece is started only when its size fits (see memory.ts).
   */
  pieceMemory?: number;
  /** The client's budget for pieces in progress, shared with its other torrents. */
  memory?: MemoryBudget;
  /**
   * Connections to peers heard of from other peers (relayed signaling, relay.ts). Without it the
   * session neither lists ts_pex and ts_signal nor relays.
   */
  connector?: PeerConnector;
  /**
   * Why the peer that sent this peer id in its handshake is refused (such as another tab of the same
   * browser, which shares our store), or undefined to accept it.
   */
  refusePeer?: (peerId: Uint8Array) => string | undefined;
  /** Marks the phases of the download and counts what its peers' channels carry (timeline.ts). */
  timeline?: Timeline;
}

export interface SessionEvents {
  metadata: Metainfo;
  /** A piece verified and stored. */
  piece: number;
  /** v2: a block of a piece in progress proved right on its own (`verifiedBytes` gives it). */
  block: { index: number; begin: number };
  /** A piece hashed right and is being stored (`verifiedBytes` gives it until `piece`). */
  hashed: { index: number };
  done: undefined;
  warning: string;
  peer: { id: string; event: 'connected' | 'disconnected' };
  ban: { id: string; reason: string };
  /** The session cannot go on (e.g. storage full): it has stopped. */
  error: Error;
}

/** One connected peer, as `status()` shows it. */
export interface PeerView {
  id: string;
  /** The client name it gave in its extended handshake (`v`). */
  client: string | undefined;
  /** Bytes per second from it and to it. */
  downloadRate: number;
  uploadRate: number;
  /** Fraction of the pieces it has (0 before the metadata is known or before it said). */
  progress: number;
  /** It chokes us / we choke it; we want its pieces / it wants ours. */
  peerChoking: boolean;
  amChoking: boolean;
  amInterested: boolean;
  peerInterested: boolean;
  /** Our requests outstanding at it, and its requests waiting to be served. */
  requests: number;
  theirRequests: number;
  /** A web seed. */
  backup: boolean;
}

/** A read-only view of a session (see `TorrentSession.status`). */
export interface SessionStatus {
  /** Bytes of verified pieces and of blocks counted as they came; uploaded bytes; bytes thrown away. */
  downloaded: number;
  uploaded: number;
  wasted: number;
  /** Fraction of the wanted bytes verified; every wanted piece is verified. */
  progress: number;
  done: boolean;
  /** Wanted bytes not verified yet; undefined before the metadata is known. */
  left: number | undefined;
  peers: PeerView[];
}
