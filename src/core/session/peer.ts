/**
 * One connection's state machine: the handshake, choking and interest on both sides, what the peer
 * has (a bitfield, `have`s and BEP 6 have-all, kept until the piece count is known for a magnet
 * link), its extension handshake, the queue of its requests to us with its limits, and the send
 * queue. Its state is read-only outside: the peer reports what the session must act on as
 * `PeerEvent`s (availability changes, blocks, requests, protocol violations), and the session
 * changes our side through methods that also send the messages. No awaits, no I/O beyond the channel.
 */
import { errorMessage } from '../errors.js';
import type { BlockRef } from '../geometry.js';
import type { PeerChannel } from './channel.js';
import type { Clock } from './clock.js';
import { RateMeter } from './rate.js';
import { SendQueue } from './send-queue.js';
import { PeerPieces, type Availability, type PiecesChange } from './peer-pieces.js';
import {
  BitField,
  WireDecoder,
  decodeExtendedHandshake,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  type ExtendedHandshake,
  type WireEvent,
  type WireMessage,
} from '../wire/index.js';

export type { BlockRef } from '../geometry.js';
/** The BEP 52 messages. */
export type HashMessage = Extract<WireMessage, { type: 'hashRequest' | 'hashes' | 'hashReject' }>;

/** Requests we queue per peer (our BEP 10 `reqq`), and the most we keep outstanding at a peer whatever its `reqq`. */
export const REQQ = 250;
/** Requests a peer may queue at us at once (twice what we advertise), and requests we may refuse (choked, or pieces we lack). */
export const MAX_QUEUED_REQUESTS = 2 * REQQ;
const MAX_REFUSED_REQUESTS = 1000;
/** Extended handshakes a peer may send (BEP 10 allows more than one: when what it says changes). */
const MAX_EXTENDED_HANDSHAKES = 32;

/** What a peer reports to its session. */
export type PeerEvent =
  | { type: 'handshake'; infoHash: Uint8Array; peerId: Uint8Array }
  | { type: 'choke' | 'unchoke' | 'interested' | 'notInterested' | 'extendedHandshake' }
  /** What it has changed (see `Availability`). */
  | ({ type: 'availability' } & Availability)
  | ({ type: 'request' } & BlockRef)
  | ({ type: 'reject' } & BlockRef)
  | { type: 'block'; index: number; begin: number; block: Uint8Array }
  | { type: 'extended'; extId: number; payload: Uint8Array }
  /** BEP 52 hash request, hashes or hash reject (only when both sides set the v2 bit). */
  | { type: 'hash'; message: HashMessage }
  /** It broke the protocol: drop it, saying `reason`. */
  | { type: 'violation'; reason: string };

export interface PeerOptions {
  id: string;
  channel: PeerChannel;
  clock: Clock;
  /** Known (a .torrent, or metadata already fetched); otherwise see `setPieceCount`. */
  pieceCount?: number;
  /** A web seed: asked only for what other peers cannot give (see TorrentSession.addPeer). */
  backup?: boolean;
  onEvent: (peer: Peer, event: PeerEvent) => void;
}

export class Peer {
  readonly id: string;
  readonly channel: PeerChannel;
  readonly connectedAt: number;
  readonly backup: boolean;
  readonly downloaded: RateMeter;
  readonly uploaded: RateMeter;
  /** Where the session last found a piece it wants from the peer: its next interest check starts there. */
  interestHint = 0;

  private handshakeDone = false;
  private remoteId: Uint8Array | undefined;
  private fastExt = false;
  private extendedExt = false;
  private v2Ext = false;
  private sentV2 = false;
  private ext: Record<string, number> = {};
  private client: string | undefined;
  private metadataBytes: number | undefined;
  private reqq = REQQ;
  private weChoke = true;
  private weWant = false;
  private theyChoke = true;
  private theyWant = false;
  private readonly pieces: PeerPieces;
  private readonly queue: BlockRef[] = [];
  private refused = 0;
  private extendedHandshakes = 0;
  private lastIn: number;
  private lastOut: number;
  private isClosed = false;
  private readonly decoder = new WireDecoder();
  private readonly out: SendQueue;
  private readonly clock: Clock;
  private readonly report: PeerOptions['onEvent'];

  constructor(o: PeerOptions) {
    this.id = o.id;
    this.channel = o.channel;
    this.clock = o.clock;
    this.backup = o.backup === true;
    this.pieces = new PeerPieces(o.pieceCount);
    this.report = o.onEvent;
    this.out = new SendQueue(o.channel);
    const now = (): number => this.clock.now();
    this.downloaded = new RateMeter(now);
    this.uploaded = new RateMeter(now);
    this.connectedAt = this.lastIn = this.lastOut = now();
    o.channel.onData = (chunk) => this.receive(chunk);
  }

  // ---- what the session reads ----------------------------------------------------------------

