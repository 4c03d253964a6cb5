/**
 * A torrent session: the swarm logic of one torrent. It connects peers (each a `Peer` over a
 * `PeerChannel`), the piece picker, the choker, a piece store and a hasher, and runs on an injected
 * clock. It fetches metadata for a magnet link (ut_metadata), downloads and verifies pieces, serves
 * pieces and metadata to others, and defends against peers that send bad data.
 */
import type { PeerChannel } from './channel.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Hasher, PieceStore } from './store.js';
import { StorageError } from './store.js';
import { Peer } from './peer.js';
import { blameFailure, blameOnVerified, type FailedAttempt } from './blame.js';
import { MetadataExchange, UT_METADATA_ID } from './metadata.js';
import { InitialSeeding } from './initial-seeding.js';
import type { RateLimiter } from './limiter.js';
import { choke, initialChokerState, type ChokerState } from '../choker/choker.js';
import { PiecePicker, PRIORITY, pipelineDepth } from '../picker/index.js';
import {
  BitField,
  MAX_WANT_PIECES,
  WANT_EXTENSION,
  decodeExtendedHandshake,
  decodeWantMessage,
  encodeExtendedHandshake,
  encodeWantMessage,
  type WireEvent,
} from '../wire/index.js';
import { PieceGeometry, BLOCK_SIZE } from '../geometry.js';
import { parseInfoDict, type Metainfo } from '../metainfo.js';
import { bytesEqual, toHex } from '../bytes.js';
import { TabswarmError } from '../errors.js';

export const CLIENT_VERSION = 'tabswarm 0.1.0';
/** Requests larger than this are refused (WebTorrent drops peers asking for more than 128 KiB). */
export const MAX_REQUEST = 128 * 1024;
/** A channel's send queue holds about this much of its upload rate (see SessionOptions.highWaterMark). */
export const SEND_QUEUE_SECONDS = 0.03;
export const MAX_HIGH_WATER_MARK = 1024 * 1024;
/** Requests refused (choked, or for pieces we lack) before a peer is dropped for flooding. */
const MAX_REFUSED_REQUESTS = 1000;
/** Distinct pieces read ahead of a peer's serve loop (see readAhead). */
const READS_AHEAD = 4;
/** Our extension id for incoming ts_want messages (BEP 10 `m`; ut_metadata has 1). */
export const WANT_ID = 2;

export interface SessionOptions {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  metainfo?: Metainfo;
  store: PieceStore;
  hasher: Hasher;
  clock: Clock;
  random?: () => number;
  /** Connections at most. */
  maxPeers?: number;
  /** Upload slots, the optimistic one included. */
  uploadSlots?: number;
  /** Outstanding requests to one peer at most. */
  maxPipeline?: number;
  requestTimeout?: number;
  /**
   * Bytes queued on a channel above which we stop sending pieces until it drains: at least this,
   * and more on a fast connection (what it carries in {@link SEND_QUEUE_SECONDS}, up to
   * {@link MAX_HIGH_WATER_MARK}), so that a fast channel never runs dry between two drain events
   * while a slow one keeps requests from waiting behind a long queue.
   */
  highWaterMark?: number;
  /**
   * The most a channel's send queue holds however fast it is (default {@link MAX_HIGH_WATER_MARK}).
   * Browsers cap it low: Chromium's SCTP stalls for seconds at a time (retransmission timeouts)
   * when a data channel is handed hundreds of KiB at once on a busy machine.
   */
  maxHighWaterMark?: number;
  /** A seed reveals pieces a few at a time until each has been uploaded once (initial-seeding.ts). */
  initialSeeding?: boolean;
  /** Rate limits, shared with the other torrents of the client. */
  uploadLimit?: RateLimiter;
  downloadLimit?: RateLimiter;
}

export interface SessionEvents {
  metadata: Metainfo;
  /** A piece verified and stored. */
  piece: number;
  done: undefined;
  warning: string;
  peer: { id: string; event: 'connected' | 'disconnected' };
  ban: { id: string; reason: string };
  /** The session cannot go on (e.g. storage full): it has stopped. */
  error: Error;
}

type Listener<T> = (value: T) => void;

interface PieceBuffer {
  data: Uint8Array;
  senders: (string | undefined)[];
}

const TICK = 1_000;
const CHOKE_INTERVAL = 10_000;
const KEEP_ALIVE = 55_000;
const IDLE_TIMEOUT = 120_000;
/** Bytes of blocks we never asked for that a peer may send before we drop it. */
const MAX_UNREQUESTED = 1024 * 1024;
/** Cancelled requests remembered per peer (see Peer.cancelled). */
const MAX_CANCELLED = 4096;
/** Failed attempts kept per piece for blame; more than this and the oldest is dropped. */
const MAX_FAILED_ATTEMPTS = 3;
/**
 * Requests kept outstanding at a peer whose rate we do not know yet (at least). Two blocks per
 * round trip caps a new connection at ~300 KiB/s over 100 ms and its measured rate never grows
 * past that cap; eight (128 KiB) lets it reach a typical uplink share at once.
 */
const MIN_PIPELINE = 8;
/** Requests sent to a peer together at most when refilling its pipeline (see fillRequests). */
const REQUEST_BATCH = 16;

