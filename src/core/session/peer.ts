/**
 * One connected peer: its wire decoder, the protocol state of both sides, our outstanding requests
 * to it and its requests to us, and the outgoing queue that coalesces messages into larger sends.
 * No I/O of its own beyond `channel.send`, and no awaits: the session drives it.
 */
import type { PeerChannel } from './channel.js';
import type { Clock } from './clock.js';
import { RateMeter } from './rate.js';
import { BitField, WireDecoder, encodeHandshake, encodeMessage, type WireEvent, type WireMessage } from '../wire/index.js';

/** Coalesce outgoing messages into sends of about this size (the data channel favours 64 KiB). */
const SEND_CHUNK = 64 * 1024;

export interface PeerOptions {
  id: string;
  channel: PeerChannel;
  clock: Clock;
  onEvent: (peer: Peer, event: WireEvent) => void;
  onError: (peer: Peer, error: Error) => void;
}

export class Peer {
  readonly id: string;
  readonly channel: PeerChannel;
  readonly connectedAt: number;
  /** What the remote peer told us in its handshake. */
  remotePeerId: Uint8Array | undefined;
  handshaken = false;
  fast = false;
  extended = false;
  /** The peer's extension ids (BEP 10 `m`), by name. */
  extensions: Record<string, number> = {};
  clientName: string | undefined;
  metadataSize: number | undefined;
  /** How many requests the peer accepts in its queue (BEP 10 `reqq`). */
  maxRequests = 250;

  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;

  /** Pieces the peer has; sized once the piece count is known. */
  have: BitField | undefined;
  /** "have" messages that came before we knew the piece count (magnet links). */
  pendingHaves: number[] = [];
  /** A bitfield that came before we knew the piece count. */
  pendingBitfield: Uint8Array | undefined;
  haveAll = false;

  /** The peer's requests to us, in arrival order. */
  readonly theirRequests: { index: number; begin: number; length: number }[] = [];

  readonly downloaded: RateMeter;
  readonly uploaded: RateMeter;
  lastReceived: number;
  lastSent: number;
  /** Requests we refused (we choke it, or lack the piece): a flood of them gets it dropped. */
  refusedRequests = 0;
  closed = false;
  /** A web seed: asked only for what other peers cannot give (see TorrentSession.addPeer). */
  backup = false;

  private readonly decoder = new WireDecoder();
  private readonly clock: Clock;
  private readonly onEvent: PeerOptions['onEvent'];
  private readonly onError: PeerOptions['onError'];
  private queue: Uint8Array[] = [];
  private queued = 0;
  private flushScheduled = false;

  constructor(o: PeerOptions) {
    this.id = o.id;
    this.channel = o.channel;
    this.clock = o.clock;
    this.onEvent = o.onEvent;
    this.onError = o.onError;
    const now = () => this.clock.now();
    this.downloaded = new RateMeter(now);
    this.uploaded = new RateMeter(now);
    this.connectedAt = this.lastReceived = this.lastSent = this.clock.now();
    o.channel.onData = (chunk) => this.receive(chunk);
  }

  sendHandshake(infoHash: Uint8Array, peerId: Uint8Array): void {
    this.enqueue(encodeHandshake({ infoHash, peerId, extensions: { extended: true, fast: true } }));
  }

  send(message: WireMessage): void {
    if (this.closed) return;
    this.enqueue(encodeMessage(message));
  }

  private enqueue(bytes: Uint8Array): void {
    this.queue.push(bytes);
    this.queued += bytes.length;
    this.lastSent = this.clock.now();
    if (this.queued >= SEND_CHUNK) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      void Promise.resolve().then(() => this.flush());
    }
  }

  /** Sends what is queued, as few channel messages of up to SEND_CHUNK bytes as it takes. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.queue.length === 0) return;
    const parts = this.queue;
    this.queue = [];
    this.queued = 0;
    let batch: Uint8Array[] = [];
    let size = 0;
    const emit = () => {
      if (batch.length === 1) this.channel.send(batch[0]!);
      else if (batch.length > 1) {
        const out = new Uint8Array(size);
        let o = 0;
        for (const b of batch) {
          out.set(b, o);
          o += b.length;
        }
        this.channel.send(out);
      }
      batch = [];
      size = 0;
    };
    for (const p of parts) {
      if (size > 0 && size + p.length > SEND_CHUNK) emit();
      batch.push(p);
      size += p.length;
    }
    emit();
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastReceived = this.clock.now();
    let events: WireEvent[];
    try {
      events = this.decoder.push(chunk);
    } catch (e) {
      this.onError(this, e instanceof Error ? e : new Error(String(e)));
      return;
    }
    for (const event of events) {
      if (this.closed) return;
      this.onEvent(this, event);
    }
  }

  /** Bytes per second we upload to the peer. */
  uploadRate(): number {
    return this.uploaded.rate();
  }

  hasPiece(index: number): boolean {
    return this.haveAll || (this.have?.get(index) ?? false);
  }

  /** The request's key in `requests`. */
  static key(index: number, begin: number): string {
    return `${index}:${begin}`;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.channel.close();
  }
}
