/**
 * Storing the pieces of files being seeded, read from the files themselves.
 */
import { PieceGeometry } from '../core/geometry.js';
import type { Metainfo } from '../core/metainfo.js';
import type { PieceStore } from '../core/session/store.js';
import { SpanReader, type SourceFile } from './source-store.js';

/** Stores every piece of the given files not yet stored, keeping at most 8 MiB of writes in flight. */
export async function writePieces(files: readonly SourceFile[], metainfo: Metainfo, store: PieceStore, onProgress?: (done: number) => void): Promise<void> {
  const geometry = new PieceGeometry(metainfo);
  const reader = new SpanReader(files, geometry);
  const already = new Set(await store.stored());
  const writing: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  let inFlight = 0;
  let done = 0;
  for (let i = 0; i < geometry.pieceCount; i++) {
    if (!already.has(i)) {
      const piece = await reader.piece(i);
      writing.push(store.put(i, piece).catch((error: unknown) => void (failure ??= { error })));
      inFlight += piece.length;
      if (inFlight >= 8 * 1024 * 1024) {
        await Promise.all(writing.splice(0));
        inFlight = 0;
      }
      if (failure) break;
    }
    done += geometry.pieceSize(i);
    onProgress?.(done);
  }
  await Promise.all(writing);
  if (failure) throw failure.error;
}
