/**
 * A torrent of the client: its session (swarm logic), its tracker announcements, its stored pieces,
 * and what an application reads of it (progress, speeds, files) as properties and typed events.
 */
import { TypedEventTarget } from './events.js';
import { TorrentSession } from '../core/session/session.js';
import { realClock } from '../core/session/clock.js';
import type { PieceStore } from '../core/session/store.js';
import type { PeerChannel } from '../core/session/channel.js';
import type { Metainfo, TorrentFileEntry } from '../core/metainfo.js';
import { PieceGeometry } from '../core/geometry.js';
import { formatMagnet } from '../core/magnet.js';
import { sha1 } from '../core/sha1.js';
import { torrentFileBytes } from '../core/torrent-file.js';
import { fromHex } from '../core/bytes.js';
import type { AnnouncedTorrent } from '../core/tracker/types.js';
import { TorrentFile, type PriorityWindow } from './file.js';
import { FileProgress } from './file-progress.js';
import { deferred } from './deferred.js';
import type { PeerConnectionKind, TorrentEventMap, TorrentInit, TorrentPeer } from './torrent-types.js';
import { StreamWindows } from './stream-windows.js';
import { WebSources } from './web-sources.js';
import { FileSelection } from './file-selection.js';
import { TransferRates, shareRatio } from './transfer-rates.js';
import { PieceReader } from './piece-reader.js';

export { CRITICAL_BYTES, READ_AHEAD_BYTES } from './stream-windows.js';
export type { PeerConnectionKind, TorrentEventMap, TorrentInit, TorrentPeer } from './torrent-types.js';

/** A piece's state in {@link Torrent.pieceStates}. */
export const PIECE_MISSING = 0;
export const PIECE_DOWNLOADING = 1;
export const PIECE_VERIFIED = 2;
/** Peers asked of the trackers at once while some peer can introduce others (issue 19, item 4). */
const TRACKER_PEERS_WITH_RELAYS = 5;

export class Torrent extends TypedEventTarget<TorrentEventMap> {
  readonly infoHash: string;
  readonly infoHashBytes: Uint8Array;
  /** Its trackers (see `addTrackers`). */
  get announce(): string[] {
    return this.trackers;
  }
  readonly urlList: string[];
  readonly exactSource: string[];
  readonly store: PieceStore;
  metainfo: Metainfo | undefined;
  files: TorrentFile[] = [];
  paused = false;
  /** Set when the torrent stopped on an error (e.g. storage full). */
  lastError: Error | undefined;
  /** Resolves when the metadata is known. */
  readonly ready: Promise<void>;
  /** Resolves when every selected piece is verified and stored. */
  readonly done: Promise<void>;

  private readonly session: TorrentSession;
  private geometry: PieceGeometry | undefined;
  /** Bytes verified per file, for the session's picker it was counted from (see {@link fileTable}). */
  /** Verified bytes per file (see fileTable), once the metadata is known. */
  private fileProgressTable: FileProgress | undefined;
  private announced: AnnouncedTorrent | undefined;
  private trackers: string[];
  private readonly readyD = deferred();
  private readonly doneD = deferred();
  private readonly rates = new TransferRates(() => ({ downloaded: this.downloaded, uploaded: this.uploaded }));
  private name_: string | undefined;
  private readonly reader = new PieceReader({
    has: (i) => this.session.has(i),
    get: (i) => this.store.get(i),
    verifiedBlock: (i, begin) => this.session.verifiedBlock(i, begin),
    error: () => this.lastError,
  });
  /** What each connected peer's connection goes through, read when the peers are (by peer id). */
  private readonly links = new Map<string, { readonly connection?: PeerConnectionKind | undefined }>();
  private failures = 0;
  private readonly fileSelection: FileSelection;
  private readonly webSources: WebSources;
  private readonly streams = new StreamWindows({
    geometry: () => this.geometry,
    has: (i) => this.session.has(i),
    setStreamPriority: (critical, raised) => this.session.setStreamPriority(critical, raised),
  });

