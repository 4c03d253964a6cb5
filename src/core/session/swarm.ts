/**
 * The swarm of one torrent: the connected peers and what they say. It admits, drops and bans peers,
 * reacts to each peer's events (handshake, choking, interest, availability, requests, blocks,
 * extensions), keeps our interest (interest.ts) and requests in step with what peers have, and runs the
 * per-peer timers (idle, keep-alive, request time-outs) and the choker. Around it, the session
 * owns the torrent: its life cycle, metadata, pieces (downloads.ts), priorities and events.
 */
import type { PeerChannel } from './channel.js';
import { Peer, type PeerEvent } from './peer.js';
import { peerView } from './peer-view.js';
import { UT_METADATA_ID } from './metadata.js';
import { Discovery, WANT_ID } from './discovery.js';
import { SeedingAnnouncer } from './seeding-announcer.js';
import { Uploader } from './uploader.js';
import { Requester } from './requester.js';
import { Interest } from './interest.js';
import { UploadSlots } from './upload-slots.js';
import { Room } from './room.js';
import type { Downloads } from './downloads.js';
import type { PeerView } from './types.js';
import type { SwarmHost, SwarmOptions, SwarmParts } from './swarm-host.js';
import type { PieceGeometry } from '../geometry.js';
import { bytesEqual, toHex } from '../bytes.js';
import { shuffle } from '../random.js';

export { CLIENT_VERSION, WANT_ID } from './discovery.js';
export type { SwarmHost, SwarmOptions, SwarmParts } from './swarm-host.js';

const KEEP_ALIVE = 55_000;
const IDLE_TIMEOUT = 120_000;

export class Swarm {
  /** Remote peer ids (hex) banned for this session. */
  readonly banned = new Set<string>();
  readonly requester: Requester;
  private readonly interest: Interest;
  private readonly peers = new Map<string, Peer>();
  private readonly uploader: Uploader;
  private readonly slots: UploadSlots;
  private readonly seeding = new SeedingAnnouncer(
    (id) => this.peers.get(id),
    (peer, pieces) => this.uploader.prefetch(peer, pieces),
  );
  /** Peer exchange and relayed signaling. */
  readonly discovery: Discovery;
  /** Seed-to-seed and useless connections closed to make room, and whether we starve (room.ts). */
  readonly room: Room<Peer>;
  /** Pieces, once the metadata is known (`attach`). */
  private work: Downloads | undefined;

  constructor(
    private readonly o: SwarmOptions,
    private readonly host: SwarmHost,
    private readonly parts: SwarmParts,
  ) {
    this.requester = new Requester({
      ...o,
      peers: () => this.peers.values(),
      peer: (id) => this.peers.get(id),
      criticalPieces: () => parts.priorities.criticalPieces,
      drop: (peer, reason) => this.drop(peer, reason),
    });
    this.interest = new Interest({
      picker: () => this.work?.picker,
      peerHas: (peer) => this.work?.peerHas(peer),
      isCritical: (index) => parts.priorities.isCritical(index),
      updated: (peer) => this.seeding.updated(peer),
      fill: (peer) => this.requester.fill(peer),
      preemptForCritical: (peer) => this.requester.preemptForCritical(peer),
    });
    this.slots = new UploadSlots({
      ...o,
      slots: o.uploadSlots,
      onUnchoked: (peer) => {
        this.seeding.updated(peer);
        this.uploader.serve(peer);
      },
      onChoking: (peer) => this.seeding.choked(peer),
    });
    this.discovery = new Discovery(o, this);
    this.room = new Room({
      peers: () => this.peers.values(),
      pieceCount: () => this.work?.picker.pieceCount,
      seed: () => this.work?.picker.isSeed() ?? false,
      full: () => this.peers.size >= o.maxPeers,
      done: () => host.done(),
      running: () => host.state() === 'running',
      // Quietly (no warning): nothing is wrong with the peer.
      close: (peer) => this.remove(peer),
    });
    this.uploader = new Uploader({
      ...o,
      warn: (m) => this.warn(m),
      onServed: (peer, index, bytes) => {
        parts.totals.uploaded += bytes;
        this.seeding.served(peer, index, bytes);
      },
    });
  }

