/**
 * Pieces of a torrent seeded from files the person gave: read straight from those files (a `File`
 * is a disk-backed Blob) instead of from IndexedDB, whose reads take tens of ms each in a busy
 * browser. A changed source never sends wrong bytes: a File changed on disk since it was picked fails
 * to read (browsers snapshot it), and bytes given as a Uint8Array (which the caller could still
 * modify) are hashed against the torrent before they are served; either way that piece comes from the
 * store instead.
 * Writes, the list of stored pieces and clearing go to the store underneath, which keeps every piece,
 * so the torrent still seeds after a reload, when the files are gone.
 */
import { EXTENT_BYTES, type PieceGeometry } from '../core/geometry.js';
import type { BlobLike } from '../core/create.js';
import type { Metainfo } from '../core/metainfo.js';
import { sha256 } from '../core/sha256.js';
import { V2Pieces } from '../core/v2-pieces.js';
import type { Hasher, PieceStore } from '../core/session/store.js';
import { bytesEqual, concatBytes } from '../core/bytes.js';
import { errorMessage } from '../core/errors.js';

export interface SourceFile {
  /** A Blob, a File, or anything read like one (a private share's container encrypts as it is read). */
  data: Uint8Array | BlobLike;
}

/**
 * Files are read this much at a time (whole pieces; one piece if pieces are larger): an extent, the
 * unit the picker and initial seeding keep together. In a busy tab each `Blob.slice()` +
 * `arrayBuffer()` costs about a millisecond of the page's main thread whatever its size (a profile of
 * a 64 MiB transfer spent 0.6 s in them reading 256 KiB pieces one by one): `slice` registers the new
 * Blob with the browser process in a synchronous call, which waits its turn there.
 */
export const SPAN_BYTES = EXTENT_BYTES;
/** Spans kept after reading (peers ask for the pieces of a span one after another). */
const CACHED_SPANS = 4;
/** Kept spans are let go once no piece has been read for this long (a seeding tab may hold many torrents). */
const SPAN_IDLE_MS = 5_000;

/**
 * The bytes of pieces `first`..`last` (inclusive), read from the files they span. Padding between
 * files (BEP 47, v2 alignment) is in no file: those bytes are zeros.
 */
async function readPieces(files: readonly SourceFile[], geometry: PieceGeometry, first: number, last: number): Promise<Uint8Array> {
  // The pieces' file segments, runs of one file merged: one read per file touched.
  const runs: { fileIndex: number; from: number; to: number; at: number }[] = [];
  const base = geometry.pieceOffset(first);
  const size = geometry.pieceOffset(last) + geometry.pieceSize(last) - base;
  let covered = 0;
  for (let i = first; i <= last; i++) {
    for (const seg of geometry.pieceFiles(i)) {
      covered += seg.length;
      const run = runs[runs.length - 1];
      if (run && run.fileIndex === seg.fileIndex && run.to === seg.fileOffset) run.to += seg.length;
      else runs.push({ fileIndex: seg.fileIndex, from: seg.fileOffset, to: seg.fileOffset + seg.length, at: geometry.pieceOffset(i) - base + seg.pieceOffset });
    }
  }
  const parts = await Promise.all(
    runs.map(async ({ fileIndex, from, to }) => {
      const data = files[fileIndex]!.data;
      return data instanceof Uint8Array ? data.subarray(from, to) : new Uint8Array(await data.slice(from, to).arrayBuffer());
    }),
  );
  if (covered < size) {
    const out = new Uint8Array(size);
    parts.forEach((part, i) => out.set(part, runs[i]!.at));
    return out;
  }
  // A lone part read from a Blob is ours already; a view of a caller's array is copied.
  if (parts.length === 1 && !(files[runs[0]!.fileIndex]!.data instanceof Uint8Array)) return parts[0]!;
  return concatBytes(parts);
}

/** The bytes of piece `index`, read from the files it spans. */
export function readPieceFromFiles(files: readonly SourceFile[], geometry: PieceGeometry, index: number): Promise<Uint8Array> {
  return readPieces(files, geometry, index, index);
}

/**
 * Reads pieces from the shared files a span of {@link SPAN_BYTES} at a time (spans aligned to whole
 * pieces), keeping the last few spans, so that serving a run of pieces costs one file read per span.
 */
