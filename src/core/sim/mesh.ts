/**
 * Who meets whom in the simulator, on the simulated clock: trackers that carry WebRTC offers and
 * answers (see tracker.ts), and, with `relay` on, peer exchange and signaling relayed by a common
 * neighbour. An abstract model of the signaling, not the real client's code: messages take
 * `latency` per hop and carry no bytes on the simulated links; what it counts is messages.
 *
 * - A peer announces to each of its trackers when it joins and every `announceInterval`, with as
 *   many offers as it has room for (at most `trackerOffers`; none once it stops seeking, when done);
 *   sooner while it starves, as the real client (from `minInterval`, doubling: announce-timer.ts).
 *   A peer given an offer answers it if it has room (connections and links being set up with a
 *   known remote below `maxPeers`) and is
 *   not already connected or connecting to the offerer; an offer that is not answered holds its
 *   slot for `offerTimeout`, as in the real client.
 * - With `relay`: every `pexInterval` each peer tells each neighbour which peers it connected to and
 *   dropped since it last told that neighbour (at most `pexMax` entries a message). A peer that
 *   seeks peers offers to ones it heard of through the neighbour that told it, which forwards the
 *   offer once (one hop) if it is still connected to both; the answer, or a refusal (no room, or
 *   already connected), comes back the same way. At most `relayInFlight` such offers per peer at
 *   once, and to the same peer not again within 10 s (it may have room by then, or have gone).
 *   No tracker is involved.
 * - An answered offer becomes a connection `2 × latency` later (ICE and DTLS), unless the two
 *   connected meanwhile by another path (no duplicates). A peer whose slots filled meanwhile drops
 *   it, unless the offer came through a tracker and the peer makes room (`MeshHost.makeRoom`).
 */
import { Components } from './components.js';
import type { Clock } from '../session/clock.js';
import { emptyCounts, SimTracker, type TrackerCounts } from './tracker.js';
import { DEFAULT_MESH, type MeshOptions } from './mesh-options.js';
import { AnnounceTimer } from '../tracker/announce-timer.js';

export { DEFAULT_MESH, type MeshOptions } from './mesh-options.js';

/** ms before offering again, through a relay, to a peer we offered to (it may have room by then). */
const RETRY_AFTER = 10_000;

export interface MeshHost {
  /** The model decided that `a` and `b` connect now. */
  connect(a: number, b: number): void;
  /** Whether a peer looks for more peers (it still answers offers when it does not). */
  seeking(peer: number): boolean;
  /** Whether no connected peer has a piece it lacks: it announces sooner (none starve when not given). */
  starving?(peer: number): boolean;
  /**
   * Every slot of `peer` is taken and a tracker introduces a peer to it: whether it closed a
   * connection to make room (the session's Room.makeRoom; the host reports the closed link).
   */
  makeRoom?(peer: number): boolean;
}

export interface RelayCounts {
  pexMessages: number;
  pexEntries: number;
  /** Offers a peer forwarded for two of its neighbours. */
  offers: number;
  /** Answers forwarded back. */
  answers: number;
  /** Refusals sent back: the target had no room or was already connecting, or the relay no longer held it. */
  refusals: number;
}

interface MeshPeer {
  readonly trackers: SimTracker[];
  readonly links: Set<number>;
  /** Peers we sent an offer to (relayed, or answered through a tracker), not yet connected. */
  readonly outgoing: Set<number>;
  /** Peers whose offer we answered, not yet connected. */
  readonly incoming: Set<number>;
  /** Our offers sent through a tracker and not answered (their remote unknown). */
  offering: number;
  /** Peers heard of through peer exchange, each with the neighbour that told us. */
  readonly heard: Map<number, number>;
  /** Peers we offered to through a relay: not asked again before this time. */
  readonly askAfter: Map<number, number>;
  /**
   * What we last told each neighbour of our links, in the order told: an array, not a Set, as it is a
   * few dozen numbers per connection, which a Set's hash table holds in several times the memory.
   */
  readonly told: Map<number, number[]>;
  relaying: number;
  joined: boolean;
}

