/**
 * The uploader: serves the blocks peers ask us for. Each peer has a serve loop that sends while its
 * channel's queue is under the high-water mark and resumes on drain; pieces come from a small cache
 * of recently used pieces or from the store, with reads started ahead of the loop so that they
 * overlap. Deciding who may ask (choking) and what a valid request is stays with the session.
 */
import { errorMessage } from '../errors.js';
import type { Clock } from './clock.js';
import type { PieceStore } from './store.js';
import type { RateLimiter } from './limiter.js';
import type { Peer } from './peer.js';

/** A channel's send queue holds about this much of its upload rate (see UploaderOptions.highWaterMark). */
export const SEND_QUEUE_SECONDS = 0.03;
export const MAX_HIGH_WATER_MARK = 1024 * 1024;
/** The least of the high-water mark that each active upload keeps (see Uploader.highWaterMark). */
const MIN_SHARE = 8 * 1024;
/** An upload counts as active (sharing the uplink) this long after its last block. */
const ACTIVE_UPLOAD_MS = 200;
/** Distinct pieces read ahead of a peer's serve loop (see readAhead). */
const READS_AHEAD = 4;
/** Pieces read ahead for a new peer at most (see prefetch). */
const PREFETCH = 2;
/**
 * The piece cache: at most this many pieces, and this many bytes of the buffers they keep alive (see
 * `buffers`), but always room for two pieces.
 */
const CACHE_PIECES = 32;
const CACHE_BYTES = 16 * 1024 * 1024;

export interface UploaderOptions {
  clock: Clock;
  store: PieceStore;
  /** Bytes queued on a channel above which sending pauses until it drains (at least; see highWaterMark). */
  highWaterMark: number;
  /** The most a channel's send queue holds however fast it is. */
  maxHighWaterMark: number;
  uploadLimit?: RateLimiter;
  warn(message: string): void;
  /** A block went out to `peer`. */
  onServed(peer: Peer, index: number, bytes: number): void;
}

export class Uploader {
  private readonly serving = new Set<Peer>();
  private readonly pieceCache = new Map<number, Uint8Array>();
  private readonly pieceReads = new Map<number, Promise<Uint8Array | undefined>>();
  /**
   * What the cache keeps alive, counted by buffer: a piece may be a view of a larger buffer (a seeding
   * tab reads its files an extent at a time and hands out views of it), which lives while any of its
   * pieces is cached. Buffer → how many cached pieces it holds.
   */
  private readonly buffers = new Map<ArrayBufferLike, number>();
  private cachedBytes = 0;
  /** When each peer was last sent a block (clock ms), kept while recent (see activeUploads). */
  private readonly lastServed = new Map<Peer, number>();
  /** When lastServed was last rid of stale entries. */
  private prunedAt = -Infinity;

  constructor(private readonly o: UploaderOptions) {}

  /**
   * Bytes queued on a peer's channel above which sending pauses. The configured mark is shared by the
   * uploads active at the time: our uplink is one queue, and a `have`, a request or an unchoke sent
   * to any peer waits behind what every channel holds. With a 1 MiB/s uplink shared by four slots of
   * 32 KiB each, such a message waited up to 125 ms, and peers waiting on it left their own uplinks
   * idle (the simulator: README, step 7 of issue 19). At least {@link MIN_SHARE}; and a fast channel
   * holds what it carries in {@link SEND_QUEUE_SECONDS}, up to the maximum, so that it never runs dry
   * between two drain events.
   */
  highWaterMark(peer: Peer): number {
    const share = Math.max(MIN_SHARE, this.o.highWaterMark / this.activeUploads(peer));
    return Math.min(this.o.maxHighWaterMark, Math.max(share, peer.uploaded.rate() * SEND_QUEUE_SECONDS));
  }

  /** Uploads sharing the uplink: this one, and the others that sent a block in the last {@link ACTIVE_UPLOAD_MS}. */
  private activeUploads(peer: Peer): number {
    const now = this.o.clock.now();
    // Stale entries go once per instant: an entry set since is recent.
    if (now !== this.prunedAt) {
      this.prunedAt = now;
      for (const [other, at] of this.lastServed) if (now - at > ACTIVE_UPLOAD_MS) this.lastServed.delete(other);
    }
    return this.lastServed.has(peer) ? this.lastServed.size : this.lastServed.size + 1;
  }

  /** Sends the peer's requested blocks while its channel has room; call again on drain. */
  serve(peer: Peer): void {
    if (this.serving.has(peer) || peer.closed) return;
    this.serving.add(peer);
    void this.serveLoop(peer).finally(() => {
      this.serving.delete(peer);
      // Requests queued after the loop looked last, while it was ending (its end is seen a microtask
      // later: an unchoke and the requests it lets in may arrive in one chunk), are served now.
      if (mayServe(peer) && peer.queuedRequests.length > 0 && peer.channel.bufferedAmount <= this.highWaterMark(peer)) this.serve(peer);
    });
  }