export class TorrentSession {
  readonly infoHash: Uint8Array;
  readonly infoHashHex: string;
  metainfo: Metainfo | undefined;
  geometry: PieceGeometry | undefined;
  picker: PiecePicker<string> | undefined;
  readonly peers = new Map<string, Peer>();
  /** Remote peer ids (hex) banned for this session. */
  readonly banned = new Set<string>();
  downloaded = 0;
  uploaded = 0;
  /** Bytes of blocks discarded: duplicates, unrequested, or of pieces that failed their hash. */
  wasted = 0;
  stopped = false;

  private readonly o: Required<Omit<SessionOptions, 'metainfo' | 'uploadLimit' | 'downloadLimit'>> & Pick<SessionOptions, 'uploadLimit' | 'downloadLimit'>;
  private readonly listeners = new Map<keyof SessionEvents, Set<Listener<never>>>();
  private readonly buffers = new Map<number, PieceBuffer>();
  private readonly failedAttempts = new Map<number, FailedAttempt[]>();
  private readonly verifying = new Set<number>();
  private readonly serving = new Set<Peer>();
  private readonly unrequested = new Map<Peer, number>();
  private readonly pieceCache = new Map<number, Uint8Array>();
  private readonly pieceReads = new Map<number, Promise<Uint8Array | undefined>>();
  private cachedBytes = 0;
  private chokerState: ChokerState<string> = initialChokerState();
  private lastChoke = -Infinity;
  private timer: TimerHandle | undefined;
  private readonly metadata: MetadataExchange;
  private doneFired = false;
  /** Whether a file is selected (see selectFiles); undefined: every file is. */
  private selection: ((file: number) => boolean) | undefined;
  /** Streaming (see setStreamPriority): pieces fetched first, in order, and pieces at high priority. */
  private streamCritical: readonly number[] = [];
  private streamRaised = new Set<number>();
  /** The last ts_want list sent to each peer (so that an unchanged list is not sent again). */
  private readonly wantsSent = new WeakMap<Peer, string>();
  private seeding: InitialSeeding | undefined;
  private started = false;
  private limitTimer: TimerHandle | undefined;

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
      ...options,
    };
    this.infoHash = options.infoHash;
    this.infoHashHex = toHex(options.infoHash);
    this.metadata = new MetadataExchange(options.infoHash, options.hasher, () => this.o.clock.now());
    if (options.metainfo) this.setMetainfo(options.metainfo);
  }

  // ---- events --------------------------------------------------------------------------------

  on<K extends keyof SessionEvents>(type: K, fn: Listener<SessionEvents[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
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
    if (this.stopped) return;
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

  /** Stops the session and closes every connection. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    if (this.limitTimer !== undefined) this.o.clock.clearTimeout(this.limitTimer);
    for (const peer of [...this.peers.values()]) this.removePeer(peer);
  }

  // ---- peers ---------------------------------------------------------------------------------

  get wantsPeers(): boolean {
    return !this.stopped && this.peers.size < this.o.maxPeers;
  }

  /**
   * Adds a connected channel. Both sides send the handshake as soon as the channel opens.
   * Returns undefined (and closes the channel) when the session is stopped or full.
   */
  /**
   * Connects a peer over `channel`. A `backup` peer (a web seed) is asked only for pieces that no
   * other peer unchoking us has, until the endgame: peers keep the load when they can, and the
   * backup fills the gaps (and serves everything when it is alone).
   */
  addPeer(channel: PeerChannel, id: string, options: { backup?: boolean } = {}): Peer | undefined {
    if (options.backup && this.peers.has(id)) {
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
      onEvent: (p, e) => this.onPeerEvent(p, e),
      onError: (p, e) => this.dropPeer(p, `protocol error: ${e.message}`),
    });
    peer.backup = options.backup === true;
    this.peers.set(id, peer);
    channel.lowWaterMark = this.highWaterMark(peer) / 4;
    channel.onDrain = () => this.serve(peer);
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
    this.serving.delete(peer);
    this.unrequested.delete(peer);
    this.metadata.peerGone(peer.id);
    this.seeding?.removePeer(peer.id);
    const picker = this.picker;
    if (picker) {
      picker.peerGone(peer.id);
      if (peer.haveAll) picker.removeAvailability(null);
      else if (peer.have) picker.removeAvailability(peer.have);
    }
    peer.requests.clear();
    this.emit('peer', { id: peer.id, event: 'disconnected' });
    if (!this.stopped) {
      for (const other of this.peers.values()) this.fillRequests(other);
      if (!peer.amChoking) this.rechoke();
    }
  }

  // ---- incoming messages ---------------------------------------------------------------------

  private onPeerEvent(peer: Peer, e: WireEvent): void {
    if (e.type === 'handshake') return this.onHandshake(peer, e.infoHash, e.peerId, e.extensions);
    if (!peer.handshaken) return this.dropPeer(peer, 'message before the handshake');
    const picker = this.picker;
    switch (e.type) {
      case 'keepAlive':
        return;
      case 'choke':
        peer.peerChoking = true;
        // Without the Fast Extension a choke discards every request; with it, the peer rejects them.
        if (!peer.fast) this.releaseRequests(peer);
        return;
      case 'unchoke':
        peer.peerChoking = false;
        return this.fillRequests(peer);
      case 'interested':
        peer.peerInterested = true;
        return this.rechokeIfSlotFree();
      case 'notInterested':
        peer.peerInterested = false;
        // Its upload slot is wasted until the next rechoke: hand it to a peer that wants data.
        if (!peer.amChoking) this.rechokeIfSlotFree();
        return;
      case 'have':
        return this.onHave(peer, e.index);
      case 'bitfield':
        return this.onBitfield(peer, e.bits);
      case 'haveAll':
      case 'haveNone':
        if (!peer.fast) return this.dropPeer(peer, `${e.type} without the Fast Extension`);
        if (e.type === 'haveAll') {
          if (!peer.haveAll) {
            if (peer.have && picker) picker.removeAvailability(peer.have);
            peer.haveAll = true;
            picker?.addAvailability(null);
          }
        }
        return this.updateInterest(peer);
      case 'request':
        return this.onRequest(peer, e.index, e.begin, e.length);
      case 'cancel': {
        const i = peer.theirRequests.findIndex((r) => r.index === e.index && r.begin === e.begin && r.length === e.length);
        if (i >= 0) peer.theirRequests.splice(i, 1);
        return;
      }
      case 'piece':
        return this.onBlock(peer, e.index, e.begin, e.block);
      case 'reject': {
        if (!peer.fast) return this.dropPeer(peer, 'reject without the Fast Extension');
        const key = Peer.key(e.index, e.begin);
        if (peer.requests.delete(key)) picker?.requestCancelled(peer.id, e.index, e.begin);
        return this.fillRequests(peer);
      }
      case 'extended':
        return this.onExtended(peer, e.extId, e.payload);
      default:
        // port, suggest, allowed fast and unknown ids carry nothing we need.
        return;
    }
  }

  private onHandshake(peer: Peer, infoHash: Uint8Array, peerId: Uint8Array, ext: { extended: boolean; fast: boolean }): void {
    if (peer.handshaken) return this.dropPeer(peer, 'a second handshake');
    if (!bytesEqual(infoHash, this.infoHash)) return this.dropPeer(peer, 'handshake for another torrent');
    if (bytesEqual(peerId, this.o.peerId)) return this.dropPeer(peer, 'connected to ourselves');
    if (this.banned.has(toHex(peerId))) return this.dropPeer(peer, 'banned earlier in this session');
    peer.handshaken = true;
    peer.remotePeerId = peerId;
    peer.fast = ext.fast;
    peer.extended = ext.extended;
    const picker = this.picker;
    if (this.seeding?.active) {
      if (peer.fast) peer.send({ type: 'haveNone' });
    } else if (picker) {
      if (peer.fast && picker.haveCount === picker.pieceCount) peer.send({ type: 'haveAll' });
      else if (peer.fast && picker.haveCount === 0) peer.send({ type: 'haveNone' });
      else if (picker.haveCount > 0) peer.send({ type: 'bitfield', bits: picker.bitfield() });
    } else if (peer.fast) peer.send({ type: 'haveNone' });
    if (peer.extended) {
      peer.send({
        type: 'extended',
        extId: 0,
        payload: encodeExtendedHandshake({
          m: { ut_metadata: UT_METADATA_ID, [WANT_EXTENSION]: WANT_ID },
          metadata_size: this.metainfo?.infoBytes.length,
          reqq: 250,
          v: CLIENT_VERSION,
        }),
      });
    }
    if (this.seeding?.active) this.announce(peer, this.seeding.addPeer(peer));
  }

  /** Tells a peer we have these pieces. */
  private announce(peer: Peer, pieces: readonly number[]): void {
    for (const index of pieces) peer.send({ type: 'have', index });
  }

  private onHave(peer: Peer, index: number): void {
    const picker = this.picker;
    if (!picker) {
      if (peer.pendingHaves.length < 100_000) peer.pendingHaves.push(index);
      return;
    }
    if (index >= picker.pieceCount) return this.dropPeer(peer, `have for piece ${index}, out of range`);
    if (peer.haveAll) return;
    peer.have ??= new BitField(picker.pieceCount);
    if (peer.have.get(index)) return;
    peer.have.set(index);
    picker.incrementAvailability(index);
    if (this.streamCritical.includes(index)) this.preemptForCritical(peer);
    this.updateInterest(peer);
  }

  private onBitfield(peer: Peer, bits: Uint8Array): void {
    const picker = this.picker;
    if (!picker) {
      peer.pendingBitfield = bits;
      return;
    }
    let field: BitField;
    try {
      field = BitField.fromWire(bits, picker.pieceCount);
    } catch (e) {
      return this.dropPeer(peer, e instanceof Error ? e.message : 'bad bitfield');
    }
    if (peer.haveAll) picker.removeAvailability(null);
    else if (peer.have) picker.removeAvailability(peer.have);
    peer.haveAll = false;
    peer.have = field;
    picker.addAvailability(field);
    this.updateInterest(peer);
  }

  /** Applies what a peer announced before we knew the piece count (magnet links). */
  private applyPending(peer: Peer): void {
    const bits = peer.pendingBitfield;
    peer.pendingBitfield = undefined;
    if (bits) this.onBitfield(peer, bits);
    if (peer.closed) return;
    const haves = peer.pendingHaves;
    peer.pendingHaves = [];
    for (const i of haves) {
      this.onHave(peer, i);
      if (peer.closed) return;
    }
    if (peer.haveAll) this.picker!.addAvailability(null);
    this.updateInterest(peer);
  }

  private onExtended(peer: Peer, extId: number, payload: Uint8Array): void {
    if (extId === 0) {
      let hs;
      try {
        hs = decodeExtendedHandshake(payload);
      } catch (e) {
        return this.dropPeer(peer, `bad extended handshake: ${e instanceof Error ? e.message : e}`);
      }
      peer.extensions = { ...peer.extensions, ...hs.m };
      if (hs.v !== undefined) peer.clientName = hs.v;
      if (hs.reqq !== undefined && hs.reqq > 0) peer.maxRequests = Math.min(hs.reqq, 250);
      if (hs.metadata_size !== undefined) peer.metadataSize = hs.metadata_size;
      if (!this.metainfo) this.metadata.requestFrom(peer);
      this.sendWants(peer);
      return;
    }
    if (extId === WANT_ID) return this.onPeerWants(peer, payload);
    if (extId === UT_METADATA_ID) {
      const result = this.metadata.onMessage(peer, payload, this.metainfo?.infoBytes);
      if (result.kind === 'error') return this.dropPeer(peer, result.message);
      if (result.kind === 'ready') this.checkMetadata().catch((e: unknown) => this.warn(`metadata check failed: ${e instanceof Error ? e.message : e}`));
    }
  }

  private async checkMetadata(): Promise<void> {
    const result = await this.metadata.check();
    if (this.stopped || this.metainfo) return;
    if (result.kind === 'failed') {
      this.warn('metadata from peers did not match the info hash; fetching it again');
      for (const id of result.culprits) {
        const p = this.peers.get(id);
        if (p) this.ban(p, 'sent metadata that does not match the info hash');
      }
      for (const p of this.peers.values()) this.metadata.requestFrom(p);
      return;
    }
    if (result.kind !== 'complete') return;
    let metainfo: Metainfo;
    try {
      metainfo = await parseInfoDict(result.infoBytes, this.infoHash, this.o.hasher);
    } catch (e) {
      // The bytes hash to the info hash yet do not parse: the torrent itself is broken.
      return this.fail(e instanceof Error ? e : new TabswarmError(String(e)));
    }
    await this.acceptMetainfo(metainfo);
  }

  /**
   * The info dictionary from elsewhere than peers (a .torrent file fetched from a magnet link's `xs=`
   * exact source): rejects, changing nothing, when the bytes are not this torrent's info dictionary;
   * otherwise the torrent carries on as when peers send the metadata. Ignored once it is known.
   */
  async provideMetadata(infoBytes: Uint8Array): Promise<void> {
    if (this.metainfo || this.stopped) return;
    await this.acceptMetainfo(await parseInfoDict(infoBytes, this.infoHash, this.o.hasher));
  }

  private async acceptMetainfo(metainfo: Metainfo): Promise<void> {
    if (this.metainfo || this.stopped) return;
    this.setMetainfo(metainfo);
    if (this.started) await this.loadStored();
    this.emit('metadata', metainfo);
    for (const peer of [...this.peers.values()]) {
      if (!peer.handshaken) continue;
      this.applyPending(peer);
      if (peer.closed) continue;
      if (!peer.fast && this.picker!.haveCount > 0) peer.send({ type: 'bitfield', bits: this.picker!.bitfield() });
      this.fillRequests(peer);
    }
    this.checkDone();
  }

  private setMetainfo(metainfo: Metainfo): void {
    this.metainfo = metainfo;
    this.geometry = new PieceGeometry(metainfo);
    this.picker = new PiecePicker<string>({
      pieceCount: this.geometry.pieceCount,
      pieceLength: metainfo.pieceLength,
      totalLength: metainfo.length,
      random: this.o.random,
    });
    if (this.selection) this.applySelection();
    if (this.streamRaised.size > 0) this.setStreamPriority(this.streamCritical, [...this.streamRaised]);
  }

  /**
   * File selection: `selected[f] === false` leaves file f out (its pieces are not fetched, except
   * those it shares with a selected file); or a function that says whether file f is selected (read
   * again whenever priorities are worked out: call selectFiles again after it changes). Kept until the
   * metadata is known when given before. Selecting more after `done` fetches the rest and fires
   * `done` again when that is complete.
   */
  selectFiles(selected: readonly boolean[] | ((file: number) => boolean)): void {
    if (typeof selected === 'function') {
      this.selection = selected;
    } else {
      const flags = [...selected];
      this.selection = (f) => flags[f] !== false;
    }
    this.applySelection();
  }

  private applySelection(): void {
    const picker = this.picker;
    const geometry = this.geometry;
    if (!picker || !geometry || !this.selection) return;
    const ranges: { first: number; last: number; priority: number }[] = [];
    for (let f = 0; f < geometry.fileCount; f++) {
      const range = geometry.filePieceRange(f);
      if (range) ranges.push({ ...range, priority: this.selection(f) ? PRIORITY.normal : PRIORITY.skip });
    }
    picker.setFilePriorities(ranges);
    for (const i of this.streamRaised) picker.setPriority(i, PRIORITY.high);
    this.prioritiesChanged();
  }

  /**
   * Streaming: `critical` pieces are fetched before all others, strictly in this order (a reader
   * waits for them), and `raised` ones at high priority (its read-ahead). Each call replaces the
   * previous one; pieces no longer raised go back to their file's priority. Raised and critical
   * pieces are fetched even in deselected files, for as long as they stay raised. Peers are asked
   * for them at once.
   */
  setStreamPriority(critical: readonly number[], raised: readonly number[]): void {
    const picker = this.picker;
    const next = new Set([...critical, ...raised]);
    const before = this.streamRaised;
    this.streamCritical = [...critical];
    this.streamRaised = next;
    if (!picker) return;
    for (const i of next) picker.layout.checkPiece(i);
    let changed = false;
    for (const i of before) {
      if (next.has(i)) continue;
      const base = this.basePriority(i);
      if (picker.priority(i) !== base) {
        picker.setPriority(i, base);
        changed = true;
      }
    }
    for (const i of next) {
      if (picker.priority(i) !== PRIORITY.high) {
        picker.setPriority(i, PRIORITY.high);
        changed = true;
      }
    }
    picker.setCritical(this.streamCritical);
    if (this.started) for (const peer of this.peers.values()) this.preemptForCritical(peer);
    if (changed || this.streamCritical.length > 0) this.prioritiesChanged();
    if (this.started) for (const peer of this.peers.values()) this.sendWants(peer);
  }

  /**
   * Tells a tabswarm peer (one that lists ts_want) which critical pieces we wait for that it has not
   * announced: a seeder that reveals its pieces a few at a time reveals those first.
   */
  private sendWants(peer: Peer): void {
    const id = peer.extensions[WANT_EXTENSION];
    const picker = this.picker;
    if (!id || !picker || peer.closed || !peer.handshaken) return;
    const pieces = this.streamCritical.filter((i) => !picker.have(i) && !peer.hasPiece(i)).slice(0, MAX_WANT_PIECES);
    const key = pieces.join(',');
    if (key === (this.wantsSent.get(peer) ?? '')) return;
    this.wantsSent.set(peer, key);
    if (pieces.length > 0) peer.send({ type: 'extended', extId: id, payload: encodeWantMessage(pieces) });
  }

  /** A peer waits for these pieces: while seeding initially, they are the next revealed to it. */
  private onPeerWants(peer: Peer, payload: Uint8Array): void {
    let pieces: number[];
    try {
      pieces = decodeWantMessage(payload);
    } catch (e) {
      return this.dropPeer(peer, `bad ${WANT_EXTENSION} message: ${e instanceof Error ? e.message : e}`);
    }
    const picker = this.picker;
    if (!picker || !this.seeding?.active) return;
    this.announce(peer, this.seeding.wanted(peer, pieces.filter((i) => i < picker.pieceCount && picker.have(i))));
  }

  /** A piece's priority from the file selection alone: the highest of the files it lies in. */
  private basePriority(index: number): number {
    const selection = this.selection;
    if (!selection || !this.geometry) return PRIORITY.normal;
    return this.geometry.pieceFiles(index).some((f) => selection(f.fileIndex)) ? PRIORITY.normal : PRIORITY.skip;
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
    if (want !== peer.amInterested) {
      peer.amInterested = want;
      peer.send({ type: want ? 'interested' : 'notInterested' });
    }
    if (want) this.fillRequests(peer);
  }

  private fillRequests(peer: Peer): void {
    const picker = this.picker;
    if (!picker || this.stopped || peer.closed || !peer.handshaken || peer.peerChoking || !peer.amInterested) return;
    const depth = Math.min(peer.maxRequests, pipelineDepth(peer.downloaded.rate(), { max: this.o.maxPipeline, min: MIN_PIPELINE }));
    let want = depth - peer.requests.size;
    // Requests go out a batch at a time (a quarter of the pipeline, at most REQUEST_BATCH), not one per
    // block received: each message costs a data channel about as much as a block does.
    if (want <= 0 || (want < Math.min(REQUEST_BATCH, Math.ceil(depth / 4)) && peer.requests.size > 0)) return;
    const limit = this.o.downloadLimit;
    if (limit?.limited) {
      want = Math.min(want, Math.floor(limit.available() / BLOCK_SIZE));
      if (want <= 0) return this.retryWhenAllowed(limit);
    }
    const now = this.o.clock.now();
    const has =
      peer.backup && !picker.inEndgame()
        ? (i: number) => peer.hasPiece(i) && !this.othersOffer(peer, i)
        : (i: number) => peer.hasPiece(i);
    const blocks = picker.pickBlocks({ id: peer.id, has }, want);
    if (limit?.limited) limit.take(blocks.reduce((n, b) => n + b.length, 0));
    for (const b of blocks) {
      peer.requests.set(Peer.key(b.index, b.begin), { index: b.index, begin: b.begin, length: b.length, at: now });
      peer.send({ type: 'request', index: b.index, begin: b.begin, length: b.length });
    }
  }

  /** Whether a peer other than `self` that unchokes us has piece `index`. */
  private othersOffer(self: Peer, index: number): boolean {
    for (const p of this.peers.values()) if (p !== self && !p.backup && !p.peerChoking && p.hasPiece(index)) return true;
    return false;
  }

  /** Under a download limit: asks every peer for more once the limit allows another block. */
  private retryWhenAllowed(limit: RateLimiter): void {
    if (this.limitTimer !== undefined || this.stopped) return;
    this.limitTimer = this.o.clock.setTimeout(() => {
      this.limitTimer = undefined;
      for (const peer of this.peers.values()) this.fillRequests(peer);
    }, Math.max(1, limit.msUntil(BLOCK_SIZE)));
  }

  /** Withdraws one of our requests to a peer (the caller gives its block back to the picker if due). */
  private cancelRequest(peer: Peer, key: string, r: { index: number; begin: number; length: number }): void {
    peer.requests.delete(key);
    peer.send({ type: 'cancel', index: r.index, begin: r.begin, length: r.length });
    if (peer.cancelled.size >= MAX_CANCELLED) peer.cancelled.delete(peer.cancelled.values().next().value!);
    peer.cancelled.add(key);
  }

  /**
   * A streaming reader waits for critical pieces that this peer has and that nobody is fetching
   * yet: the requests queued at the peer for ordinary pieces would be served first (a peer answers
   * in order, and a deep pipeline holds megabytes), so they are cancelled and given back to the
   * picker, and the critical blocks are asked for in their place (the read-ahead right after them).
   * Blocks already on their way are still taken.
   */
  private preemptForCritical(peer: Peer): void {
    const picker = this.picker;
    if (!picker || peer.closed || peer.peerChoking || peer.requests.size === 0) return;
    const waiting = this.streamCritical.some((i) => peer.hasPiece(i) && this.hasUnrequestedBlock(i));
    if (!waiting) return;
    let cancelled = false;
    const critical = new Set(this.streamCritical);
    for (const [key, r] of peer.requests) {
      if (critical.has(r.index)) continue;
      this.cancelRequest(peer, key, r);
      picker.requestCancelled(peer.id, r.index, r.begin);
      cancelled = true;
    }
    if (cancelled) this.fillRequests(peer);
  }

  /** Whether piece `index` is missing a block that nobody has been asked for. */
  private hasUnrequestedBlock(index: number): boolean {
    const picker = this.picker!;
    const state = picker.pieceState(index);
    if (state === 'none') return true;
    if (state !== 'partial') return false;
    const size = this.geometry!.pieceSize(index);
    for (let begin = 0; begin < size; begin += BLOCK_SIZE) if (picker.blockState(index, begin) === 'missing') return true;
    return false;
  }

  /** Gives a peer's outstanding requests back to the picker. */
  private releaseRequests(peer: Peer): void {
    for (const r of peer.requests.values()) this.picker?.requestCancelled(peer.id, r.index, r.begin);
    peer.requests.clear();
  }

  private onBlock(peer: Peer, index: number, begin: number, block: Uint8Array): void {
    const picker = this.picker;
    if (this.geometry && !this.geometry.containsRange(index, begin, block.length)) {
      return this.dropPeer(peer, `sent a block outside the torrent (piece ${index}, offset ${begin}, ${block.length} bytes)`);
    }
    const key = Peer.key(index, begin);
    const request = peer.requests.get(key);
    // A block we asked for, or one that arrives after we cancelled or timed out its request and
    // that we still need (it is verified with its piece like any other).
    const wanted = request ? request.length === block.length : !!picker?.wantsBlock(index, begin, block.length);
    if (!picker || !wanted) {
      this.wasted += block.length;
      // We cancelled it and it crossed our cancel on the way (perhaps while we asked for it again):
      // the peer did nothing wrong. Each cancel excuses one such block.
      if (peer.cancelled.delete(key)) return;
      const total = (this.unrequested.get(peer) ?? 0) + block.length;
      this.unrequested.set(peer, total);
      if (total > MAX_UNREQUESTED) this.dropPeer(peer, 'sent too many blocks we did not ask for');
      return;
    }
    peer.requests.delete(key);
    peer.downloaded.add(block.length);
    this.downloaded += block.length;
    const result = picker.blockReceived(peer.id, index, begin);
    for (const otherId of result.cancel) {
      const other = this.peers.get(otherId);
      const r = other?.requests.get(key);
      if (other && r) this.cancelRequest(other, key, r);
    }
    if (result.duplicate) {
      this.wasted += block.length;
    } else {
      let buffer = this.buffers.get(index);
      if (!buffer) {
        const size = this.geometry!.pieceSize(index);
        buffer = { data: new Uint8Array(size), senders: new Array<string | undefined>(Math.ceil(size / BLOCK_SIZE)) };
        this.buffers.set(index, buffer);
      }
      buffer.data.set(block, begin);
      buffer.senders[Math.floor(begin / BLOCK_SIZE)] = peer.id;
      if (result.pieceComplete) void this.verify(index);
    }
    this.fillRequests(peer);
  }

  private async verify(index: number): Promise<void> {
    const buffer = this.buffers.get(index);
    const metainfo = this.metainfo;
    const picker = this.picker;
    if (!buffer || !metainfo || !picker || this.verifying.has(index)) return;
    this.buffers.delete(index);
    this.verifying.add(index);
    let ok = false;
    try {
      const digest = await this.o.hasher(buffer.data);
      ok = bytesEqual(digest, metainfo.pieces[index]!);
    } catch (e) {
      this.verifying.delete(index);
      picker.pieceFailed(index);
      return this.fail(new TabswarmError(`could not hash piece ${index}: ${e instanceof Error ? e.message : e}`));
    }
    if (this.stopped) return;
    if (!ok) {
      this.verifying.delete(index);
      this.wasted += buffer.data.length;
      return this.onBadPiece(index, buffer);
    }
    try {
      await this.o.store.put(index, buffer.data);
    } catch (e) {
      this.verifying.delete(index);
      picker.pieceFailed(index);
      const message = e instanceof StorageError && e.quotaExceeded ? 'storage is full' : 'could not store a piece';
      return this.fail(new StorageError(`${message}: ${e instanceof Error ? e.message : e}`, e instanceof StorageError && e.quotaExceeded));
    }
    this.verifying.delete(index);
    if (this.stopped) return;
    picker.pieceVerified(index);
    this.remember(index, buffer.data);
    const attempts = this.failedAttempts.get(index);
    if (attempts) {
      this.failedAttempts.delete(index);
      for (const id of blameOnVerified(buffer.data, attempts, BLOCK_SIZE)) {
        const culprit = this.peers.get(id);
        if (culprit) this.ban(culprit, `sent corrupt data for piece ${index}`);
        else this.banned.add(id);
      }
    }
    for (const peer of this.peers.values()) {
      if (!peer.handshaken) continue;
      peer.send({ type: 'have', index });
      if (peer.amInterested) this.updateInterest(peer);
    }
    this.emit('piece', index);
    this.checkDone();
  }

  private onBadPiece(index: number, buffer: PieceBuffer): void {
    const picker = this.picker!;
    const verdict = blameFailure(buffer.senders);
    this.warn(`piece ${index} failed its hash check`);
    for (const id of verdict.culprits) {
      const peer = this.peers.get(id);
      if (peer) this.ban(peer, `sent corrupt data for piece ${index}`);
    }
    if (verdict.suspects.size > 0) {
      const attempts = this.failedAttempts.get(index) ?? [];
      attempts.push({ data: buffer.data, senders: buffer.senders });
      if (attempts.length > MAX_FAILED_ATTEMPTS) attempts.shift();
      this.failedAttempts.set(index, attempts);
      for (const id of verdict.suspects) {
        const peer = this.peers.get(id);
        if (peer) peer.strikes++;
      }
    }
    // Fetch the retry from a single peer, so that a second failure names its sender.
    picker.pieceFailed(index, { exclusive: verdict.suspects.size > 0 });
    for (const peer of this.peers.values()) this.fillRequests(peer);
  }

  private checkDone(): void {
    if (this.doneFired || !this.picker?.isComplete()) return;
    this.doneFired = true;
    for (const peer of this.peers.values()) {
      if (peer.amInterested) {
        peer.amInterested = false;
        peer.send({ type: 'notInterested' });
      }
    }
    this.emit('done', undefined);
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.emit('error', error);
    this.stop();
  }

  // ---- uploading -----------------------------------------------------------------------------

  private onRequest(peer: Peer, index: number, begin: number, length: number): void {
    const picker = this.picker;
    const valid = !!picker && index < picker.pieceCount && length > 0 && length <= MAX_REQUEST && this.geometry!.containsRange(index, begin, length);
    if (!valid) return this.dropPeer(peer, `invalid request (piece ${index}, offset ${begin}, ${length} bytes)`);
    if (peer.amChoking || !picker.have(index)) {
      // A few such requests are normal (sent before our choke arrived); thousands are a flood.
      if (++peer.refusedRequests > MAX_REFUSED_REQUESTS) return this.dropPeer(peer, 'too many requests we cannot serve');
      if (peer.fast) peer.send({ type: 'reject', index, begin, length });
      return;
    }
    if (peer.theirRequests.length >= 2 * 250) return this.dropPeer(peer, 'too many requests at once');
    peer.theirRequests.push({ index, begin, length });
    this.serve(peer);
  }

  /** Sends requested blocks while the channel has room; resumes on drain. */
  private serve(peer: Peer): void {
    if (this.serving.has(peer) || peer.closed) return;
    this.serving.add(peer);
    void this.serveLoop(peer).finally(() => this.serving.delete(peer));
  }

  private async serveLoop(peer: Peer): Promise<void> {
    while (!peer.closed && !peer.amChoking && peer.theirRequests.length > 0) {
      const highWaterMark = this.highWaterMark(peer);
      if (peer.channel.bufferedAmount > highWaterMark) {
        peer.channel.lowWaterMark = highWaterMark / 4;
        return; // onDrain calls serve again
      }
      const r = peer.theirRequests.shift()!;
      this.readAhead(peer, r.index);
      const wait = this.o.uploadLimit?.take(r.length) ?? 0;
      if (wait > 0) await new Promise<void>((resolve) => this.o.clock.setTimeout(resolve, wait));
      const data = await this.readPiece(r.index);
      if (peer.closed || peer.amChoking) return;
      if (!data) {
        if (peer.fast) peer.send({ type: 'reject', index: r.index, begin: r.begin, length: r.length });
        continue;
      }
      peer.send({ type: 'piece', index: r.index, begin: r.begin, block: data.subarray(r.begin, r.begin + r.length) });
      peer.uploaded.add(r.length);
      this.uploaded += r.length;
      if (this.seeding?.active) this.onServed(peer, r.index, r.length);
    }
  }

  private highWaterMark(peer: Peer): number {
    return Math.min(this.o.maxHighWaterMark, Math.max(this.o.highWaterMark, peer.uploaded.rate() * SEND_QUEUE_SECONDS));
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

  /**
   * Starts reading the next few distinct pieces a peer has asked for, so that store reads (tens of
   * ms each in a busy IndexedDB) overlap instead of running one after another in the serve loop.
   */
  private readAhead(peer: Peer, current: number): void {
    let started = 0;
    let last = current;
    for (const r of peer.theirRequests) {
      if (started >= READS_AHEAD || this.pieceReads.size >= 2 * READS_AHEAD) break;
      if (r.index === last) continue;
      last = r.index;
      if (!this.pieceCache.has(r.index)) void this.readPiece(r.index);
      started++;
    }
  }

  /** A piece to serve: from the cache, or read from the store (one read per piece at a time). */
  private readPiece(index: number): Promise<Uint8Array | undefined> {
    const cached = this.pieceCache.get(index);
    if (cached) return Promise.resolve(cached);
    let read = this.pieceReads.get(index);
    if (!read) {
      read = this.o.store.get(index).then(
        (data) => {
          if (data) this.remember(index, data);
          return data;
        },
        (e: unknown) => {
          this.warn(`could not read piece ${index}: ${e instanceof Error ? e.message : e}`);
          return undefined;
        },
      );
      this.pieceReads.set(index, read);
      void read.finally(() => this.pieceReads.delete(index));
    }
    return read;
  }

  /**
   * Recently used pieces stay in memory (least recently used out first): peers ask for the blocks of
   * a piece in a row, and reads run ahead of the serve loop. At most 32 pieces and 16 MiB, but always
   * room for two pieces.
   */
  private remember(index: number, data: Uint8Array): void {
    const cache = this.pieceCache;
    if (cache.has(index)) this.cachedBytes -= cache.get(index)!.length;
    cache.delete(index);
    cache.set(index, data);
    this.cachedBytes += data.length;
    while (cache.size > 2 && (cache.size > 32 || this.cachedBytes > 16 * 1024 * 1024)) {
      const [oldest, bytes] = cache.entries().next().value!;
      cache.delete(oldest);
      this.cachedBytes -= bytes.length;
    }
  }

  // ---- choking and timers --------------------------------------------------------------------

  private rechokeIfSlotFree(): void {
    let unchoked = 0;
    for (const p of this.peers.values()) if (!p.amChoking && p.peerInterested) unchoked++;
    if (unchoked < this.o.uploadSlots) this.rechoke();
  }

  private rechoke(): void {
    const now = this.o.clock.now();
    this.lastChoke = now;
    const candidates = [...this.peers.values()].filter((p) => p.handshaken && !p.closed);
    const decision = choke(
      candidates.map((p) => ({
        id: p.id,
        interested: p.peerInterested,
        downloadRate: p.downloaded.rate(),
        uploadRate: p.uploaded.rate(),
        connectedAt: p.connectedAt,
      })),
      this.done,
      this.chokerState,
      now,
      this.o.random,
      { slots: this.o.uploadSlots, optimisticInterval: 30_000, newcomerWindow: 60_000 },
    );
    this.chokerState = decision.state;
    for (const peer of candidates) {
      const unchoke = decision.unchoke.has(peer.id);
      if (unchoke && peer.amChoking) {
        peer.amChoking = false;
        peer.send({ type: 'unchoke' });
        if (this.seeding?.active) this.announce(peer, this.seeding.peerUpdated(peer));
        this.serve(peer);
      } else if (!unchoke && !peer.amChoking) {
        peer.amChoking = true;
        this.seeding?.choked(peer.id);
        peer.send({ type: 'choke' });
        if (peer.fast) for (const r of peer.theirRequests) peer.send({ type: 'reject', ...r });
        peer.theirRequests.length = 0;
      }
    }
  }

  private tick(): void {
    const now = this.o.clock.now();
    if (now - this.lastChoke >= CHOKE_INTERVAL) this.rechoke();
    for (const peer of [...this.peers.values()]) {
      if (peer.backup) {
        // A web seed speaks only when asked; check whether it has gaps to fill.
        this.fillRequests(peer);
      } else if (now - peer.lastReceived > IDLE_TIMEOUT) {
        this.dropPeer(peer, 'silent for two minutes');
        continue;
      }
      if (now - peer.lastSent > KEEP_ALIVE) peer.send({ type: 'keepAlive' });
      let timedOut = false;
      for (const [key, r] of peer.requests) {
        if (now - r.at > this.o.requestTimeout) {
          this.cancelRequest(peer, key, r);
          this.picker?.requestCancelled(peer.id, r.index, r.begin);
          timedOut = true;
        }
      }
      if (timedOut) {
        for (const other of this.peers.values()) if (other !== peer) this.fillRequests(other);
      }
      if (!this.metainfo) this.metadata.requestFrom(peer);
    }
  }
}
