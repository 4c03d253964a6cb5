/**
 * The tabswarm client engine: torrents, one tracker client for all of them, WebRTC peers, and storage that
 * survives a reload. Its I/O comes from an environment (browser defaults: browserEnvironment in ./index.ts), so the
 * same class runs in Node tests with other sockets, peers and stores.
 */
import { Torrent } from './torrent.js';
import type { TorrentInit } from './torrent-types.js';
import { TypedEventTarget } from './events.js';
import type { TorrentRecord } from '../store/torrent-records.js';
import { createTorrent } from '../core/create.js';
import { parseTorrent, parseInfoDict, type Metainfo, type TorrentVersion } from '../core/metainfo.js';
import { parseMagnet } from '../core/magnet.js';
import { PieceGeometry } from '../core/geometry.js';
import type { PeerFactory, SocketConnector, TrackerEvent } from '../core/tracker/types.js';
import type { PieceStore } from '../core/session/store.js';
import { TabswarmError, errorMessage } from '../core/errors.js';
import { RateLimiter } from '../core/session/limiter.js';
import { CLIENT_PIECE_MEMORY, MemoryBudget, TORRENT_PIECE_MEMORY, checkPieceLength } from '../core/session/memory.js';
import { SourceBackedStore, pieceCheck } from './source-store.js';
import { sha1 } from '../core/sha1.js';
import type { RangeFetcher } from '../core/webseed.js';
import { realClock } from '../core/session/clock.js';
import { TorrentTracker, type ChannelPeer } from './torrent-tracker.js';
import { peerConnector } from './peer-connector.js';
import type { PeerConnector } from '../core/session/connector.js';
import { SavedTorrents, exactSourceOf, v2HashOf, type TorrentRecords } from './saved-torrents.js';
import { writePieces } from './write-pieces.js';

export type { ChannelPeer } from './torrent-tracker.js';

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
  /** The least a peer channel's send queue may hold (see SessionOptions.highWaterMark). */
  highWaterMark?: number;
  /** The most a peer channel's send queue may hold (see SessionOptions.maxHighWaterMark). */
  maxHighWaterMark?: number;
  /** Where the torrent list is kept; absent: nothing is remembered across reloads. */
  records?: TorrentRecords;
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
}

export interface AddOptions {
  announce?: string[];
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

function randomPeerId(): Uint8Array {
  // Azureus-style prefix, as WebTorrent uses ("-WW0208-"), so other clients can name us.
  const id = new Uint8Array(20);
  id.set(new TextEncoder().encode('-TS0010-'));
  crypto.getRandomValues(id.subarray(8));
  return id;
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list.filter((s) => s.length > 0))];
}

export class BaseClient extends TypedEventTarget<ClientEventMap> {
  readonly peerId: Uint8Array;
  readonly torrents: Torrent[] = [];
  /** Resolves once the torrents saved by an earlier page are back. */
  readonly ready: Promise<void>;
  /**
   * Where pieces are kept. Known once `ready` resolved: when IndexedDB was asked for and cannot be
   * used (a private window, blocked storage), `kind` is 'memory' and `fallbackReason` says why (also
   * sent once as a `warning`); torrents then keep their pieces in memory and the torrent list is not
   * saved, so nothing is claimed to survive a reload.
   */
  storage: StorageStatus;
  private readonly tracker: TorrentTracker;
  private readonly saved: SavedTorrents;
  private readonly o: Required<Omit<ClientOptions, 'peerId' | 'uploadLimit' | 'downloadLimit' | 'maxPieceMemory'>>;
  private readonly uploadLimit = new RateLimiter(realClock);
  private readonly downloadLimit = new RateLimiter(realClock);
  /** Memory for the pieces being downloaded, shared by the torrents (see core/session/memory.ts). */
  private readonly memory: MemoryBudget;
  private destroyed = false;
  /** Connections to peers heard of from other peers, for every torrent's session. */
  private readonly connector: PeerConnector;

  constructor(
    private readonly env: ClientEnvironment,
    options: ClientOptions = {},
  ) {
    super();
    this.o = { announce: [], maxPeers: 100, maxPeersPerTorrent: 40, store: 'indexeddb', ...options };
    this.peerId = options.peerId ?? randomPeerId();
    this.memory = new MemoryBudget(options.maxPieceMemory ?? CLIENT_PIECE_MEMORY);
    this.storage = { kind: this.o.store };
    this.setRateLimits({ upload: options.uploadLimit ?? 0, download: options.downloadLimit ?? 0 });
    this.saved = new SavedTorrents(
      env.records,
      () => this.storage.kind !== 'memory',
      (message, torrent) => this.warn(message, torrent),
    );
    this.tracker = new TorrentTracker({
      peerId: this.peerId,
      connect: env.connect,
      peers: env.peers,
      maxPeers: this.o.maxPeers,
      maxPeersPerTorrent: this.o.maxPeersPerTorrent,
      find: (infoHash) => this.get(infoHash),
      onEvent: (e) => {
        this.emit('tracker', e);
        if (e.type === 'warning') this.warn(`tracker ${e.url || ''}: ${e.message}`.trim());
      },
    });
    this.connector = peerConnector(env.peers, () => this.torrents.reduce((n, t) => n + t.numPeers, 0) < this.o.maxPeers);
    this.ready = this.restore();
  }

