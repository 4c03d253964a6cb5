/**
 * The client's types: what its environment gives it (I/O), its options, and its events.
 */
import type { Torrent } from './torrent.js';
import type { TorrentRecord } from '../store/torrent-records.js';
import type { PeerFactory, SocketConnector, TrackerEvent } from '../core/tracker/types.js';
import type { PieceStore } from '../core/session/store.js';
import type { TorrentVersion } from '../core/metainfo.js';
import type { RangeFetcher } from '../core/webseed.js';
import type { ChannelPeer } from './torrent-tracker.js';
import type { TorrentRecords } from './saved-torrents.js';
import type { TabPlatform } from './tabs/platform.js';

export type StoreKind = 'indexeddb' | 'memory';

/** A torrent as the client's records keep it: the store's record type (one type for both). */
export type SavedTorrent = TorrentRecord;

export interface ClientEnvironment {
  connect: SocketConnector;
  peers: PeerFactory<ChannelPeer>;
  openStore(infoHash: string, kind: StoreKind): Promise<{ store: PieceStore; kind: StoreKind; fallbackReason?: string }>;
  /**
   * Checks at start that `kind` storage works here (a private window may refuse IndexedDB);
   * `fallbackReason` when it does not and memory is used instead. Absent: no check.
   */
  checkStore?(kind: StoreKind): Promise<{ fallbackReason?: string }>;
  /** HTTP Range requests for web seeds (BEP 19); absent: web seeds are not used. */
  fetchRange?: RangeFetcher;
  /** Fetches a .torrent file (a magnet link's `xs=` exact source); absent: exact sources are not used. */
  fetchTorrentFile?: (url: string) => Promise<Uint8Array>;
  /**
   * Opens the default trackers' sockets when the client is made, so that the first torrent added
   * soon announces at once; held this long (ms) without a torrent. Absent: opened with the first torrent.
   */
  trackersAheadMs?: number;
  /** The least a peer channel's send queue may hold (see SessionOptions.highWaterMark). */
  highWaterMark?: number;
  /** The most a peer channel's send queue may hold (see SessionOptions.maxHighWaterMark). */
  maxHighWaterMark?: number;
  /** Where the torrent list is kept; absent: nothing is remembered across reloads. */
  records?: TorrentRecords;
  /**
   * What the tabs of one browser share (Web Locks, a BroadcastChannel; see tabs/coordinator.ts): with
   * it, a torrent runs in one tab at a time, and the others follow it. Absent: each client runs
   * every torrent it has. Not used with memory storage (which no other tab can read).
   */
  tabs?: TabPlatform;
}

export interface ClientOptions {
  /** Trackers every torrent announces to, besides its own. */
  announce?: string[];
  /** Peers over all torrents at most (default 100). */
  maxPeers?: number;
  /** Peers per torrent at most (default 40). */
  maxPeersPerTorrent?: number;
  store?: StoreKind;
  peerId?: Uint8Array;
  /** Bytes per second over all torrents; 0 (the default) for no limit. See {@link BaseClient.setRateLimits}. */
  uploadLimit?: number;
  downloadLimit?: number;
  /**
   * Bytes that pieces being downloaded may hold over all torrents (default 256 MiB; each torrent
   * holds 64 MiB at most). Pieces wait for memory beyond it; a torrent whose pieces are longer
   * than a torrent may hold is refused (`TorrentError`).
   */
  maxPieceMemory?: number;
  /**
   * Super seeding for the torrents this client seeds from the start: once every piece has left it
   * once, it reveals to each leecher only pieces no other leecher holds (unless that leecher has
   * nothing to fetch), so leechers trade among themselves. Its upload falls to about once the file
   * where it is several times faster than its leechers (else 1.5–2.2 times), and they finish later.
   * Default false. See core/session/initial-seeding.ts.
   */
  superSeeding?: boolean;
}

export interface SeedOptions {
  name?: string;
  announce?: string[];
  /**
   * A power of two from 16 KiB. Default: as create-torrent chooses, but 256 KiB at least (see
   * `defaultPieceLength`); pass create-torrent's choice to get WebTorrent's info hash for the same files.
   */
  pieceLength?: number;
  urlList?: string[];
  /**
   * 'v1' (the default: WebTorrent peers can download it), 'hybrid' (BitTorrent v1 and v2 at once,
   * BEP 52; v1 peers download it as well) or 'v2' (v2-only: BitTorrent v2 clients alone, no WebTorrent).
   */
  version?: TorrentVersion;
  /** Called while hashing and storing: bytes done of bytes in all. */
  onProgress?: (done: number, total: number) => void;
  /**
   * A private share (end-to-end encrypted): the files are encrypted in this page under a new random
   * secret before the torrent is made, so the torrent, its piece hashes, trackers and peers see only
   * ciphertext, and no name or size (see core/private/format.ts). The secret is `torrent.secret`:
   * put it in the link (share-link.ts), never in anything sent to a server or a peer. `name` and
   * `version` do not apply (a private share's torrent is v1, named `private.tabswarm`).
   */
  private?: boolean;
}

export interface AddOptions {
  announce?: string[];
  /** A private share's secret (from its link): its files are read and decrypted with it. */
  secret?: Uint8Array;
  /** Indexes of the files to download (default: a magnet link's `so`, else every file). */
  select?: number[];
}

/** Where the client keeps pieces and its torrent list (see {@link BaseClient.storage}). */
export interface StorageStatus {
  /** 'memory' when asked for, or after IndexedDB could not be used: nothing survives a reload. */
  kind: StoreKind;
  /** Why IndexedDB was asked for and memory is used instead. */
  fallbackReason?: string;
}

export interface ClientEventMap {
  torrent: CustomEvent<{ torrent: Torrent }>;
  remove: CustomEvent<{ torrent: Torrent }>;
  warning: CustomEvent<{ message: string; torrent?: Torrent }>;
  tracker: CustomEvent<TrackerEvent>;
}

/** File-like input of `seed`: a browser File, or a path with bytes. */
export type SeedInput = File | { path: string; data: Uint8Array | Blob };
