/**
 * A torrent session: the swarm logic of one torrent. It owns the torrent's life cycle, metadata, events and what a client
 * reads; its parts do the rest — the swarm (swarm.ts: peers, requests, uploads, choking, room), the downloads (downloads.ts:
 * blocks to verified pieces, blame), the priorities (file selection, streaming), the metadata exchange and the metadata's
 * life cycle (metadata-life.ts: from the info dictionary to the downloads). Everything it
 * touches is injected: channels, a piece store, a hasher, a clock.
 */
import type { PeerChannel } from './channel.js';
import type { TimerHandle } from './clock.js';
import type { Peer } from './peer.js';
import { MetadataExchange } from './metadata.js';
import { MAX_HIGH_WATER_MARK } from './uploader.js';
import type { SessionEvents, SessionOptions, SessionStatus } from './types.js';
import type { Downloads, Totals } from './downloads.js';
import { MetadataLife } from './metadata-life.js';
import { Priorities } from './priorities.js';
import { MemoryBudget, TORRENT_PIECE_MEMORY } from './memory.js';
import { Swarm, type SwarmOptions } from './swarm.js';
import { infoHashesOf } from './v2-blocks.js';
import type { PieceState } from '../picker/index.js';
import type { Metainfo } from '../metainfo.js';
import { bytesEqual, toHex } from '../bytes.js';
import { sha256 } from '../sha256.js';
import { errorMessage } from '../errors.js';
import { Emitter, type Listener } from '../emitter.js';

export type { PeerView, SessionEvents, SessionOptions, SessionStatus } from './types.js';
export { CLIENT_VERSION, WANT_ID } from './swarm.js';

const TICK = 1_000;

export class TorrentSession {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  private readonly o: SwarmOptions;
  private readonly totals: Totals = { downloaded: 0, uploaded: 0, wasted: 0 };
  /** Memory for pieces in progress (blocks, pieces being verified, failed copies kept for blame). */
  private readonly budget: MemoryBudget;
  private readonly events = new Emitter<SessionEvents>();
  /** From the info dictionary to the downloads. */
  private readonly life: MetadataLife;
  /** File selection and streaming: what is fetched first, and what not at all. */
  private readonly priorities = new Priorities();
  private readonly swarm: Swarm;
  private timer: TimerHandle | undefined;
  private started = false;
  private isStopped = false;
  private isPaused = false;
  private doneFired = false;
  private storedAtStart: Promise<number[]> | undefined;

  constructor(options: SessionOptions) {
    this.o = {
      random: Math.random,
      maxPeers: 40,
      uploadSlots: 4,
      maxPipeline: 160,
      requestTimeout: 30_000,
      highWaterMark: 32 * 1024,
      maxHighWaterMark: MAX_HIGH_WATER_MARK,
      initialSeeding: true,
      superSeeding: false,
      pieceMemory: TORRENT_PIECE_MEMORY,
      sha256,
      ...options,
    };
    this.infoHash = options.infoHash;
    this.infoHashHex = toHex(options.infoHash);
    this.budget = new MemoryBudget(this.o.pieceMemory, options.memory);
    // A v2 swarm (its info hash the truncated SHA-256 one): metadata is checked against the whole hash.
    const v2 = options.infoHashV2;
    const v2Swarm = v2 !== undefined && bytesEqual(v2.subarray(0, 20), options.infoHash);
    // What metadata from peers must hash to: the info hash, or for a v2 swarm the whole SHA-256 one.
    const metadataHash = v2Swarm ? v2 : options.infoHash;
    const metadataHasher = v2Swarm ? (this.o.sha256 ?? sha256) : options.hasher;
    const metadata = new MetadataExchange(metadataHash, metadataHasher, () => this.o.clock.now(), options.hasher, this.o.sha256);
    this.swarm = new Swarm(
      this.o,
      {
        state: () => (this.isStopped ? 'stopped' : this.isPaused ? 'paused' : 'running'),
        done: () => this.done,
        metadataComplete: () => void this.life.check().catch((e: unknown) => this.warn(`metadata check failed: ${errorMessage(e)}`)),
        acceptsInfoHash: (hash) => infoHashesOf(this.infoHash, this.metainfo).some((h) => bytesEqual(h, hash)),
        v2: () => options.infoHashV2 !== undefined || (this.metainfo !== undefined && this.metainfo.version !== 'v1'),
      },
      { totals: this.totals, events: this.events, metadata, priorities: this.priorities },
    );
    this.life = new MetadataLife(
      this.o,
      metadataHash,
      {
        started: () => this.started,
        stopped: () => this.isStopped,
        loadStored: (downloads) => this.loadStored(downloads),
        checkDone: () => this.checkDone(),
        fail: (error) => this.fail(error),
        warn: (message) => this.warn(message),
      },
      { swarm: this.swarm, exchange: metadata, priorities: this.priorities, budget: this.budget, totals: this.totals, events: this.events },
    );
    if (options.metainfo) this.life.set(options.metainfo);
  }