export class Mesh {
  readonly trackers: SimTracker[];
  readonly relay: RelayCounts = { pexMessages: 0, pexEntries: 0, offers: 0, answers: 0, refusals: 0 };
  /** Connections made, duplicates never. */
  connections = 0;
  /** Answered offers whose connection was not opened: the cap was reached meanwhile at one end. */
  dropped = 0;
  readonly o: MeshOptions;
  private readonly peers: MeshPeer[] = [];
  /** Groups joined by every connection ever made. */
  private readonly groups = new Components();

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    trackers: number,
    private readonly host: MeshHost,
    options: Partial<MeshOptions> = {},
  ) {
    this.o = { ...DEFAULT_MESH, ...options };
    this.trackers = Array.from({ length: trackers }, (_, i) => new SimTracker(i, random));
  }

  /** Adds a peer that will announce to these trackers; returns its id (0, 1, 2, …). */
  add(trackerIds: readonly number[]): number {
    const id = this.peers.length;
    const trackers = trackerIds.map((t) => {
      const tracker = this.trackers[t];
      if (!tracker) throw new RangeError(`no tracker ${t} (there are ${this.trackers.length})`);
      return tracker;
    });
    this.peers.push({
      trackers,
      links: new Set(),
      outgoing: new Set(),
      incoming: new Set(),
      offering: 0,
      heard: new Map(),
      askAfter: new Map(),
      told: new Map(),
      relaying: 0,
      joined: false,
    });
    this.groups.add();
    return id;
  }

  /** The peer starts: it announces now and then every `announceInterval`; peer exchange starts. */
  join(id: number): void {
    const p = this.peer(id);
    if (p.joined) return;
    p.joined = true;
    for (const t of p.trackers) this.announceLoop(id, t);
    if (this.o.relay) this.after(this.random() * this.o.pexInterval, () => this.pexLoop(id));
  }

  /** The peer finished: it tells its trackers (an announce without offers). */
  completed(id: number): void {
    for (const t of this.peer(id).trackers) this.after(this.o.latency, () => t.announce(id, 0));
  }

  /** A connection closed (either end). */
  disconnected(a: number, b: number): void {
    this.peer(a).links.delete(b);
    this.peer(b).links.delete(a);
  }

  linksOf(id: number): ReadonlySet<number> {
    return this.peer(id).links;
  }

  /** Room for more offers: connections and every link being set up count. */
  free(id: number): number {
    return this.room(id) - this.peer(id).offering;
  }

  /**
   * Room for more peers: connections and links with a known remote count; our unanswered tracker
   * offers do not (most go nowhere, and they must not make us refuse a real peer).
   */
  room(id: number): number {
    const p = this.peer(id);
    return this.o.maxPeers - p.links.size - p.outgoing.size - p.incoming.size;
  }

  /**
   * Links being set up may overbook the cap twice over (peers that join together answer each
   * other's offers before their own answers are back); the cap itself is kept when a connection
   * opens: one that would exceed it at either end is dropped.
   */
  private canTake(id: number): boolean {
    return this.room(id) + this.o.maxPeers > 0;
  }

  /** The tracker messages, summed over every tracker. */
  trackerCounts(): TrackerCounts {
    const sum = emptyCounts();
    for (const t of this.trackers) {
      sum.announces += t.counts.announces;
      sum.offersRelayed += t.counts.offersRelayed;
      sum.answersRelayed += t.counts.answersRelayed;
    }
    return sum;
  }

  /** Groups of peers joined by connections ever made (1: one swarm). */
  components(): number {
    return this.groups.count();
  }

  // ---- trackers ----------------------------------------------------------------------------

  private announceLoop(id: number, tracker: SimTracker): void {
    const starving = (): boolean => this.host.starving?.(id) ?? false;
    const timer = new AnnounceTimer(this.clock, this.o.announceInterval, this.o.minInterval, starving, () => announce());
    const announce = (): void => {
      this.announce(id, tracker);
      timer.sent();
      timer.next();
    };
    announce();
  }

  private announce(id: number, tracker: SimTracker): void {
    const p = this.peer(id);
    const offers = this.host.seeking(id) ? Math.max(0, Math.min(this.o.trackerOffers, this.free(id))) : 0;
    p.offering += offers;
    const sentAt = this.clock.now();
    const hop = this.o.latency;
    this.after(hop, () => {
      const targets = tracker.announce(id, offers);
      // The reply's swarm size tells the peer how many of its offers can go nowhere.
      this.after(hop, () => (p.offering -= offers - targets.length));
      for (const q of targets) this.after(hop, () => this.trackerOffer(id, q, tracker, sentAt));
    });
  }

  /** `q` gets `p`'s offer from the tracker. */
  private trackerOffer(p: number, q: number, tracker: SimTracker, sentAt: number): void {
    const hop = this.o.latency;
    if (!this.accepts(q, p)) {
      // No answer: the offer holds its slot until it expires.
      this.after(Math.max(0, sentAt + this.o.offerTimeout - this.clock.now()), () => this.peer(p).offering--);
      return;
    }
    this.after(hop, () => {
      tracker.relayAnswer();
      this.after(hop, () => {
        this.peer(p).offering--;
        this.answered(p, q, false);
      });
    });
  }

  // ---- peer exchange and relayed offers ------------------------------------------------------

  private pexLoop(id: number): void {
    this.sendPex(id);
    this.seek(id);
    this.after(this.o.pexInterval, () => this.pexLoop(id));
  }

  private sendPex(id: number): void {
    const r = this.peer(id);
    for (const x of r.told.keys()) if (!r.links.has(x)) r.told.delete(x);
    for (const x of r.links) {
      let told = r.told.get(x);
      if (!told) r.told.set(x, (told = []));
      const added: number[] = [];
      const dropped: number[] = [];
      for (const y of told) if (!r.links.has(y) && dropped.length < this.o.pexMax) dropped.push(y);
      for (const y of r.links) if (y !== x && !told.includes(y) && added.length + dropped.length < this.o.pexMax) added.push(y);
      if (added.length + dropped.length === 0) continue;
      if (dropped.length > 0) r.told.set(x, (told = told.filter((y) => !dropped.includes(y))));
      for (const y of added) told.push(y);
      this.relay.pexMessages++;
      this.relay.pexEntries += added.length + dropped.length;
      this.after(this.o.latency, () => this.receivePex(x, id, added, dropped));
    }
  }

  private receivePex(id: number, from: number, added: number[], dropped: number[]): void {
    const x = this.peer(id);
    if (!x.links.has(from)) return;
    const cap = 4 * this.o.maxPeers;
    for (const y of dropped) if (x.heard.get(y) === from) x.heard.delete(y);
    for (const y of added) if (y !== id && (x.heard.size < cap || x.heard.has(y))) x.heard.set(y, from);
    this.seek(id);
  }

  /** Offers, through the neighbour that told us of them, to peers heard of, while there is room. */
  private seek(id: number): void {
    const x = this.peer(id);
    if (!this.host.seeking(id) || x.heard.size === 0) return;
    let candidates: number[] | undefined;
    while (this.free(id) > 0 && x.relaying < this.o.relayInFlight && x.heard.size > 0) {
      candidates ??= [...x.heard.keys()];
      if (candidates.length === 0) return;
      const i = Math.floor(this.random() * candidates.length);
      const y = candidates[i]!;
      candidates[i] = candidates[candidates.length - 1]!;
      candidates.pop();
      const via = x.heard.get(y)!;
      if (!x.links.has(via)) {
        x.heard.delete(y);
        continue;
      }
      if ((x.askAfter.get(y) ?? 0) > this.clock.now() || x.links.has(y) || x.outgoing.has(y) || x.incoming.has(y)) continue;
      x.askAfter.set(y, this.clock.now() + RETRY_AFTER);
      this.relayedOffer(id, y, via);
    }
  }

  private relayedOffer(xId: number, yId: number, rId: number): void {
    const x = this.peer(xId);
    const hop = this.o.latency;
    x.outgoing.add(yId);
    x.relaying++;
    const giveUp = (): void => {
      x.relaying--;
      x.outgoing.delete(yId);
    };
    this.after(hop, () => {
      const r = this.peer(rId);
      if (!r.links.has(xId)) {
        this.after(this.o.offerTimeout - hop, giveUp); // lost with the link
        return;
      }
      const refuse = (): void => {
        this.relay.refusals++;
        this.after(hop, giveUp);
      };
      if (!r.links.has(yId)) return refuse();
      this.relay.offers++;
      this.after(hop, () => {
        const accepted = this.accepts(yId, xId);
        this.after(hop, () => {
          if (!accepted) return refuse();
          this.relay.answers++;
          this.after(hop, () => {
            x.relaying--;
            this.answered(xId, yId, true);
          });
        });
      });
    });
  }

  // ---- connections -------------------------------------------------------------------------

  /**
   * Whether `q` takes an offer from `p` (and if so, holds a slot for it). Two peers that offer to
   * each other at once (both heard of the other from the same neighbour) must not refuse each
   * other: the offer of the peer with the lower id wins.
   */
  private accepts(q: number, p: number): boolean {
    const peer = this.peer(q);
    if (q === p || peer.links.has(p) || peer.incoming.has(p) || (peer.outgoing.has(p) && q < p) || !this.canTake(q)) return false;
    peer.incoming.add(p);
    return true;
  }

  /**
   * `p` got `q`'s answer to its offer: relayed (its slot held in `p.outgoing`), or through a tracker
   * (its slot given back by the caller). The connection opens after ICE and DTLS, unless the two
   * connected, or are connecting, by another path, or `p` has no room left for a tracker's answer.
   */
  private answered(p: number, q: number, relayed: boolean): void {
    const a = this.peer(p);
    const b = this.peer(q);
    const release = (): void => {
      a.outgoing.delete(q);
      b.incoming.delete(p);
    };
    if (a.links.has(q) || a.incoming.has(q) || (!relayed && (a.outgoing.has(q) || !this.canTake(p)))) {
      if (relayed) a.outgoing.delete(q);
      b.incoming.delete(p);
      return;
    }
    a.outgoing.add(q);
    this.after(2 * this.o.latency, () => {
      release();
      if (a.links.has(q)) return;
      // A full answerer makes room for a peer a tracker introduced (a newcomer may know no other way in).
      if (a.links.size >= this.o.maxPeers || (b.links.size >= this.o.maxPeers && (relayed || !this.host.makeRoom?.(q)))) {
        this.dropped++;
        return;
      }
      a.links.add(q);
      b.links.add(p);
      this.connections++;
      this.groups.union(p, q);
      this.host.connect(p, q);
    });
  }

  private after(ms: number, fn: () => void): void {
    this.clock.setTimeout(fn, Math.max(0, ms));
  }

  private peer(id: number): MeshPeer {
    const p = this.peers[id];
    if (!p) throw new RangeError(`no peer ${id}`);
    return p;
  }
}