  /**
   * Adds trackers every torrent announces to: the client's defaults for torrents added later, and
   * each torrent it has now, which announces to the new ones at once (a torrent that found no peer
   * yet finds them there).
   */
  addTrackers(urls: readonly string[]): void {
    this.o.announce = unique([...this.o.announce, ...urls]);
    for (const t of this.torrents) t.addTrackers(urls);
  }

  /** Upload and download limits in bytes per second over all torrents (0: none); apply at once. */
  setRateLimits(limits: { upload?: number; download?: number }): void {
    if (limits.upload !== undefined) this.uploadLimit.rate = limits.upload;
    if (limits.download !== undefined) this.downloadLimit.rate = limits.download;
  }

  /** Bytes held now by pieces being downloaded (all torrents), the most held at once, and the limit. */
  get pieceMemory(): { used: number; peak: number; limit: number } {
    return { used: this.memory.used, peak: this.memory.peak, limit: this.memory.limit };
  }

  /** Throws a TorrentError when the torrent's pieces are longer than a torrent may hold. */
  private checkPieceLength(metainfo: Metainfo): void {
    checkPieceLength(metainfo.pieceLength, Math.min(TORRENT_PIECE_MEMORY, this.memory.ceiling));
  }

  get rateLimits(): { upload: number; download: number } {
    return { upload: this.uploadLimit.rate, download: this.downloadLimit.rate };
  }

  get(infoHash: string): Torrent | undefined {
    return this.torrents.find((t) => t.infoHash === infoHash.toLowerCase());
  }

  /** Creates a torrent from files and seeds it. Pieces are stored, so it seeds again after a reload. */
  async seed(input: readonly SeedInput[] | FileList, opts: SeedOptions = {}): Promise<Torrent> {
    this.checkAlive();
    const given = Array.from(input as ArrayLike<SeedInput>).map((f) => (f instanceof File ? { path: f.webkitRelativePath || f.name, data: f } : f));
    const announce = unique([...(opts.announce ?? []), ...this.o.announce]);
    const created = await createTorrent(given, {
      name: opts.name,
      pieceLength: opts.pieceLength,
      version: opts.version,
      announce,
      urlList: opts.urlList,
      onProgress: opts.onProgress ? (done, total) => opts.onProgress!(done / 2, total) : undefined,
    });
    const existing = this.get(created.infoHash);
    if (existing) return existing;
    const metainfo = created.metainfo;
    const files = created.files; // in the torrent's order (a hybrid sorts them)
    this.checkPieceLength(metainfo);
    const { store } = await this.openStore(created.infoHash);
    await writePieces(files, metainfo, store, (done) => opts.onProgress?.(metainfo.length / 2 + done / 2, metainfo.length));
    // While this page lives, pieces are served from the files themselves (see source-store.ts).
    const geometry = new PieceGeometry(metainfo);
    const served = new SourceBackedStore(store, files, geometry, metainfo.pieces, sha1, (m) => this.warn(`${metainfo.name}: ${m}`), pieceCheck(metainfo));
    return this.open({
      infoHash: created.infoHash,
      name: metainfo.name,
      announce,
      urlList: metainfo.urlList,
      exactSource: [],
      metainfo,
      store: served,
      seeding: true,
    });
  }

  /** Adds a torrent by magnet link, info hash, or .torrent bytes, and starts downloading. */
  async add(input: string | Uint8Array, opts: AddOptions = {}): Promise<Torrent> {
    this.checkAlive();
    let infoHash: string;
    let infoHashV2: string | undefined;
    let name: string | undefined;
    let metainfo: Metainfo | undefined;
    let announce: string[];
    let urlList: string[];
    let exactSource: string[] = [];
    let select = opts.select;
    if (typeof input === 'string') {
      const magnet = parseMagnet(input);
      ({ infoHash, name } = magnet);
      infoHashV2 = magnet.infoHashV2;
      select ??= magnet.select;
      announce = magnet.announce;
      urlList = magnet.urlList;
      exactSource = magnet.exactSource;
    } else {
      metainfo = await parseTorrent(input);
      this.checkPieceLength(metainfo);
      ({ infoHash, name } = metainfo);
      announce = metainfo.announce;
      urlList = metainfo.urlList;
    }
    const existing = this.get(infoHash);
    if (existing) return existing;
    announce = unique([...announce, ...(opts.announce ?? []), ...this.o.announce]);
    const { store } = await this.openStore(infoHash);
    if (select && !select.every((i) => Number.isSafeInteger(i) && i >= 0)) throw new RangeError('select: file indexes are non-negative integers');
    const known = { infoHash, infoHashV2, name, announce, urlList, exactSource, metainfo, store };
    return this.open({ ...known, seeding: false, selection: select && [...new Set(select)] });
  }

