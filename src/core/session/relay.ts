/**
 * Signaling relayed through peers (`ts_signal`, docs/peer-exchange.md). To connect to a peer heard
 * of by peer exchange, we send our offer to a peer connected to both (the relay), which forwards it
 * once and forwards the answer back; as a relay we do that for others. Every path is bounded:
 * message size (the codec), offers in flight per peer and per relay, messages per second per peer,
 * only to peers the relay holds; a relay that lies (an answer from another peer than asked, a
 * connection to another peer than it said), floods, or forwards what are not offers is dropped.
 * The lower peer id offers, so two peers never offer to each other; the session's caps hold on
 * both ends. Deadlines are checked on the session's one-second tick.
 */
import type { Peer } from './peer.js';
import type { PeerChannel } from './channel.js';
import type { ConnectAttempt, PeerConnector } from './connector.js';
import { decodeSignalMessage, encodeSignalMessage, SIGNAL_EXTENSION, type SignalMessage } from '../wire/index.js';
import { errorMessage } from '../errors.js';
import { bytesEqual, fromHex, toHex } from '../bytes.js';

/** Our extension id for incoming ts_signal messages. */
export const SIGNAL_ID = 4;
/** Our offers through relays in flight at once, and through one relay. */
export const MAX_OFFERS_IN_FLIGHT = 4;
export const MAX_OFFERS_PER_RELAY = 2;
/** Offers we forward as a relay: in flight from one peer (more is a violation), and in all (more are refused). */
export const MAX_RELAYED_PER_PEER = 4;
export const MAX_RELAYED = 32;
/** Relayed offers we answer at once. */
export const MAX_ANSWERING = 8;
/** An offer unanswered this long is given up (a relay gives up earlier, and says so). */
export const SIGNAL_TIMEOUT = 20_000;
const RELAY_TIMEOUT = 15_000;
/** An answered attempt must connect within this long. */
export const CONNECT_TIMEOUT = 20_000;
/** ts_signal messages a peer may send at once; then one per SIGNAL_REFILL ms. */
export const SIGNAL_BURST = 32;
const SIGNAL_REFILL = 500;
/** A peer not reached is tried again after this long, doubled each time up to RETRY_MAX. */
const RETRY = 5_000;
const RETRY_MAX = 300_000;
/** Offers through one relay in a row that went unanswered or to peers it does not hold: then it is dropped. */
export const MAX_RELAY_FAILURES = 6;
/** Offers a relay forwarded that the connector refused, in a row: then it is dropped. */
export const MAX_BAD_OFFERS = 3;
/** New attempts per tick at most. */
const STARTS_PER_TICK = 2;

/** The attempt id of a forwarded offer's key (`<origin hex>/<id>`). */
function idOf(key: string): number {
  return Number(key.slice(key.indexOf('/') + 1));
}

export interface RelayHost {
  peerId: Uint8Array;
  connector: PeerConnector | undefined;
  now(): number;
  random(): number;
  peers(): readonly Peer[];
  peer(id: string): Peer | undefined;
  wantsPeers(): boolean;
  banned(peerId: string): boolean;
  /** Peer ids heard of by peer exchange, each with the connections that hold it. */
  candidates(): Map<string, string[]>;
  add(channel: PeerChannel, id: string): Peer | undefined;
  drop(peer: Peer, reason: string): void;
}

interface Attempt {
  /** The other end (hex peer id) and the relay's connection id. */
  peer: string;
  relay: string;
  attempt?: ConnectAttempt;
  deadline: number;
  /** Answered (ours) or answer sent (theirs): waiting for the connection. */
  answered: boolean;
}

interface Forwarded {
  origin: string;
  target: string;
  deadline: number;
}

