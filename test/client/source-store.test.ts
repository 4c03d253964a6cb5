import { describe, expect, it, vi } from 'vitest';
import { createTorrent } from '../../src/core/create.js';
import { PieceGeometry } from '../../src/core/geometry.js';
import { MemoryStore } from '../../src/core/session/store.js';
import { SourceBackedStore, SpanReader, readPieceFromFiles } from '../../src/client/source-store.js';
import { sha1 } from '../../src/core/sha1.js';
import { fixtureBytes } from '../fixtures/greeting.js';

describe('SourceBackedStore', () => {
  it('serves pieces from the shared files, and from the store once a file changed on disk', async () => {
    const a = fixtureBytes(40_000, 1);
    const b = new Blob([fixtureBytes(30_000, 2) as Uint8Array<ArrayBuffer>]);
    const files = [
      { path: 'd/a.bin', data: a },
      { path: 'd/b.bin', data: b },
    ];
    const { metainfo } = await createTorrent(files, { pieceLength: 16384 });
    const geometry = new PieceGeometry(metainfo);
    const inner = new MemoryStore();
    for (let i = 0; i < geometry.pieceCount; i++) await inner.put(i, await readPieceFromFiles(files, geometry, i));
    let innerReads = 0;
    const get = inner.get.bind(inner);
    inner.get = (i: number) => (innerReads++, get(i));
    const warnings: string[] = [];
    // The first file "changes on disk" after it was shared: piece 0 no longer matches.
    const changed = a.slice();
    changed[5] = changed[5]! ^ 1;
    const store = new SourceBackedStore(inner, [{ data: changed }, { data: b }], geometry, metainfo.pieces, sha1, (m) => warnings.push(m));
    // Piece 2 spans both files (bytes 32768..49151: the end of a, the start of b).
    expect(await store.get(2)).toEqual(await get(2));
    expect(innerReads).toBe(0);
    expect(await store.get(0)).toEqual(await get(0)); // the stored, verified copy
    expect(innerReads).toBe(1);
    expect(warnings).toEqual(['piece 0 changed on disk since it was shared; serving the stored copy']);
    await store.get(0);
    expect(innerReads).toBe(2); // not read from the file again
    // A Blob that fails to read (a File changed on disk) is served from the store too.
    const broken = { size: b.size, slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) }) } as unknown as Blob;
    const fromBlob = new SourceBackedStore(inner, [{ data: a }, { data: broken }], geometry, metainfo.pieces, sha1, (m) => warnings.push(m));
    expect(await fromBlob.get(3)).toEqual(await get(3));
    expect(warnings[1]).toMatch(/could not read piece 3 .*NotReadableError.*stored copy/);
    expect(await store.stored()).toEqual(await inner.stored());
    await store.clear();
    expect(await inner.stored()).toEqual([]);
  });

  it('reads the shared files a span of pieces at a time, and serves a piece whose span fails to read from its own file', async () => {
    const a = fixtureBytes(70_000, 3);
    const b = fixtureBytes(90_000, 4);
    const files = [
      { path: 'd/a.bin', data: a },
      { path: 'd/b.bin', data: b },
    ];
    const { metainfo } = await createTorrent(files, { pieceLength: 16384 });
    const geometry = new PieceGeometry(metainfo);
    const whole = new Uint8Array([...a, ...b]);
    // Blobs that count their reads (slice + arrayBuffer), one of which can be made to fail.
    const reads: string[] = [];
    let failB = false;
    const counted = (name: string, bytes: Uint8Array): Blob => {
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
      return {
        size: blob.size,
        slice: (from: number, to: number) => ({
          arrayBuffer: () => {
            reads.push(`${name} ${from}-${to}`);
            return name === 'b' && failB ? Promise.reject(new Error('NotReadableError')) : blob.slice(from, to).arrayBuffer();
          },
        }),
      } as unknown as Blob;
    };
    const blobs = [{ data: counted('a', a) }, { data: counted('b', b) }];
    // Spans of 4 pieces (64 KiB): pieces 0-3, 4-7 (crossing from a into b at 70000), 8-9.
    const reader = new SpanReader(blobs, geometry, 65_536);
    const expectPiece = async (i: number): Promise<void> =>
      expect(await reader.piece(i)).toEqual(whole.subarray(i * 16384, Math.min(whole.length, (i + 1) * 16384)));
    await Promise.all([0, 1, 2, 3].map(expectPiece));
    expect(reads).toEqual(['a 0-65536']);
    // Pieces are views of their span, not copies of it.
    const [p0, p1] = [await reader.piece(0), await reader.piece(1)];
    expect(p1.buffer).toBe(p0.buffer);
    expect([p0.byteOffset, p1.byteOffset, p0.buffer.byteLength]).toEqual([0, 16384, 65536]);
    for (const i of [5, 4, 7, 6, 9, 8]) await expectPiece(i);
    expect(reads).toEqual(['a 0-65536', 'a 65536-70000', 'b 0-61072', 'b 61072-90000']);
    // The three spans are kept: no more reads; once idle for 5 s they are let go.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await expectPiece(0);
      expect(reads.length).toBe(4);
      vi.advanceTimersByTime(4_999);
      await expectPiece(1);
      expect(reads.length).toBe(4);
      vi.advanceTimersByTime(5_000);
      await expectPiece(1);
      expect(reads.slice(4)).toEqual(['a 0-65536']);
    } finally {
      vi.useRealTimers();
    }

    // In the store (spans of 1 MiB: the whole torrent): the span fails to read because b does, yet
    // piece 3, all in a, is still read from a; piece 4 crosses into b and comes from the stored copy.
    const inner = new MemoryStore();
    for (let i = 0; i < geometry.pieceCount; i++) await inner.put(i, whole.slice(i * 16384, (i + 1) * 16384));
    const warnings: string[] = [];
    const store = new SourceBackedStore(inner, blobs, geometry, metainfo.pieces, sha1, (m) => warnings.push(m));
    failB = true;
    reads.length = 0;
    expect(await store.get(3)).toEqual(whole.subarray(3 * 16384, 4 * 16384));
    expect(reads).toEqual(['a 0-70000', 'b 0-90000', 'a 49152-65536']);
    expect(warnings).toEqual([]);
    expect(await store.get(4)).toEqual(whole.subarray(4 * 16384, 5 * 16384));
    expect(warnings).toEqual([expect.stringMatching(/could not read piece 4 .*NotReadableError.*stored copy/)]);
  });
});
