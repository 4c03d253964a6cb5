/**
 * What a torrent shows (progress, speeds, peers, pieces, files), read from one of two places: its own
 * session when this tab runs it ({@link LocalReadout}), or the latest state broadcast by the tab that
 * does ({@link RemoteReadout}, see tabs/coordinator.ts). `Torrent` reads whichever is current.
 */
import type { PieceGeometry } from '../core/geometry.js';
import type { TorrentSession } from '../core/session/session.js';
import { FileProgress } from './file-progress.js';
import type { TabCommand, TorrentSnapshot } from './tabs/protocol.js';
import { TransferRates } from './transfer-rates.js';
import type { PeerConnectionKind, TorrentPeer } from './torrent-types.js';

/** A piece's state in `Torrent.pieceStates`. */
export const PIECE_MISSING = 0;
export const PIECE_DOWNLOADING = 1;
export const PIECE_VERIFIED = 2;

export interface TorrentReadout {
  readonly progress: number;
  readonly downloaded: number;
  readonly uploaded: number;
  /** Bytes per second arriving (the torrent shows 0 once done). */
  readonly downloadSpeed: number;
  readonly uploadSpeed: number;
  readonly numPeers: number;
  readonly isDone: boolean;
  readonly left: number | undefined;
  readonly failedConnections: number;
  /** Whether piece `index` is verified and stored. */
  has(index: number): boolean;
  pieceStates(): Uint8Array;
  peers(): TorrentPeer[];
  /** Fraction of file `index`'s bytes verified (the file exists). */
  fileProgress(index: number): number;
  readonly completeFiles: number;
}

/** The torrent's own session, and what the torrent counts beside it. */
export class LocalReadout implements TorrentReadout {
  /** What each connected peer's connection goes through, read when the peers are (by peer id). */
  readonly links = new Map<string, { readonly connection?: PeerConnectionKind | undefined }>();
  readonly rates = new TransferRates(() => ({ downloaded: this.downloaded, uploaded: this.uploaded }));
  /** Connections to peers that could not be made (see `Torrent.failedConnections`). */
  failures = 0;
  /** Verified bytes per file, kept up to date by {@link pieceVerified}, once the metadata is known. */
  private readonly table = new FileTable();
  private readonly o: { session: () => TorrentSession; geometry: () => PieceGeometry | undefined; filesGeometry: () => PieceGeometry | undefined };

  /** `geometry`: the torrent's pieces; `filesGeometry`: its files' (a private share's own files lie over the same pieces). */
  constructor(session: () => TorrentSession, geometry: () => PieceGeometry | undefined, filesGeometry: () => PieceGeometry | undefined) {
    this.o = { session, geometry, filesGeometry };
  }

