/**
 * A torrent of the client: its session (swarm logic), its tracker announcements, its stored pieces,
 * and what an application reads of it (progress, speeds, files; torrent-readings.ts) as properties
 * and typed events; or, while another tab of this browser runs it, that tab's state and commands
 * (torrent-following.ts).
 */
import { TorrentReadings } from './torrent-readings.js';
import { TorrentSession } from '../core/session/session.js';
import type { PeerChannel } from '../core/session/channel.js';
import type { Metainfo } from '../core/metainfo.js';
import { PieceGeometry } from '../core/geometry.js';
import type { AnnouncedTorrent } from '../core/tracker/types.js';
import type { PriorityWindow } from './file.js';
import { TorrentFiles } from './torrent-files.js';
import { deferred } from './deferred.js';
import type { PeerConnectionKind, TorrentInit } from './torrent-types.js';
import { StreamWindows } from './stream-windows.js';
import { WebSources } from './web-sources.js';
import { TorrentSelection } from './torrent-selection.js';
import { PieceReader } from './piece-reader.js';
import { sessionOptions } from './session-options.js';
import { markSessionPhases } from './torrent-timeline.js';
import { LocalReadout, type TorrentReadout } from './torrent-readout.js';
import type { TabCommand, TorrentSnapshot } from './tabs/protocol.js';
import { TorrentFollowing } from './torrent-following.js';
import { TabswarmError } from '../core/errors.js';
import { trackerDemand, type TrackerDemand } from './torrent-tracker.js';

export { CRITICAL_BYTES, READ_AHEAD_BYTES } from './stream-windows.js';
export type { PeerConnectionKind, TorrentEventMap, TorrentInit, TorrentPeer } from './torrent-types.js';
export { PIECE_MISSING, PIECE_DOWNLOADING, PIECE_VERIFIED } from './torrent-readout.js';

/**
 * A torrent of the client. What applications read of it is in {@link TorrentReadings}; here are its
 * life cycle, its actions, and the reading of its data.
 */
export class Torrent extends TorrentReadings {
  /** Its trackers (see `addTrackers`). */
  get announce(): string[] {
    return this.trackers;
  }
  /** Resolves when the metadata is known. */
  readonly ready: Promise<void>;
  /** Resolves when every selected piece is verified and stored. */
  readonly done: Promise<void>;

  private session: TorrentSession;
  private geometry: PieceGeometry | undefined;
  private announced: AnnouncedTorrent | undefined;
  private trackers: string[];
  private readonly readyD = deferred();
  private readonly doneD = deferred();
  private readonly reader = new PieceReader({
    // Another tab running it has stored what it says is verified: read from the same store.
    has: (i) => this.view.has(i),
    get: (i) => this.store.get(i),
    verifiedBytes: (i, begin) => this.session.verifiedBytes(i, begin),
    error: () => this.lastError ?? (this.tab.remote?.closed ? new TabswarmError(`${this.name} is no longer followed in this tab`) : undefined),
  });
  protected readonly fileSet: TorrentFiles;
  private readonly local = new LocalReadout(
    () => this.session,
    () => this.geometry,
    () => this.fileSet.geometry,
  );
  /** Where the numbers come from: this tab's session, or the tab that runs the torrent (see {@link follow}). */
  protected view: TorrentReadout = this.local;
  /** While another tab of this browser runs the torrent. */
  private readonly tab: TorrentFollowing = new TorrentFollowing(this, {
    geometry: () => this.geometry,
    filesGeometry: () => this.fileSet.geometry,
    show: (remote) => (this.view = remote ?? this.local),
    setMetainfo: (m) => this.setMetainfo(m),
    openPrivate: () => void this.openPrivate(),
    reader: this.reader,
    emit: (type, detail) => this.emit(type, detail),
    resolveDone: () => this.doneD.resolve(),
    runHere: (selection) => {
      this.fileSelection.reset(selection);
      this.session = this.createSession();
      return this.start();
    },
    sessionDone: () => this.session.done,
  });
  private readonly fileSelection: TorrentSelection;
  private readonly webSources: WebSources;
  private readonly streams = new StreamWindows({
    geometry: () => this.geometry,
    has: (i) => this.session.has(i),
    setStreamPriority: (critical, raised) => this.session.setStreamPriority(critical, raised),
  });

