/**
 * Who may download from us: the choker's decision (tit-for-tat with an optimistic unchoke; the
 * fastest uploads when seeding, see choker/choker.ts) applied to the connected peers every ten
 * seconds; a slot that falls free between rechokes is filled at once, choking nobody.
 */
import type { Clock } from './clock.js';
import type { Peer } from './peer.js';
import { choke, fillFree, initialChokerState, type ChokerState } from '../choker/choker.js';

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

export class UploadSlots {
  private state: ChokerState<string> = initialChokerState();
  private last = -Infinity;

  constructor(private readonly o: UploadSlotsOptions) {}

  /** Whether the regular rechoke is due. */
  due(now: number): boolean {
    return now - this.last >= CHOKE_INTERVAL;
  }

  /** Unchokes interested peers into the slots that unchoked peers wanting nothing leave free, choking those (see fillFree). */
  fillFreeSlot(peers: Iterable<Peer>, seeding: boolean): void {
    const candidates = [...peers].filter((p) => p.handshaken && !p.closed);
    const view = candidates.map((p) => ({
      id: p.id,
      interested: p.peerInterested,
      unchoked: !p.amChoking,
      downloadRate: p.downloaded.rate(),
      uploadRate: p.uploaded.rate(),
      connectedAt: p.connectedAt,
    }));
    const decision = fillFree(view, seeding, this.o.slots, this.o.random);
    const choke = new Set(decision.choke);
    const unchoke = new Set(decision.unchoke);
    for (const peer of candidates) {
      if (choke.has(peer.id) && !peer.amChoking) {
        this.o.onChoking(peer);
        peer.choke();
      } else if (unchoke.has(peer.id) && peer.amChoking) {
        peer.unchoke();
        this.o.onUnchoked(peer);
      }
    }
  }

  /** Applies the choker's decision: `seeding` (we have every wanted piece) ranks by upload rate. */
  rechoke(peers: Iterable<Peer>, seeding: boolean): void {
    const now = this.o.clock.now();
    this.last = now;
    const candidates = [...peers].filter((p) => p.handshaken && !p.closed);
    const decision = choke(
      candidates.map((p) => ({
        id: p.id,
        interested: p.peerInterested,
        downloadRate: p.downloaded.rate(),
        uploadRate: p.uploaded.rate(),
        connectedAt: p.connectedAt,
      })),
      seeding,
      this.state,
      now,
      this.o.random,
      { slots: this.o.slots, optimisticInterval: 30_000, newcomerWindow: 60_000 },
    );
    this.state = decision.state;
    for (const peer of candidates) {
      const unchoke = decision.unchoke.has(peer.id);
      if (unchoke && peer.amChoking) {
        peer.unchoke();
        this.o.onUnchoked(peer);
      } else if (!unchoke && !peer.amChoking) {
        this.o.onChoking(peer);
        peer.choke();
      }
    }
  }
}
