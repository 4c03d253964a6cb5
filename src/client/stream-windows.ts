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
