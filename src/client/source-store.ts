/**
 * Pieces of a torrent seeded from files the person gave: read straight from those files (a `File`
 * is a disk-backed Blob; slicing it is cheap) instead of from IndexedDB, whose reads take tens of ms
 * each in a busy browser. A changed source never sends wrong bytes: a File changed on disk since it
 * was picked fails to read (browsers snapshot it), and bytes given as a Uint8Array (which the caller
 * could still modify) are hashed against the torrent before they are served; either way that piece
 * comes from the store instead.
 * Writes, the list of stored pieces and clearing go to the store underneath, which keeps every piece,
 * so the torrent still seeds after a reload, when the files are gone.
 */
import type { PieceGeometry } from '../core/geometry.js';
import type { Hasher, PieceStore } from '../core/session/store.js';
import { bytesEqual, concatBytes } from '../core/bytes.js';

export interface SourceFile {
  data: Uint8Array | Blob;
}

/** The bytes of piece `index`, read from the files it spans. */
export async function readPieceFromFiles(files: readonly SourceFile[], geometry: PieceGeometry, index: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const seg of geometry.pieceFiles(index)) {
    const data = files[seg.fileIndex]!.data;
    parts.push(
      data instanceof Uint8Array
        ? data.subarray(seg.fileOffset, seg.fileOffset + seg.length)
        : new Uint8Array(await data.slice(seg.fileOffset, seg.fileOffset + seg.length).arrayBuffer()),
    );
  }
  return parts.length === 1 ? parts[0]!.slice() : concatBytes(parts);
}

export class SourceBackedStore implements PieceStore {
  /** Pieces whose source bytes did not match: read from the store from now on. */
  private readonly changed = new Set<number>();

  constructor(
    private readonly inner: PieceStore,
    private readonly files: readonly SourceFile[],
    private readonly geometry: PieceGeometry,
    private readonly hashes: readonly Uint8Array[],
    private readonly hasher: Hasher,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  put(index: number, data: Uint8Array): Promise<void> {
    return this.inner.put(index, data);
  }

  async get(index: number): Promise<Uint8Array | undefined> {
    if (!this.changed.has(index)) {
      try {
        const data = await readPieceFromFiles(this.files, this.geometry, index);
        if (!this.mutable(index) || bytesEqual(await this.hasher(data), this.hashes[index]!)) return data;
        this.warn(`piece ${index} changed on disk since it was shared; serving the stored copy`);
      } catch (e) {
        this.warn(`could not read piece ${index} from the shared file (${e instanceof Error ? e.message : e}); serving the stored copy`);
      }
      this.changed.add(index);
    }
    return this.inner.get(index);
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
