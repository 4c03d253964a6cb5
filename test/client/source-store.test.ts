import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../src/core/create.js';
import { PieceGeometry } from '../../src/core/geometry.js';
import { MemoryStore } from '../../src/core/session/store.js';
import { SourceBackedStore, readPieceFromFiles } from '../../src/client/source-store.js';
import { sha1 } from '../../src/core/sha1.js';
import { fixtureBytes } from '../fixtures/greeting.js';

describe('SourceBackedStore', () => {
  it('serves pieces from the shared files, and from the store once a file changed on disk', async () => {
    const a = fixtureBytes(40_000, 1);
    const b = new Blob([fixtureBytes(30_000, 2) as Uint8Array<ArrayBuffer>]);
    const files = [{ path: 'd/a.bin', data: a }, { path: 'd/b.bin', data: b }];
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
});
