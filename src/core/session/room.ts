/**
 * Connection slots spent where they help (issue 19). A full seed (every piece) with every slot taken
 * (`maxPeers`) and connected to other full seeds closes one such connection at most every
 * `SHED_INTERVAL` ms, never going below `MIN_PEERS` connections: the two have nothing to give each
 * other, and the slot freed can take a peer that needs pieces. A seed with free slots has room
 * already and keeps its connections (a full seed at the other end makes room for itself).
 *
 * A leecher with every slot taken turns its peers over (libtorrent's `peer_turnover`): at most
 * every `TURNOVER_INTERVAL` ms it closes a quarter of its useless connections (peers that have no
 * piece it wants and want none of its pieces), never going below `MIN_PEERS`. In a flash crowd the
 * first comers fill each other's slots while none has a piece; without turnover the later ones,
 * finding every slot taken, form a swarm of their own that gets no piece until the first finish.
 *
 * A leecher that no connected peer can give a piece it lacks is `starving`: its tracker client asks
 * for peers again sooner than the regular interval (tracker/announce-timer.ts).
 */
import type { Peer } from './peer.js';

/** ms between two seed-to-seed connections closed, at least. */
export const SHED_INTERVAL = 30_000;
/** Connections a seed keeps however useless they are (they still carry peer exchange and relayed offers). */
export const MIN_PEERS = 4;
/** ms between two turnovers of a leecher out of slots, at least. */
export const TURNOVER_INTERVAL = 10_000;
/** The share of its useless connections a leecher closes in one turnover (rounded up). */
export const TURNOVER_SHARE = 1 / 4;

/** ms between two connections closed to make room for a newcomer, at least (see makeRoom). */
export const MAKE_ROOM_INTERVAL = 10_000;
/** A connection younger than this is not closed to make room: it has not shown what it is worth. */
export const MAKE_ROOM_GRACE = 2_000;

/** What the room reads of a peer. */
export type RoomPeer = Pick<
  Peer,
  'backup' | 'closed' | 'handshaken' | 'amInterested' | 'peerInterested' | 'queuedRequests' | 'piecesHeld' | 'connectedAt' | 'uploadRate'
> & { readonly downloaded: { rate(): number } };

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
  turnoverInterval?: number;
}

export class Room<P extends RoomPeer> {
  private lastShed = -Infinity;
  private lastTurnover = -Infinity;
  private lastMadeRoom = -Infinity;
  private readonly shedInterval: number;
  private readonly minPeers: number;
  private readonly turnoverInterval: number;

  constructor(
    private readonly swarm: RoomSwarm<P>,
    o: RoomOptions = {},
  ) {
    this.shedInterval = o.shedInterval ?? SHED_INTERVAL;
    this.minPeers = o.minPeers ?? MIN_PEERS;
    this.turnoverInterval = o.turnoverInterval ?? TURNOVER_INTERVAL;
  }

  /** Every second: sheds a seed-to-seed connection, or turns a leecher's useless connections over, when due; returns the peers closed. */
  tick(now: number): P[] {
    const shed = this.shed(now);
    return shed ? [shed] : this.turnover(now);
  }

  /**
   * Peer turnover: a running leecher (metadata known, wanted pieces missing) whose every slot is
   * taken closes a quarter of its useless connections, the longest connected first: the slots freed
   * take offers and introductions that would have been refused. Nothing is wrong with the peers
   * closed: the swarm closes them quietly. Web seeds, peers not handshaken yet, peers we want a piece
   * of, and peers that want one of ours or wait for our blocks stay.
   */
  private turnover(now: number): P[] {
    if (now - this.lastTurnover < this.turnoverInterval || !this.swarm.running() || !this.swarm.full()) return [];
    if (this.swarm.pieceCount() === undefined || this.swarm.done()) return [];
    let open = 0;
    const useless: P[] = [];
    for (const p of this.swarm.peers()) {
      if (p.closed) continue;
      open++;
      if (isUseless(p)) useless.push(p);
    }
    const n = Math.min(Math.ceil(useless.length * TURNOVER_SHARE), open - this.minPeers);
    if (n <= 0) return [];
    this.lastTurnover = now;
    const closed = useless.slice(0, n);
    for (const p of closed) this.swarm.close(p);
    return closed;
  }

  /**
   * A peer a tracker introduces (its offer came through the tracker) finds every slot taken: the
   * connection worth least is closed for it, so that a newcomer, who knows no peer to relay through
   * and whose other offers went to peers as full, gets in now rather than at its next announce
   * (after libtorrent, which closes its least useful peer at the connection limit). Worth least: a
   * useless connection (neither side wants the other's pieces, no request waits), the longest
   * connected first; else the one carrying the least both ways. At most one every
   * {@link MAKE_ROOM_INTERVAL}; never a web seed, a connection younger than
   * {@link MAKE_ROOM_GRACE}, or below `minPeers`. Returns the peer closed.
   */
  makeRoom(now: number): P | undefined {
    if (now - this.lastMadeRoom < MAKE_ROOM_INTERVAL || !this.swarm.running() || !this.swarm.full()) return undefined;
    let open = 0;
    let worst: P | undefined;
    let worstValue = Infinity;
    for (const p of this.swarm.peers()) {
      if (p.closed) continue;
      open++;
      if (!p.handshaken || p.backup || now - p.connectedAt < MAKE_ROOM_GRACE) continue;
      const value = isUseless(p) ? -1 : p.downloaded.rate() + p.uploadRate();
      if (value < worstValue) [worst, worstValue] = [p, value];
    }
    if (!worst || open <= this.minPeers) return undefined;
    this.lastMadeRoom = now;
    this.swarm.close(worst);
    return worst;
  }

  /** Closes one seed-to-seed connection when we are a full seed out of slots and one is due; returns the peer closed. */
  private shed(now: number): P | undefined {
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

/** A connection that carries nothing now: neither side wants the other's pieces, no request of its waits (web seeds and peers not handshaken yet are never useless). */
function isUseless(p: RoomPeer): boolean {
  return p.handshaken && !p.backup && !p.amInterested && !p.peerInterested && p.queuedRequests.length === 0;
}