  /** Geometry, picker and verifier: once the metadata is known. */
  private get downloads(): Downloads | undefined {
    return this.life.downloads;
  }

  /** What a client reads. The metadata, once known. */
  get metainfo(): Metainfo | undefined {
    return this.downloads?.info;
  }
  /** Bytes of blocks we kept (asked for, new). */
  get downloaded(): number {
    return this.totals.downloaded;
  }
  get uploaded(): number {
    return this.totals.uploaded;
  }
  /** Bytes of blocks discarded: duplicates, unrequested, or of pieces that failed their hash. */
  get wasted(): number {
    return this.totals.wasted;
  }
  get stopped(): boolean {
    return this.isStopped;
  }
  /** Paused (see `pause`): no peer, no timer; `resume` carries on. */
  get paused(): boolean {
    return this.isPaused;
  }
  get done(): boolean {
    return this.downloads?.picker.isComplete() ?? false;
  }
  get progress(): number {
    return this.downloads?.picker.progress() ?? 0;
  }
  /** Wanted bytes not verified yet; undefined before the metadata is known. */
  get left(): number | undefined {
    return this.downloads?.picker.wantedRemaining();
  }
  /** Verified bytes holding byte `begin` of piece `index`, not stored yet: the piece being written (the `hashed` event) or (v2) a block (the `block` event). */
  verifiedBytes(index: number, begin: number): { data: Uint8Array; at: number; whole: boolean } | undefined {
    return this.downloads?.verifiedBytes(index, begin);
  }
  /** Whether piece `index` is verified and stored. */
  has(index: number): boolean {
    return this.downloads?.picker.have(index) ?? false;
  }
  /** Verified pieces. */
  get haveCount(): number {
    return this.downloads?.picker.haveCount ?? 0;
  }
  /** A piece's state (see the picker's `PieceState`); undefined before the metadata is known. */
  pieceState(index: number): PieceState | undefined {
    return this.downloads?.picker.pieceState(index);
  }
  /** A piece's priority (file selection and streaming); undefined before the metadata is known. */
  priorityOf(index: number): number | undefined {
    return this.downloads?.picker.priority(index);
  }
  /** The pieces a streaming reader waits for, in order. */
  get criticalPieces(): readonly number[] {
    return this.priorities.criticalPieces;
  }
  /** Some piece was left unstarted for want of memory (see memory.ts). */
  get waitingForMemory(): boolean {
    return this.downloads?.picker.waitingForMemory ?? false;
  }
  /** Pieces with blocks requested or received and not verified yet. */
  piecesInProgress(): Iterable<number> {
    return this.downloads?.picker.activePieces() ?? [];
  }
  /** Bytes held for pieces in progress now, at most at once, and the most allowed. */
  get pieceMemory(): { used: number; peak: number; limit: number } {
    return { used: this.budget.used, peak: this.budget.peak, limit: this.budget.limit };
  }
  get peerCount(): number {
    return this.swarm.size;
  }
  hasPeer(id: string): boolean {
    return this.swarm.peer(id) !== undefined;
  }
  get wantsPeers(): boolean {
    return this.swarm.wantsPeers;
  }
  /** A tracker introduces a peer while every slot is taken: the connection worth least goes, if one may (room.ts); its id. */
  makeRoom(): string | undefined {
    return this.swarm.room.makeRoom(this.o.clock.now())?.id;
  }
  /** Connected peers that can introduce others (they list ts_signal; none without a connector). */
  get relayPeers(): number {
    return this.swarm.discovery.relayPeers();
  }
  /** Connections made through relays (peers heard of by peer exchange; relay.ts). */
  get relayedConnections(): number {
    return this.swarm.discovery.relay.connected;
  }
  /** Running, not done, and no connected peer has a wanted piece we lack (room.ts): trackers are asked sooner. */
  get starving(): boolean {
    return this.swarm.room.starving;
  }
  /** Remote peer ids (hex) banned for this session. */
  get banned(): ReadonlySet<string> {
    return this.swarm.banned;
  }

  /** Totals, rates and per-peer views, read-only: what a client shows. */
  status(): SessionStatus {
    return {
      ...this.totals,
      progress: this.progress,
      done: this.done,
      left: this.left,
      peers: this.swarm.views(this.downloads?.picker.pieceCount ?? 0),
    };
  }

  on<K extends keyof SessionEvents>(type: K, fn: Listener<SessionEvents[K]>): () => void {
    return this.events.on(type, fn);
  }

  private warn(message: string): void {
    this.events.emit('warning', message);
  }

