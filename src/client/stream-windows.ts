/**
 * The streaming priority of a torrent: the windows its readers (streams) hold open over its bytes,
 * turned into the critical and read-ahead pieces the session fetches first (see Torrent.prioritize).
 */
import type { PieceGeometry } from '../core/geometry.js';
import type { PriorityWindow } from './file.js';

/**
 * A stream's window (see {@link Torrent.prioritize}): the pieces of the first CRITICAL_BYTES from
 * its position are fetched before anything else, strictly in order; those of the next
 * READ_AHEAD_BYTES at high priority.
 */
export const CRITICAL_BYTES = 2 * 1024 * 1024;
export const READ_AHEAD_BYTES = 32 * 1024 * 1024;
/** The pieces {@link StreamWindows.wantHead} names before the metadata. */
export const HEAD_PIECES = 4;

/** What the windows need of the torrent and its session. */
export interface StreamTarget {
  /** The torrent's pieces; undefined before the metadata is known (then nothing is raised). */
  geometry(): PieceGeometry | undefined;
  /** Whether piece `index` is verified (it needs no raising). */
  has(index: number): boolean;
  setStreamPriority(critical: readonly number[], raised: readonly number[]): void;
}

export class StreamWindows {
  /** Open stream windows (torrent byte offsets), oldest first. */
  private readonly windows = new Set<{ position: number; end: number }>();
  /** What was last given to the session, to skip identical updates. */
  private streamKey = '';
  /** The head was asked for before the metadata (see wantHead). */
  private head = false;

  constructor(private readonly target: StreamTarget) {}

  /** Opens a window over the bytes `[start, end)` of a file (a file-relative range, clamped to it). */
  open(file: { offset: number; length: number }, start: number, end: number): PriorityWindow {
    const clamp = (n: number) => file.offset + Math.max(0, Math.min(n, file.length));
    const window = { position: clamp(start), end: clamp(end) };
    this.windows.add(window);
    this.apply();
    return {
      seek: (position: number) => {
        if (!this.windows.has(window)) return;
        window.position = clamp(position);
        this.apply();
      },
      release: () => {
        if (this.windows.delete(window)) this.apply();
      },
    };
  }

  /**
   * Before the metadata: a player is about to read the torrent from its start (the link names one
   * video, say), so its first {@link HEAD_PIECES} pieces are critical now. The session names them to
   * its peers at once (`ts_want`), and a seeder that reveals its pieces a few at a time shows them
   * before the metadata comes: they are asked for with it, not a round trip later. Once the
   * metadata is known (`refresh`), the open windows replace them.
   */
  wantHead(): void {
    if (this.target.geometry()) return;
    this.head = true;
    this.streamKey = '';
    this.target.setStreamPriority(
      Array.from({ length: HEAD_PIECES }, (_, i) => i),
      [],
    );
  }

  /** The metadata came: the windows (or none) replace the head asked for before it. */
  refresh(): void {
    if (!this.head) return;
    this.head = false;
    this.apply();
  }

  /** Forgets what was last given to the session (a new session has been given nothing). */
  reset(): void {
    this.streamKey = '';
  }

  /** Gives the session the critical and read-ahead pieces of every open window (newest first). */
  private apply(): void {
    const geometry = this.target.geometry();
    if (!geometry) return;
    const critical: number[] = [];
    const raised: number[] = [];
    const seen = new Set<number>();
    const add = (list: number[], from: number, to: number) => {
      if (to <= from) return;
      for (let i = geometry.pieceAt(from), last = geometry.pieceAt(to - 1); i <= last; i++) {
        if (seen.has(i) || this.target.has(i)) continue;
        seen.add(i);
        list.push(i);
      }
    };
    for (const w of [...this.windows].reverse()) {
      const criticalEnd = Math.min(w.end, w.position + CRITICAL_BYTES);
      add(critical, w.position, criticalEnd);
      add(raised, criticalEnd, Math.min(w.end, w.position + CRITICAL_BYTES + READ_AHEAD_BYTES));
    }
    const key = `${critical.join(',')}|${raised.join(',')}`;
    if (key === this.streamKey) return;
    this.streamKey = key;
    this.target.setStreamPriority(critical, raised);
  }
}
