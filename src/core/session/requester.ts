/**
 * The requester: the only code that keeps our outstanding requests and asks the picker for blocks.
 * It fills each peer's pipeline (sized by its rate, sent in batches, within the download limit and
 * the memory budget the picker applies), keeps a web seed to the gaps other peers leave, cancels
 * requests that time out (their peer is snubbed until it sends a block again: asked one block at a
 * time, and leaving its pieces to a web seed) or that a streaming reader's critical pieces preempt,
 * and matches each block that arrives with the request it answers (a block nobody asked for counts
 * against its sender's allowance and is never stored). See picker/NOTES.md for the ordering rules.
 */
import type { Timeline } from './timeline.js';
import type { Clock, TimerHandle } from './clock.js';
import type { RateLimiter } from './limiter.js';
import type { Peer } from './peer.js';
import { pipelineDepth, type PiecePicker } from '../picker/index.js';
import { BLOCK_SIZE } from '../geometry.js';

/** Bytes of blocks we never asked for that a peer may send before we drop it. */
const MAX_UNREQUESTED = 1024 * 1024;
/** Cancelled requests remembered per peer (a block that crosses our cancel is excused). */
const MAX_CANCELLED = 4096;
/**
 * Requests kept outstanding at a peer whose rate we do not know yet (at least). Two blocks per
 * round trip caps a new connection at ~300 KiB/s over 100 ms and its measured rate never grows
 * past that cap; eight (128 KiB) lets it reach a typical uplink share at once.
 */
const MIN_PIPELINE = 8;
/**
 * Seconds of a peer's rate kept requested from it (see pipelineDepth): half a second, or a round trip
 * and a quarter when the peer is further away (the round trip is measured, see PeerRequests.roundTrip).
 * It was a second: a peer that sends us 256 KiB/s (a 1 MiB/s uplink shared by four upload slots) was
 * asked for every block of a 256 KiB piece, and another peer with that piece, unchoking us, found
 * nothing left to give. Early in a swarm, when a peer's neighbours hold the same few pieces, that
 * left upload slots idle (the simulator: see README, step 6 of issue 19). The round trip keeps a
 * far peer's pipeline deeper than what it delivers in one: fewer requests in flight than that would
 * lower its rate, and so its pipeline, round after round. A channel between two tabs (a few ms
 * apart) still reaches `maxPipeline` from 5 MiB/s.
 */
const PIPELINE_SECONDS = 0.5;
const ROUND_TRIP_MARGIN = 1.25;
/** The round trip assumed before a peer's first block (ms). */
const INITIAL_ROUND_TRIP = 250;
/** Requests sent to a peer together at most when refilling its pipeline (see fill). */
const REQUEST_BATCH = 16;

export interface OutstandingRequest {
  index: number;
  begin: number;
  length: number;
  /** When it was sent (clock ms). */
  at: number;
  /** Sent first while nothing was outstanding at the peer: its time is a round trip (see roundTrip). */
  alone: boolean;
}

/** Our requests to one peer. */
interface PeerRequests {
  /** Outstanding, by `index:begin`. */
  readonly sent: Map<RequestKey, OutstandingRequest>;
  /**
   * Cancelled by us (timeouts, endgame, preemption), oldest first and bounded: a block that still
   * arrives for one of them is not held against the peer. Made with the first (most peers have none).
   */
  cancelled: Set<RequestKey> | undefined;
  /** Bytes of blocks it sent that we never asked for. */
  unasked: number;
  /**
   * The round trip to it (ms), from requests sent while none was outstanding (later ones also wait
   * behind the blocks asked before them): the first such sample, then a moving average.
   */
  roundTrip: number | undefined;
  /**
   * Its requests timed out and no block came since: it is asked for one block at a time (a probe),
   * and a web seed no longer leaves it the pieces it has (a peer that stopped answering, having
   * choked us silently or with its channel stuck, would otherwise hold them from everyone).
   */
  snubbed: boolean;
}

