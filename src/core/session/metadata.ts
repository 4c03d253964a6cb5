/**
 * The metadata exchange (BEP 9, ut_metadata): fetching the info dictionary from peers for a magnet
 * link, verifying it against the info hash, and serving it to others.
 *
 * A peer met before either side had the metadata may get it later. A tabswarm peer then sends a
 * second extended handshake with `metadata_size` (swarm.ts); one that never says (WebTorrent sets
 * its size without telling peers it met before) is probed: asked for piece 0, whose answer carries
 * `total_size`. A peer that rejects a request (a probe or not) is asked again after a backoff.
 */
import { TabswarmError, errorMessage } from '../errors.js';
import { parseInfoDict, type Metainfo } from '../metainfo.js';
import type { Peer } from './peer.js';
import { decodeMetadataMessage, encodeMetadataMessage, METADATA_PIECE, MAX_METADATA_SIZE } from '../wire/index.js';
import type { Hasher } from './store.js';
import { bytesEqual, concatBytes } from '../bytes.js';

/** The id we ask peers to use for ut_metadata messages to us. */
export const UT_METADATA_ID = 1;
/** A metadata request unanswered for this long is asked of another peer. */
const METADATA_TIMEOUT = 10_000;
/** A peer that rejected a request is asked again after this long, doubled each time up to METADATA_RETRY_MAX. */
export const METADATA_RETRY = 2_000;
export const METADATA_RETRY_MAX = 60_000;

/** What a ut_metadata message led to: `ready` when every piece is in and `check()` is due. */
export type MessageResult = { kind: 'none' } | { kind: 'error'; message: string } | { kind: 'ready' };

export type CheckResult = { kind: 'none' } | { kind: 'complete'; infoBytes: Uint8Array; senders: string[] } | { kind: 'failed'; culprits: string[] };

/**
 * What the assembled metadata gave: `metainfo`; `failed` (it does not hash to the info hash:
 * `culprits` sent it all); `broken` (it hashes right yet does not parse: the torrent itself is
 * broken); or `none` (not complete yet, or already being checked).
 */
export type Settled = { kind: 'none' } | { kind: 'metainfo'; metainfo: Metainfo } | { kind: 'failed'; culprits: string[] } | { kind: 'broken'; error: Error };

interface Pending {
  peer: string;
  at: number;
}

interface Backoff {
  delay: number;
  retryAt: number;
}

export class MetadataExchange {
  private size: number | undefined;
  private pieces: (Uint8Array | undefined)[] = [];
  private senders: (string | undefined)[] = [];
  private readonly pending = new Map<number, Pending>();
  private checking = false;
  private result: Promise<CheckResult> | undefined;
  /** When the chosen size last made progress (chosen, or a piece arrived). */
  private lastProgress = 0;
  /** Peers that rejected a request, and when to ask them again. */
  private readonly backoff = new Map<string, Backoff>();
  /** Probes (requests for piece 0 to peers that announced no size) in flight, by peer: when sent. */
  private readonly probes = new Map<string, number>();
  /** Sizes learned from answers to probes, by peer. */
  private readonly learned = new Map<string, number>();

  /**
   * `infoHash`: what the metadata must hash to with `hasher` (SHA-1, or SHA-256 for a v2 swarm's
   * 32-byte hash); `sha1` and `sha256`: what its info hashes are then taken with.
   */
  constructor(
    private readonly infoHash: Uint8Array,
    private readonly hasher: Hasher,
    private readonly now: () => number,
    private readonly sha1: Hasher = hasher,
    private readonly sha256?: Hasher,
  ) {}