  get size(): number {
    return this.peers.size;
  }

  peer(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  all(): Iterable<Peer> {
    return this.peers.values();
  }

  get wantsPeers(): boolean {
    return this.host.state() === 'running' && this.peers.size < this.o.maxPeers;
  }

  views(pieceCount: number): PeerView[] {
    return [...this.peers.values()].map((p) => peerView(p, pieceCount, this.requester.outstanding(p)));
  }

  /** See `TorrentSession.addPeer`; `infoHash`: the one to send (a hybrid's other one). */
  add(channel: PeerChannel, id: string, backup: boolean, infoHash = this.o.infoHash): Peer | undefined {
    const welcome = backup ? this.host.state() === 'running' : this.wantsPeers;
    if (!welcome || this.peers.has(id)) {
      channel.close();
      return undefined;
    }
    const peer = new Peer({
      id,
      channel: backup || !this.o.timeline ? channel : this.o.timeline.count(channel),
      clock: this.o.clock,
      pieceCount: this.work?.picker.pieceCount,
      backup,
      onEvent: (p, e) => this.onPeerEvent(p, e),
    });
    this.peers.set(id, peer);
    channel.lowWaterMark = this.uploader.highWaterMark(peer) / 4;
    channel.onDrain = () => this.uploader.serve(peer);
    channel.onClose = () => this.remove(peer);
    peer.sendHandshake(infoHash, this.o.peerId, this.host.v2());
    this.parts.events.emit('peer', { id, event: 'connected' });
    return peer;
  }

  drop(peer: Peer, reason: string): void {
    if (peer.closed) return;
    this.warn(`peer ${peer.id} dropped: ${reason}`);
    this.remove(peer);
  }

  /** Bans a peer for this session (by id: one that has left). */
  ban(peer: Peer | string, reason: string): void {
    if (typeof peer === 'string') {
      this.banned.add(peer);
      return;
    }
    if (peer.remotePeerId) this.banned.add(toHex(peer.remotePeerId));
    this.banned.add(peer.id);
    this.parts.events.emit('ban', { id: peer.id, reason });
    this.drop(peer, `banned: ${reason}`);
  }

  /** Closes every connection, and stops or restarts requesting. */
  closeAll(): void {
    for (const peer of [...this.peers.values()]) this.remove(peer);
  }

  setActive(active: boolean): void {
    this.requester.setActive(active);
  }

  private remove(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    peer.close();
    this.uploader.peerGone(peer);
    this.parts.metadata.peerGone(peer.id);
    this.seeding.gone(peer);
    this.discovery.gone(peer);
    this.requester.peerGone(peer);
    const work = this.work;
    work?.peerGone(peer);
    if (peer.announced() === 'all') work?.picker.removeAvailability(null);
    else if (peer.have) work?.picker.removeAvailability(peer.have);
    this.parts.events.emit('peer', { id: peer.id, event: 'disconnected' });
    const state = this.host.state();
    if (state === 'stopped') return;
    work?.abandonStranded();
    if (state === 'running') {
      this.requester.fillAll();
      if (!peer.amChoking) this.rechoke();
    }
  }

  // ---- what the session tells every peer ----------------------------------------------------

  /** A seed of more than one piece starting: pieces are revealed a few at a time (initial-seeding.ts). */
  beginSeeding(geometry: PieceGeometry): void {
    this.seeding.begin(geometry, { random: this.o.random, now: () => this.o.clock.now(), superSeeding: this.o.superSeeding });
  }

  /** The metadata is known: requests can be made. */
  attach(work: Downloads): void {
    this.work = work;
    this.requester.attach(work.picker, (peer, index) => work.v2?.started(peer, index));
  }

  /** The metadata came (and what the store holds is counted): peers learn what we have, and requests start. */
  metadataKnown({ picker, info }: Downloads): void {
    for (const peer of [...this.peers.values()]) {
      peer.setPieceCount(picker.pieceCount);
      if (!peer.handshaken || peer.closed) continue;
      // Peers met before it came learn its size, and may ask for it (BEP 10 allows a second handshake).
      peer.sendExtendedHandshake(this.discovery.extendedHandshake(info.infoBytes.length));
      if (!peer.fast && picker.haveCount > 0) peer.send({ type: 'bitfield', bits: picker.bitfield() });
      this.work?.peerHas(peer);
      this.requester.fill(peer);
    }
  }

  /** The metadata from peers did not match: the culprits are banned, and the rest asked again. */
  metadataFailed(culprits: readonly string[]): void {
    for (const id of culprits) {
      const p = this.peers.get(id);
      if (p) this.ban(p, 'sent metadata that does not match the info hash');
    }
    for (const p of this.peers.values()) this.parts.metadata.requestFrom(p);
  }

  /**
   * A piece is verified and stored: served from the cache, and announced to the peers in a random order (the
   * first to answer `interested` fill free slots; in connection order, every holder of a new piece unchoked
   * the same early peers: README, step 6 of issue 19).
   */
  pieceVerified(index: number, data: Uint8Array): void {
    this.uploader.remember(index, data);
    for (const peer of shuffle([...this.peers.values()], this.o.random)) {
      if (!peer.handshaken) continue;
      peer.send({ type: 'have', index });
      this.interest.pieceVerified(peer);
    }
  }

  /** Every wanted piece is here. */
  complete(): void {
    for (const peer of this.peers.values()) peer.setInterested(false);
  }

  /** Priorities changed: interest and requests follow. */
  prioritiesChanged(): void {
    for (const peer of this.peers.values()) if (peer.handshaken) this.interest.update(peer);
  }

  /** A streaming reader's critical pieces changed: requests for other pieces make way. */
  preemptForCritical(): void {
    for (const peer of this.peers.values()) this.requester.preemptForCritical(peer);
  }

  /** Tells each tabswarm peer which critical pieces we wait for. */
  sendWantsToAll(): void {
    for (const peer of this.peers.values()) this.parts.priorities.sendWants(peer);
  }

  // ---- what peers say ------------------------------------------------------------------------

  private onPeerEvent(peer: Peer, e: PeerEvent): void {
    if (e.type === 'handshake' || e.type === 'block') this.o.timeline?.mark(e.type);
    switch (e.type) {
      case 'violation':
        return this.drop(peer, e.reason);
      case 'handshake':
        return this.onHandshake(peer, e.infoHash, e.peerId);
      case 'choke':
        return this.requester.choked(peer);
      case 'unchoke':
        return this.requester.fill(peer);
      case 'interested':
        return this.rechokeIfSlotFree();
      case 'notInterested':
        // Its upload slot is wasted until the next rechoke: hand it to a peer that wants data.
        if (!peer.amChoking) this.rechokeIfSlotFree();
        return;
      case 'availability':
        return this.interest.availability(peer, e.added, e.removed);
      case 'request':
        return this.onRequest(peer, e.index, e.begin, e.length);
      case 'block':
        if (this.work) return this.work.block(peer, e.index, e.begin, e.block);
        // Before the metadata no block was asked for: it counts against the peer's allowance.
        this.requester.blockArrived(peer, e.index, e.begin, e.block.length);
        this.parts.totals.wasted += e.block.length;
        return;
      case 'reject':
        return this.requester.rejected(peer, e.index, e.begin);
      case 'extendedHandshake':
        if (!this.work) this.parts.metadata.announced(peer);
        return this.parts.priorities.sendWants(peer);
      case 'extended':
        return this.onExtended(peer, e.extId, e.payload);
      case 'hash':
        return this.work ? this.work.onHash(peer, e.message) : peer.refuseHash(e.message);
    }
  }

  private onHandshake(peer: Peer, infoHash: Uint8Array, peerId: Uint8Array): void {
    if (!this.host.acceptsInfoHash(infoHash)) return this.drop(peer, 'handshake for another torrent');
    const refused = bytesEqual(peerId, this.o.peerId) ? 'connected to ourselves' : this.o.refusePeer?.(peerId);
    if (refused) return this.drop(peer, refused);
    if (this.banned.has(toHex(peerId))) return this.drop(peer, 'banned earlier in this session');
    const declined = this.discovery.handshake(peer, peerId);
    if (declined) return this.drop(peer, declined);
    const work = this.work;
    const picker = work?.picker;
    // An initial seeder reveals pieces a few at a time, with `have`s.
    const have =
      this.seeding.active || !picker || picker.haveCount === 0 ? 'none' : picker.haveCount === picker.pieceCount && peer.fast ? 'all' : picker.bitfield();
    peer.greet(have, this.discovery.extendedHandshake(work?.info.infoBytes.length));
    this.seeding.greeted(peer);
  }

  private onRequest(peer: Peer, index: number, begin: number, length: number): void {
    const work = this.work;
    if (!work?.validRequest(index, begin, length)) return this.drop(peer, `invalid request (piece ${index}, offset ${begin}, ${length} bytes)`);
    if (peer.amChoking || !work.picker.have(index)) {
      if (!peer.refuseRequest({ index, begin, length })) this.drop(peer, 'too many requests we cannot serve');
      return;
    }
    if (!peer.queueRequest({ index, begin, length })) return this.drop(peer, 'too many requests at once');
    this.uploader.serve(peer);
  }

  private onExtended(peer: Peer, extId: number, payload: Uint8Array): void {
    const work = this.work;
    if (extId === WANT_ID) {
      const violation = this.seeding.wanted(peer, payload, (i) => work?.picker.have(i) ?? false);
      if (violation) this.drop(peer, violation);
    } else if (extId === UT_METADATA_ID) {
      const result = this.parts.metadata.onMessage(peer, payload, work?.info.infoBytes);
      if (result.kind === 'error') this.drop(peer, result.message);
      else if (result.kind === 'ready') this.host.metadataComplete();
    } else {
      const violation = this.discovery.onExtended(peer, extId, payload);
      if (violation) this.drop(peer, violation);
    }
  }

  // ---- choking and timers --------------------------------------------------------------------

  private rechoke(): void {
    this.slots.rechoke(this.peers, this.host.done());
  }

  private rechokeIfSlotFree(): void {
    this.slots.fillFreeSlot(this.peers, this.host.done());
  }

  /** Every second: the choker when due, idle peers, keep-alives, request time-outs, requests, metadata requests. */
  tick(now: number): void {
    if (this.slots.due(now)) this.rechoke();
    for (const peer of [...this.peers.values()]) {
      if (!peer.backup && now - peer.lastReceived > IDLE_TIMEOUT) {
        this.drop(peer, 'silent for two minutes');
        continue;
      }
      if (now - peer.lastSent > KEEP_ALIVE) peer.send({ type: 'keepAlive' });
      this.requester.checkTimeouts(peer, now);
      if (!this.work) this.parts.metadata.requestFrom(peer);
    }
    // Requests otherwise go out on events (an unchoke, a have, a block, a piece verified): every peer
    // with room in its pipeline is asked as well each second, so that no lost wake-up stalls the
    // download: a peer whose requests timed out (its probe), a web seed with gaps to fill (it speaks
    // only when asked), pieces left unstarted for want of memory (another torrent may have released some).
    this.requester.fillAll();
    this.work?.tick(this.peers.values());
    if (this.host.state() === 'running') this.discovery.tick();
    this.seeding.tick();
    this.room.tick(now);
  }

  private warn(message: string): void {
    this.parts.events.emit('warning', message);
  }
}