export interface RequesterOptions {
  clock: Clock;
  /** Where the first request is marked. */
  timeline?: Timeline | undefined;
  /** Outstanding requests to one peer at most. */
  maxPipeline: number;
  requestTimeout: number;
  downloadLimit?: RateLimiter;
  /** The peers of the session (for refills and for a web seed's gaps). */
  peers(): Iterable<Peer>;
  peer(id: string): Peer | undefined;
  /** Critical pieces of streaming readers, in order. */
  criticalPieces(): readonly number[];
  /** Drops a peer that broke the rules. */
  drop(peer: Peer, reason: string): void;
}

/** What became of a block that arrived (see `blockArrived`). */
export type Arrival =
  /** Not ours to keep (unasked, or of a piece no longer in progress): throw it away. */
  | { kind: 'unasked' }
  /** Asked for, but another copy came first: count it, throw it away. */
  | { kind: 'duplicate' }
  /** Keep it; verify the piece when `pieceComplete`. */
  | { kind: 'new'; pieceComplete: boolean };

export class Requester {
  private picker: PiecePicker | undefined;
  private readonly byPeer = new Map<Peer, PeerRequests>();
  private limitTimer: TimerHandle | undefined;
  private stopped = false;
  /** Told before blocks of a piece are asked of a peer (v2: its leaf hashes are asked first). */
  private requesting: ((peer: Peer, index: number) => void) | undefined;

  constructor(private readonly o: RequesterOptions) {}

  /** The metadata is known: requests can be made. */
  attach(picker: PiecePicker, requesting?: (peer: Peer, index: number) => void): void {
    this.picker = picker;
    this.requesting = requesting;
  }

  /** Outstanding requests to `peer`. */
  outstanding(peer: Peer): number {
    return this.byPeer.get(peer)?.sent.size ?? 0;
  }

  /** Fills a peer's pipeline if it may be asked for blocks (unchoked, interesting, open). */
  fill(peer: Peer): void {
    const picker = this.picker;
    if (!picker || this.stopped || peer.closed || !peer.handshaken || peer.peerChoking || !peer.amInterested) return;
    const mine = this.of(peer);
    const depth = mine.snubbed
      ? 1
      : Math.min(
          peer.maxRequests,
          pipelineDepth(peer.downloaded.rate(), {
            targetSeconds: Math.max(PIPELINE_SECONDS, (ROUND_TRIP_MARGIN * (mine.roundTrip ?? INITIAL_ROUND_TRIP)) / 1000),
            max: this.o.maxPipeline,
            min: MIN_PIPELINE,
          }),
        );
    let want = depth - mine.sent.size;
    // Endgame (every wanted block is requested): a block already asked of another peer is asked of
    // this one only once it has no request of its own outstanding, and one at a time (libtorrent's
    // strict end-game mode). A peer still busy is no help yet, and the copies crowd the last peers'
    // downlinks: a 1,000-peer simulation finished a third of a second sooner with a third of the
    // duplicate bytes (README, step 13 of issue 19). Not while a stream has critical pieces set (some
    // may be verified already): a player stalled on a slow peer's blocks is worth the copies.
    if (picker.inEndgame() && this.o.criticalPieces().length === 0) {
      if (mine.sent.size > 0) return;
      want = 1;
    }
    // Requests go out a batch at a time (half the pipeline, at most REQUEST_BATCH), not one per
    // block received: each message costs a data channel about as much as a block does.
    if (want <= 0 || (want < Math.min(REQUEST_BATCH, Math.ceil(depth / 2)) && mine.sent.size > 0)) return;
    const limit = this.o.downloadLimit;
    if (limit?.limited) {
      want = Math.min(want, Math.floor(limit.available() / BLOCK_SIZE));
      if (want <= 0) return this.retryWhenAllowed(limit);
    }
    const now = this.o.clock.now();
    const has = peer.backup && !picker.inEndgame() ? (i: number) => peer.hasPiece(i) && !this.othersOffer(peer, i) : (i: number) => peer.hasPiece(i);
    const blocks = picker.pickBlocks({ id: peer.id, has, suggested: peer.suggested }, want);
    if (limit?.limited) limit.take(blocks.reduce((n, b) => n + b.length, 0));
    let last = -1;
    if (blocks.length > 0) this.o.timeline?.mark('request');
    for (const b of blocks) {
      if (b.index !== last && this.requesting) this.requesting(peer, (last = b.index));
      mine.sent.set(keyOf(b.index, b.begin), { index: b.index, begin: b.begin, length: b.length, at: now, alone: mine.sent.size === 0 });
      peer.send({ type: 'request', index: b.index, begin: b.begin, length: b.length });
    }
  }

