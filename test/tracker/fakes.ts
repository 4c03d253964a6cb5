/**
 * In-memory stand-ins for the tracker client's injected parts: a fake socket (the test plays the
 * tracker) and a fake signaling peer factory (the "SDP" is a string naming the peer; an offerer
 * and its answerer connect when the offerer gets the answer).
 */
import type { Clock } from '../../src/core/session/clock.js';
import type { AnswerDescription, OfferDescription } from '../../src/core/tracker/messages.js';
import type { PeerFactory, SignalingPeer, SocketLike } from '../../src/core/tracker/types.js';

export type Sent = Record<string, unknown>;

/** A socket whose far end is the test. */
export class FakeSocket implements SocketLike {
  readonly sent: Sent[] = [];
  closedByClient = false;
  isOpen = false;
  onopen: (() => void) | undefined;
  onmessage: ((text: string) => void) | undefined;
  onclose: (() => void) | undefined;
  onerror: ((message: string) => void) | undefined;

  constructor(readonly url: string) {}

  send(text: string): void {
    if (!this.isOpen) throw new Error('not open');
    this.sent.push(JSON.parse(text) as Sent);
  }

  close(): void {
    this.closedByClient = true;
    this.isOpen = false;
  }

  /** The server accepts the connection. */
  open(): void {
    this.isOpen = true;
    this.onopen?.();
  }

  /** The server sends a message (an object is JSON-encoded). */
  receive(msg: Sent | string): void {
    this.onmessage?.(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The server (or the network) closes the connection. */
  drop(): void {
    this.isOpen = false;
    this.onclose?.();
  }

  announces(): Sent[] {
    return this.sent.filter((m) => m['action'] === 'announce' && m['answer'] === undefined);
  }

  answers(): Sent[] {
    return this.sent.filter((m) => m['answer'] !== undefined);
  }
}

export type SocketBehaviour = 'manual' | 'open' | 'refuse';

/** A connector that records every socket; `behaviour(url)` says what the "server" does. */
export class FakeNet {
  readonly sockets: FakeSocket[] = [];
  readonly connectTimes: number[] = [];

  constructor(
    private readonly clock: Clock,
    public behaviour: (url: string) => SocketBehaviour = () => 'open',
  ) {}

  readonly connect = (url: string): SocketLike => {
    const s = new FakeSocket(url);
    this.sockets.push(s);
    this.connectTimes.push(this.clock.now());
    const b = this.behaviour(url);
    if (b === 'open') this.clock.setTimeout(() => s.open(), 0);
    if (b === 'refuse') this.clock.setTimeout(() => s.drop(), 0);
    return s;
  };

  for(url: string): FakeSocket[] {
    return this.sockets.filter((s) => s.url === url);
  }

  last(url?: string): FakeSocket {
    const list = url === undefined ? this.sockets : this.for(url);
    const s = list[list.length - 1];
    if (!s) throw new Error('no socket');
    return s;
  }
}

export class FakePeer implements SignalingPeer {
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  destroyed = false;
  isConnected = false;
  partner: FakePeer | undefined;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: Error) => void;
  private resolveClosed!: () => void;

  constructor(
    readonly id: string,
    private readonly registry: FakeRegistry,
  ) {
    this.connected = new Promise<void>((res, rej) => {
      this.resolveConnected = res;
      this.rejectConnected = rej;
    });
    this.connected.catch(() => undefined);
    this.closed = new Promise<void>((res) => (this.resolveClosed = res));
  }

  signal(answer: AnswerDescription): void {
    const [kind, answererId, offerId] = answer.sdp.split(':');
    if (kind !== 'answer' || offerId !== this.id) throw new Error('answer to another offer');
    const answerer = this.registry.peers.get(answererId ?? '');
    if (!answerer || answerer.destroyed || this.destroyed) return;
    this.partner = answerer;
    answerer.partner = this;
    if (this.registry.autoConnect) queueMicrotask(() => this.link());
  }

  /** Completes the connection with the partner (both ends). */
  link(): void {
    const other = this.partner;
    if (!other || this.destroyed || other.destroyed) return;
    this.isConnected = other.isConnected = true;
    this.resolveConnected();
    other.resolveConnected();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.rejectConnected(new Error('destroyed'));
    this.resolveClosed();
    this.partner?.destroy();
  }

  /** The connection fails by itself before opening (as ICE failing does): `connected` rejects with `reason`. */
  fail(reason: string): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.rejectConnected(new Error(reason));
    this.resolveClosed();
  }

  /** Closes by itself before opening, without a reason (`closed` resolves, `connected` never settles). */
  vanish(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.resolveClosed();
  }
}

/** Shared by every factory of one test, so that peers of different clients can find each other. */
export class FakeRegistry {
  readonly peers = new Map<string, FakePeer>();
  autoConnect = true;
}

export class FakeFactory implements PeerFactory<FakePeer> {
  private n = 0;
  readonly made: FakePeer[] = [];
  failOffers = false;

  constructor(
    readonly name: string,
    readonly registry: FakeRegistry = new FakeRegistry(),
  ) {}

  async createOffer(): Promise<{ offer: OfferDescription; peer: FakePeer }> {
    if (this.failOffers) throw new Error('no WebRTC today');
    const peer = this.make();
    return { offer: { type: 'offer', sdp: `offer:${peer.id}` }, peer };
  }

  async acceptOffer(offer: OfferDescription): Promise<{ answer: AnswerDescription; peer: FakePeer }> {
    const [kind, offerId] = offer.sdp.split(':');
    if (kind !== 'offer' || offerId === undefined) throw new Error('not an offer');
    const peer = this.make();
    return { answer: { type: 'answer', sdp: `answer:${peer.id}:${offerId}` }, peer };
  }

  live(): FakePeer[] {
    return this.made.filter((p) => !p.destroyed);
  }

  private make(): FakePeer {
    const peer = new FakePeer(`${this.name}${this.n++}`, this.registry);
    this.registry.peers.set(peer.id, peer);
    this.made.push(peer);
    return peer;
  }
}

/** A 20-char binary string made of one repeated char code (for readable test ids). */
export function bid(code: number): string {
  return String.fromCharCode(code).repeat(20);
}

export function bytesOf(binary: string): Uint8Array {
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