  get handshaken(): boolean {
    return this.handshakeDone;
  }
  /** The peer id it sent in its handshake. */
  get remotePeerId(): Uint8Array | undefined {
    return this.remoteId;
  }
  /** Both sides support the Fast Extension (BEP 6). */
  get fast(): boolean {
    return this.fastExt;
  }
  /** Both sides set the BitTorrent v2 bit (BEP 52): hash messages may be exchanged. */
  get v2(): boolean {
    return this.v2Ext && this.sentV2;
  }
  /** It supports the extension protocol (BEP 10). */
  get extended(): boolean {
    return this.extendedExt;
  }
  /** Its extension ids (BEP 10 `m`), by name. */
  get extensions(): Readonly<Record<string, number>> {
    return this.ext;
  }
  get clientName(): string | undefined {
    return this.client;
  }
  /** The size of the info dictionary it offers (BEP 9), if it said. */
  get metadataSize(): number | undefined {
    return this.metadataBytes;
  }
  /** How many of our requests it queues (BEP 10 `reqq`, at most REQQ). */
  get maxRequests(): number {
    return this.reqq;
  }
  get amChoking(): boolean {
    return this.weChoke;
  }
  get amInterested(): boolean {
    return this.weWant;
  }
  get peerChoking(): boolean {
    return this.theyChoke;
  }
  get peerInterested(): boolean {
    return this.theyWant;
  }
  /** What it said it has: every piece (have-all, BEP 6), some (known, or awaiting the piece count), none. */
  announced(): 'all' | 'some' | 'none' {
    return this.pieces.summary();
  }
  /** Pieces it has, once the piece count is known and it said (undefined for have-all). */
  get have(): BitField | undefined {
    return this.pieces.have;
  }
  /** Its requests to us waiting to be served, in arrival order. */
  get queuedRequests(): readonly BlockRef[] {
    return this.queue;
  }
  get lastReceived(): number {
    return this.lastIn;
  }
  get lastSent(): number {
    return this.lastOut;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  hasPiece(index: number): boolean {
    return this.pieces.has(index);
  }
  /** Pieces it suggested we ask for (BEP 6 `suggest`; recent ones, those it has read, say). */
  get suggested(): ReadonlySet<number> | undefined {
    return this.pieces.suggested;
  }

  /** How many pieces it has (once the piece count is known). */
  piecesHeld(): number {
    return this.pieces.held();
  }

  /** Bytes per second we upload to the peer. */
  uploadRate(): number {
    return this.uploaded.rate();
  }

  // ---- what the session does -----------------------------------------------------------------

  /** `v2`: we set the BitTorrent v2 bit (BEP 52). */
  sendHandshake(infoHash: Uint8Array, peerId: Uint8Array, v2 = false): void {
    this.sentV2 = v2;
    this.push(encodeHandshake({ infoHash, peerId, extensions: { extended: true, fast: true, v2 } }));
  }

  /** Our answer to its handshake: what we have (BEP 6 have-all / have-none, else a bitfield), then our BEP 10 handshake. */
  greet(have: 'all' | 'none' | Uint8Array, extended: ExtendedHandshake): void {
    if (have instanceof Uint8Array) this.send({ type: 'bitfield', bits: have });
    else if (this.fastExt) this.send({ type: have === 'all' ? 'haveAll' : 'haveNone' });
    this.sendExtendedHandshake(extended);
  }

  /** Sends our extended handshake if it speaks BEP 10; again when what it says changed (BEP 10 allows it). */
  sendExtendedHandshake(extended: ExtendedHandshake): void {
    if (this.extendedExt) this.send({ type: 'extended', extId: 0, payload: encodeExtendedHandshake(extended) });
  }

  send(message: WireMessage): void {
    if (this.isClosed) return;
    if (message.type !== 'piece') return this.push(encodeMessage(message));
    // Header and block apart: the send queue copies the block once, into the send it leaves in.
    this.push(encodePieceHeader(message.index, message.begin, message.block.length));
    this.push(message.block);
  }

  /** Sends what is queued now rather than at the end of the task. */
  flush(): void {
    this.out.flush();
  }

  choke(): void {
    if (this.weChoke) return;
    this.weChoke = true;
    this.send({ type: 'choke' });
    // With the Fast Extension a choke does not discard its requests: each is rejected.
    if (this.fastExt) for (const r of this.queue) this.send({ type: 'reject', ...r });
    this.queue.length = 0;
  }

  unchoke(): void {
    if (!this.weChoke) return;
    this.weChoke = false;
    this.send({ type: 'unchoke' });
  }

  /** Answers a hash request we cannot serve with a hash reject (BEP 52: every request is answered). */
  refuseHash(m: HashMessage): void {
    if (m.type === 'hashRequest') this.send({ ...m, type: 'hashReject' });
  }

  /** Says whether we want its pieces (only when that changes). */
  setInterested(want: boolean): void {
    if (want === this.weWant) return;
    this.weWant = want;
    this.send({ type: want ? 'interested' : 'notInterested' });
  }

  /** Queues its valid request to be served; false when its queue is full (a flood: drop it). */
  queueRequest(r: BlockRef): boolean {
    if (this.queue.length >= MAX_QUEUED_REQUESTS) return false;
    this.queue.push({ index: r.index, begin: r.begin, length: r.length });
    return true;
  }

  /** Refuses a request we cannot serve (rejected with the Fast Extension); false after a flood of them. */
  refuseRequest(r: BlockRef): boolean {
    // A few are normal (sent before our choke arrived); thousands are a flood.
    if (++this.refused > MAX_REFUSED_REQUESTS) return false;
    if (this.fastExt) this.send({ type: 'reject', index: r.index, begin: r.begin, length: r.length });
    return true;
  }

  /** The next request to serve. */
  nextRequest(): BlockRef | undefined {
    return this.queue.shift();
  }

  /** The metadata is known: what it announced before is counted now (reported as availability). */
  setPieceCount(count: number): void {
    this.reportPieces(this.pieces.setPieceCount(count));
  }

  close(): void {
    if (this.isClosed) return;
    this.out.close();
    this.isClosed = true;
    this.channel.close();
  }

  // ---- what the peer sent --------------------------------------------------------------------

  private push(bytes: Uint8Array): void {
    this.lastOut = this.clock.now();
    this.out.push(bytes);
  }

  private receive(chunk: Uint8Array): void {
    if (this.isClosed) return;
    this.lastIn = this.clock.now();
    let events: WireEvent[];
    try {
      events = this.decoder.push(chunk);
    } catch (e) {
      return this.violation(`protocol error: ${errorMessage(e)}`);
    }
    for (const event of events) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the session may have closed it while handling the previous event
      if (this.isClosed) return;
      this.onWire(event);
    }
  }

