/**
 * A torrent of the client: its session (swarm logic), its tracker announcements, its stored pieces,
 * its life cycle, and reading its data; what an application reads of it (progress, speeds, files)
 * is in TorrentState (torrent-state.ts), as properties and typed events.
 */
import { TorrentSession } from '../core/session/session.js';
import { realClock } from '../core/session/clock.js';
import type { PeerChannel } from '../core/session/channel.js';
import type { Metainfo } from '../core/metainfo.js';
import { PieceGeometry } from '../core/geometry.js';
import { sha1 } from '../core/sha1.js';
import type { AnnouncedTorrent } from '../core/tracker/types.js';
import type { PriorityWindow } from './file.js';
import { TorrentFiles } from './torrent-files.js';
import { PrivateShareError } from '../core/private/format.js';
import { deferred } from './deferred.js';
import type { PeerConnectionKind, TorrentInit } from './torrent-types.js';
import { StreamWindows } from './stream-windows.js';
import { WebSources } from './web-sources.js';
import { FileSelection } from './file-selection.js';
import { PieceWaiters } from './piece-waiters.js';
import { TorrentState } from './torrent-state.js';

export { CRITICAL_BYTES, READ_AHEAD_BYTES } from './stream-windows.js';
export type { PeerConnectionKind, TorrentEventMap, TorrentInit, TorrentPeer } from './torrent-types.js';
export { PIECE_DOWNLOADING, PIECE_MISSING, PIECE_VERIFIED } from './torrent-state.js';

export class Torrent extends TorrentState {
  /** Resolves when the metadata is known. */
  readonly ready: Promise<void>;
  /** Resolves when every selected piece is verified and stored. */
  readonly done: Promise<void>;

  protected readonly session: TorrentSession;
  protected readonly fileSet: TorrentFiles;
  private announced: AnnouncedTorrent | undefined;
  private readonly readyD = deferred();
  private readonly doneD = deferred();
  private readonly waiters = new PieceWaiters();
  private readonly fileSelection: FileSelection;
  private readonly webSources: WebSources;
  private readonly streams = new StreamWindows({
    geometry: () => this.geometry,
    has: (i) => this.session.has(i),
    setStreamPriority: (critical, raised) => this.session.setStreamPriority(critical, raised),
  });

  constructor(init: TorrentInit) {
    super(init);
    const session = () => this.session;
    this.fileSet = new TorrentFiles(
      {
        piece: (i) => this.piece(i),
        prioritize: (f, start, end) => this.prioritize(f, start, end),
        raise: (start, end) => this.streams.open({ offset: 0, length: this.length }, start, end),
        selectFile: (i, selected) => this.selectFile(i, selected),
        isSelected: (i) => this.isSelected(i),
        fileProgress: (i) => this.fileProgress(i),
        has: (i) => this.session.has(i),
        get haveCount() {
          return session().haveCount;
        },
      },
      init.secret,
      init.opened,
    );
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
    this.refusePrivate();
    this.fileSelection.select(index, selected);
  }
  /**
   * Selects exactly the files listed (every file when `indexes` is undefined), in one step: choosing
   * 1 of 100,000 files this way is one update, where deselecting the others one by one would be 99,999.
   */
  setSelection(indexes: readonly number[] | undefined): void {
    this.refusePrivate();
    this.fileSelection.selectOnly(indexes);
  }
  /** Fraction of a file's bytes in verified pieces. */
  fileProgress(index: number): number {
    return this.fileSet.progress(index);
  }
  // ---- life cycle ----------------------------------------------------------------------------

  /** Starts the session and the announcements (called by the client). */
  async start(): Promise<void> {
    if (this.paused) {
      // Restored paused: it counts what its store holds (a reload shows the progress it had, and
      // saves it), and nothing else starts until `resume`.
      this.session.pause();
      await this.session.start();
      void this.openPrivate();
      return;
    }
    await this.session.start();
    void this.openPrivate();
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
  async piece(index: number): Promise<Uint8Array> {
    for (;;) {
      if (this.session.has(index)) {
        const data = await this.store.get(index);
        if (data) return data;
      }
      await this.waiters.wait(index);
      if (this.lastError) throw this.lastError;
    }
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
      void this.openPrivate();
      void this.init.persist(this);
      this.addWebSeeds();
    });
    session.on('piece', (index) => {
      this.fileSet.add(index);
      this.emit('progress', { progress: this.progress, piece: index });
      this.waiters.wake(index);
    });
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
      this.waiters.wakeAll();
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

  private applySelection(): void {
    this.session.selectFiles(this.fileSelection.filter() ?? (() => true));
  }

  private setMetainfo(m: Metainfo): void {
    this.metainfo = m;
    const geometry = (this.geometry = new PieceGeometry(m));
    // A private share's files are known once its manifest is read (openPrivate).
    if (!this.fileSet.setMetainfo(m, geometry)) return;
    this.readyD.resolve();
    this.emit('metadata', undefined);
  }

  /**
   * A private share with its secret: reads its manifest (the first pieces, fetched first) once the
   * session runs and the metadata is known; then the files are the share's and `ready` resolves. A
   * wrong key or a damaged share resolves `ready` with no files, and says why (`privateShare`, a warning).
   */
  private async openPrivate(): Promise<void> {
    const m = this.metainfo;
    if (!m || !this.geometry) return;
    if (!(await this.fileSet.openPrivate(m, this.geometry))) return;
    const state = this.fileSet.privateState;
    if (state?.status === 'failed') this.emit('warning', { message: state.error.message });
    this.readyD.resolve();
    this.emit('metadata', undefined);
    void this.init.persist(this);
  }

  private refusePrivate(): void {
    if (this.secret) throw new PrivateShareError('the files of a private share cannot be left out: the whole share is downloaded');
  }
}
