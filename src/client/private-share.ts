/**
 * A private share (end-to-end encrypted; core/private/) as the client's torrent shows it: the torrent
 * itself is ciphertext, one file named `private.tabswarm`; with the link's secret, its first bytes
 * (header and sealed manifest) are fetched first, opened, and the torrent's `files` become the
 * share's own files, whose bytes are decrypted as they are read (pieces as verified, in any order, so
 * streaming, seeking and saving work as for any torrent). Without the secret the torrent is carried
 * like any other: its pieces are verified, stored and served, and never read.
 */
import type { PieceGeometry } from '../core/geometry.js';
import { PieceGeometry as Geometry } from '../core/geometry.js';
import type { Metainfo, TorrentFileEntry } from '../core/metainfo.js';
import { openContainer, type OpenedShare } from '../core/private/container.js';
import { PRIVATE_TORRENT_NAME, PrivateShareError } from '../core/private/format.js';
import { errorMessage } from '../core/errors.js';
import { TorrentFile, type PieceSource, type PriorityWindow } from './file.js';

/** Where a private share is: its files not read yet, open, or unreadable (a wrong key, a damaged share). */
export type PrivateState = { status: 'opening' } | { status: 'open'; name: string } | { status: 'failed'; error: PrivateShareError };

/** What a private share needs of its torrent. */
export interface PrivateHost {
  /** A verified piece's bytes (ciphertext), waiting for it. */
  piece(index: number): Promise<Uint8Array>;
  /** Raises the torrent bytes `[start, end)` for a reader (see Torrent.prioritize). */
  raise(start: number, end: number): PriorityWindow;
  /** Everything else a file asks of its torrent (progress, selection). */
  fileProgress(index: number): number;
  prioritize(fileIndex: number, start: number, end: number): PriorityWindow;
}

/** Whether a torrent looks like a private share (by its fixed name): the app says it cannot be read without the link's key. */
export function looksPrivate(metainfo: Pick<Metainfo, 'name' | 'files'> | undefined): boolean {
  return metainfo?.name === PRIVATE_TORRENT_NAME && metainfo.files.length === 1;
}

/** The torrent bytes `[start, end)`, read piece by piece as they are verified (the pieces raised meanwhile). */
async function readRange(host: PrivateHost, geometry: PieceGeometry, start: number, end: number): Promise<Uint8Array> {
  const window = host.raise(start, end);
  try {
    const out = new Uint8Array(end - start);
    for (let at = start; at < end;) {
      const index = geometry.pieceAt(at);
      const piece = await host.piece(index);
      const begin = at - geometry.pieceOffset(index);
      const take = Math.min(piece.length - begin, end - at);
      out.set(piece.subarray(begin, begin + take), at - start);
      at += take;
    }
    return out;
  } finally {
    window.release();
  }
}

export class PrivateFiles {
  state: PrivateState = { status: 'opening' };
  private opened: OpenedShare | undefined;

  constructor(
    readonly secret: Uint8Array,
    private readonly host: PrivateHost,
  ) {}

  /** An already opened share (the sharer made it: nothing to read). */
  static fromOpened(secret: Uint8Array, host: PrivateHost, opened: OpenedShare): PrivateFiles {
    const files = new PrivateFiles(secret, host);
    files.opened = opened;
    files.state = { status: 'open', name: opened.manifest.name };
    return files;
  }

  get name(): string | undefined {
    return this.state.status === 'open' ? this.state.name : undefined;
  }

  /** Reads and opens the manifest (once); the state says how it went. */
  async open(metainfo: Metainfo, geometry: PieceGeometry): Promise<void> {
    if (this.opened) return;
    try {
      this.opened = await openContainer((a, b) => readRange(this.host, geometry, a, b), metainfo.length, this.secret);
      this.state = { status: 'open', name: this.opened.manifest.name };
    } catch (e) {
      const error = e instanceof PrivateShareError ? e : new PrivateShareError(`the private share could not be read: ${errorMessage(e)}`);
      this.state = { status: 'failed', error };
    }
  }

  /** The geometry of the share's files over the torrent's pieces (offsets within the torrent); undefined until open. */
  geometry(metainfo: Metainfo): PieceGeometry | undefined {
    const opened = this.opened;
    if (!opened) return undefined;
    return new Geometry({ length: metainfo.length, pieceLength: metainfo.pieceLength, files: opened.layout.files });
  }

  /** The share's files, decrypted as read; none until open. */
  files(geometry: PieceGeometry): TorrentFile[] {
    const opened = this.opened;
    if (!opened) return [];
    const host = this.host;
    const source: PieceSource = {
      piece: async (index) => opened.decrypt(await host.piece(index), geometry.pieceOffset(index)),
      prioritize: (fileIndex, start, end) => host.prioritize(fileIndex, start, end),
      selectFile: () => {
        throw new PrivateShareError('the files of a private share cannot be left out: the whole share is downloaded');
      },
      isSelected: () => true,
      fileProgress: (index) => host.fileProgress(index),
    };
    return opened.layout.files.map((f, i) => {
      const entry: TorrentFileEntry = { path: f.path, pathSegments: f.pathSegments, name: f.name, length: f.length, offset: f.offset };
      return new TorrentFile(source, geometry, entry, i);
    });
  }
}