  /** Asks `peer` for the metadata pieces nobody is fetching, if it offers ut_metadata (a probe if it gave no size). */
  requestFrom(peer: Peer): void {
    const ext = peer.extensions['ut_metadata'];
    if (peer.closed || !peer.handshaken || !ext) return;
    const now = this.now();
    const backoff = this.backoff.get(peer.id);
    if (backoff && now < backoff.retryAt) return;
    const size = peer.metadataSize || this.learned.get(peer.id);
    if (size === undefined) return this.probe(peer, ext, now);
    if (size > MAX_METADATA_SIZE) return;
    // A size that nobody delivers (a peer that lied about it and went silent) is given up after
    // a timeout, for the size this peer gives.
    if (this.size !== undefined && size !== this.size && !this.checking && now - this.lastProgress > METADATA_TIMEOUT) {
      this.reset();
    }
    if (this.size === undefined) this.choose(size, now);
    if (size !== this.size || this.checking) return;
    for (let piece = 0; piece < this.pieces.length; piece++) {
      if (this.pieces[piece]) continue;
      const p = this.pending.get(piece);
      if (p && now - p.at < METADATA_TIMEOUT) continue;
      this.pending.set(piece, { peer: peer.id, at: now });
      peer.send({ type: 'extended', extId: ext, payload: encodeMetadataMessage({ msgType: 0, piece }) });
    }
  }

  /** The peer sent an extended handshake (again): a size it gives now is asked of it at once. */
  announced(peer: Peer): void {
    if (peer.metadataSize) this.backoff.delete(peer.id);
    this.requestFrom(peer);
  }

  /** Asks a peer that gave no size for piece 0: its answer says the size (it may have the metadata by now). */
  private probe(peer: Peer, ext: number, now: number): void {
    const sent = this.probes.get(peer.id);
    if (this.checking || (sent !== undefined && now - sent < METADATA_TIMEOUT)) return;
    this.probes.set(peer.id, now);
    peer.send({ type: 'extended', extId: ext, payload: encodeMetadataMessage({ msgType: 0, piece: 0 }) });
  }

  private choose(size: number, now: number): void {
    this.lastProgress = now;
    this.size = size;
    const count = Math.ceil(size / METADATA_PIECE);
    // Filled, not sparse: array methods skip the holes of a sparse array.
    this.pieces = Array.from({ length: count }, () => undefined);
    this.senders = Array.from({ length: count }, () => undefined);
  }

  /** The peer refused a request: it is asked again later, twice as late each time. */
  private rejected(id: string): void {
    const delay = Math.min((this.backoff.get(id)?.delay ?? METADATA_RETRY / 2) * 2, METADATA_RETRY_MAX);
    this.backoff.set(id, { delay, retryAt: this.now() + delay });
  }

  peerGone(id: string): void {
    for (const [piece, p] of this.pending) if (p.peer === id) this.pending.delete(piece);
    this.backoff.delete(id);
    this.probes.delete(id);
    this.learned.delete(id);
    // Nothing received yet: forget the size too, so that the next peer's size is taken (the size
    // may have come from the peer that left, or was dropped for lying).
    if (!this.checking && this.pieces.every((p) => p === undefined)) this.reset();
  }

