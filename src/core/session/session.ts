/**
 * A torrent session: the swarm logic of one torrent. It connects peers (each a `Peer` over a
 * `PeerChannel`), the piece picker, the choker, a piece store and a hasher, and runs on an injected
 * clock. It fetches metadata for a magnet link (ut_metadata), downloads and verifies pieces, serves
 * pieces and metadata to others, and defends against peers that send bad data.
 */
import type { PeerChannel } from './channel.js';
import type { TimerHandle } from './clock.js';
import { Peer, REQQ, type PeerEvent } from './peer.js';
import { MetadataExchange, UT_METADATA_ID } from './metadata.js';
import { InitialSeeding } from './initial-seeding.js';
import { MAX_HIGH_WATER_MARK, Uploader } from './uploader.js';
import type { SessionEvents, SessionOptions, SessionStatus } from './types.js';
import { PieceVerifier } from './verifier.js';
import { Priorities } from './priorities.js';
import { Requester } from './requester.js';
import { MemoryBudget, TORRENT_PIECE_MEMORY, checkPieceLength } from './memory.js';
import { UploadSlots } from './upload-slots.js';
import { PiecePicker, type PieceState } from '../picker/index.js';
import { type BitField, MAX_BLOCK, WANT_EXTENSION, decodeWantMessage, encodeWantMessage } from '../wire/index.js';
import { PieceGeometry } from '../geometry.js';
import { parseInfoDict, type Metainfo } from '../metainfo.js';
import { bytesEqual, toHex } from '../bytes.js';
import { TabswarmError, errorMessage } from '../errors.js';

export type { PeerView, SessionEvents, SessionOptions, SessionStatus } from './types.js';

export const CLIENT_VERSION = 'tabswarm 0.1.0';
/** Our extension id for incoming ts_want messages (BEP 10 `m`; ut_metadata has 1). */
export const WANT_ID = 2;

type Listener<T> = (value: T) => void;

const TICK = 1_000;
const KEEP_ALIVE = 55_000;
const IDLE_TIMEOUT = 120_000;
export class TorrentSession {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  private info: Metainfo | undefined;
  private geometry: PieceGeometry | undefined;
  private picker: PiecePicker | undefined;
  private readonly peers = new Map<string, Peer>();
  /** Remote peer ids (hex) banned for this session. */
  readonly banned = new Set<string>();
  private bytesDown = 0;
  private bytesUp = 0;
  private bytesWasted = 0;
  private isStopped = false;
  private isPaused = false;