  get progress(): number {
    return this.o.session().progress;
  }
  get downloaded(): number {
    return this.o.session().downloaded;
  }
  get uploaded(): number {
    return this.o.session().uploaded;
  }
  get downloadSpeed(): number {
    return this.rates.download;
  }
  get uploadSpeed(): number {
    return this.rates.upload;
  }
  get numPeers(): number {
    return this.o.session().peerCount;
  }
  get isDone(): boolean {
    return this.o.session().done;
  }
  get left(): number | undefined {
    return this.o.session().left;
  }
  get failedConnections(): number {
    return this.failures;
  }
  has(index: number): boolean {
    return this.o.session().has(index);
  }
  pieceStates(): Uint8Array {
    const count = this.o.geometry()?.pieceCount;
    if (count === undefined) return new Uint8Array(0);
    const session = this.o.session();
    const out = new Uint8Array(count);
    for (let i = 0; i < out.length; i++) if (session.has(i)) out[i] = PIECE_VERIFIED;
    // Verified pieces have no download under way: what is under way is neither missing nor verified.
    for (const i of session.piecesInProgress()) out[i] = PIECE_DOWNLOADING;
    return out;
  }
  peers(): TorrentPeer[] {
    return this.o
      .session()
      .status()
      .peers.map((p) => ({
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
  /** A piece the session verified (its `piece` event). */
  pieceVerified(index: number): void {
    this.table.current?.add(index);
  }
  fileProgress(index: number): number {
    return this.fileTable()?.progress(index) ?? 0;
  }
  get completeFiles(): number {
    return this.fileTable()?.completeFiles ?? 0;
  }

  /**
   * The verified bytes of every file; pieces the session has that the table has not counted (those
   * found in storage at start, which send no `piece` event) are counted in one pass.
   */
  private fileTable(): FileProgress | undefined {
    const table = this.table.for(this.o.filesGeometry());
    const session = this.o.session();
    if (table && table.pieces !== session.haveCount) table.addAll((i) => session.has(i));
    return table;
  }
}

/** Verified bytes per file, over the files' geometry of the moment (a private share's files come later). */
class FileTable {
  current: FileProgress | undefined;
  private geometry: PieceGeometry | undefined;

  /** The table for `geometry`: a new, empty one when it changed. */
  for(geometry: PieceGeometry | undefined): FileProgress | undefined {
    if (geometry !== this.geometry) {
      this.geometry = geometry;
      this.current = geometry && new FileProgress(geometry);
    }
    return this.current;
  }
}

/** The state the tab running the torrent broadcast last; and where this tab's commands go. */
export class RemoteReadout implements TorrentReadout {
  snapshot: TorrentSnapshot | undefined;
  /** No longer followed (removed, or this client destroyed): readers stop waiting. */
  closed = false;
  /** The torrent's `done` was sent for this state (once the metadata is known). */
  doneSeen = false;
  private readonly table = new FileTable();
  /** The state and table the table has counted. */
  private counted: { snapshot?: TorrentSnapshot | undefined; table?: FileProgress | undefined } = {};

  constructor(
    private readonly geometry: () => PieceGeometry | undefined,
    readonly send: (command: TabCommand) => void,
    private readonly filesGeometry: () => PieceGeometry | undefined = geometry,
  ) {}

  /** Takes a newer state; returns the pieces it says are verified that the previous one did not. */
  update(s: TorrentSnapshot): number[] {
    const before = this.snapshot;
    this.snapshot = s;
    const count = this.geometry()?.pieceCount;
    const fresh: number[] = [];
    if (count === undefined || s.pieces.length !== count) return fresh;
    for (let i = 0; i < count; i++) {
      if (s.pieces[i] === PIECE_VERIFIED && before?.pieces[i] !== PIECE_VERIFIED) fresh.push(i);
    }
    return fresh;
  }

  get progress(): number {
    return this.snapshot?.progress ?? 0;
  }
  get downloaded(): number {
    return this.snapshot?.downloaded ?? 0;
  }
  get uploaded(): number {
    return this.snapshot?.uploaded ?? 0;
  }
  get downloadSpeed(): number {
    return this.snapshot?.downloadSpeed ?? 0;
  }
  get uploadSpeed(): number {
    return this.snapshot?.uploadSpeed ?? 0;
  }
  get numPeers(): number {
    return this.snapshot?.numPeers ?? 0;
  }
  get isDone(): boolean {
    return this.snapshot?.done ?? false;
  }
  get left(): number | undefined {
    return this.snapshot?.left;
  }
  get failedConnections(): number {
    return this.snapshot?.failedConnections ?? 0;
  }
  has(index: number): boolean {
    return this.pieceStates()[index] === PIECE_VERIFIED;
  }
  /** The pieces as broadcast, when they fit the metadata this tab has. */
  pieceStates(): Uint8Array {
    const count = this.geometry()?.pieceCount;
    if (count === undefined) return new Uint8Array(0);
    const pieces = this.snapshot?.pieces;
    return pieces?.length === count ? pieces : new Uint8Array(count);
  }
  peers(): TorrentPeer[] {
    return this.snapshot?.peers ?? [];
  }
  fileProgress(index: number): number {
    return this.fileTable()?.progress(index) ?? 0;
  }
  get completeFiles(): number {
    return this.fileTable()?.completeFiles ?? 0;
  }

  private fileTable(): FileProgress | undefined {
    const table = this.table.for(this.filesGeometry());
    if (!table) return undefined;
    if (this.counted.snapshot !== this.snapshot || this.counted.table !== table) {
      this.counted = { snapshot: this.snapshot, table };
      // Verified pieces stay verified: the table only ever adds.
      const pieces = this.pieceStates();
      table.addAll((i) => pieces[i] === PIECE_VERIFIED);
    }
    return table;
  }
}
