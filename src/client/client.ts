/**
 * The tabswarm client engine: torrents, one tracker client for all of them, WebRTC peers, and storage that
 * survives a reload. Its I/O comes from an environment (browser defaults: browserEnvironment in ./index.ts), so the
 * same class runs in Node tests with other sockets, peers and stores.
 */
import { Torrent } from './torrent.js';
import type { TorrentInit } from './torrent-types.js';
import { TypedEventTarget } from './events.js';
import type { ClientEnvironment, ClientEventMap, ClientOptions, SeedInput, SeedOptions, AddOptions, StorageStatus } from './client-types.js';
import { parseTorrent, parseInfoDict, type Metainfo } from '../core/metainfo.js';
import { parseMagnet } from '../core/magnet.js';
import { PieceGeometry } from '../core/geometry.js';
import { TabswarmError, errorMessage } from '../core/errors.js';
import { RateLimiter } from '../core/session/limiter.js';
import { CLIENT_PIECE_MEMORY, MemoryBudget, TORRENT_PIECE_MEMORY, checkPieceLength } from '../core/session/memory.js';
import { SourceBackedStore, pieceCheck } from './source-store.js';
import { sha1 } from '../core/sha1.js';
import { realClock } from '../core/session/clock.js';
import { TorrentTracker } from './torrent-tracker.js';
import { peerConnector } from './peer-connector.js';
import type { PeerConnector } from '../core/session/connector.js';
import { SavedTorrents, exactSourceOf, v2HashOf } from './saved-torrents.js';
import { TabCoordinator, type TabHost } from './tabs/coordinator.js';
import type { TorrentRecord } from '../store/torrent-records.js';
import { writePieces } from './write-pieces.js';
import { ClientStorage } from './client-storage.js';
import { seedTorrent } from './seed-torrent.js';
import { fromBase64Url } from '../core/bytes.js';

export type { ChannelPeer } from './torrent-tracker.js';