  /** Life cycle. Loads what the store already holds (resume) and starts the timers. */
  async start(): Promise<void> {
    this.o.timeline?.mark('start');
    if (this.started) return;
    this.started = true;
    const downloads = this.downloads;
    if (downloads) await this.loadStored(downloads);
    // Read while the metadata is awaited (a magnet link), so that it is not read after it came.
    else (this.storedAtStart = this.o.store.stored()).catch(() => undefined);
    if (downloads && this.o.initialSeeding && downloads.picker.isSeed()) this.swarm.beginSeeding(downloads.geometry);
    this.schedule();
    this.checkDone();
  }

  private async loadStored({ picker }: Downloads): Promise<void> {
    const early = this.storedAtStart;
    this.storedAtStart = undefined;
    for (const index of await (early ?? this.o.store.stored())) {
      if (index >= 0 && index < picker.pieceCount && !picker.have(index)) picker.pieceVerified(index);
    }
  }

  private schedule(): void {
    if (this.isStopped || this.isPaused) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.swarm.tick(this.o.clock.now());
      this.schedule();
    }, TICK);
  }

  /** Stops the session for good and closes every connection; pieces in progress are not kept. */
  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.idle();
    this.downloads?.close();
    this.budget.close();
  }

  /** Closes every connection and stops the timers; what is verified stays, pieces in progress are given up (their memory released);
   * peers added meanwhile are refused. Also done on an `error`: `resume` retries. */
  pause(): void {
    if (this.isStopped || this.isPaused) return;
    this.isPaused = true;
    this.idle();
  }

  /** Carries on after `pause`: the timers run again and peers are welcome. */
  resume(): void {
    if (this.isStopped || !this.isPaused) return;
    this.isPaused = false;
    this.swarm.setActive(true);
    if (this.started) {
      this.schedule();
      this.checkDone();
    }
  }

  private idle(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.swarm.setActive(false);
    this.swarm.closeAll();
  }

  private fail(error: Error): void {
    if (this.isStopped || this.isPaused) return;
    this.events.emit('error', error);
    this.pause();
  }

  private checkDone(): void {
    if (this.doneFired || !this.done) return;
    this.doneFired = true;
    this.swarm.complete();
    this.events.emit('done', undefined);
  }

  /**
   * Connects a peer over `channel` (both sides send the handshake as soon as it opens); undefined, the
   * channel closed, when stopped, paused or full. A `backup` peer (a web seed), welcome however many
   * peers there are, is asked only for pieces no unchoking peer has, until the endgame.
   */
  addPeer(channel: PeerChannel, id: string, options: { backup?: boolean; infoHash?: Uint8Array } = {}): Peer | undefined {
    return this.swarm.add(channel, id, options.backup === true, options.infoHash);
  }

  // ---- metadata ------------------------------------------------------------------------------

  /**
   * The info dictionary from elsewhere than peers (a magnet link's `xs=`): rejects, changing nothing,
   * when it is not this torrent's; else carries on as when peers send it. Ignored once it is known.
   */
  provideMetadata(infoBytes: Uint8Array): Promise<void> {
    return this.life.provide(infoBytes);
  }

  // ---- priorities ----------------------------------------------------------------------------

  /**
   * File selection: `selected[f] === false` (or a function saying so, read again whenever priorities
   * are worked out) leaves file f out but for pieces it shares with a selected file. Kept until the
   * metadata is known; selecting more after `done` fetches the rest and fires `done` again.
   */
  selectFiles(selected: readonly boolean[] | ((file: number) => boolean)): void {
    if (this.priorities.select(selected)) this.prioritiesChanged();
  }

  /**
   * Streaming: `critical` pieces are fetched before all others, strictly in this order (a reader
   * waits for them), and `raised` ones at high priority (its read-ahead). Each call replaces the
   * previous one; pieces no longer raised go back to their file's priority. Raised and critical
   * pieces are fetched even in deselected files, for as long as they stay raised. Peers are asked
   * for them at once. Given before the metadata, they are kept until it comes, and the critical ones
   * are named to peers already (the head of a torrent a player is about to read).
   */
  setStreamPriority(critical: readonly number[], raised: readonly number[]): void {
    const changed = this.priorities.setStream(critical, raised);
    if (changed === undefined) {
      // Before the metadata: peers hear of the critical pieces at once (see Priorities.wantsFor).
      if (this.started && !this.metainfo) this.swarm.sendWantsToAll();
      return;
    }
    if (this.started) this.swarm.preemptForCritical();
    if (changed) this.prioritiesChanged();
    if (this.started) this.swarm.sendWantsToAll();
  }

  /** After priorities changed: interest, requests and `done` follow. */
  private prioritiesChanged(): void {
    if (!this.done) this.doneFired = false;
    if (this.started) {
      this.swarm.prioritiesChanged();
      this.checkDone();
    }
  }
}
