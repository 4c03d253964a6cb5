/**
 * Connection slots spent where they help (issue 19). A full seed (every piece) with every slot taken
 * (`maxPeers`) and connected to other full seeds closes one such connection at most every
 * `SHED_INTERVAL` ms, never going below `MIN_PEERS` connections: the two have nothing to give each
 * other, and the slot freed can take a peer that needs pieces. A seed with free slots has room
 * already and keeps its connections (a full seed at the other end makes room for itself). A leecher that no connected peer can give a piece it lacks is
 * `starving`: its tracker client asks for peers again sooner than the regular interval
 * (tracker/connection.ts).
 */
import type { Peer } from './peer.js';

/** ms between two seed-to-seed connections closed, at least. */
export const SHED_INTERVAL = 30_000;
/** Connections a seed keeps however useless they are (they still carry peer exchange and relayed offers). */
export const MIN_PEERS = 4;

/** What the room reads of a peer. */
export type RoomPeer = Pick<Peer, 'backup' | 'closed' | 'handshaken' | 'amInterested' | 'peerInterested' | 'queuedRequests' | 'piecesHeld'>;

/** What the room reads of its swarm. */
export interface RoomSwarm<P extends RoomPeer> {
  peers(): Iterable<P>;
  /** Pieces of the torrent; undefined before the metadata is known. */
  pieceCount(): number | undefined;
  /** We hold every piece (not only every wanted one). */
  seed(): boolean;
  /** Every connection slot is taken. */
  full(): boolean;
  /** Every wanted piece is verified. */
  done(): boolean;
  running(): boolean;
  close(peer: P): void;
}

export interface RoomOptions {
  shedInterval?: number;
  minPeers?: number;
}

export class Room<P extends RoomPeer> {
  private lastShed = -Infinity;
  private readonly shedInterval: number;
  private readonly minPeers: number;

  constructor(
    private readonly swarm: RoomSwarm<P>,
    o: RoomOptions = {},
  ) {
    this.shedInterval = o.shedInterval ?? SHED_INTERVAL;
    this.minPeers = o.minPeers ?? MIN_PEERS;
  }

  /** Closes one seed-to-seed connection when we are a full seed out of slots and one is due; returns the peer closed. */
  tick(now: number): P | undefined {
    if (now - this.lastShed < this.shedInterval || !this.swarm.running() || !this.swarm.seed() || !this.swarm.full()) return undefined;
    const count = this.swarm.pieceCount();
    if (count === undefined) return undefined;
    let open = 0;
    let useless: P | undefined;
    for (const p of this.swarm.peers()) {
      if (p.closed) continue;
      open++;
      // The one connected longest (peers are listed in the order they came) that we upload nothing to.
      useless ??= p.handshaken && !p.backup && p.piecesHeld() === count && !p.peerInterested && p.queuedRequests.length === 0 ? p : undefined;
    }
    if (!useless || open <= this.minPeers) return undefined;
    this.lastShed = now;
    this.swarm.close(useless);
    return useless;
  }

  /**
   * A leecher that runs and lacks wanted pieces, and no connected peer has one of them (none at
   * all before the metadata is known): only new peers can help.
   */
  get starving(): boolean {
    if (!this.swarm.running()) return false;
    const known = this.swarm.pieceCount() !== undefined;
    if (known && this.swarm.done()) return false;
    for (const p of this.swarm.peers()) {
      if (p.closed || !p.handshaken) continue;
      // We are interested in a peer exactly while it has a wanted piece we lack (swarm.ts keeps it so).
      if (known ? p.amInterested : !p.backup) return false;
    }
    return true;
  }
}
