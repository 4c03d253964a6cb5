/**
 * Memory for pieces being downloaded. A piece's bytes are held from its first request until it is
 * verified and stored (or given up), so what a tab holds is the number of pieces in progress times
 * the piece length: unbounded, if a peer or a torrent could choose either. A budget caps it. The
 * picker reserves a piece's size before it starts the piece and releases it when the piece is done
 * with; a piece it cannot reserve for is not started until memory is released. Each torrent has a
 * budget of its own whose reservations also count against the client's, shared by its torrents.
 */
import type { PieceBudget } from '../picker/types.js';
import { TorrentError } from '../errors.js';

/** Default bytes of piece data held by one torrent's pieces in progress. Also the longest piece accepted. */
export const TORRENT_PIECE_MEMORY = 64 * 1024 * 1024;
/** Default bytes of piece data held by all the torrents of one client. */
export const CLIENT_PIECE_MEMORY = 256 * 1024 * 1024;

export class MemoryBudget implements PieceBudget {
  private usedBytes = 0;
  private peakBytes = 0;
  private closed = false;

  /** `limit` bytes at most, and within what `parent` (the client's budget) still has. */
  constructor(
    readonly limit: number,
    private readonly parent?: MemoryBudget,
  ) {
    if (!(limit >= 0)) throw new RangeError(`a memory budget of ${limit} bytes`);
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.usedBytes;
  }

  /** The most bytes ever reserved at once. */
  get peak(): number {
    return this.peakBytes;
  }

  /** The most one reservation could ever get: the smallest limit on the way up. */
  get ceiling(): number {
    return Math.min(this.limit, this.parent?.ceiling ?? Infinity);
  }

  available(): number {
    if (this.closed) return 0;
    const own = this.limit - this.usedBytes;
    return this.parent ? Math.min(own, this.parent.available()) : own;
  }

  tryReserve(bytes: number): boolean {
    if (this.closed || bytes > this.limit - this.usedBytes) return false;
    if (this.parent && !this.parent.tryReserve(bytes)) return false;
    this.usedBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.usedBytes);
    return true;
  }

  release(bytes: number): void {
    if (this.closed) return;
    const n = Math.min(bytes, this.usedBytes);
    this.usedBytes -= n;
    this.parent?.release(n);
  }

  /**
   * Gives back everything still reserved (a stopped torrent: its buffers are dropped) and refuses
   * every later reservation; later releases are ignored.
   */
  close(): void {
    if (this.closed) return;
    this.parent?.release(this.usedBytes);
    this.usedBytes = 0;
    this.closed = true;
  }
}

/**
 * Throws a TorrentError when pieces of `pieceLength` bytes do not fit in `ceiling` (a budget's
 * {@link MemoryBudget.ceiling}): a piece is hashed, so held, whole.
 */
export function checkPieceLength(pieceLength: number, ceiling: number): void {
  if (pieceLength <= ceiling) return;
  throw new TorrentError(`pieces of ${mib(pieceLength)} are too long: a piece is verified in memory, and a tab holds at most ${mib(ceiling)} for one`);
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}