  /** Fills every peer's pipeline but `except`'s. */
  fillAll(except?: Peer): void {
    for (const peer of this.o.peers()) if (peer !== except) this.fill(peer);
  }

  /**
   * A block arrived from `peer`: matched with our request (other peers asked for it in endgame are
   * sent a cancel), or counted against the peer's allowance when we never asked (and the peer
   * dropped past it). The caller stores a `new` block and refills the peer.
   */
  blockArrived(peer: Peer, index: number, begin: number, length: number): Arrival {
    const picker = this.picker;
    const mine = this.of(peer);
    mine.snubbed = false;
    const key = keyOf(index, begin);
    const request = mine.sent.get(key);
    const asked = request ? request.length === length && picker !== undefined : this.excused(peer, mine, key, index, begin, length);
    if (!picker || !asked) return { kind: 'unasked' };
    mine.sent.delete(key);
    if (request?.alone) {
      const took = this.o.clock.now() - request.at;
      mine.roundTrip = mine.roundTrip === undefined ? took : (3 * mine.roundTrip + took) / 4;
    }
    const result = picker.blockReceived(peer.id, index, begin);
    for (const otherId of result.cancel) {
      const other = this.o.peer(otherId);
      const r = other && this.byPeer.get(other)?.sent.get(key);
      if (other && r) this.cancel(other, key, r);
    }
    return result.duplicate ? { kind: 'duplicate' } : { kind: 'new', pieceComplete: result.pieceComplete };
  }

  /** The peer rejected a request (BEP 6): it goes back to the picker. */
  rejected(peer: Peer, index: number, begin: number): void {
    if (this.byPeer.get(peer)?.sent.delete(keyOf(index, begin))) this.picker?.peerRejected(peer.id, index, begin);
    this.fill(peer);
  }

  /** The peer choked us. Without the Fast Extension that discards every request; with it, the peer rejects them. */
  choked(peer: Peer): void {
    if (!peer.fast) this.release(peer);
  }

  /** The peer is gone: its requests go back to the picker. */
  peerGone(peer: Peer): void {
    this.picker?.peerGone(peer.id);
    this.byPeer.delete(peer);
  }

  /**
   * A streaming reader waits for critical pieces that this peer has and that nobody is fetching
   * yet: the requests queued at the peer for ordinary pieces would be served first (a peer answers
   * in order, and a deep pipeline holds megabytes), so they are cancelled and given back to the
   * picker, and the critical blocks are asked for in their place (the read-ahead right after them).
   * Blocks already on their way are still taken.
   */
  preemptForCritical(peer: Peer): void {
    const picker = this.picker;
    const mine = this.byPeer.get(peer);
    if (!picker || !mine || peer.closed || peer.peerChoking || mine.sent.size === 0) return;
    const criticalPieces = this.o.criticalPieces();
    const waiting = criticalPieces.some((i) => peer.hasPiece(i) && this.hasUnrequestedBlock(i));
    if (!waiting) return;
    let cancelled = false;
    const critical = new Set(criticalPieces);
    for (const [key, r] of mine.sent) {
      if (critical.has(r.index)) continue;
      this.cancel(peer, key, r);
      picker.requestCancelled(peer.id, r.index, r.begin);
      cancelled = true;
    }
    if (cancelled) this.fill(peer);
  }