  /** Stops a torrent and forgets it; with deleteData its stored pieces are deleted too. */
  async remove(torrent: Torrent, opts: { deleteData?: boolean } = {}): Promise<void> {
    const i = this.torrents.indexOf(torrent);
    if (i < 0) return;
    this.torrents.splice(i, 1);
    torrent.stop();
    await this.saved.delete(torrent.infoHash);
    if (opts.deleteData) await torrent.store.clear();
    this.emit('remove', { torrent });
  }

  /** Stops every torrent and closes every connection. Stored data stays. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const t of this.torrents) t.stop();
    this.tracker.destroy();
  }

  // ---- internals -----------------------------------------------------------------------------

  private checkAlive(): void {
    if (this.destroyed) throw new TabswarmError('this client has been destroyed');
  }

  private warn(message: string, torrent?: Torrent): void {
    this.emit('warning', { message, torrent });
  }

  private async openStore(infoHash: string): Promise<{ store: PieceStore }> {
    // After a fallback, memory at once: no second wait for an IndexedDB that does not answer.
    const opened = await this.env.openStore(infoHash, this.storage.kind);
    if (opened.fallbackReason) this.fellBackToMemory(opened.fallbackReason);
    return opened;
  }

  /** IndexedDB cannot be used: said once, and the torrent list is no longer saved. */
  private fellBackToMemory(reason: string): void {
    if (this.storage.kind === 'memory') return;
    this.storage = { kind: 'memory', fallbackReason: reason };
    this.warn(reason);
  }

  private async checkStorage(): Promise<void> {
    if (!this.env.checkStore || this.storage.kind === 'memory') return;
    let reason: string | undefined;
    try {
      reason = (await this.env.checkStore(this.storage.kind)).fallbackReason;
    } catch (e) {
      reason = `storage could not be checked (${errorMessage(e)}); pieces are kept in memory only`;
    }
    if (reason) this.fellBackToMemory(reason);
  }

  /** Opens a torrent: what identifies it (a `TorrentInit`'s own fields), and how it starts. */
  private async open(
    o: Pick<TorrentInit, 'infoHash' | 'infoHashV2' | 'name' | 'announce' | 'urlList' | 'exactSource' | 'metainfo' | 'store' | 'selection'> & {
      seeding: boolean;
      paused?: boolean;
      addedAt?: number;
    },
  ): Promise<Torrent> {
    const addedAt = o.addedAt ?? Date.now();
    const torrent = new Torrent({
      infoHash: o.infoHash,
      infoHashV2: o.infoHashV2,
      name: o.name,
      announce: o.announce,
      urlList: o.urlList,
      exactSource: o.exactSource,
      metainfo: o.metainfo,
      store: o.store,
      peerId: this.peerId,
      maxPeers: this.o.maxPeersPerTorrent,
      selection: o.selection,
      uploadLimit: this.uploadLimit,
      downloadLimit: this.downloadLimit,
      memory: this.memory,
      fetchRange: this.env.fetchRange,
      fetchTorrentFile: this.env.fetchTorrentFile,
      highWaterMark: this.env.highWaterMark,
      maxHighWaterMark: this.env.maxHighWaterMark,
      connector: this.connector,
      persist: (t) => this.persist(t, addedAt, o.seeding),
      register: (t) => (this.destroyed ? undefined : this.tracker.announce(t)),
    });
    if (o.paused) torrent.paused = true;
    torrent.addEventListener('warning', (e) => this.warn(e.detail.message, torrent));
    this.torrents.push(torrent);
    await this.persist(torrent, addedAt, o.seeding);
    await torrent.start();
    this.emit('torrent', { torrent });
    return torrent;
  }

  /** Saves a torrent's record, while it is one of the client's. */
  private persist(t: Torrent, addedAt: number, seeding: boolean): Promise<void> {
    return this.torrents.includes(t) ? this.saved.save(t, addedAt, seeding) : Promise.resolve();
  }

  /** Opens the torrents an earlier page saved (after checking the storage). */
  private async restore(): Promise<void> {
    await this.checkStorage();
    for (const r of await this.saved.load()) {
      if (this.get(r.infoHash)) continue;
      try {
        const metainfo = r.infoBytes ? await parseInfoDict(r.infoBytes, r.infoHash) : undefined;
        const { store } = await this.openStore(r.infoHash);
        // A magnet link still without metadata keeps its exact sources in its saved link.
        const exactSource = metainfo ? [] : exactSourceOf(r.magnetURI);
        const infoHashV2 = metainfo ? undefined : v2HashOf(r.magnetURI);
        await this.open({ ...r, infoHashV2, exactSource, metainfo, store, seeding: r.seeding ?? false, paused: r.paused });
      } catch (e) {
        this.warn(`could not restore ${r.name}: ${errorMessage(e)}`);
      }
    }
  }
}