  peerGone(peer: Peer): void {
    this.serving.delete(peer);
    this.lastServed.delete(peer);
  }

  private async serveLoop(peer: Peer): Promise<void> {
    while (mayServe(peer) && peer.queuedRequests.length > 0) {
      const highWaterMark = this.highWaterMark(peer);
      if (peer.channel.bufferedAmount > highWaterMark) {
        peer.channel.lowWaterMark = highWaterMark / 4;
        return; // onDrain calls serve again
      }
      const r = peer.nextRequest()!;
      this.readAhead(peer, r.index);
      const wait = this.o.uploadLimit?.take(r.length) ?? 0;
      if (wait > 0) await new Promise<void>((resolve) => this.o.clock.setTimeout(resolve, wait));
      const data = await this.readPiece(r.index);
      if (!mayServe(peer)) return; // it went, or was choked, while we waited
      if (!data) {
        if (peer.fast) peer.send({ type: 'reject', index: r.index, begin: r.begin, length: r.length });
        continue;
      }
      peer.send({ type: 'piece', index: r.index, begin: r.begin, block: data.subarray(r.begin, r.begin + r.length) });
      peer.uploaded.add(r.length);
      this.lastServed.set(peer, this.o.clock.now());
      this.o.onServed(peer, r.index, r.length);
    }
  }

  /**
   * Starts reading the next few distinct pieces a peer has asked for, so that store reads (tens of
   * ms each in a busy IndexedDB) overlap instead of running one after another in the serve loop.
   */
  private readAhead(peer: Peer, current: number): void {
    let started = 0;
    let last = current;
    for (const r of peer.queuedRequests) {
      if (started >= READS_AHEAD || this.pieceReads.size >= 2 * READS_AHEAD) break;
      if (r.index === last) continue;
      last = r.index;
      if (!this.pieceCache.has(r.index)) void this.readPiece(r.index);
      started++;
    }
  }

  /**
   * Reads the first of these pieces (just revealed to a new peer) ahead of any request, and
   * suggests them to the peer (BEP 6 `suggest`), so that it asks for a piece already in memory
   * and its first block does not wait for a store read. A couple at most, while few reads run.
   */
  prefetch(peer: Peer, pieces: readonly number[]): void {
    for (const index of pieces.slice(0, PREFETCH)) {
      if (!this.pieceCache.has(index)) {
        if (this.pieceReads.size >= READS_AHEAD) return;
        void this.readPiece(index);
      }
      if (peer.fast) peer.send({ type: 'suggest', index });
    }
  }

  /** A piece to serve: from the cache, or read from the store (one read per piece at a time). */
  private readPiece(index: number): Promise<Uint8Array | undefined> {
    const cached = this.pieceCache.get(index);
    if (cached) return Promise.resolve(cached);
    let read = this.pieceReads.get(index);
    if (!read) {
      read = this.o.store.get(index).then(
        (data) => {
          if (data) this.remember(index, data);
          return data;
        },
        (e: unknown) => {
          this.o.warn(`could not read piece ${index}: ${errorMessage(e)}`);
          return undefined;
        },
      );
      this.pieceReads.set(index, read);
      void read.finally(() => this.pieceReads.delete(index));
    }
    return read;
  }

  /**
   * Recently used pieces stay in memory (least recently used out first): peers ask for the blocks of
   * a piece in a row, and reads run ahead of the serve loop. A piece just verified goes here too.
   */
  remember(index: number, data: Uint8Array): void {
    const cache = this.pieceCache;
    const old = cache.get(index);
    if (old) this.release(old);
    cache.delete(index);
    cache.set(index, data);
    this.hold(data);
    while (cache.size > 2 && (cache.size > CACHE_PIECES || this.cachedBytes > CACHE_BYTES)) {
      const [oldest, bytes] = cache.entries().next().value!;
      cache.delete(oldest);
      this.release(bytes);
    }
  }

  /** A piece is cached: its buffer counts once, with the first cached piece that holds it. */
  private hold(data: Uint8Array): void {
    const held = this.buffers.get(data.buffer) ?? 0;
    this.buffers.set(data.buffer, held + 1);
    if (held === 0) this.cachedBytes += data.buffer.byteLength;
  }

  /** A cached piece is let go: its buffer no longer counts once no cached piece holds it. */
  private release(data: Uint8Array): void {
    const held = this.buffers.get(data.buffer)!;
    if (held > 1) this.buffers.set(data.buffer, held - 1);
    else {
      this.buffers.delete(data.buffer);
      this.cachedBytes -= data.buffer.byteLength;
    }
  }
}

/** The peer is connected and unchoked: its requests may be served. */
function mayServe(peer: Peer): boolean {
  return !peer.closed && !peer.amChoking;
}
