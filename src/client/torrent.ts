/**
 * A torrent of the client: its session (swarm logic), its tracker announcements, its stored pieces,
 * and what an application reads of it (progress, speeds, files) as properties and typed events.
 */
import { TypedEventTarget } from './events.js';
import { TorrentSession } from '../core/session/session.js';
import { realClock } from '../core/session/clock.js';
import { RateMeter } from '../core/session/rate.js';
import type { PieceStore } from '../core/session/store.js';
import type { PeerChannel } from '../core/session/channel.js';
import { parseTorrent, type Metainfo, type TorrentFileEntry } from '../core/metainfo.js';
import { PieceGeometry } from '../core/geometry.js';
import { formatMagnet } from '../core/magnet.js';
import { sha1 } from '../core/sha1.js';
import { torrentFileBytes } from '../core/torrent-file.js';
import { fromHex } from '../core/bytes.js';
import type { AnnouncedTorrent } from '../core/tracker/types.js';
import { TorrentFile, type PriorityWindow } from './file.js';
import { FileProgress } from './file-progress.js';
import { TabswarmError, errorMessage } from '../core/errors.js';
import type { RateLimiter } from '../core/session/limiter.js';
import type { MemoryBudget } from '../core/session/memory.js';
import { WebSeedChannel, type RangeFetcher } from '../core/webseed.js';
import { webSeedPeerId } from './webseed-http.js';

export interface TorrentEventMap {
  metadata: CustomEvent<void>;
  progress: CustomEvent<{ progress: number; piece: number }>;
  done: CustomEvent<void>;
  peer: CustomEvent<{ id: string; event: 'connected' | 'disconnected' }>;
  warning: CustomEvent<{ message: string }>;
  error: CustomEvent<{ error: Error }>;
}

/** One connected peer, as the app shows it. */
export interface TorrentPeer {
  id: string;
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

/**
 * A stream's window (see {@link Torrent.prioritize}): the pieces of the first CRITICAL_BYTES from
 * its position are fetched before anything else, strictly in order; those of the next
 * READ_AHEAD_BYTES at high priority.
 */
export const CRITICAL_BYTES = 2 * 1024 * 1024;
export const READ_AHEAD_BYTES = 32 * 1024 * 1024;

/** A piece's state in {@link Torrent.pieceStates}. */
export const PIECE_MISSING = 0;
export const PIECE_DOWNLOADING = 1;
export const PIECE_VERIFIED = 2;

export interface TorrentInit {
  infoHash: string;
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
  uploadLimit?: RateLimiter;
  downloadLimit?: RateLimiter;
  /** The client's memory for pieces in progress, shared by its torrents. */
  memory?: MemoryBudget;
  /** HTTP for web seeds; absent: the torrent's web seeds are not used. */
  fetchRange?: RangeFetcher;
  /** HTTP for .torrent files (exact sources); absent: `exactSource` is not fetched. */
  fetchTorrentFile?: (url: string) => Promise<Uint8Array>;
  highWaterMark?: number;
  maxHighWaterMark?: number;
  /** Saves the torrent's record (list, metadata, paused state). */
  persist: (t: Torrent) => Promise<void>;
  /** Announces the torrent to its trackers. */
  register: (t: Torrent) => AnnouncedTorrent | undefined;
}

type Deferred = { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // surfaced through the `error` event; awaiting callers still see it
  return { promise, resolve, reject };
}

export class Torrent extends TypedEventTarget<TorrentEventMap> {
  readonly infoHash: string;
  readonly infoHashBytes: Uint8Array;
  readonly announce: string[];
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
  private readonly readyD = deferred();
  private readonly doneD = deferred();
  private readonly downMeter = new RateMeter(() => Date.now());
  private readonly upMeter = new RateMeter(() => Date.now());
  private lastDown = 0;
  private lastUp = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private name_: string | undefined;
  private readonly waiters = new Map<number, (() => void)[]>();
  private selected: Set<number> | undefined;
  /** Web seeds that failed (HTTP errors): not tried again while the page lives. */
  private readonly failedWebSeeds = new Set<string>();
  /** Open stream windows (torrent byte offsets), oldest first. */
  private readonly windows = new Set<{ position: number; end: number }>();
  /** What was last given to the session, to skip identical updates. */
  private streamKey = '';