  private violation(reason: string): void {
    this.report(this, { type: 'violation', reason });
  }

  private onWire(e: WireEvent): void {
    if (e.type === 'handshake') {
      if (this.handshakeDone) return this.violation('a second handshake');
      this.handshakeDone = true;
      this.remoteId = e.peerId;
      this.fastExt = e.extensions.fast;
      this.extendedExt = e.extensions.extended;
      this.v2Ext = e.extensions.v2 === true;
      return this.report(this, { type: 'handshake', infoHash: e.infoHash, peerId: e.peerId });
    }
    if (!this.handshakeDone) return this.violation('message before the handshake');
    switch (e.type) {
      case 'choke':
        this.theyChoke = true;
        return this.report(this, { type: 'choke' });
      case 'unchoke':
        this.theyChoke = false;
        return this.report(this, { type: 'unchoke' });
      case 'interested':
      case 'notInterested':
        this.theyWant = e.type === 'interested';
        return this.report(this, { type: e.type });
      case 'have':
        return this.reportPieces(this.pieces.announced(e.index));
      case 'bitfield':
        return this.reportPieces(this.pieces.bitfield(e.bits));
      case 'haveAll':
      case 'haveNone':
        if (!this.fastExt) return this.violation(`${e.type} without the Fast Extension`);
        return this.reportPieces(e.type === 'haveAll' ? this.pieces.haveAllPieces() : {});
      case 'suggest':
        return this.pieces.suggest(e.index);
      case 'request':
        return this.report(this, { type: 'request', index: e.index, begin: e.begin, length: e.length });
      case 'cancel': {
        const i = this.queue.findIndex((r) => r.index === e.index && r.begin === e.begin && r.length === e.length);
        if (i >= 0) this.queue.splice(i, 1);
        return;
      }
      case 'piece':
        return this.report(this, { type: 'block', index: e.index, begin: e.begin, block: e.block });
      case 'reject':
        if (!this.fastExt) return this.violation('reject without the Fast Extension');
        return this.report(this, { type: 'reject', index: e.index, begin: e.begin, length: e.length });
      case 'hashRequest':
      case 'hashes':
      case 'hashReject':
        return this.v2 ? this.report(this, { type: 'hash', message: e }) : this.violation(`a BEP 52 ${e.type} message without the v2 bit on both sides`);
      case 'extended':
        return e.extId === 0 ? this.onExtendedHandshake(e.payload) : this.report(this, { type: 'extended', extId: e.extId, payload: e.payload });
      default:
        // keep-alive, port, allowed fast and unknown ids carry nothing we need.
        return;
    }
  }

  private reportPieces(change: PiecesChange): void {
    if (typeof change === 'string') this.violation(change);
    else if (change) this.report(this, { type: 'availability', ...change });
  }

  private onExtendedHandshake(payload: Uint8Array): void {
    if (++this.extendedHandshakes > MAX_EXTENDED_HANDSHAKES) return this.violation(`more than ${MAX_EXTENDED_HANDSHAKES} extended handshakes`);
    let hs;
    try {
      hs = decodeExtendedHandshake(payload);
    } catch (e) {
      return this.violation(`bad extended handshake: ${errorMessage(e)}`);
    }
    this.ext = { ...this.ext, ...hs.m };
    if (hs.v !== undefined) this.client = hs.v;
    if (hs.reqq !== undefined && hs.reqq > 0) this.reqq = Math.min(hs.reqq, REQQ);
    if (hs.metadata_size !== undefined) this.metadataBytes = hs.metadata_size;
    this.report(this, { type: 'extendedHandshake' });
  }
}