  constructor(private readonly init: TorrentInit) {
    super();
    this.infoHash = init.infoHash;
    this.infoHashBytes = fromHex(init.infoHash)!;
    this.trackers = [...init.announce];
    this.urlList = init.urlList;
    this.exactSource = init.exactSource;
    this.store = init.store;
    this.name_ = init.name;
    this.fileSelection = new FileSelection(
      init.selection,
      () => this.metainfo?.files.length,
      () => {
        this.applySelection();
        void this.init.persist(this);
      },
    );
    this.webSources = new WebSources({
      infoHash: init.infoHash,
      urlList: this.urlList,
      exactSource: this.exactSource,
      fetchRange: init.fetchRange,
      fetchTorrentFile: init.fetchTorrentFile,
      warn: (message) => this.emit('warning', { message }),
    });
    this.ready = this.readyD.promise;
    this.done = this.doneD.promise;
    this.session = this.createSession();
    if (init.metainfo) this.setMetainfo(init.metainfo);
  }

  // ---- what applications read ----------------------------------------------------------------

  get name(): string {
    return this.metainfo?.name ?? this.name_ ?? this.infoHash;
  }
  get length(): number {
    return this.metainfo?.length ?? 0;
  }
  get magnetURI(): string {
    const v2 = this.metainfo?.infoHashV2 ?? this.init.infoHashV2;
    return formatMagnet({
      infoHash: this.infoHash,
      infoHashV2: v2,
      ...(v2?.startsWith(this.infoHash) ? { version: 'v2' as const } : {}),
      name: this.name,
      announce: this.announce,
      urlList: this.urlList,
      exactSource: this.exactSource,
    });
  }
  /** The .torrent file, once the metadata is known. */
  get torrentFile(): Uint8Array | undefined {
    const m = this.metainfo;
    return m ? torrentFileBytes({ announce: this.announce, urlList: this.urlList, infoBytes: m.infoBytes, pieceLayers: m.pieceLayers }) : undefined;
  }
  get progress(): number {
    return this.session.progress;
  }
  get downloaded(): number {
    return this.session.downloaded;
  }
  get uploaded(): number {
    return this.session.uploaded;
  }
  /** Bytes per second arriving (see transfer-rates.ts); 0 once done, whatever still arrives. */
  get downloadSpeed(): number {
    return this.isDone ? 0 : this.rates.download;
  }
  get uploadSpeed(): number {
    return this.rates.upload;
  }
  get numPeers(): number {
    return this.session.peerCount;
  }
  get isDone(): boolean {
    return this.session.done;
  }
  /** Bytes still wanted; undefined before the metadata is known. */
  get left(): number | undefined {
    return this.session.left;
  }
  /** Seconds until done at the current download speed: 0 when done, Infinity when nothing arrives. */
  get timeRemaining(): number {
    if (this.isDone) return 0;
    const left = this.left;
    const speed = this.downloadSpeed;
    return left === undefined || speed <= 0 ? Infinity : left / speed;
  }
  /** See {@link shareRatio}. */
  get ratio(): number {
    return shareRatio(this.uploaded, this.downloaded, this.length);
  }
  /** Each piece's state: {@link PIECE_MISSING}, {@link PIECE_DOWNLOADING} or {@link PIECE_VERIFIED}. */
  pieceStates(): Uint8Array {
    const count = this.geometry?.pieceCount;
    if (count === undefined) return new Uint8Array(0);
    const out = new Uint8Array(count);
    for (let i = 0; i < out.length; i++) if (this.session.has(i)) out[i] = PIECE_VERIFIED;
    // Verified pieces have no download under way: what is under way is neither missing nor verified.
    for (const i of this.session.piecesInProgress()) out[i] = PIECE_DOWNLOADING;
    return out;
  }
  /** The connected peers. */
  peers(): TorrentPeer[] {
    return this.session.status().peers.map((p) => ({
      id: p.id,
      connection: this.links.get(p.id)?.connection,
      client: p.client,
      downloadSpeed: p.downloadRate,
      uploadSpeed: p.uploadRate,
      progress: p.progress,
      unchokedUs: !p.peerChoking,
      unchokedByUs: !p.amChoking,
    }));
  }
  /** Indexes of the selected files; undefined when every file is. */
  get selection(): number[] | undefined {
    return this.fileSelection.indexes;
  }
  /** Whether file `index` is downloaded (every file is, unless deselected). */
  isSelected(index: number): boolean {
    return this.fileSelection.has(index);
  }
  /** Selects or deselects one file (saved with the torrent); a deselected file is not downloaded. */
  selectFile(index: number, selected: boolean): void {
    this.fileSelection.select(index, selected);
  }
  /**
   * Selects exactly the files listed (every file when `indexes` is undefined), in one step: choosing
   * 1 of 100,000 files this way is one update, where deselecting the others one by one would be 99,999.
   */
  setSelection(indexes: readonly number[] | undefined): void {
    this.fileSelection.selectOnly(indexes);
  }
  /** Fraction of a file's bytes in verified pieces. */
  fileProgress(index: number): number {
    const file = this.files[index];
    const table = this.fileTable();
    if (!file || !table) return 0;
    return table.progress(index);
  }
  /** How many files have every byte verified (an empty file always has); 0 before the metadata is known. */
  get completeFiles(): number {
    return this.fileTable()?.completeFiles ?? 0;
  }
  /**
   * Connections to peers of this torrent that could not be made since it was opened in this page:
   * the peer answered (or we answered it), and ICE found no path, one side had no address to offer,
   * or nothing connected in time. Each also sends a `warning` saying why. Behind restrictive NATs
   * or firewalls a TURN server (`iceServers`) relays such connections.
   */
  get failedConnections(): number {
    return this.failures;
  }
  /** Peers wanted from the trackers: a few once a peer can introduce others (relayed signaling). */
  get wantsPeers(): number {
    const want = this.paused ? 0 : Math.max(0, this.init.maxPeers - this.session.peerCount);
    return this.session.relayPeers > 0 ? Math.min(want, TRACKER_PEERS_WITH_RELAYS) : want;
  }