  constructor(private readonly init: TorrentInit) {
    super();
    this.infoHash = init.infoHash;
    this.infoHashBytes = fromHex(init.infoHash)!;
    this.announce = init.announce;
    this.urlList = init.urlList;
    this.exactSource = init.exactSource;
    this.store = init.store;
    this.name_ = init.name;
    if (init.selection) this.selected = new Set(init.selection);
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
    return formatMagnet({ infoHash: this.infoHash, name: this.name, announce: this.announce, urlList: this.urlList, exactSource: this.exactSource });
  }
  /** The .torrent file, once the metadata is known. */
  get torrentFile(): Uint8Array | undefined {
    const m = this.metainfo;
    return m ? torrentFileBytes({ announce: this.announce, urlList: this.urlList, infoBytes: m.infoBytes }) : undefined;
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
  get downloadSpeed(): number {
    return this.downMeter.rate();
  }
  get uploadSpeed(): number {
    return this.upMeter.rate();
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
  /** Uploaded bytes over downloaded bytes (over the length for a torrent seeded from here). */
  get ratio(): number {
    const base = this.downloaded > 0 ? this.downloaded : this.length;
    return base > 0 ? this.uploaded / base : 0;
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
    return this.selected ? [...this.selected].sort((a, b) => a - b) : undefined;
  }
  /** Whether file `index` is downloaded (every file is, unless deselected). */
  isSelected(index: number): boolean {
    return this.selected?.has(index) ?? true;
  }
  /** Selects or deselects one file (saved with the torrent); a deselected file is not downloaded. */
  selectFile(index: number, selected: boolean): void {
    const count = this.fileCountOrThrow();
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`no file ${index}`);
    if (this.isSelected(index) === selected) return;
    const set = this.selected ?? new Set(Array.from({ length: count }, (_, i) => i));
    if (selected) set.add(index);
    else set.delete(index);
    this.setSelected(set.size === count ? undefined : set);
  }
  /**
   * Selects exactly the files listed (every file when `indexes` is undefined), in one step: choosing
   * 1 of 100,000 files this way is one update, where deselecting the others one by one would be 99,999.
   */
  setSelection(indexes: readonly number[] | undefined): void {
    const count = this.fileCountOrThrow();
    for (const i of indexes ?? []) if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`no file ${i}`);
    const set = indexes === undefined ? undefined : new Set(indexes);
    const same =
      set === undefined
        ? this.selected === undefined
        : this.selected !== undefined && set.size === this.selected.size && [...set].every((i) => this.selected!.has(i));
    if (same) return;
    this.setSelected(set === undefined || set.size === count ? undefined : set);
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
  get wantsPeers(): number {
    return this.paused ? 0 : Math.max(0, this.init.maxPeers - this.session.peerCount);
  }

  // ---- life cycle ----------------------------------------------------------------------------

  /** Starts the session and the announcements (called by the client). */
  async start(): Promise<void> {
    if (this.paused) return;
    await this.session.start();
    this.addWebSeeds();
    void this.fetchMetadata();
    this.announced = this.init.register(this);
    if (this.session.done) this.announced?.complete();
    this.timer ??= setInterval(() => this.sample(), 1000);
  }

  /** Connects a peer the tracker client found. */
  addPeer(channel: PeerChannel, id: string): boolean {
    if (this.paused) {
      channel.close();
      return false;
    }
    return this.session.addPeer(channel, id) !== undefined;
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
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ---- reading data --------------------------------------------------------------------------

  /** The bytes of one piece, waiting for it to be downloaded and verified. */
  async piece(index: number): Promise<Uint8Array> {
    for (;;) {
      if (this.session.has(index)) {
        const data = await this.store.get(index);
        if (data) return data;
      }
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(index) ?? [];
        list.push(resolve);
        this.waiters.set(index, list);
      });
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
    const clamp = (n: number) => file.offset + Math.max(0, Math.min(n, file.length));
    const window = { position: clamp(start), end: clamp(end) };
    this.windows.add(window);
    this.applyWindows();
    return {
      seek: (position: number) => {
        if (!this.windows.has(window)) return;
        window.position = clamp(position);
        this.applyWindows();
      },
      release: () => {
        if (this.windows.delete(window)) this.applyWindows();
      },
    };
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Gives the session the critical and read-ahead pieces of every open window (newest first). */
  private applyWindows(): void {
    const geometry = this.geometry;
    if (!geometry) return;
    const critical: number[] = [];
    const raised: number[] = [];
    const seen = new Set<number>();
    const add = (list: number[], from: number, to: number) => {
      if (to <= from) return;
      for (let i = geometry.pieceAt(from), last = geometry.pieceAt(to - 1); i <= last; i++) {
        if (seen.has(i) || this.session.has(i)) continue;
        seen.add(i);
        list.push(i);
      }
    };
    for (const w of [...this.windows].reverse()) {
      const criticalEnd = Math.min(w.end, w.position + CRITICAL_BYTES);
      add(critical, w.position, criticalEnd);
      add(raised, criticalEnd, Math.min(w.end, w.position + CRITICAL_BYTES + READ_AHEAD_BYTES));
    }
    const key = `${critical.join(',')}|${raised.join(',')}`;
    if (key === this.streamKey) return;
    this.streamKey = key;
    this.session.setStreamPriority(critical, raised);
  }

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
    });
    if (this.selected) session.selectFiles(this.selectionOf(this.selected));
    this.streamKey = '';
    session.on('metadata', (m) => {
      if (this.metainfo) return;
      this.setMetainfo(m);
      void this.init.persist(this);
      this.addWebSeeds();
    });
    session.on('piece', (index) => {
      this.fileProgressTable?.add(index);
      this.emit('progress', { progress: this.progress, piece: index });
      const list = this.waiters.get(index);
      this.waiters.delete(index);
      for (const w of list ?? []) w();
    });
    session.on('done', () => {
      this.doneD.resolve();
      this.announced?.complete();
      this.emit('done', undefined);
    });
    session.on('peer', (p) => {
      // A peer gone while pieces are still missing: ask the trackers for others now (as soon as
      // their minimum interval allows) rather than at the next regular announce, minutes away.
      if (p.event === 'disconnected' && !session.done) this.announced?.reannounce();
      this.emit('peer', p);
    });
    session.on('warning', (message) => this.emit('warning', { message }));
    session.on('error', (error) => {
      this.lastError = error;
      this.paused = true;
      this.announced?.remove();
      this.announced = undefined;
      for (const [, list] of this.waiters) for (const w of list) w();
      this.waiters.clear();
      this.emit('error', { error });
    });
    return session;
  }