export class SpanReader {
  private readonly perSpan: number;
  /** Span index → its bytes (being read or read), least recently used first. */
  private readonly spans = new Map<number, Promise<Uint8Array>>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly files: readonly SourceFile[],
    private readonly geometry: PieceGeometry,
    spanBytes = SPAN_BYTES,
  ) {
    this.perSpan = Math.max(1, Math.floor(spanBytes / geometry.pieceLength));
  }

  /**
   * The bytes of piece `index`: a view of the span it was read in, which callers only read (the
   * uploader sends from it, the store copies what it keeps). A copy per piece cost the seeding tab
   * 2.5–3.4 ms of main thread per MiB served, the largest item of its own in its profile. What a view
   * keeps alive (the whole span) is what the uploader's piece cache counts.
   */
  async piece(index: number): Promise<Uint8Array> {
    if (this.perSpan === 1) return readPieceFromFiles(this.files, this.geometry, index);
    const k = Math.floor(index / this.perSpan);
    const first = k * this.perSpan;
    let span = this.spans.get(k);
    if (span) this.spans.delete(k);
    else {
      const last = Math.min(this.geometry.pieceCount - 1, first + this.perSpan - 1);
      span = readPieces(this.files, this.geometry, first, last);
      // A failed read is not kept: the next call tries again (and the caller falls back per piece).
      span.catch(() => {
        if (this.spans.get(k) === span) this.spans.delete(k);
      });
    }
    this.spans.set(k, span);
    while (this.spans.size > CACHED_SPANS) this.spans.delete(this.spans.keys().next().value!);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.spans.clear(), SPAN_IDLE_MS);
    const bytes = await span;
    const at = this.geometry.pieceOffset(index) - this.geometry.pieceOffset(first);
    return bytes.subarray(at, at + this.geometry.pieceSize(index));
  }
}

/** Checks a piece of a v2-only torrent against its file's Merkle tree; undefined for other torrents (their SHA-1 serves). */
export function pieceCheck(metainfo: Metainfo): ((index: number, data: Uint8Array) => Promise<boolean>) | undefined {
  if (metainfo.version !== 'v2') return undefined;
  const pieces = new V2Pieces(metainfo, sha256);
  return async (index, data) => (await pieces.check(index, data, sha256)).ok === true;
}

export class SourceBackedStore implements PieceStore {
  /** Pieces whose source bytes did not match: read from the store from now on. */
  private readonly changed = new Set<number>();
  private readonly reader: SpanReader;

  constructor(
    private readonly inner: PieceStore,
    private readonly files: readonly SourceFile[],
    private readonly geometry: PieceGeometry,
    private readonly hashes: readonly Uint8Array[],
    private readonly hasher: Hasher,
    private readonly warn: (message: string) => void = () => {},
    /** Checks a piece instead of `hashes` and `hasher` (a v2-only torrent has no SHA-1 hashes). */
    private readonly check?: (index: number, data: Uint8Array) => Promise<boolean>,
  ) {
    this.reader = new SpanReader(files, geometry);
  }

  put(index: number, data: Uint8Array): Promise<void> {
    return this.inner.put(index, data);
  }

  async get(index: number): Promise<Uint8Array | undefined> {
    if (!this.changed.has(index)) {
      try {
        // A span that fails to read (one of its files changed) may still hold this piece intact.
        const data = await this.reader.piece(index).catch(() => readPieceFromFiles(this.files, this.geometry, index));
        if (!this.mutable(index) || (await this.matches(index, data))) return data;
        this.warn(`piece ${index} changed on disk since it was shared; serving the stored copy`);
      } catch (e) {
        this.warn(`could not read piece ${index} from the shared file (${errorMessage(e)}); serving the stored copy`);
      }
      this.changed.add(index);
    }
    return this.inner.get(index);
  }

  private async matches(index: number, data: Uint8Array): Promise<boolean> {
    return this.check ? this.check(index, data) : bytesEqual(await this.hasher(data), this.hashes[index]!);
  }

  /** Whether a piece has bytes from a Uint8Array source. */
  private mutable(index: number): boolean {
    return this.geometry.pieceFiles(index).some((seg) => this.files[seg.fileIndex]!.data instanceof Uint8Array);
  }

  stored(): Promise<number[]> {
    return this.inner.stored();
  }

  clear(): Promise<void> {
    return this.inner.clear();
  }
}
