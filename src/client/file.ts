/**
 * One file of a torrent: its bytes as a Blob or a stream, read from verified pieces (waiting for
 * missing ones), one piece at a time.
 */
import type { PieceGeometry } from '../core/geometry.js';
import type { TorrentFileEntry } from '../core/metainfo.js';

/** A reader's raised priority over part of a file (see `Torrent.prioritize`). */
export interface PriorityWindow {
  /** The reader is now at this byte of the file. */
  seek(position: number): void;
  /** The reader is done or gone: the pieces go back to their usual priority. */
  release(): void;
}

/** What a file needs of its torrent. */
export interface PieceSource {
  piece(index: number): Promise<Uint8Array>;
  /** Verified bytes holding byte `from` of a piece: the piece, or (v2) a block of it; `at`: where they start in the piece. */
  chunk?(index: number, from: number): Promise<{ data: Uint8Array; at: number }>;
  prioritize(fileIndex: number, start: number, end: number): PriorityWindow;
  selectFile(index: number, selected: boolean): void;
  isSelected(index: number): boolean;
  fileProgress(index: number): number;
}

export class TorrentFile {
  readonly name: string;
  readonly path: string;
  readonly length: number;
  /** The file's first byte within the torrent. */
  readonly offset: number;

  constructor(
    private readonly source: PieceSource,
    private readonly geometry: PieceGeometry,
    entry: TorrentFileEntry,
    readonly index: number,
  ) {
    this.name = entry.name;
    this.path = entry.path;
    this.length = entry.length;
    this.offset = entry.offset;
  }

  /** Fraction of the file's bytes verified. */
  get progress(): number {
    return this.source.fileProgress(this.index);
  }

  /** Whether the file is downloaded (every file is, unless deselected). */
  get selected(): boolean {
    return this.source.isSelected(this.index);
  }

  select(): void {
    this.source.selectFile(this.index, true);
  }

  /** Leaves the file out of the download (pieces it shares with a selected file are still fetched). */
  deselect(): void {
    this.source.selectFile(this.index, false);
  }

  /**
   * The bytes `[start, end)` of the file, as a stream of piece-sized chunks (end exclusive), read as
   * they are verified (BitTorrent v2: block-sized chunks, each as soon as it proved right). While it is open, the pieces at its position are fetched first (see
   * `Torrent.prioritize`); closing, cancelling or finishing it lowers them again.
   */
  stream(start = 0, end = this.length): ReadableStream<Uint8Array> {
    const from = Math.max(0, Math.min(start, this.length));
    const to = Math.max(from, Math.min(end, this.length));
    let position = from;
    let window: PriorityWindow | undefined;
    let finished = false;
    const finish = () => {
      finished = true;
      window?.release();
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (finished) return;
        if (position >= to) {
          finish();
          controller.close();
          return;
        }
        if (window) window.seek(position);
        else window = this.source.prioritize(this.index, position, to);
        const absolute = this.offset + position;
        const index = this.geometry.pieceAt(absolute);
        const pieceStart = this.geometry.pieceOffset(index);
        const begin = absolute - pieceStart;
        let data: Uint8Array;
        let at = 0;
        try {
          if (this.source.chunk) ({ data, at } = await this.source.chunk(index, begin));
          else data = await this.source.piece(index);
        } catch (e) {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- cancel() may have finished the stream during the await; TS keeps the narrowing from before it
          if (!finished) {
            finish();
            controller.error(e);
          }
          return;
        }
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above: cancel() may have come during the await
        if (finished) return;
        const take = Math.min(data.length - (begin - at), to - position);
        controller.enqueue(data.slice(begin - at, begin - at + take));
        position += take;
        if (position >= to) {
          finish();
          controller.close();
        }
      },
      cancel: finish,
    });
  }

  /** The whole file as a Blob, once every piece of it is verified. */
  async blob(type = ''): Promise<Blob> {
    const parts: BlobPart[] = [];
    const reader = this.stream().getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value as Uint8Array<ArrayBuffer>);
    }
    return new Blob(parts, { type });
  }
}