  /**
   * While the metadata is unknown, fetches the .torrent file from each exact source (`xs=`) in turn
   * until one holds this torrent; its web seeds (`url-list`) join the magnet link's. So a magnet link
   * with `xs=` and `ws=` downloads from a web server when no peer is online (metadata comes only from
   * peers otherwise). A source that fails or holds another torrent is a warning.
   */
  private async fetchMetadata(): Promise<void> {
    const fetchFile = this.init.fetchTorrentFile;
    // Paused, resumed (a new session) or removed (a stopped one) meanwhile: that session's business.
    const session = this.session;
    const moot = (): boolean => !!this.metainfo || this.paused || session !== this.session;
    if (!fetchFile) return;
    for (const url of this.exactSource) {
      if (moot()) return;
      if (!/^https?:\/\//i.test(url)) {
        this.emit('warning', { message: `the exact source ${url} is not an http(s) URL; ignored` });
        continue;
      }
      try {
        const metainfo = await parseTorrent(await fetchFile(url));
        if (metainfo.infoHash !== this.infoHash) {
          this.emit('warning', { message: `the .torrent file at ${url} (exact source) is of another torrent (${metainfo.infoHash}); ignored` });
          continue;
        }
        if (moot()) return;
        for (const ws of metainfo.urlList) if (!this.urlList.includes(ws)) this.urlList.push(ws);
        await session.provideMetadata(metainfo.infoBytes);
        return;
      } catch (e) {
        this.emit('warning', { message: `could not use the exact source ${url}: ${errorMessage(e)}` });
      }
    }
  }

  /** Connects the torrent's web seeds (BEP 19) as backup peers, once the metadata is known. */
  private addWebSeeds(): void {
    const fetch = this.init.fetchRange;
    const metainfo = this.metainfo;
    if (!fetch || !metainfo || this.paused || this.session.done) return;
    for (const url of this.urlList) {
      const id = `webseed ${url}`;
      if (this.failedWebSeeds.has(url) || this.session.hasPeer(id)) continue;
      const channel = new WebSeedChannel({
        url,
        metainfo,
        fetch,
        peerId: webSeedPeerId(url),
        onError: (e) => {
          this.failedWebSeeds.add(url);
          this.emit('warning', { message: e.message });
        },
      });
      this.session.addPeer(channel, id, { backup: true });
    }
  }

  private fileCountOrThrow(): number {
    const count = this.metainfo?.files.length;
    if (count === undefined) throw new TabswarmError('the file list is not known yet: wait for `ready`');
    return count;
  }

  private setSelected(selected: Set<number> | undefined): void {
    this.selected = selected;
    this.applySelection();
    void this.init.persist(this);
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

  /**
   * The selection as the session reads it: only the listed files (BEP 53: a magnet link's `so=0`
   * selects file 0 alone, however many files the metadata turns out to list), with no array as long
   * as the highest index (a link's `so=99999999` is one index, not a hundred million flags).
   */
  private selectionOf(set: ReadonlySet<number>): (file: number) => boolean {
    return (f) => set.has(f);
  }

  private applySelection(): void {
    const set = this.selected;
    this.session.selectFiles(set ? this.selectionOf(set) : () => true);
  }

  private setMetainfo(m: Metainfo): void {
    this.metainfo = m;
    const geometry = (this.geometry = new PieceGeometry(m));
    this.files = m.files.map((f: TorrentFileEntry, i: number) => new TorrentFile(this, geometry, f, i));
    this.readyD.resolve();
    this.emit('metadata', undefined);
  }

  private sample(): void {
    const down = this.downloaded;
    const up = this.uploaded;
    this.downMeter.add(Math.max(0, down - this.lastDown));
    this.upMeter.add(Math.max(0, up - this.lastUp));
    this.lastDown = down;
    this.lastUp = up;
  }
}
