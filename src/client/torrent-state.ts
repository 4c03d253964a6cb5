/**
 * What an application reads of a torrent (see Torrent, which runs it): its identity, trackers and
 * files, and the numbers worked out from its session: progress, bytes, speeds, peers, time left,
 * ratio, piece states. Kept apart from the engine (torrent.ts) so that each stays a readable size.
 */
import { TypedEventTarget } from './events.js';
import type { TorrentSession } from '../core/session/session.js';
import type { PieceStore } from '../core/session/store.js';
import type { Metainfo } from '../core/metainfo.js';
import type { PieceGeometry } from '../core/geometry.js';
import { formatMagnet } from '../core/magnet.js';
import { torrentFileBytes } from '../core/torrent-file.js';
import { fromHex } from '../core/bytes.js';
import type { TorrentFile } from './file.js';
import type { TorrentFiles } from './torrent-files.js';
import type { PrivateState } from './private-share.js';
import type { PeerConnectionKind, TorrentEventMap, TorrentInit, TorrentPeer } from './torrent-types.js';
import { TransferRates, shareRatio } from './transfer-rates.js';

/** A piece's state in {@link TorrentState.pieceStates}. */
export const PIECE_MISSING = 0;
export const PIECE_DOWNLOADING = 1;
export const PIECE_VERIFIED = 2;
/** Peers asked of the trackers at once while some peer can introduce others (issue 19, item 4). */
const TRACKER_PEERS_WITH_RELAYS = 5;

export abstract class TorrentState extends TypedEventTarget<TorrentEventMap> {
  readonly infoHash: string;
  readonly infoHashBytes: Uint8Array;
  /** Its trackers (see `addTrackers`). */
  get announce(): string[] {
    return this.trackers;
  }
  readonly urlList: string[];
  readonly exactSource: string[];
  readonly store: PieceStore;
  metainfo: Metainfo | undefined;
  /** Its files, once known (for a private share opened with its secret: the share's own files, decrypted as read). */
  get files(): TorrentFile[] {
    return this.fileSet.files;
  }
  paused = false;
  /** Set when the torrent stopped on an error (e.g. storage full). */
  lastError: Error | undefined;

  protected abstract readonly session: TorrentSession;
  protected abstract readonly fileSet: TorrentFiles;
  protected geometry: PieceGeometry | undefined;
  protected trackers: string[];
  protected readonly rates = new TransferRates(() => ({ downloaded: this.downloaded, uploaded: this.uploaded }));
  protected name_: string | undefined;
  /** What each connected peer's connection goes through, read when the peers are (by peer id). */
  protected readonly links = new Map<string, { readonly connection?: PeerConnectionKind | undefined }>();
  protected failures = 0;

  constructor(protected readonly init: TorrentInit) {
    super();
    this.infoHash = init.infoHash;
    this.infoHashBytes = fromHex(init.infoHash)!;
    this.trackers = [...init.announce];
    this.urlList = init.urlList;
    this.exactSource = init.exactSource;
    this.store = init.store;
    this.name_ = init.name;
  }

  get name(): string {
    return this.fileSet.privateName ?? this.metainfo?.name ?? this.name_ ?? this.infoHash;
  }
  /** A private share's secret (the key of its link; never sent to anyone); undefined for an ordinary torrent. */
  get secret(): Uint8Array | undefined {
    return this.fileSet.secret;
  }
  /** A private share opened with its secret: whether its files are known yet, or why they cannot be read. */
  get privateShare(): PrivateState | undefined {
    return this.fileSet.privateState;
  }
  get length(): number {
    return this.metainfo?.length ?? 0;
  }
  get magnetURI(): string {
    return formatMagnet({
      infoHash: this.infoHash,
      infoHashV2: this.metainfo?.infoHashV2,
      // A private share's own name is in its encrypted manifest only: its magnet link names the torrent.
      name: this.secret ? this.metainfo?.name : this.name,
      announce: this.announce,
      urlList: this.urlList,
      exactSource: this.exactSource,
    });
  }
  /** The .torrent file, once the metadata is known. */
  get torrentFile(): Uint8Array | undefined {
    const m = this.metainfo;
    return m ? torrentFileBytes({ announce: this.announce, urlList: this.urlList, infoBytes: m.infoBytes, pieceLayers: m.pieceLayers }) : undefined;
  }
  get progress(): number {
    return this.session.progress;
  }
  get downloaded(): number {
    return this.session.downloaded;
  }
  get uploaded(): number {
    return this.session.uploaded;
  }
  /** Bytes per second arriving (see transfer-rates.ts); 0 once done, whatever still arrives. */
  get downloadSpeed(): number {
    return this.isDone ? 0 : this.rates.download;
  }
  get uploadSpeed(): number {
    return this.rates.upload;
  }
  get numPeers(): number {
    return this.session.peerCount;
  }
  get isDone(): boolean {
    return this.session.done;
  }
  /** Bytes still wanted; undefined before the metadata is known. */
  get left(): number | undefined {
    return this.session.left;
  }
  /** Seconds until done at the current download speed: 0 when done, Infinity when nothing arrives. */
  get timeRemaining(): number {
    if (this.isDone) return 0;
    const left = this.left;
    const speed = this.downloadSpeed;
    return left === undefined || speed <= 0 ? Infinity : left / speed;
  }
  /** See {@link shareRatio}. */
  get ratio(): number {
    return shareRatio(this.uploaded, this.downloaded, this.length);
  }
  /** Each piece's state: {@link PIECE_MISSING}, {@link PIECE_DOWNLOADING} or {@link PIECE_VERIFIED}. */
  pieceStates(): Uint8Array {
    const count = this.geometry?.pieceCount;
    if (count === undefined) return new Uint8Array(0);
    const out = new Uint8Array(count);
    for (let i = 0; i < out.length; i++) if (this.session.has(i)) out[i] = PIECE_VERIFIED;
    // Verified pieces have no download under way: what is under way is neither missing nor verified.
    for (const i of this.session.piecesInProgress()) out[i] = PIECE_DOWNLOADING;
    return out;
  }
  /** The connected peers. */
  peers(): TorrentPeer[] {
    return this.session.status().peers.map((p) => ({
      id: p.id,
      connection: this.links.get(p.id)?.connection,
      client: p.client,
      downloadSpeed: p.downloadRate,
      uploadSpeed: p.uploadRate,
      progress: p.progress,
      unchokedUs: !p.peerChoking,
      unchokedByUs: !p.amChoking,
    }));
  }
  /** How many files have every byte verified (an empty file always has); 0 before the metadata is known. */
  get completeFiles(): number {
    return this.fileSet.completeFiles;
  }
  /**
   * Connections to peers of this torrent that could not be made since it was opened in this page:
   * the peer answered (or we answered it), and ICE found no path, one side had no address to offer,
   * or nothing connected in time. Each also sends a `warning` saying why. Behind restrictive NATs
   * or firewalls a TURN server (`iceServers`) relays such connections.
   */
  get failedConnections(): number {
    return this.failures;
  }
  /** Peers wanted from the trackers: a few once a peer can introduce others (relayed signaling). */
  get wantsPeers(): number {
    const want = this.paused ? 0 : Math.max(0, this.init.maxPeers - this.session.peerCount);
    return this.session.relayPeers > 0 ? Math.min(want, TRACKER_PEERS_WITH_RELAYS) : want;
  }
}