  /** Handles a ut_metadata message; `infoBytes` is ours to serve, when we have it. */
  onMessage(peer: Peer, payload: Uint8Array, infoBytes: Uint8Array | undefined): MessageResult {
    let msg;
    try {
      msg = decodeMetadataMessage(payload);
    } catch (e) {
      return { kind: 'error', message: `bad ut_metadata message: ${errorMessage(e)}` };
    }
    const ext = peer.extensions['ut_metadata'];
    if (msg.msgType === 0) {
      if (!ext) return { kind: 'none' };
      const start = msg.piece * METADATA_PIECE;
      if (!infoBytes || start >= infoBytes.length) {
        peer.send({ type: 'extended', extId: ext, payload: encodeMetadataMessage({ msgType: 2, piece: msg.piece }) });
      } else {
        const data = infoBytes.subarray(start, Math.min(start + METADATA_PIECE, infoBytes.length));
        peer.send({
          type: 'extended',
          extId: ext,
          payload: encodeMetadataMessage({ msgType: 1, piece: msg.piece, totalSize: infoBytes.length, data }),
        });
      }
      return { kind: 'none' };
    }
    if (msg.msgType === 2) {
      const asked = this.pending.get(msg.piece);
      const probed = msg.piece === 0 && this.probes.delete(peer.id);
      if (asked?.peer === peer.id) this.pending.delete(msg.piece);
      if (probed || asked?.peer === peer.id) this.rejected(peer.id);
      return { kind: 'none' };
    }
    if (msg.msgType !== 1 || this.checking) return { kind: 'none' };
    if (msg.piece === 0 && this.probes.delete(peer.id)) return this.probeAnswered(peer, msg.totalSize, msg.data);
    // A data message we did not ask for, or of the wrong size, is ignored (and never buffered).
    const size = this.size;
    const asked = this.pending.get(msg.piece);
    if (size === undefined || !asked || asked.peer !== peer.id) return { kind: 'none' };
    if (msg.totalSize !== size) return { kind: 'error', message: `metadata total_size ${msg.totalSize} differs from the ${size} bytes announced` };
    const expected = Math.min(METADATA_PIECE, size - msg.piece * METADATA_PIECE);
    if (msg.data.length !== expected) return { kind: 'error', message: `metadata piece ${msg.piece} has the wrong length` };
    this.pending.delete(msg.piece);
    return this.store(peer, msg.piece, msg.data);
  }

  /** A peer that gave no size answered a probe: its size is known now, and the rest is asked of it. */
  private probeAnswered(peer: Peer, totalSize: number, data: Uint8Array): MessageResult {
    this.backoff.delete(peer.id);
    this.learned.set(peer.id, totalSize);
    if (this.size === undefined) this.choose(totalSize, this.now());
    if (totalSize !== this.size) return { kind: 'none' };
    if (this.pieces[0] === undefined) {
      if (this.pending.get(0)?.peer === peer.id) this.pending.delete(0);
      const result = this.store(peer, 0, data);
      if (result.kind === 'ready') return result;
    }
    this.requestFrom(peer);
    return { kind: 'none' };
  }

  private store(peer: Peer, piece: number, data: Uint8Array): MessageResult {
    this.backoff.delete(peer.id);
    this.lastProgress = this.now();
    this.pieces[piece] = data.slice();
    this.senders[piece] = peer.id;
    if (this.pieces.some((p) => p === undefined)) return { kind: 'none' };
    this.checking = true;
    return { kind: 'ready' };
  }

  /** Verifies the assembled metadata; on a mismatch resets so it is fetched again. */
  /** Checks the assembled metadata (see `check`) and parses it. */
  async settle(): Promise<Settled> {
    const result = await this.check();
    if (result.kind !== 'complete') return result;
    try {
      return { kind: 'metainfo', metainfo: await parseInfoDict(result.infoBytes, this.infoHash, this.sha1, this.sha256) };
    } catch (e) {
      return { kind: 'broken', error: e instanceof Error ? e : new TabswarmError(String(e)) };
    }
  }

  async check(): Promise<CheckResult> {
    if (!this.checking) return { kind: 'none' };
    this.result ??= (async (): Promise<CheckResult> => {
      const infoBytes = concatBytes(this.pieces as Uint8Array[]);
      const senders = [...new Set(this.senders.filter((s): s is string => s !== undefined))];
      const ok = bytesEqual(await this.hasher(infoBytes), this.infoHash);
      if (ok) return { kind: 'complete', infoBytes, senders };
      this.reset();
      // With one sender the culprit is certain; with several, refetching is all we can do safely.
      return { kind: 'failed', culprits: senders.length === 1 ? senders : [] };
    })();
    return this.result;
  }

  private reset(): void {
    this.size = undefined;
    this.pieces = [];
    this.senders = [];
    this.pending.clear();
    this.checking = false;
    this.result = undefined;
  }
}