export class RelayedSignaling {
  /** Connections made through relays. */
  connected = 0;
  private readonly self: string;
  private nextId: number;
  private readonly outgoing = new Map<number, Attempt>();
  private readonly incoming = new Map<string, Attempt>();
  private readonly forwarded = new Map<string, Forwarded>();
  /** Relayed connections not handshaken yet: the peer id the relay promised, and the relay. */
  private readonly expected = new Map<string, { peer: string; relay: string }>();
  private readonly retry = new Map<string, { delay: number; at: number }>();
  private readonly failures = new Map<string, number>();
  private readonly badOffers = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly host: RelayHost) {
    this.self = toHex(host.peerId);
    this.nextId = Math.floor(host.random() * 2 ** 30);
  }

  /** Relayed signaling is offered only with a connector (a relay must be able to connect too). */
  get enabled(): boolean {
    return this.host.connector !== undefined;
  }

  // ---- the tick: deadlines, and new attempts -------------------------------------------------

  tick(): void {
    const now = this.host.now();
    for (const [key, f] of this.forwarded) {
      if (now < f.deadline) continue;
      this.forwarded.delete(key);
      const origin = this.host.peer(f.origin);
      const target = this.host.peer(f.target);
      if (origin && target?.remotePeerId) this.send(origin, { type: 'reject', id: idOf(key), from: target.remotePeerId, reason: 'no answer' });
    }
    // An offer the relay neither answered nor refused in time is its failure; a connection that did not open is not.
    for (const [id, a] of this.outgoing) if (now >= a.deadline) this.failOut(id, !a.answered);
    for (const [id, r] of this.retry) if (now >= r.at + RETRY_MAX) this.retry.delete(id);
    for (const [peer, a] of this.incoming) if (now >= a.deadline) this.failIn(peer);
    this.start(now);
  }

  private start(now: number): void {
    const connector = this.host.connector;
    if (!connector || !this.host.wantsPeers()) return;
    const busy = new Map<string, number>();
    for (const a of this.outgoing.values()) busy.set(a.relay, (busy.get(a.relay) ?? 0) + 1);
    const targets = new Set([...this.outgoing.values()].map((a) => a.peer));
    const connected = this.connectedIds();
    const candidates = [...this.host.candidates()].filter(
      ([id]) =>
        id > this.self && !connected.has(id) && !targets.has(id) && !this.incoming.has(id) && !this.host.banned(id) && now >= (this.retry.get(id)?.at ?? 0),
    );
    let started = 0;
    while (candidates.length > 0 && started < STARTS_PER_TICK && this.outgoing.size < MAX_OFFERS_IN_FLIGHT && connector.canConnect()) {
      const [target, via] = candidates.splice(Math.floor(this.host.random() * candidates.length), 1)[0]!;
      const relays = via.filter((r) => (busy.get(r) ?? 0) < MAX_OFFERS_PER_RELAY && this.host.peer(r)?.extensions[SIGNAL_EXTENSION]);
      if (relays.length === 0) continue;
      const relay = relays[Math.floor(this.host.random() * relays.length)]!;
      busy.set(relay, (busy.get(relay) ?? 0) + 1);
      started++;
      this.offer(connector, target, relay, now);
    }
  }

  private offer(connector: PeerConnector, target: string, relay: string, now: number): void {
    const id = this.nextId++ % 2 ** 31;
    const a: Attempt = { peer: target, relay, deadline: now + SIGNAL_TIMEOUT, answered: false };
    this.outgoing.set(id, a);
    connector.offer().then(
      (attempt) => {
        const r = this.host.peer(relay);
        if (this.outgoing.get(id) !== a || !r) {
          attempt.cancel();
          this.failOut(id, false);
          return;
        }
        a.attempt = attempt;
        this.send(r, { type: 'offer', id, to: fromHex(target)!, sdp: attempt.sdp });
      },
      () => this.failOut(id, false),
    );
  }

  // ---- messages ------------------------------------------------------------------------------

  /** A ts_signal message from `peer`. Returns a violation, if any. */
  onMessage(peer: Peer, payload: Uint8Array): string | undefined {
    const now = this.host.now();
    const b = this.buckets.get(peer.id) ?? { tokens: SIGNAL_BURST, at: now };
    b.tokens = Math.min(SIGNAL_BURST, b.tokens + (now - b.at) / SIGNAL_REFILL);
    b.at = now;
    this.buckets.set(peer.id, b);
    if (b.tokens < 1) return 'ts_signal messages too often';
    b.tokens--;
    let msg: SignalMessage;
    try {
      msg = decodeSignalMessage(payload);
    } catch (e) {
      return `bad ts_signal message: ${errorMessage(e)}`;
    }
    if (msg.to) return msg.type === 'offer' ? this.relayOffer(peer, msg, msg.to, now) : this.relayBack(peer, msg, msg.to);
    if (msg.type === 'offer') return this.offered(peer, msg, msg.from, msg.sdp ?? '');
    return this.answered(peer, msg, msg.from);
  }

  /** As a relay: `origin` offers to a peer we hold. */
  private relayOffer(origin: Peer, msg: SignalMessage, to: Uint8Array, now: number): string | undefined {
    const from = origin.remotePeerId!;
    const key = `${toHex(from)}/${msg.id}`;
    if (this.forwarded.has(key)) return `reused ts_signal id ${msg.id}`;
    let inFlight = 0;
    for (const f of this.forwarded.values()) if (f.origin === origin.id) inFlight++;
    if (inFlight >= MAX_RELAYED_PER_PEER) return `more than ${MAX_RELAYED_PER_PEER} offers in flight through us`;
    const hex = toHex(to);
    const target = this.host.peers().find((p) => p !== origin && p.handshaken && !p.closed && p.remotePeerId && toHex(p.remotePeerId) === hex);
    const refuse = !target || !target.extensions[SIGNAL_EXTENSION] ? 'not connected' : this.forwarded.size >= MAX_RELAYED ? 'busy' : undefined;
    if (refuse || !target) {
      this.send(origin, { type: 'reject', id: msg.id, from: to, reason: refuse });
      return undefined;
    }
    this.forwarded.set(key, { origin: origin.id, target: target.id, deadline: now + RELAY_TIMEOUT });
    this.send(target, { type: 'offer', id: msg.id, from, sdp: msg.sdp });
    return undefined;
  }

  /** As a relay: the target answers (or refuses) an offer we forwarded to it. */
  private relayBack(target: Peer, msg: SignalMessage, to: Uint8Array): string | undefined {
    const key = `${toHex(to)}/${msg.id}`;
    const f = this.forwarded.get(key);
    // An answer to nothing we forwarded to it (a late one, or a lie): ignored.
    if (f?.target !== target.id) return undefined;
    this.forwarded.delete(key);
    const origin = this.host.peer(f.origin);
    if (origin) this.send(origin, { type: msg.type, id: msg.id, from: target.remotePeerId!, sdp: msg.sdp, reason: msg.reason });
    return undefined;
  }

  /** A relay forwards an offer to us from the peer `from`. */
  private offered(relay: Peer, msg: SignalMessage, from: Uint8Array, sdp: string): string | undefined {
    const peer = toHex(from);
    if (peer === this.self) return 'relayed an offer from ourselves';
    const connector = this.host.connector;
    const ours = [...this.outgoing].find(([, a]) => a.peer === peer);
    // Both offered (each heard of the other): the lower peer id's offer wins.
    if (ours && peer < this.self) this.failOut(ours[0], false);
    const refuse = !connector
      ? 'cannot connect'
      : !this.host.wantsPeers() || !connector.canConnect()
        ? 'full'
        : this.connectedIds().has(peer) || this.incoming.has(peer) || (ours && peer > this.self)
          ? 'already connected'
          : this.host.banned(peer)
            ? 'banned'
            : this.incoming.size >= MAX_ANSWERING
              ? 'busy'
              : undefined;
    if (refuse || !connector) {
      this.send(relay, { type: 'reject', id: msg.id, to: from, reason: refuse });
      return undefined;
    }
    const a: Attempt = { peer, relay: relay.id, deadline: this.host.now() + SIGNAL_TIMEOUT, answered: false };
    this.incoming.set(peer, a);
    connector.accept(sdp).then(
      (attempt) => {
        const r = this.host.peer(relay.id);
        if (this.incoming.get(peer) !== a || !r) return attempt.cancel();
        a.attempt = attempt;
        a.answered = true;
        a.deadline = this.host.now() + CONNECT_TIMEOUT;
        this.badOffers.delete(relay.id);
        this.send(r, { type: 'answer', id: msg.id, to: from, sdp: attempt.sdp });
        this.watch(attempt, a, () => this.incoming.get(peer) === a && this.incoming.delete(peer));
      },
      (e: unknown) => {
        if (this.incoming.get(peer) === a) this.incoming.delete(peer);
        const r = this.host.peer(relay.id);
        if (!r) return;
        this.send(r, { type: 'reject', id: msg.id, to: from, reason: 'bad offer' });
        const bad = (this.badOffers.get(relay.id) ?? 0) + 1;
        this.badOffers.set(relay.id, bad);
        if (bad >= MAX_BAD_OFFERS) this.host.drop(r, `relayed ${bad} offers that could not be answered (${errorMessage(e)})`);
      },
    );
    return undefined;
  }

  /** The relay brings the answer (or refusal) to one of our offers. */
  private answered(relay: Peer, msg: SignalMessage, from: Uint8Array): string | undefined {
    const a = this.outgoing.get(msg.id);
    if (a?.relay !== relay.id || a.answered) return undefined;
    if (toHex(from) !== a.peer) return 'relayed an answer from another peer than the one offered to';
    if (msg.type === 'reject') {
      this.failOut(msg.id, msg.reason === 'not connected');
      return undefined;
    }
    const attempt = a.attempt;
    if (!attempt) return undefined;
    a.answered = true;
    a.deadline = this.host.now() + CONNECT_TIMEOUT;
    this.failures.delete(relay.id);
    try {
      attempt.answer(msg.sdp ?? '');
    } catch {
      this.failOut(msg.id, true);
      return undefined;
    }
    this.watch(attempt, a, () => this.outgoing.get(msg.id) === a && this.outgoing.delete(msg.id));
    return undefined;
  }

  /** Once the attempt's channel opens, the peer joins the session (unless connected meanwhile). */
  private watch(attempt: ConnectAttempt, a: Attempt, settle: () => boolean): void {
    attempt.channel.then(
      (channel) => {
        if (!settle() || this.connectedIds().has(a.peer)) return channel.close();
        // Its handshake may come at once: what to expect of it is set first.
        this.expected.set(a.peer, { peer: a.peer, relay: a.relay });
        if (!this.host.add(channel, a.peer)) return void this.expected.delete(a.peer);
        this.connected++;
        this.retry.delete(a.peer);
      },
      () => {
        if (settle()) this.backoff(a.peer);
      },
    );
  }

  /**
   * A connection's handshake: one made through a relay must come from the peer the relay named
   * (else both go), and a second connection to a peer is refused. Returns a violation, if any.
   */
  handshake(peer: Peer, peerId: Uint8Array): string | undefined {
    const hex = toHex(peerId);
    const e = this.expected.get(peer.id);
    this.expected.delete(peer.id);
    if (e && e.peer !== hex) {
      const relay = this.host.peer(e.relay);
      if (relay) this.host.drop(relay, 'relayed a connection to another peer than it said');
      return `not the peer ${e.peer.slice(0, 8)}… the relay named`;
    }
    // Compared as bytes: a hex string per peer per handshake was 3 % of a 10,000-peer simulation.
    for (const p of this.host.peers()) if (p !== peer && p.remotePeerId && bytesEqual(p.remotePeerId, peerId)) return 'a second connection to the same peer';
    return undefined;
  }

  gone(peer: Peer): void {
    for (const [key, f] of this.forwarded) {
      if (f.origin !== peer.id && f.target !== peer.id) continue;
      this.forwarded.delete(key);
      const origin = this.host.peer(f.origin);
      if (f.target === peer.id && origin && peer.remotePeerId) this.send(origin, { type: 'reject', id: idOf(key), from: peer.remotePeerId, reason: 'gone' });
    }
    for (const [id, a] of this.outgoing) if (a.relay === peer.id && !a.answered) this.failOut(id, false);
    for (const [p, a] of this.incoming) if (a.relay === peer.id && !a.answered) this.failIn(p);
    for (const m of [this.failures, this.badOffers, this.buckets, this.expected]) m.delete(peer.id);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private failOut(id: number, relayAtFault: boolean): void {
    const a = this.outgoing.get(id);
    if (!a) return;
    this.outgoing.delete(id);
    a.attempt?.cancel();
    this.backoff(a.peer);
    if (!relayAtFault) return;
    const n = (this.failures.get(a.relay) ?? 0) + 1;
    this.failures.set(a.relay, n);
    const relay = this.host.peer(a.relay);
    if (n >= MAX_RELAY_FAILURES && relay) this.host.drop(relay, `${n} offers through it in a row went unanswered or to peers it does not hold`);
  }

  private failIn(peer: string): void {
    const a = this.incoming.get(peer);
    if (!a) return;
    this.incoming.delete(peer);
    a.attempt?.cancel();
    this.backoff(peer);
  }

  private backoff(peer: string): void {
    const delay = Math.min((this.retry.get(peer)?.delay ?? RETRY / 2) * 2, RETRY_MAX);
    this.retry.set(peer, { delay, at: this.host.now() + delay });
  }

  private connectedIds(): Set<string> {
    const ids = new Set<string>();
    for (const p of this.host.peers()) {
      ids.add(p.id);
      if (p.remotePeerId) ids.add(toHex(p.remotePeerId));
    }
    return ids;
  }

  private send(peer: Peer, msg: SignalMessage): void {
    const ext = peer.extensions[SIGNAL_EXTENSION];
    if (ext && !peer.closed) peer.send({ type: 'extended', extId: ext, payload: encodeSignalMessage(msg) });
  }
}