export type {
  StoreKind,
  SavedTorrent,
  ClientEnvironment,
  ClientOptions,
  SeedOptions,
  AddOptions,
  StorageStatus,
  ClientEventMap,
  SeedInput,
} from './client-types.js';

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
  get storage(): StorageStatus {
    return this.stores.status;
  }
  private readonly stores: ClientStorage;
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
  /** The other tabs of this browser (one runs each torrent); absent: this client runs all of its own. */
  private readonly tabs: TabCoordinator | undefined;

  constructor(
    private readonly env: ClientEnvironment,
    options: ClientOptions = {},
  ) {
    super();
    this.o = { announce: [], maxPeers: 100, maxPeersPerTorrent: 40, store: 'indexeddb', superSeeding: false, ...options };
    this.peerId = options.peerId ?? randomPeerId();
    this.memory = new MemoryBudget(options.maxPieceMemory ?? CLIENT_PIECE_MEMORY);
    this.stores = new ClientStorage(this.o.store, env, (message) => this.warn(message));
    this.setRateLimits({ upload: options.uploadLimit ?? 0, download: options.downloadLimit ?? 0 });
    this.saved = new SavedTorrents(
      env.records,
      () => this.stores.lasting,
      (message, torrent) => this.warn(message, torrent),
    );
    this.tracker = new TorrentTracker({
      peerId: this.peerId,
      connect: env.connect,
      peers: env.peers,
      maxPeers: this.o.maxPeers,
      maxPeersPerTorrent: this.o.maxPeersPerTorrent,
      find: (infoHash) => this.get(infoHash),
      refuses: (peerId) => this.tabs?.refuses(peerId),
      onEvent: (e) => {
        this.emit('tracker', e);
        if (e.type === 'warning') this.warn(`tracker ${e.url || ''}: ${e.message}`.trim());
      },
    });
    this.connector = peerConnector(env.peers, () => this.torrents.reduce((n, t) => n + t.numPeers, 0) < this.o.maxPeers);
    if (env.trackersAheadMs) this.tracker.preconnect(this.o.announce, env.trackersAheadMs);
    this.ready = this.restore();
    this.tabs = env.tabs && this.o.store !== 'memory' ? new TabCoordinator(env.tabs, this.tabHost()) : undefined;
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
    const announce = unique([...(opts.announce ?? []), ...this.o.announce]);
    const { created, secret, opened } = await seedTorrent(input, opts, announce);
    const existing = this.get(created.infoHash);
    if (existing) return existing;
    const metainfo = created.metainfo;
    const files = created.files; // in the torrent's order (a hybrid sorts them)
    this.checkPieceLength(metainfo);
    const { store } = await this.stores.open(created.infoHash);
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
      secret,
      opened,
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
    // A private share carried without its key, now given it: opened again with it (its pieces stay).
    if (existing && opts.secret && !existing.secret) {
      metainfo ??= existing.metainfo;
      await this.remove(existing);
    } else if (existing) return existing;
    announce = unique([...announce, ...(opts.announce ?? []), ...this.o.announce]);
    const { store } = await this.stores.open(infoHash);
    if (select && !select.every((i) => Number.isSafeInteger(i) && i >= 0)) throw new RangeError('select: file indexes are non-negative integers');
    return this.open({
      infoHash,
      infoHashV2,
      name,
      announce,
      urlList,
      exactSource,
      metainfo,
      store,
      seeding: false,
      selection: opts.secret ? undefined : select && [...new Set(select)],
      secret: opts.secret,
    });
  }

  /** Stops a torrent and forgets it; with deleteData its stored pieces are deleted too. */
  async remove(torrent: Torrent, opts: { deleteData?: boolean } = {}): Promise<void> {
    const i = this.torrents.indexOf(torrent);
    if (i < 0) return;
    this.torrents.splice(i, 1);
    const deleteData = opts.deleteData === true;
    if (this.tabs?.follows(torrent)) {
      // Another tab runs it: that tab stops it first, then deletes (see TabCoordinator.removeFollowed).
      await this.tabs.removeFollowed(torrent, deleteData);
    } else {
      torrent.stop();
      try {
        await this.dropSaved(torrent, deleteData);
      } finally {
        // Told to the other tabs once the data is gone, and only then its lock let go.
        this.tabs?.removed(torrent.infoHash);
      }
    }
    this.emit('remove', { torrent });
  }

  /** Stops every torrent and closes every connection. Stored data stays. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const t of this.torrents) t.stop();
    this.tracker.destroy();
    this.env.peers.close?.();
    this.tabs?.close();
  }

  // ---- internals -----------------------------------------------------------------------------

  private checkAlive(): void {
    if (this.destroyed) throw new TabswarmError('this client has been destroyed');
  }

  private warn(message: string, torrent?: Torrent): void {
    this.emit('warning', { message, torrent });
  }

  private async dropSaved(torrent: Torrent, deleteData: boolean): Promise<void> {
    await this.saved.delete(torrent.infoHash);
    if (deleteData) await torrent.store.clear();
  }

  /** What the tab coordinator does through this client. */
  private tabHost(): TabHost {
    return {
      peerId: this.peerId,
      ready: this.ready,
      get: (infoHash) => this.get(infoHash),
      saved: (infoHash) => this.saved.find(infoHash),
      metainfoOf: (r) => this.metainfoOf(r),
      openSaved: (r) => this.restoreOne(r),
      remove: (t, deleteData) => this.remove(t, { deleteData }),
      dropSaved: (t, deleteData) => this.dropSaved(t, deleteData),
      forget: (t) => {
        const i = this.torrents.indexOf(t);
        if (i < 0) return;
        this.torrents.splice(i, 1);
        this.emit('remove', { torrent: t });
      },
      warn: (message, t) => this.warn(message, t),
    };
  }

  /** Takes the torrent's lock, unless storage is memory (no other tab sees it): false when another tab runs it. */
  private claim(infoHash: string): Promise<boolean> {
    return this.tabs && this.stores.lasting ? this.tabs.claim(infoHash) : Promise.resolve(true);
  }

  /** Opens a torrent: what identifies it (a `TorrentInit`'s own fields), and how it starts. */
  private async open(
    o: Pick<
      TorrentInit,
      'infoHash' | 'infoHashV2' | 'name' | 'announce' | 'urlList' | 'exactSource' | 'metainfo' | 'store' | 'selection' | 'secret' | 'opened'
    > & {
      seeding: boolean;
      paused?: boolean;
      addedAt?: number;
    },
  ): Promise<Torrent> {
    const addedAt = o.addedAt ?? Date.now();
    const runs = await this.claim(o.infoHash);
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
      secret: o.secret,
      opened: o.opened,
      uploadLimit: this.uploadLimit,
      downloadLimit: this.downloadLimit,
      superSeeding: this.o.superSeeding,
      memory: this.memory,
      fetchRange: this.env.fetchRange,
      fetchTorrentFile: this.env.fetchTorrentFile,
      highWaterMark: this.env.highWaterMark,
      maxHighWaterMark: this.env.maxHighWaterMark,
      connector: this.connector,
      refusePeer: (peerId) => this.tabs?.refuses(peerId),
      persist: (t) => this.persist(t, addedAt, o.seeding),
      register: (t) => (this.destroyed ? undefined : this.tracker.announce(t)),
    });
    if (o.paused) torrent.paused = true;
    torrent.addEventListener('warning', (e) => this.warn(e.detail.message, torrent));
    this.torrents.push(torrent);
    if (!runs) {
      // Another tab of this browser runs it: this one shows it, and takes it over when that tab closes.
      this.tabs?.follow(torrent);
      this.emit('torrent', { torrent });
      return torrent;
    }
    // The record is written while the torrent starts: its first announce does not wait for IndexedDB
    // (saves of one torrent commit in the order they were made, so a later one still wins).
    await Promise.all([this.persist(torrent, addedAt, o.seeding), torrent.start()]);
    this.tabs?.running(torrent);
    this.emit('torrent', { torrent });
    return torrent;
  }

  /** Saves a torrent's record, while it is one of the client's. */
  private persist(t: Torrent, addedAt: number, seeding: boolean): Promise<void> {
    return this.torrents.includes(t) ? this.saved.save(t, addedAt, seeding) : Promise.resolve();
  }

  /** Opens the torrents an earlier page saved (after checking the storage). */
  private async restore(): Promise<void> {
    await this.stores.check();
    for (const r of await this.saved.load()) {
      if (this.get(r.infoHash)) continue;
      try {
        await this.restoreOne(r);
      } catch (e) {
        this.warn(`could not restore ${r.name}: ${errorMessage(e)}`);
      }
    }
  }

  /** Opens a saved torrent. */
  private async restoreOne(r: TorrentRecord): Promise<void> {
    const metainfo = await this.metainfoOf(r);
    const { store } = await this.stores.open(r.infoHash);
    // A magnet link still without metadata keeps its exact sources in its saved link.
    const exactSource = metainfo ? [] : exactSourceOf(r.magnetURI);
    const infoHashV2 = metainfo ? undefined : v2HashOf(r.magnetURI);
    const secret = r.secret === undefined ? undefined : fromBase64Url(r.secret);
    await this.open({ ...r, infoHashV2, exactSource, metainfo, store, seeding: r.seeding ?? false, paused: r.paused, secret });
  }

  /** The metadata of a saved torrent, if it has it (checked against its info hash). */
  private metainfoOf(r: TorrentRecord): Promise<Metainfo | undefined> {
    return r.infoBytes ? parseInfoDict(r.infoBytes, r.infoHash) : Promise.resolve(undefined);
  }
}
