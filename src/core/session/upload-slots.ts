/**
 * Who may download from us: the choker's decision (tit-for-tat with an optimistic unchoke; the
 * fastest uploads when seeding, see choker/choker.ts) applied to the connected peers every ten
 * seconds; a slot that falls free between rechokes is filled at once, choking nobody.
 */
import type { Clock } from './clock.js';
import type { Peer } from './peer.js';
import { choke, fillFree, initialChokerState, type ChokerPeer, type ChokerState } from '../choker/choker.js';

/** Rechoke this often. */
const CHOKE_INTERVAL = 10_000;

export interface UploadSlotsOptions {
  clock: Clock;
  random: () => number;
  /** Upload slots, the optimistic one included. */
  slots: number;
  /** A peer was unchoked (its messages are sent) / is about to be choked. */
  onUnchoked(peer: Peer): void;
  onChoking(peer: Peer): void;
}

/** The connected peers, to be gone through more than once (a Map of them, or an array). */
export interface PeerSet {
  values(): Iterable<Peer>;
}

export class UploadSlots {
  private state: ChokerState<string> = initialChokerState();
  private last = -Infinity;

  constructor(private readonly o: UploadSlotsOptions) {}

  /** Whether the regular rechoke is due. */
  due(now: number): boolean {
    return now - this.last >= CHOKE_INTERVAL;
  }

  /** Unchokes interested peers into the slots that unchoked peers wanting nothing leave free, choking those (see fillFree). */
  fillFreeSlot(peers: PeerSet, seeding: boolean): void {
    if (!this.freeSlotWork(peers.values())) return;
    const candidates = chokerCandidates(peers.values());
    const decision = fillFree(candidates.map(chokerView), seeding, this.o.slots, this.o.random);
    const choking = new Set(decision.choke);
    this.apply(candidates, new Set(decision.unchoke), (id) => choking.has(id));
  }

  /**
   * Whether fillFree would change anything: an unchoked peer wants nothing, or a slot is free and a
   * choked peer is interested. Most calls (one per `interested` or `not interested`) find neither,
   * and answer without the views and sets the decision takes (a sixth of what a large simulated
   * swarm allocated).
   */
  private freeSlotWork(peers: Iterable<Peer>): boolean {
    let free = this.o.slots;
    let waiting = false;
    for (const p of peers) {
      if (!p.handshaken || p.closed) continue;
      if (p.amChoking) waiting ||= p.peerInterested;
      else if (!p.peerInterested) return true;
      else free--;
    }
    return waiting && free > 0;
  }

  /** Applies the choker's decision: `seeding` (we have every wanted piece) ranks by upload rate. */
  rechoke(peers: PeerSet, seeding: boolean): void {
    const now = this.o.clock.now();
    this.last = now;
    const candidates = chokerCandidates(peers.values());
    const decision = choke(candidates.map(chokerView), seeding, this.state, now, this.o.random, {
      slots: this.o.slots,
      optimisticInterval: 30_000,
      newcomerWindow: 60_000,
    });
    this.state = decision.state;
    this.apply(candidates, decision.unchoke, (id) => !decision.unchoke.has(id));
  }

  /** Unchokes the peers in `unchoke` that we choke, and chokes the unchoked ones `choking` names. */
  private apply(candidates: readonly Peer[], unchoke: ReadonlySet<string>, choking: (id: string) => boolean): void {
    for (const peer of candidates) {
      if (unchoke.has(peer.id)) {
        if (!peer.amChoking) continue;
        peer.unchoke();
        this.o.onUnchoked(peer);
      } else if (choking(peer.id) && !peer.amChoking) {
        this.o.onChoking(peer);
        peer.choke();
      }
    }
  }
}

/** The peers the choker decides for: greeted and still open. */
function chokerCandidates(peers: Iterable<Peer>): Peer[] {
  return [...peers].filter((p) => p.handshaken && !p.closed);
}

/**
 * The choker's view of a peer. Its rates are read when the choker ranks it: most calls (a free slot
 * filled at each change of interest) rank only the few choked interested peers, and reading every
 * peer's two rates each time cost the simulator's 400-peer run ~4 % of its CPU. A class, not an
 * object literal with getters made per peer per call: those (each with its closures, then a property
 * added) were about 5 % of a 10,000-peer simulation's profile, and the class took 6 % off its CPU.
 */
class ChokerView implements ChokerPeer<string> {
  readonly id: string;
  readonly interested: boolean;
  readonly unchoked: boolean;
  readonly connectedAt: number;
  constructor(private readonly peer: Peer) {
    this.id = peer.id;
    this.interested = peer.peerInterested;
    this.unchoked = !peer.amChoking;
    this.connectedAt = peer.connectedAt;
  }
  get downloadRate(): number {
    return this.peer.downloaded.rate();
  }
  get uploadRate(): number {
    return this.peer.uploaded.rate();
  }
}

function chokerView(p: Peer): ChokerView {
  return new ChokerView(p);
}