  private readonly o: Required<Omit<SessionOptions, 'metainfo' | 'uploadLimit' | 'downloadLimit' | 'memory'>> &
    Pick<SessionOptions, 'uploadLimit' | 'downloadLimit'>;
  /** Memory for pieces in progress (held by the verifier: blocks, pieces being verified, failed copies). */
  private readonly budget: MemoryBudget;
  private verifier: PieceVerifier | undefined;
  private readonly listeners = new Map<keyof SessionEvents, Set<Listener<never>>>();
  private readonly uploader: Uploader;
  private readonly slots: UploadSlots;
  private timer: TimerHandle | undefined;
  private readonly metadata: MetadataExchange;
  private doneFired = false;
  /** Streaming (see setStreamPriority): pieces fetched first, in order, and pieces at high priority. */
  private readonly priorities = new Priorities();
  private seeding: InitialSeeding | undefined;
  private started = false;
  private readonly requester: Requester;

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
      pieceMemory: TORRENT_PIECE_MEMORY,
      ...options,
    };
    this.budget = new MemoryBudget(this.o.pieceMemory, options.memory);
    this.requester = new Requester({
      clock: this.o.clock,
      maxPipeline: this.o.maxPipeline,
      requestTimeout: this.o.requestTimeout,
      downloadLimit: this.o.downloadLimit,
      peers: () => this.peers.values(),
      peer: (id) => this.peers.get(id),
      criticalPieces: () => this.priorities.criticalPieces,
      drop: (peer, reason) => this.dropPeer(peer, reason),
    });
    this.slots = new UploadSlots({
      clock: this.o.clock,
      random: this.o.random,
      slots: this.o.uploadSlots,
      onUnchoked: (peer) => {
        if (this.seeding?.active) this.announce(peer, this.seeding.peerUpdated(peer));
        this.uploader.serve(peer);
      },
      onChoking: (peer) => this.seeding?.choked(peer.id),
    });
    this.uploader = new Uploader({
      clock: this.o.clock,
      store: this.o.store,
      highWaterMark: this.o.highWaterMark,
      maxHighWaterMark: this.o.maxHighWaterMark,
      uploadLimit: this.o.uploadLimit,
      warn: (m) => this.warn(m),
      onServed: (peer, index, bytes) => {
        this.bytesUp += bytes;
        if (this.seeding?.active) this.onServed(peer, index, bytes);
      },
    });
    this.infoHash = options.infoHash;
    this.infoHashHex = toHex(options.infoHash);
    this.metadata = new MetadataExchange(options.infoHash, options.hasher, () => this.o.clock.now());
    if (options.metainfo) this.setMetainfo(options.metainfo);
  }

  /** The metadata, once known. */
  get metainfo(): Metainfo | undefined {
    return this.info;
  }
  /** Bytes of blocks we kept (asked for, new), and bytes we uploaded. */
  get downloaded(): number {
    return this.bytesDown;
  }
  get uploaded(): number {
    return this.bytesUp;
  }
  /** Bytes of blocks discarded: duplicates, unrequested, or of pieces that failed their hash. */
  get wasted(): number {
    return this.bytesWasted;
  }
  get stopped(): boolean {
    return this.isStopped;
  }
  /** Paused (see `pause`): no peer, no timer; `resume` carries on. */
  get paused(): boolean {
    return this.isPaused;
  }

  // ---- events --------------------------------------------------------------------------------

  on<K extends keyof SessionEvents>(type: K, fn: Listener<SessionEvents[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit<K extends keyof SessionEvents>(type: K, value: SessionEvents[K]): void {
    for (const fn of this.listeners.get(type) ?? []) (fn as Listener<SessionEvents[K]>)(value);
  }

  private warn(message: string): void {
    this.emit('warning', message);
  }

  // ---- life cycle ----------------------------------------------------------------------------

  /** Loads what the store already holds (resume) and starts the timers. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.picker) await this.loadStored();
    const picker = this.picker;
    if (picker && this.o.initialSeeding && picker.isSeed() && picker.pieceCount > 1) {
      const geometry = this.geometry!;
      this.seeding = new InitialSeeding(picker.pieceCount, (i) => geometry.pieceSize(i), geometry.pieceLength, this.o.random);
    }
    this.schedule();
    this.checkDone();
  }

  private async loadStored(): Promise<void> {
    const picker = this.picker!;
    for (const index of await this.o.store.stored()) {
      if (index >= 0 && index < picker.pieceCount && !picker.have(index)) picker.pieceVerified(index);
    }
  }

  private schedule(): void {
    if (this.isStopped || this.isPaused) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.tick();
      this.schedule();
    }, TICK);
  }

  get done(): boolean {
    return this.picker?.isComplete() ?? false;
  }

  get progress(): number {
    return this.picker?.progress() ?? 0;
  }

  /** Wanted bytes not verified yet; undefined before the metadata is known. */
  get left(): number | undefined {
    return this.picker?.wantedRemaining();
  }

  /** Whether piece `index` is verified and stored. */
  has(index: number): boolean {
    return this.picker?.have(index) ?? false;
  }

  /** Verified pieces. */
  get haveCount(): number {
    return this.picker?.haveCount ?? 0;
  }

  /** A piece's state (see the picker's `PieceState`); undefined before the metadata is known. */
  pieceState(index: number): PieceState | undefined {
    return this.picker?.pieceState(index);
  }

  /** A piece's priority (file selection and streaming); undefined before the metadata is known. */
  priorityOf(index: number): number | undefined {
    return this.picker?.priority(index);
  }

  /** The pieces a streaming reader waits for, in order. */
  get criticalPieces(): readonly number[] {
    return this.priorities.criticalPieces;
  }

  /** Some piece was left unstarted for want of memory (see memory.ts). */
  get waitingForMemory(): boolean {
    return this.picker?.waitingForMemory ?? false;
  }

  /** Pieces with blocks requested or received and not verified yet. */
  piecesInProgress(): Iterable<number> {
    return this.picker?.activePieces() ?? [];
  }

  get peerCount(): number {
    return this.peers.size;
  }

  hasPeer(id: string): boolean {
    return this.peers.has(id);
  }

  /** Totals, rates and per-peer views, read-only: what a client shows. */
  status(): SessionStatus {
    const count = this.picker?.pieceCount ?? 0;
    return {
      downloaded: this.bytesDown,
      uploaded: this.bytesUp,
      wasted: this.bytesWasted,
      progress: this.progress,
      done: this.done,
      left: this.left,
      peers: [...this.peers.values()].map((p) => p.view(count, this.requester.outstanding(p))),
    };
  }

  /** Stops the session for good and closes every connection. */
  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.idle();
    // Pieces in progress are not kept.
    this.verifier?.close();
    this.budget.close();
  }

  /**
   * Closes every connection and stops the timers; what is verified stays, pieces in progress are
   * given up (their memory released). Peers added while paused are refused. Also what the session
   * does when it cannot go on (an `error` event): `resume` tries again.
   */
  pause(): void {
    if (this.isStopped || this.isPaused) return;
    this.isPaused = true;
    this.idle();
  }

  /** Carries on after `pause`: the timers run again and peers are welcome. */
  resume(): void {
    if (this.isStopped || !this.isPaused) return;
    this.isPaused = false;
    this.requester.setActive(true);
    if (this.started) {
      this.schedule();
      this.checkDone();
    }
  }

  private idle(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.requester.setActive(false);
    for (const peer of [...this.peers.values()]) this.removePeer(peer);
  }

  /** Bytes held for pieces in progress now, at most at once, and the most allowed. */
  get pieceMemory(): { used: number; peak: number; limit: number } {
    return { used: this.budget.used, peak: this.budget.peak, limit: this.budget.limit };
  }

  // ---- peers ---------------------------------------------------------------------------------

  get wantsPeers(): boolean {
    return !this.isStopped && !this.isPaused && this.peers.size < this.o.maxPeers;
  }

  /**
   * Connects a peer over `channel`; both sides send the handshake as soon as the channel opens.
   * Returns undefined (and closes the channel) when the session is stopped, paused or full. A `backup` peer (a web seed) is asked only for pieces that no
   * other peer unchoking us has, until the endgame: peers keep the load when they can, and the
   * backup fills the gaps (and serves everything when it is alone).
   */
  addPeer(channel: PeerChannel, id: string, options: { backup?: boolean } = {}): Peer | undefined {
    if (options.backup && (this.isStopped || this.isPaused || this.peers.has(id))) {
      channel.close();
      return undefined;
    }
    if (!options.backup && (!this.wantsPeers || this.peers.has(id))) {
      channel.close();
      return undefined;
    }
    const peer = new Peer({
      id,
      channel,
      clock: this.o.clock,
      pieceCount: this.picker?.pieceCount,
      backup: options.backup,
      onEvent: (p, e) => this.onPeerEvent(p, e),
    });
    this.peers.set(id, peer);
    channel.lowWaterMark = this.uploader.highWaterMark(peer) / 4;
    channel.onDrain = () => this.uploader.serve(peer);
    channel.onClose = () => this.removePeer(peer);
    peer.sendHandshake(this.infoHash, this.o.peerId);
    this.emit('peer', { id, event: 'connected' });
    return peer;
  }

  private dropPeer(peer: Peer, reason: string): void {
    if (peer.closed) return;
    this.warn(`peer ${peer.id} dropped: ${reason}`);
    this.removePeer(peer);
  }

  private ban(peer: Peer, reason: string): void {
    if (peer.remotePeerId) this.banned.add(toHex(peer.remotePeerId));
    this.banned.add(peer.id);
    this.emit('ban', { id: peer.id, reason });
    this.dropPeer(peer, `banned: ${reason}`);
  }

  private removePeer(peer: Peer): void {
    if (!this.peers.has(peer.id) || this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    peer.close();
    this.uploader.peerGone(peer);
    this.metadata.peerGone(peer.id);
    this.seeding?.removePeer(peer.id);
    const picker = this.picker;
    this.requester.peerGone(peer);
    if (picker) {
      if (peer.haveAll) picker.removeAvailability(null);
      else if (peer.have) picker.removeAvailability(peer.have);
    }
    this.emit('peer', { id: peer.id, event: 'disconnected' });
    if (picker && !this.isStopped) this.abandonStranded(picker);
    if (!this.isStopped && !this.isPaused) {
      this.requester.fillAll();
      if (!peer.amChoking) this.rechoke();
    }
  }

  /**
   * Partial pieces that no connected peer has and nobody is fetching are given up, so that blocks
   * from peers that left hold no memory (a peer that has the piece may come later and send it all).
   */
  private abandonStranded(picker: PiecePicker): void {
    for (const index of this.verifier?.partialPieces() ?? []) {
      let offered = false;
      for (const p of this.peers.values()) if ((offered = p.hasPiece(index))) break;
      if (!offered && picker.abandon(index)) this.verifier!.drop(index);
    }
  }

  // ---- incoming messages ---------------------------------------------------------------------

  private onPeerEvent(peer: Peer, e: PeerEvent): void {
    switch (e.type) {
      case 'violation':
        return this.dropPeer(peer, e.reason);
      case 'handshake':
        return this.onHandshake(peer, e.infoHash, e.peerId);
      case 'choke':
        return this.requester.choked(peer);
      case 'unchoke':
        return this.requester.fill(peer);
      case 'interested':
        return this.rechokeIfSlotFree();
      case 'notInterested':
        // Its upload slot is wasted until the next rechoke: hand it to a peer that wants data.
        if (!peer.amChoking) this.rechokeIfSlotFree();
        return;
      case 'availability':
        return this.onAvailability(peer, e.added, e.removed);
      case 'request':
        return this.onRequest(peer, e.index, e.begin, e.length);
      case 'block':
        return this.onBlock(peer, e.index, e.begin, e.block);
      case 'reject':
        return this.requester.rejected(peer, e.index, e.begin);
      case 'extendedHandshake':
        if (!this.info) this.metadata.requestFrom(peer);
        return this.sendWants(peer);
      case 'extended':
        return this.onExtended(peer, e.extId, e.payload);
    }
  }

  private onHandshake(peer: Peer, infoHash: Uint8Array, peerId: Uint8Array): void {
    if (!bytesEqual(infoHash, this.infoHash)) return this.dropPeer(peer, 'handshake for another torrent');
    if (bytesEqual(peerId, this.o.peerId)) return this.dropPeer(peer, 'connected to ourselves');
    if (this.banned.has(toHex(peerId))) return this.dropPeer(peer, 'banned earlier in this session');
    const picker = this.picker;
    // An initial seeder reveals pieces a few at a time, with `have`s.
    const have =
      this.seeding?.active || !picker || picker.haveCount === 0 ? 'none' : picker.haveCount === picker.pieceCount && peer.fast ? 'all' : picker.bitfield();
    peer.greet(have, {
      m: { ut_metadata: UT_METADATA_ID, [WANT_EXTENSION]: WANT_ID },
      metadata_size: this.info?.infoBytes.length,
      reqq: REQQ,
      v: CLIENT_VERSION,
    });
    if (this.seeding?.active) this.announce(peer, this.seeding.addPeer(peer));
  }

  /** Tells a peer we have these pieces. */
  private announce(peer: Peer, pieces: readonly number[]): void {
    for (const index of pieces) peer.send({ type: 'have', index });
  }

  /** What a peer has changed: the picker counts it, and our interest follows. */
  private onAvailability(peer: Peer, added: number | BitField | 'all' | undefined, removed: BitField | 'all' | undefined): void {
    const picker = this.picker;
    if (picker) {
      if (removed !== undefined) picker.removeAvailability(removed === 'all' ? null : removed);
      if (typeof added === 'number') {
        picker.incrementAvailability(added);
        if (this.priorities.isCritical(added)) this.requester.preemptForCritical(peer);
      } else if (added !== undefined) picker.addAvailability(added === 'all' ? null : added);
    }
    this.updateInterest(peer);
  }

  private onExtended(peer: Peer, extId: number, payload: Uint8Array): void {
    if (extId === WANT_ID) return this.onPeerWants(peer, payload);
    if (extId === UT_METADATA_ID) {
      const result = this.metadata.onMessage(peer, payload, this.info?.infoBytes);
      if (result.kind === 'error') return this.dropPeer(peer, result.message);
      if (result.kind === 'ready') this.checkMetadata().catch((e: unknown) => this.warn(`metadata check failed: ${errorMessage(e)}`));
    }
  }

  private async checkMetadata(): Promise<void> {
    const result = await this.metadata.settle();
    if (this.isStopped || this.info) return;
    if (result.kind === 'failed') {
      this.warn('metadata from peers did not match the info hash; fetching it again');
      for (const id of result.culprits) {
        const p = this.peers.get(id);
        if (p) this.ban(p, 'sent metadata that does not match the info hash');
      }
      for (const p of this.peers.values()) this.metadata.requestFrom(p);
    } else if (result.kind === 'broken') this.fail(result.error);
    else if (result.kind === 'metainfo') await this.acceptMetainfo(result.metainfo);
  }

  /**
   * The info dictionary from elsewhere than peers (a .torrent file fetched from a magnet link's `xs=`
   * exact source): rejects, changing nothing, when the bytes are not this torrent's info dictionary;
   * otherwise the torrent carries on as when peers send the metadata. Ignored once it is known.
   */
  async provideMetadata(infoBytes: Uint8Array): Promise<void> {
    if (this.info || this.isStopped) return;
    await this.acceptMetainfo(await parseInfoDict(infoBytes, this.infoHash, this.o.hasher));
  }

  private async acceptMetainfo(metainfo: Metainfo): Promise<void> {
    if (this.info || this.isStopped) return;
    try {
      this.setMetainfo(metainfo);
    } catch (e) {
      this.fail(e instanceof Error ? e : new TabswarmError(String(e)));
      return;
    }
    if (this.started) await this.loadStored();
    this.emit('metadata', metainfo);
    for (const peer of [...this.peers.values()]) {
      peer.setPieceCount(this.picker!.pieceCount);
      if (!peer.handshaken || peer.closed) continue;
      if (!peer.fast && this.picker!.haveCount > 0) peer.send({ type: 'bitfield', bits: this.picker!.bitfield() });
      this.requester.fill(peer);
    }
    this.checkDone();
  }

  /** Throws a TorrentError, changing nothing, when a piece is longer than the torrent may hold. */
  private setMetainfo(metainfo: Metainfo): void {
    checkPieceLength(metainfo.pieceLength, this.budget.ceiling);
    this.info = metainfo;
    this.geometry = new PieceGeometry(metainfo);
    this.picker = new PiecePicker({
      geometry: this.geometry,
      pieceCount: this.geometry.pieceCount,
      pieceLength: metainfo.pieceLength,
      totalLength: metainfo.length,
      random: this.o.random,
      budget: this.budget,
    });
    const geometry = this.geometry;
    this.verifier = new PieceVerifier({
      hasher: this.o.hasher,
      store: this.o.store,
      budget: this.budget,
      pieceSize: (i) => geometry.pieceSize(i),
      pieceHash: (i) => metainfo.pieces[i]!,
    });
    this.requester.attach(this.picker);
    if (this.priorities.attach(this.picker, this.geometry)) {
      this.prioritiesChanged();
      if (this.started) for (const peer of this.peers.values()) this.sendWants(peer);
    }
  }

  /**
   * File selection: `selected[f] === false` leaves file f out (its pieces are not fetched, except
   * those it shares with a selected file); or a function that says whether file f is selected (read
   * again whenever priorities are worked out: call selectFiles again after it changes). Kept until the
   * metadata is known when given before. Selecting more after `done` fetches the rest and fires
   * `done` again when that is complete.
   */
  selectFiles(selected: readonly boolean[] | ((file: number) => boolean)): void {
    if (this.priorities.select(selected)) this.prioritiesChanged();
  }

  /**
   * Streaming: `critical` pieces are fetched before all others, strictly in this order (a reader
   * waits for them), and `raised` ones at high priority (its read-ahead). Each call replaces the
   * previous one; pieces no longer raised go back to their file's priority. Raised and critical
   * pieces are fetched even in deselected files, for as long as they stay raised. Peers are asked
   * for them at once.
   */
  setStreamPriority(critical: readonly number[], raised: readonly number[]): void {
    const changed = this.priorities.setStream(critical, raised);
    if (changed === undefined) return;
    if (this.started) for (const peer of this.peers.values()) this.requester.preemptForCritical(peer);
    if (changed) this.prioritiesChanged();
    if (this.started) for (const peer of this.peers.values()) this.sendWants(peer);
  }

  /**
   * Tells a tabswarm peer (one that lists ts_want) which critical pieces we wait for that it has not
   * announced: a seeder that reveals its pieces a few at a time reveals those first.
   */
  private sendWants(peer: Peer): void {
    const id = peer.extensions[WANT_EXTENSION];
    if (!id || peer.closed || !peer.handshaken) return;
    const pieces = this.priorities.wantsFor(peer, (i) => peer.hasPiece(i));
    if (pieces && pieces.length > 0) peer.send({ type: 'extended', extId: id, payload: encodeWantMessage(pieces) });
  }

  /** A peer waits for these pieces: while seeding initially, they are the next revealed to it. */
  private onPeerWants(peer: Peer, payload: Uint8Array): void {
    let pieces: number[];
    try {
      pieces = decodeWantMessage(payload);
    } catch (e) {
      return this.dropPeer(peer, `bad ${WANT_EXTENSION} message: ${errorMessage(e)}`);
    }
    const picker = this.picker;
    if (!picker || !this.seeding?.active) return;
    this.announce(
      peer,
      this.seeding.wanted(
        peer,
        pieces.filter((i) => i < picker.pieceCount && picker.have(i)),
      ),
    );
  }

  /** After priorities changed: interest, requests and `done` follow. */
  private prioritiesChanged(): void {
    if (!this.picker!.isComplete()) this.doneFired = false;
    if (this.started) {
      for (const peer of this.peers.values()) if (peer.handshaken) this.updateInterest(peer);
      this.checkDone();
    }
  }

  // ---- downloading ---------------------------------------------------------------------------

  /** After the peer told us what it has: our interest in it, and what initial seeding reveals next. */
  private updateInterest(peer: Peer): void {
    const picker = this.picker;
    if (!picker || peer.closed) return;
    if (this.seeding?.active) this.announce(peer, this.seeding.peerUpdated(peer));
    const want = picker.interesting((i) => peer.hasPiece(i));
    peer.setInterested(want);
    if (want) this.requester.fill(peer);
  }

  private onBlock(peer: Peer, index: number, begin: number, block: Uint8Array): void {
    if (this.geometry && !this.geometry.containsRange(index, begin, block.length)) {
      return this.dropPeer(peer, `sent a block outside the torrent (piece ${index}, offset ${begin}, ${block.length} bytes)`);
    }
    const arrival = this.requester.blockArrived(peer, index, begin, block.length);
    if (arrival.kind === 'unasked') {
      this.bytesWasted += block.length;
      return;
    }
    peer.downloaded.add(block.length);
    this.bytesDown += block.length;
    if (arrival.kind === 'duplicate') {
      this.bytesWasted += block.length;
    } else {
      this.verifier!.receive(index, begin, block);
      if (arrival.pieceComplete) void this.verify(index);
    }
    this.requester.fill(peer);
  }

  private async verify(index: number): Promise<void> {
    const picker = this.picker;
    const verifier = this.verifier;
    if (!picker || !verifier) return;
    picker.pieceVerifying(index);
    const v = await verifier.verify(index, picker.blockSenders(index));
    switch (v.kind) {
      case 'skipped':
        return;
      case 'error':
        picker.pieceFailed(index);
        this.fail(v.error);
        return;
      case 'failed':
        this.bytesWasted += v.bytes;
        this.onBadPiece(index, v.culprits, v.suspects);
        return;
      case 'verified':
        break;
    }
    picker.pieceVerified(index);
    this.uploader.remember(index, v.data);
    for (const id of v.culprits) {
      const culprit = this.peers.get(id);
      if (culprit) this.ban(culprit, `sent corrupt data for piece ${index}`);
      else this.banned.add(id);
    }
    for (const peer of this.peers.values()) {
      if (!peer.handshaken) continue;
      peer.send({ type: 'have', index });
      if (peer.amInterested) this.updateInterest(peer);
    }
    this.emit('piece', index);
    this.checkDone();
  }

  private onBadPiece(index: number, culprits: ReadonlySet<string>, suspects: ReadonlySet<string>): void {
    this.warn(`piece ${index} failed its hash check`);
    for (const id of culprits) {
      const peer = this.peers.get(id);
      if (peer) this.ban(peer, `sent corrupt data for piece ${index}`);
    }
    // Fetch the retry from a single peer, so that a second failure names its sender.
    this.picker!.pieceFailed(index, { exclusive: suspects.size > 0 });
    this.requester.fillAll();
  }

  private checkDone(): void {
    if (this.doneFired || !this.picker?.isComplete()) return;
    this.doneFired = true;
    for (const peer of this.peers.values()) peer.setInterested(false);
    this.emit('done', undefined);
  }

  private fail(error: Error): void {
    if (this.isStopped || this.isPaused) return;
    this.emit('error', error);
    this.pause();
  }

  // ---- uploading -----------------------------------------------------------------------------

  private onRequest(peer: Peer, index: number, begin: number, length: number): void {
    const picker = this.picker;
    const valid = !!picker && index < picker.pieceCount && length > 0 && length <= MAX_BLOCK && this.geometry!.containsRange(index, begin, length);
    if (!valid) return this.dropPeer(peer, `invalid request (piece ${index}, offset ${begin}, ${length} bytes)`);
    if (peer.amChoking || !picker.have(index)) {
      if (!peer.refuseRequest({ index, begin, length })) this.dropPeer(peer, 'too many requests we cannot serve');
      return;
    }
    if (!peer.queueRequest({ index, begin, length })) return this.dropPeer(peer, 'too many requests at once');
    this.uploader.serve(peer);
  }

  private onServed(peer: Peer, index: number, bytes: number): void {
    const { next, finished } = this.seeding!.served(peer, index, bytes);
    this.announce(peer, next);
    if (!finished) return;
    for (const [id, rest] of finished) {
      const p = this.peers.get(id);
      if (p) this.announce(p, rest);
    }
  }

  // ---- choking and timers --------------------------------------------------------------------

  private rechoke(): void {
    this.slots.rechoke(this.peers.values(), this.done);
  }

  private rechokeIfSlotFree(): void {
    this.slots.fillFreeSlot(this.peers.values(), this.done);
  }

  private tick(): void {
    const now = this.o.clock.now();
    if (this.slots.due(now)) this.rechoke();
    // Pieces left unstarted for want of memory: another torrent may have released some.
    if (this.picker?.waitingForMemory) for (const peer of this.peers.values()) if (!peer.backup) this.requester.fill(peer);
    for (const peer of [...this.peers.values()]) {
      if (peer.backup) {
        // A web seed speaks only when asked; check whether it has gaps to fill.
        this.requester.fill(peer);
      } else if (now - peer.lastReceived > IDLE_TIMEOUT) {
        this.dropPeer(peer, 'silent for two minutes');
        continue;
      }
      if (now - peer.lastSent > KEEP_ALIVE) peer.send({ type: 'keepAlive' });
      if (this.requester.checkTimeouts(peer, now)) this.requester.fillAll(peer);
      if (!this.info) this.metadata.requestFrom(peer);
    }
  }
}
