/**
 * Reading a torrent's verified bytes for files and streams: whole pieces once verified, and for
 * BitTorrent v2 single 16 KiB blocks as soon as each proved right against its leaf hash, so that a
 * stream moves on before the rest of its piece is in. Readers wait (piece-waiters.ts) until what
 * they need is there, or the torrent stops on an error.
 */
import { PieceWaiters } from './piece-waiters.js';

/** What the reader needs of the torrent (its current session and store). */
export interface VerifiedBytes {
  has(index: number): boolean;
  /** A stored, verified piece. */
  get(index: number): Promise<Uint8Array | undefined>;
  /**
   * Verified bytes holding byte `begin` of piece `index` before the store has them (see
   * TorrentSession.verifiedBytes): the whole piece being written, or (v2) a block that proved right.
   */
  verifiedBytes(index: number, begin: number): { data: Uint8Array; at: number; whole: boolean } | undefined;
  /** The error the torrent stopped on, if it did. */
  error(): Error | undefined;
}

export class PieceReader {
  private readonly waiters = new PieceWaiters();

  constructor(private readonly source: VerifiedBytes) {}

  /** A piece was verified, or one of its blocks: its readers look again. */
  wake(index: number): void {
    this.waiters.wake(index);
  }

  /** The torrent stopped on an error: every reader is told. */
  wakeAll(): void {
    this.waiters.wakeAll();
  }

  /** The bytes of one piece, waiting for it to be downloaded and verified. */
  async piece(index: number): Promise<Uint8Array> {
    return (await this.chunk(index, 0, false)).data;
  }

  /**
   * Verified bytes of piece `index` holding its byte `from`: the whole piece (`at` 0; from memory
   * while the store is still writing it), or with `blocks` a verified block of it (`at` its offset
   * in the piece), whichever comes first.
   */
  async chunk(index: number, from: number, blocks = true): Promise<{ data: Uint8Array; at: number }> {
    for (;;) {
      if (this.source.has(index)) {
        const data = await this.source.get(index);
        if (data) return { data, at: 0 };
      }
      const early = this.source.verifiedBytes(index, from);
      if (early && (blocks || early.whole)) return { data: early.data, at: early.at };
      const error = this.source.error();
      if (error) throw error;
      await this.waiters.wait(index);
    }
  }
}