  // ---- life cycle ----------------------------------------------------------------------------

  /** Starts the session and the announcements (called by the client). */
  async start(): Promise<void> {
    if (this.paused) {
      // Restored paused: it counts what its store holds (a reload shows the progress it had, and
      // saves it), and nothing else starts until `resume`.
      this.session.pause();
      await this.session.start();
      return;
    }
    await this.session.start();
    this.addWebSeeds();
    void this.fetchMetadata();
    this.announced = this.init.register(this);
    if (this.session.done) this.announced?.complete();
    this.rates.start();
  }

  /**
   * Connects a peer the tracker client found; `link` says what its connection goes through (read
   * each time the peers are).
   */
  addPeer(channel: PeerChannel, id: string, link?: { readonly connection?: PeerConnectionKind | undefined }): boolean {
    if (this.paused) {
      channel.close();
      return false;
    }
    const added = this.session.addPeer(channel, id) !== undefined;
    if (added && link) this.links.set(id, link);
    return added;
  }

  /** Announces to these trackers too, at once when the torrent runs; kept with the torrent. */
  addTrackers(urls: readonly string[]): void {
    const added = urls.filter((u) => !this.trackers.includes(u));
    if (added.length === 0) return;
    this.trackers = [...this.trackers, ...added];
    if (this.announced) {
      this.announced.remove();
      this.announced = this.init.register(this);
      if (this.session.done) this.announced?.complete();
    }
    void this.init.persist(this);
  }

  /** A connection to a peer could not be made (the tracker client says why): counted, and told as a warning. */
  peerFailed(reason: string): void {
    this.failures++;
    this.emit('warning', { message: `a peer could not be reached: ${reason}`, unreachable: true });
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.announced?.remove();
    this.announced = undefined;
    this.session.pause();
    void this.init.persist(this);
  }

  /** Carries on after `pause` or after an error (the session tries again). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastError = undefined;
    this.session.resume();
    void this.init.persist(this);
    void this.start();
  }

  /** Stops everything (the client calls it on remove and destroy). */
  stop(): void {
    this.announced?.remove();
    this.announced = undefined;
    this.session.stop();
    this.rates.stop();
  }

  // ---- reading data --------------------------------------------------------------------------

  /** The bytes of one piece, waiting for it to be downloaded and verified. */
  piece(index: number): Promise<Uint8Array> {
    return this.reader.piece(index);
  }

  /** Verified bytes holding byte `from` of piece `index`: the piece, or (v2) a block of it proved right on its own. */
  chunk(index: number, from: number): Promise<{ data: Uint8Array; at: number }> {
    return this.reader.chunk(index, from);
  }

  /**
   * Raises the priority of the bytes `[start, end)` of file `fileIndex` for a reader (a stream):
   * the pieces just after its position are fetched first and in order, the read-ahead after them
   * at high priority, in deselected files too. Move the window as the reader advances; release it
   * when the reader is done or gone, and the pieces go back to their usual priority.
   */
  prioritize(fileIndex: number, start: number, end: number): PriorityWindow {
    const file = this.files[fileIndex];
    if (!file) throw new RangeError(`no file ${fileIndex}`);
    return this.streams.open(file, start, end);
  }

