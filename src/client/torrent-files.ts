/**
 * A torrent's files as an application reads them: the torrent's own files once the metadata is known,
 * or, for a private share opened with its link's secret, the share's files (private-share.ts), known
 * once its manifest is read and decrypted as they are read. (How much of each is verified is counted
 * over {@link TorrentFiles.geometry} by the torrent's readout, torrent-readout.ts.)
 */
import type { Metainfo } from '../core/metainfo.js';
import type { OpenedShare } from '../core/private/container.js';
import type { PieceGeometry } from '../core/geometry.js';
import { TorrentFile, type PieceSource, type PriorityWindow } from './file.js';
import { PrivateFiles, type PrivateHost, type PrivateState } from './private-share.js';

export class TorrentFiles {
  files: TorrentFile[] = [];
  /** The geometry of `files` (the torrent's own, or a private share's files over the same pieces). */
  geometry: PieceGeometry | undefined;
  private readonly privateFiles: PrivateFiles | undefined;
  private opening: Promise<boolean> | undefined;

  private readonly host: PrivateHost & PieceSource;

  /** `raise`: raises the torrent's bytes `[start, end)` for a reader (a private share's files are read that way). */
  constructor(torrent: PieceSource, raise: (start: number, end: number) => PriorityWindow, secret?: Uint8Array, opened?: OpenedShare) {
    const chunk = torrent.chunk?.bind(torrent);
    const host = (this.host = {
      piece: (i: number) => torrent.piece(i),
      ...(chunk ? { chunk } : {}),
      prioritize: (file: number, start: number, end: number) => torrent.prioritize(file, start, end),
      selectFile: (i: number, selected: boolean) => torrent.selectFile(i, selected),
      isSelected: (i: number) => torrent.isSelected(i),
      fileProgress: (i: number) => torrent.fileProgress(i),
      raise,
    });
    if (secret) this.privateFiles = opened ? PrivateFiles.fromOpened(secret, host, opened) : new PrivateFiles(secret, host);
  }

  /** The secret of a private share (from its link); undefined for an ordinary torrent. */
  get secret(): Uint8Array | undefined {
    return this.privateFiles?.secret;
  }

  /** A private share's state; undefined for an ordinary torrent. */
  get privateState(): PrivateState | undefined {
    return this.privateFiles?.state;
  }

  /** A private share's own name, once open. */
  get privateName(): string | undefined {
    return this.privateFiles?.name;
  }

  /**
   * The metadata is known: the torrent's files, or an opened private share's. False when they wait
   * for a private share's manifest (see {@link openPrivate}).
   */
  setMetainfo(m: Metainfo, geometry: PieceGeometry): boolean {
    const p = this.privateFiles;
    if (!p) {
      this.use(
        geometry,
        m.files.map((f, i) => new TorrentFile(this.host, geometry, f, i)),
      );
      return true;
    }
    const own = p.geometry(m);
    if (own) this.use(own, p.files(own));
    return own !== undefined;
  }

  /**
   * Reads and opens a private share's manifest (once; the session must run, since its pieces are
   * read through it). True, to the first caller only, once it opened or failed; false otherwise.
   */
  openPrivate(m: Metainfo, geometry: PieceGeometry): Promise<boolean> {
    const p = this.privateFiles;
    if (!p || p.state.status !== 'opening' || this.opening) return Promise.resolve(false);
    this.opening = p.open(m, geometry).then(() => {
      this.setMetainfo(m, geometry);
      return true;
    });
    return this.opening;
  }

  private use(geometry: PieceGeometry, files: TorrentFile[]): void {
    this.geometry = geometry;
    this.files = files;
  }
}