  constructor(private readonly init: TorrentInit) {
    super(init, init.name);
    this.trackers = [...init.announce];
    this.fileSet = new TorrentFiles(this, (start, end) => this.streams.open({ offset: 0, length: this.length }, start, end), init.secret, init.opened);
    this.fileSelection = new TorrentSelection(
      {
        fileCount: () => this.metainfo?.files.length,
        changed: (filter) => {
          this.session.selectFiles(filter ?? (() => true));
          void this.persist();
        },
        remote: () => this.tab.remote,
        isPrivate: () => this.secret !== undefined,
      },
      init.selection,
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

  // ---- file selection and peers wanted -------------------------------------------------------

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
  /** Selects exactly the files listed (all when undefined), in one update (not one per file deselected). */
  setSelection(indexes: readonly number[] | undefined): void {
    this.fileSelection.selectOnly(indexes);
  }
  /** What it asks of its trackers now: how many peers, and whether it starves (see `trackerDemand`). */
  get trackerDemand(): TrackerDemand {
    return trackerDemand(this.session, this.paused, this.init.maxPeers);
  }
  /** A tracker introduces a peer while every slot is taken: whether a connection was closed for it (room.ts). */
  makeRoom(): boolean {
    return this.session.makeRoom() !== undefined;
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
    this.register();
    this.local.rates.start();
  }

  /** Connects a peer the tracker client found under `infoHash`; `link`: what its connection goes through. */
  addPeer(channel: PeerChannel, id: string, link?: { readonly connection?: PeerConnectionKind | undefined }, infoHash?: Uint8Array): boolean {
    if (this.paused || this.tab.remote) {
      channel.close();
      return false;
    }
    const added = this.session.addPeer(channel, id, infoHash ? { infoHash } : {}) !== undefined;
    if (added && link) this.local.links.set(id, link);
    return added;
  }

  /** Announces to these trackers too, at once when the torrent runs; kept with the torrent. */
  addTrackers(urls: readonly string[]): void {
    const added = urls.filter((u) => !this.trackers.includes(u));
    if (added.length === 0) return;
    this.trackers = [...this.trackers, ...added];
    this.announceAgain();
    void this.persist();
  }

  /** Announces anew, when running: to trackers added, or under a hybrid's v2 hash once known. */
  private announceAgain(): void {
    this.announced?.remove();
    if (this.announced) this.register();
  }

  private register(): void {
    this.announced = this.init.register(this);
    if (this.session.done) this.announced?.complete();
  }

  /** A connection to a peer could not be made (the tracker client says why): counted, and told as a warning. */
  peerFailed(reason: string): void {
    this.local.failures++;
    this.emit('warning', { message: `a peer could not be reached: ${reason}`, unreachable: true });
  }

  pause(): void {
    if (this.tab.remote) return this.tab.remote.send({ kind: 'pause' });
    if (this.paused) return;
    this.paused = true;
    this.announced?.remove();
    this.announced = undefined;
    this.session.pause();
    void this.persist();
  }

  /** Carries on after `pause` or after an error (the session tries again). */
  resume(): void {
    if (this.tab.remote) return this.tab.remote.send({ kind: 'resume' });
    if (!this.paused) return;
    this.paused = false;
    this.lastError = undefined;
    this.session.resume();
    void this.persist();
    void this.start();
  }

  /** Stops everything (the client calls it on remove and destroy). */
  stop(): void {
    if (this.tab.close()) return;
    this.announced?.remove();
    this.announced = undefined;
    this.session.stop();
    this.local.rates.stop();
  }

  // ---- when another tab of this browser runs it (tabs/coordinator.ts; torrent-following.ts) ------

  /** Another tab of this browser runs the torrent: its numbers, pieces and commands go through that tab. */
  get following(): boolean {
    return this.tab.remote !== undefined;
  }
  /** Shows what the tab running it broadcasts, and sends it this torrent's commands (called before `start`, instead of it). */
  follow(send: (command: TabCommand) => void): void {
    this.tab.follow(send);
  }
  /** The latest state from the tab that runs it: the numbers change, and readers waiting for pieces it stored go on. */
  applySnapshot(s: TorrentSnapshot): void {
    this.tab.applySnapshot(s);
  }
  /** The metadata, read from the saved torrent list once the tab running it has it. */
  adoptMetainfo(m: Metainfo): void {
    this.tab.adoptMetainfo(m);
  }
  /** The tab that ran it is gone and this one has its lock: runs it from the shared store, as saved, with a new session. */
  takeOver(saved: { paused: boolean; selection?: number[] | undefined }): Promise<void> {
    return this.tab.takeOver(saved);
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

  /** Before the metadata, the start of the torrent is fetched first (see StreamWindows.wantHead). */
  wantHead(): void {
    this.streams.wantHead();
  }

  // ---- internals -----------------------------------------------------------------------------

  private createSession(): TorrentSession {
    const session = new TorrentSession(sessionOptions(this.init, this.infoHashBytes, this.metainfo ?? this.init.metainfo, this.urlList, this.timeline));
    markSessionPhases(this.timeline, session);
    const filter = this.fileSelection.filter();
    if (filter) session.selectFiles(filter);
    this.streams.reset();
    session.on('metadata', (m) => {
      if (this.metainfo) return;
      this.setMetainfo(m);
      this.streams.refresh();
      if (m.version === 'hybrid' && !this.init.infoHashV2) this.announceAgain();
      void this.openPrivate();
      void this.persist();
      this.addWebSeeds();
    });
    session.on('piece', (index) => {
      this.local.pieceVerified(index);
      this.emit('progress', { progress: this.progress, piece: index });
      this.reader.wake(index);
    });
    for (const readable of ['block', 'hashed'] as const) session.on(readable, ({ index }) => this.reader.wake(index));
    session.on('done', () => {
      this.doneD.resolve();
      this.announced?.complete();
      this.emit('done', undefined);
    });
    session.on('peer', (p) => {
      // A peer gone while pieces are still missing: ask the trackers for others now (as soon as
      // their minimum interval allows) rather than at the next regular announce, minutes away.
      if (p.event === 'disconnected') this.local.links.delete(p.id);
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

  /** Saves the torrent's record, unless another tab runs it (that tab saves it). */
  private persist(): Promise<void> {
    return this.tab.remote ? Promise.resolve() : this.init.persist(this);
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
   * session runs, or the tab running it stored them, and the metadata is known; then the files are
   * the share's and `ready` resolves. A wrong key or a damaged share resolves `ready` with no files,
   * and says why (`privateShare`, a warning).
   */
  private async openPrivate(): Promise<void> {
    const m = this.metainfo;
    if (!m || !this.geometry) return;
    if (!(await this.fileSet.openPrivate(m, this.geometry))) return;
    const state = this.fileSet.privateState;
    if (state?.status === 'failed') this.emit('warning', { message: state.error.message });
    this.readyD.resolve();
    this.emit('metadata', undefined);
    void this.persist();
  }
}
