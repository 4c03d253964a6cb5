/**
 * The types around a torrent: the events it sends, its peers as an application shows them, and
 * what its client gives it (see Torrent).
 */
import type { PieceStore } from '../core/session/store.js';
import type { Metainfo } from '../core/metainfo.js';
import type { AnnouncedTorrent } from '../core/tracker/types.js';
import type { RateLimiter } from '../core/session/limiter.js';
import type { MemoryBudget } from '../core/session/memory.js';
import type { RangeFetcher } from '../core/webseed.js';
import type { Torrent } from './torrent.js';
import type { PeerConnector } from '../core/session/connector.js';
import type { OpenedShare } from '../core/private/container.js';

export interface TorrentEventMap {
  metadata: CustomEvent<void>;
  progress: CustomEvent<{ progress: number; piece: number }>;
  done: CustomEvent<void>;
  peer: CustomEvent<{ id: string; event: 'connected' | 'disconnected' }>;
  /** `unreachable`: a connection to a peer could not be made (see {@link Torrent.failedConnections}). */
  warning: CustomEvent<{ message: string; unreachable?: true }>;
  error: CustomEvent<{ error: Error }>;
}

/** How a connection to a peer carries its bytes: straight between the two, or through a TURN relay. */
export type PeerConnectionKind = 'direct' | 'relay';

/** One connected peer, as the app shows it. */
export interface TorrentPeer {
  id: string;
  /**
   * 'relay' when a TURN server carries the connection (the selected ICE candidate pair's local
   * candidate is a relay one), 'direct' when it goes to the peer by any other path; undefined
   * until the browser says (a moment after the peer connects), and for a web seed.
   */
  connection: PeerConnectionKind | undefined;
  /** The client name the peer gave in its extended handshake (`v`), if any. */
  client: string | undefined;
  /** Bytes per second, from it and to it. */
  downloadSpeed: number;
  uploadSpeed: number;
  /** Fraction of the pieces it has (0 before it said). */
  progress: number;
  /** It lets us download / we let it download. */
  unchokedUs: boolean;
  unchokedByUs: boolean;
}

export interface TorrentInit {
  /** 40 hex digits: the SHA-1 info hash, or for a v2-only torrent the first 20 bytes of its SHA-256 one. */
  infoHash: string;
  /**
   * The SHA-256 info hash (64 hex digits) of a `btmh` magnet link: for a v2-only one, what its
   * metadata is checked against; for a hybrid, it makes the session speak v2 from the start.
   */
  infoHashV2?: string;
  name: string | undefined;
  announce: string[];
  urlList: string[];
  /** URLs of the torrent's .torrent file (a magnet link's `xs=`), fetched while the metadata is unknown. */
  exactSource: string[];
  metainfo: Metainfo | undefined;
  store: PieceStore;
  peerId: Uint8Array;
  maxPeers: number;
  /** Indexes of the selected files (every file when absent). */
  selection?: number[];
  /** A private share's secret, from its link (see private-share.ts); absent for an ordinary torrent. */
  secret?: Uint8Array;
  /** A private share made in this page: its files are known without reading them. */
  opened?: OpenedShare;
  uploadLimit?: RateLimiter;
  downloadLimit?: RateLimiter;
  /** Super seeding once it seeds from the start (see ClientOptions.superSeeding). */
  superSeeding?: boolean;
  /** The client's memory for pieces in progress, shared by its torrents. */
  memory?: MemoryBudget;
  /** HTTP for web seeds; absent: the torrent's web seeds are not used. */
  fetchRange?: RangeFetcher;
  /** HTTP for .torrent files (exact sources); absent: `exactSource` is not fetched. */
  fetchTorrentFile?: (url: string) => Promise<Uint8Array>;
  highWaterMark?: number;
  maxHighWaterMark?: number;
  /** Connections to peers heard of from other peers (relayed signaling); absent: none. */
  connector?: PeerConnector;
  /**
   * Why a peer that sent this peer id is not to be connected (another tab of this browser), or
   * undefined; absent: only our own peer id is refused.
   */
  refusePeer?: (peerId: Uint8Array) => string | undefined;
  /** Saves the torrent's record (list, metadata, paused state). */
  persist: (t: Torrent) => Promise<void>;
  /** Announces the torrent to its trackers. */
  register: (t: Torrent) => AnnouncedTorrent | undefined;
}