  // ---- internals -----------------------------------------------------------------------------

  private createSession(): TorrentSession {
    const session = new TorrentSession({
      infoHash: this.infoHashBytes,
      ...(this.init.infoHashV2 ? { infoHashV2: fromHex(this.init.infoHashV2)! } : {}),
      peerId: this.init.peerId,
      metainfo: this.metainfo ?? this.init.metainfo,
      store: this.store,
      hasher: sha1,
      clock: realClock,
      maxPeers: this.init.maxPeers,
      uploadLimit: this.init.uploadLimit,
      downloadLimit: this.init.downloadLimit,
      memory: this.init.memory,
      // A seed holds pieces back from each peer until every piece has left it once (initial seeding);
      // with web seeds, peers would fetch what is held back from the HTTP server instead, and the
      // server should carry as little as peers can take (it is there for when no tab is open).
      initialSeeding: this.urlList.length === 0,
      ...(this.init.highWaterMark ? { highWaterMark: this.init.highWaterMark } : {}),
      ...(this.init.maxHighWaterMark ? { maxHighWaterMark: this.init.maxHighWaterMark } : {}),
      ...(this.init.connector ? { connector: this.init.connector } : {}),
    });
    const filter = this.fileSelection.filter();
    if (filter) session.selectFiles(filter);
    this.streams.reset();
    session.on('metadata', (m) => {
      if (this.metainfo) return;
      this.setMetainfo(m);
      void this.init.persist(this);
      this.addWebSeeds();
    });
    session.on('piece', (index) => {
      this.fileProgressTable?.add(index);
      this.emit('progress', { progress: this.progress, piece: index });
      this.reader.wake(index);
    });
    session.on('block', ({ index }) => this.reader.wake(index));
    session.on('done', () => {
      this.doneD.resolve();
      this.announced?.complete();
      this.emit('done', undefined);
    });
    session.on('peer', (p) => {
      // A peer gone while pieces are still missing: ask the trackers for others now (as soon as
      // their minimum interval allows) rather than at the next regular announce, minutes away.
      if (p.event === 'disconnected') this.links.delete(p.id);
      if (p.event === 'disconnected' && !session.done) this.announced?.reannounce();
      this.emit('peer', p);
    });
    session.on('warning', (message) => this.emit('warning', { message }));
    session.on('error', (error) => {
      this.lastError = error;
      this.paused = true;
      this.announced?.remove();
      this.announced = undefined;
      this.reader.wakeAll();
      this.emit('error', { error });
    });
    return session;
  }

  /** While the metadata is unknown, fetches it from the exact sources (`xs=`; see WebSources.fetchMetadata). */
  private fetchMetadata(): Promise<void> {
    // Paused, resumed (a new session) or removed (a stopped one) meanwhile: that session's business.
    const session = this.session;
    return this.webSources.fetchMetadata(session, () => !!this.metainfo || this.paused || session !== this.session);
  }

  /** Connects the torrent's web seeds (BEP 19) as backup peers, once the metadata is known. */
  private addWebSeeds(): void {
    const metainfo = this.metainfo;
    if (!metainfo || this.paused) return;
    this.webSources.addWebSeeds(this.session, metainfo);
  }

  /**
   * The verified bytes of every file, kept up to date by the `piece` handler; pieces the session has
   * that the table has not counted (those found in storage at start, which send no `piece` event)
   * are counted in one pass.
   */
  private fileTable(): FileProgress | undefined {
    const geometry = this.geometry;
    if (!geometry) return undefined;
    const table = (this.fileProgressTable ??= new FileProgress(geometry));
    if (table.pieces !== this.session.haveCount) table.addAll((i) => this.session.has(i));
    return table;
  }

  private applySelection(): void {
    this.session.selectFiles(this.fileSelection.filter() ?? (() => true));
  }

  private setMetainfo(m: Metainfo): void {
    this.metainfo = m;
    const geometry = (this.geometry = new PieceGeometry(m));
    this.files = m.files.map((f: TorrentFileEntry, i: number) => new TorrentFile(this, geometry, f, i));
    this.readyD.resolve();
    this.emit('metadata', undefined);
  }
}
