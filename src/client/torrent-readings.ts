/**
 * What an application reads of a torrent (name, links, progress, speeds, peers, pieces, files), from
 * its readout: its own session, or the tab of this browser that runs it (see torrent-readout.ts).
 * `Torrent` adds the life cycle and the actions.
 */
import { TypedEventTarget } from './events.js';
import type { Metainfo } from '../core/metainfo.js';
import type { PieceStore } from '../core/session/store.js';
import { bytesEqual, fromHex } from '../core/bytes.js';
import { formatMagnet } from '../core/magnet.js';
import { torrentFileBytes } from '../core/torrent-file.js';
import type { TorrentFile } from './file.js';
import type { TorrentFiles } from './torrent-files.js';
import type { PrivateState } from './private-share.js';
import type { TorrentEventMap, TorrentPeer } from './torrent-types.js';
import { shareRatio } from './transfer-rates.js';
import type { TorrentReadout } from './torrent-readout.js';
import { Timeline } from '../core/session/timeline.js';

export abstract class TorrentReadings extends TypedEventTarget<TorrentEventMap> {
  readonly infoHash: string;
  readonly infoHashBytes: Uint8Array;
  /** Where its verified pieces are kept. */
  readonly store: PieceStore;
  readonly urlList: string[];
  readonly exactSource: string[];
  /** The v2 info hash a magnet link gave, before the metadata is known. */
  private readonly givenV2: string | undefined;
  metainfo: Metainfo | undefined;
  /** Its files, once known (for a private share opened with its secret: the share's own files, decrypted as read). */
  get files(): TorrentFile[] {
    return this.fileSet.files;
  }
  paused = false;
  /**
   * When each phase of its download first happened, from the moment it was added (tracker answer,
   * data channel, handshake, metadata, first request, block and verified piece, done), and what its
   * peers' channels carried: `timeline.read()`. Kept for this tab's session only.
   */
  readonly timeline = new Timeline(() => Date.now());
  /** Set when the torrent stopped on an error (e.g. storage full). */
  lastError: Error | undefined;
  /** Where the numbers come from. */
  protected abstract view: TorrentReadout;
  /** Its files, and a private share's secret and manifest. */
  protected abstract readonly fileSet: TorrentFiles;

  constructor(
    init: { infoHash: string; infoHashV2?: string | undefined; urlList: string[]; exactSource: string[]; store: PieceStore },
    private readonly givenName: string | undefined,
  ) {
    super();
    this.infoHash = init.infoHash;
    this.infoHashBytes = fromHex(init.infoHash)!;
    this.store = init.store;
    this.urlList = init.urlList;
    this.exactSource = init.exactSource;
    this.givenV2 = init.infoHashV2;
    this.timeline.mark('added');
  }

  /** Its trackers. */
  abstract get announce(): string[];

  get name(): string {
    return this.fileSet.privateName ?? this.metainfo?.name ?? this.givenName ?? this.infoHash;
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
    const v2 = this.metainfo?.infoHashV2 ?? this.givenV2;
    return formatMagnet({
      infoHash: this.infoHash,
      infoHashV2: v2,
      // A v2-only torrent's v1 form is its v2 hash truncated: the link carries the v2 hash alone.
      ...(v2?.startsWith(this.infoHash) ? { version: 'v2' as const } : {}),
      // A private share's own name is in its encrypted manifest only: its magnet link names the torrent.
      name: this.secret ? this.metainfo?.name : this.name,
      announce: this.announce,
      urlList: this.urlList,
      exactSource: this.exactSource,
    });
  }
  /**
   * The hashes its swarms are found under on trackers: its info hash, and for a hybrid the first
   * 20 bytes of its v2 one (where v2-only clients look for it).
   */
  get swarmHashes(): Uint8Array[] {
    const v2 = this.metainfo?.infoHashV2 ?? this.givenV2;
    const truncated = v2 === undefined ? undefined : fromHex(v2.slice(0, 40));
    return truncated && !bytesEqual(truncated, this.infoHashBytes) ? [this.infoHashBytes, truncated] : [this.infoHashBytes];
  }
  /** The .torrent file, once the metadata is known. */
  get torrentFile(): Uint8Array | undefined {
    const m = this.metainfo;
    return m ? torrentFileBytes({ announce: this.announce, urlList: this.urlList, infoBytes: m.infoBytes, pieceLayers: m.pieceLayers }) : undefined;
  }
  get progress(): number {
    return this.view.progress;
  }
  get downloaded(): number {
    return this.view.downloaded;
  }
  get uploaded(): number {
    return this.view.uploaded;
  }
  /** Bytes per second arriving (see transfer-rates.ts); 0 once done, whatever still arrives. */
  get downloadSpeed(): number {
    return this.isDone ? 0 : this.view.downloadSpeed;
  }
  get uploadSpeed(): number {
    return this.view.uploadSpeed;
  }
  get numPeers(): number {
    return this.view.numPeers;
  }
  get isDone(): boolean {
    return this.view.isDone;
  }
  /** Bytes still wanted; undefined before the metadata is known. */
  get left(): number | undefined {
    return this.view.left;
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
    return this.view.pieceStates();
  }
  /** The connected peers. */
  peers(): TorrentPeer[] {
    return this.view.peers();
  }
  /** Fraction of a file's bytes in verified pieces. */
  fileProgress(index: number): number {
    return this.files[index] ? this.view.fileProgress(index) : 0;
  }
  /** How many files have every byte verified (an empty file always has); 0 before the metadata is known. */
  get completeFiles(): number {
    return this.view.completeFiles;
  }
  /**
   * Connections to peers of this torrent that could not be made since it was opened in this page:
   * the peer answered (or we answered it), and ICE found no path, one side had no address to offer,
   * or nothing connected in time. Each also sends a `warning` saying why. Behind restrictive NATs
   * or firewalls a TURN server (`iceServers`) relays such connections.
   */
  get failedConnections(): number {
    return this.view.failedConnections;
  }
}