  /**
   * Cancels the peer's requests older than the time-out; true if any was (others may take them).
   * The peer is snubbed until a block from it arrives.
   */
  checkTimeouts(peer: Peer, now: number): boolean {
    const mine = this.byPeer.get(peer);
    if (!mine) return false;
    let timedOut = false;
    for (const [key, r] of mine.sent) {
      if (now - r.at > this.o.requestTimeout) {
        this.cancel(peer, key, r);
        this.picker?.requestCancelled(peer.id, r.index, r.begin);
        timedOut = true;
      }
    }
    if (timedOut) mine.snubbed = true;
    return timedOut;
  }

  /** Paused or stopped: no request goes out (and no retry is pending) until active again. */
  setActive(active: boolean): void {
    this.stopped = !active;
    if (active || this.limitTimer === undefined) return;
    this.o.clock.clearTimeout(this.limitTimer);
    this.limitTimer = undefined;
  }

  private of(peer: Peer): PeerRequests {
    let mine = this.byPeer.get(peer);
    if (!mine) this.byPeer.set(peer, (mine = { sent: new Map(), cancelled: undefined, unasked: 0, snubbed: false, roundTrip: undefined }));
    return mine;
  }

  /**
   * A block we have no request for. One we cancelled may cross our cancel on the way: the peer did
   * nothing wrong (each cancel excuses one such block), and it is kept if its piece is still in
   * progress. Any other counts against the peer's allowance and is never stored: memory goes only
   * to pieces the picker started (see memory.ts).
   */
  private excused(peer: Peer, mine: PeerRequests, key: RequestKey, index: number, begin: number, length: number): boolean {
    const picker = this.picker;
    if (mine.cancelled?.delete(key)) return picker?.pieceState(index) === 'partial' && picker.wantsBlock(index, begin, length);
    mine.unasked += length;
    if (mine.unasked > MAX_UNREQUESTED) this.o.drop(peer, 'sent too many blocks we did not ask for');
    return false;
  }

  /** Withdraws one of our requests to a peer (the caller gives its block back to the picker if due). */
  private cancel(peer: Peer, key: RequestKey, r: OutstandingRequest): void {
    const mine = this.of(peer);
    mine.sent.delete(key);
    peer.send({ type: 'cancel', index: r.index, begin: r.begin, length: r.length });
    const cancelled = (mine.cancelled ??= new Set());
    if (cancelled.size >= MAX_CANCELLED) cancelled.delete(cancelled.values().next().value!);
    cancelled.add(key);
  }

  /** Gives a peer's outstanding requests back to the picker. */
  private release(peer: Peer): void {
    const mine = this.byPeer.get(peer);
    if (!mine) return;
    for (const r of mine.sent.values()) this.picker?.requestCancelled(peer.id, r.index, r.begin);
    mine.sent.clear();
  }

  /** Whether a peer other than `self` that unchokes us, and is not snubbed, has piece `index`. */
  private othersOffer(self: Peer, index: number): boolean {
    for (const p of this.o.peers()) if (p !== self && !p.backup && !p.peerChoking && !this.byPeer.get(p)?.snubbed && p.hasPiece(index)) return true;
    return false;
  }

  /** Whether piece `index` is missing a block that nobody has been asked for. */
  private hasUnrequestedBlock(index: number): boolean {
    const picker = this.picker!;
    const state = picker.pieceState(index);
    if (state === 'none') return true;
    if (state !== 'partial') return false;
    const size = picker.geometry.pieceSize(index);
    for (let begin = 0; begin < size; begin += BLOCK_SIZE) if (picker.blockState(index, begin) === 'missing') return true;
    return false;
  }

  /** Under a download limit: asks every peer for more once the limit allows another block. */
  private retryWhenAllowed(limit: RateLimiter): void {
    if (this.limitTimer !== undefined || this.stopped) return;
    this.limitTimer = this.o.clock.setTimeout(
      () => {
        this.limitTimer = undefined;
        this.fillAll();
      },
      Math.max(1, limit.msUntil(BLOCK_SIZE)),
    );
  }
}

/** A request's key: index and begin in one exact number (`index:begin` past 2^21 pieces, where the number would not be exact). */
type RequestKey = number | string;

function keyOf(index: number, begin: number): RequestKey {
  return index < 0x200000 ? index * 0x100000000 + begin : `${index}:${begin}`;
}
