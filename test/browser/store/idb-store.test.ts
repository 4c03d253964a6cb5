/**
 * IdbPieceStore against the real IndexedDB of Chromium: whole 256 KiB pieces, persistence across
 * a reload, isolation between torrents, and quota failures (simulated, and real via a CDP quota).
 */
import { describe, expect, it } from 'vitest';
import { useStorePages, type HarnessGlobals, type IdbModule, type UtilsModule } from './setup.js';

const A = 'a'.repeat(40);
const B = 'a'.repeat(39) + 'b'; // adjacent in key order to A: checks the key range's edges

/** Makes IDBObjectStore.prototype.put throw the DOMException described by globalThis.failPut, when set. */
const FAILING_PUT = `
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    const fail = globalThis.failPut;
    if (fail) throw new DOMException(fail.message, fail.name);
    return put.apply(this, args);
  };
`;

describe('IdbPieceStore in Chromium', () => {
  const pages = useStorePages();

  it('round-trips 256 KiB pieces and lists them in piece order', async () => {
    const { page } = await pages.open();
    const result = await page.evaluate(async (hash) => {
      const g = globalThis as unknown as HarnessGlobals;
      const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
      const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
      const store = new IdbPieceStore(hash);
      const order = [3, 0, 10, 2, 1];
      for (const i of order) await store.put(i, u.pieceBytes(i));
      const same: boolean[] = [];
      for (const i of order) same.push(u.sameBytes(await store.get(i), u.pieceBytes(i)));
      // A piece that is a view into a larger buffer is stored as its own bytes only.
      const big = u.pieceBytes(99, 1024 * 1024);
      await store.put(4, big.subarray(256 * 1024, 512 * 1024));
      const four = await store.get(4);
      await store.put(0, u.pieceBytes(1000)); // replacing a piece
      const errors = [
        await store.put(-1, new Uint8Array(1)).then(() => null, u.errorInfo),
        await store.get(1.5).then(() => null, u.errorInfo),
        (() => {
          try {
            return new IdbPieceStore('not a hash');
          } catch (e) {
            return u.errorInfo(e);
          }
        })(),
      ];
      return {
        same,
        fourLength: four?.length,
        fourBuffer: four?.buffer.byteLength,
        fourSame: u.sameBytes(four, big.subarray(256 * 1024, 512 * 1024)),
        replaced: u.sameBytes(await store.get(0), u.pieceBytes(1000)),
        missing: (await store.get(5)) === undefined,
        stored: await store.stored(),
        errors,
      };
    }, A);
    expect(result.same).toEqual([true, true, true, true, true]);
    expect(result).toMatchObject({ fourLength: 262144, fourBuffer: 262144, fourSame: true, replaced: true, missing: true });
    expect(result.stored).toEqual([0, 1, 2, 3, 4, 10]);
    expect(result.errors.map((e) => e && 'name' in e && e.name)).toEqual(['RangeError', 'RangeError', 'TypeError']);
  });

  it('keeps pieces across a page reload', async () => {
    const { page } = await pages.open();
    await page.evaluate(async (hash) => {
      const g = globalThis as unknown as HarnessGlobals;
      const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
      const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
      const store = new IdbPieceStore(hash);
      await store.put(7, u.pieceBytes(7));
      await store.put(2, u.pieceBytes(2));
    }, A);
    await page.reload();
    const after = await page.evaluate(async (hash) => {
      const g = globalThis as unknown as HarnessGlobals;
      const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
      const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
      const store = new IdbPieceStore(hash.toUpperCase()); // the hash's case does not matter
      return {
        stored: await store.stored(),
        same: u.sameBytes(await store.get(7), u.pieceBytes(7)) && u.sameBytes(await store.get(2), u.pieceBytes(2)),
      };
    }, A);
    expect(after).toEqual({ stored: [2, 7], same: true });
  });

  it('keeps torrents apart, and clear() removes only its own torrent', async () => {
    const { page } = await pages.open();
    const result = await page.evaluate(
      async ([a, b]) => {
        const g = globalThis as unknown as HarnessGlobals;
        const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
        const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
        const storeA = new IdbPieceStore(a);
        const storeB = new IdbPieceStore(b);
        for (const i of [0, 1, 2]) await storeA.put(i, u.pieceBytes(i));
        for (const i of [1, 5]) await storeB.put(i, u.pieceBytes(100 + i));
        const before = { a: await storeA.stored(), b: await storeB.stored() };
        const aHasB5 = (await storeA.get(5)) !== undefined;
        const bOwn1 = u.sameBytes(await storeB.get(1), u.pieceBytes(101));
        await storeA.clear();
        return {
          before,
          aHasB5,
          bOwn1,
          after: { a: await storeA.stored(), b: await storeB.stored() },
          aGone: (await storeA.get(0)) === undefined,
          bKept: u.sameBytes(await storeB.get(5), u.pieceBytes(105)),
        };
      },
      [A, B] as const,
    );
    expect(result).toEqual({
      before: { a: [0, 1, 2], b: [1, 5] },
      aHasB5: false,
      bOwn1: true,
      after: { a: [], b: [1, 5] },
      aGone: true,
      bKept: true,
    });
  });

  it('maps a QuotaExceededError to StorageError.quotaExceeded and records nothing', async () => {
    const { page } = await pages.open([FAILING_PUT]);
    const result = await page.evaluate(async (hash) => {
      const g = globalThis as unknown as HarnessGlobals & { failPut?: { name: string; message: string } };
      const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
      const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
      const store = new IdbPieceStore(hash);
      await store.put(0, u.pieceBytes(0));
      g.failPut = { name: 'QuotaExceededError', message: 'The quota has been exceeded.' };
      const quota = await store.put(1, u.pieceBytes(1)).then(() => null, u.errorInfo);
      const afterQuota = await store.stored();
      g.failPut = { name: 'UnknownError', message: 'Internal error.' };
      const other = await store.put(2, u.pieceBytes(2)).then(() => null, u.errorInfo);
      g.failPut = undefined;
      await store.put(1, u.pieceBytes(1)); // works again once there is room
      return { quota, afterQuota, other, missing2: (await store.get(2)) === undefined, final: await store.stored() };
    }, A);
    expect(result.quota).toMatchObject({ name: 'StorageError', quotaExceeded: true });
    expect(result.quota?.message).toMatch(/piece 1 .*quota.*Remove torrents/);
    expect(result.afterQuota).toEqual([0]);
    expect(result.other).toMatchObject({ name: 'StorageError', quotaExceeded: false });
    expect(result.other?.message).toMatch(/UnknownError: Internal error/);
    expect(result.missing2).toBe(true);
    expect(result.final).toEqual([0, 1]);
  });

  it('commits a piece put after a quiet spell at once, and those put in the next few ms, task after task, in one transaction, all or nothing', async () => {
    const { page } = await pages.open([
      FAILING_PUT,
      `const tx = IDBDatabase.prototype.transaction;
       globalThis.writeTransactions = 0;
       IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
         if (mode === 'readwrite') globalThis.writeTransactions++;
         return tx.call(this, names, mode, ...rest);
       };`,
    ]);
    const result = await page.evaluate(async (hash) => {
      const g = globalThis as unknown as HarnessGlobals & { failPut?: { name: string; message: string }; writeTransactions: number };
      const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
      const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
      const store = new IdbPieceStore(hash);
      const first = [0, 1, 2, 3, 4, 5, 6, 7];
      // Each in its own task, the way verified pieces arrive: the first, after a quiet spell, is
      // committed at once; the other seven wait for the next commit slot and go in one batch.
      const puts: Promise<void>[] = [];
      for (const i of first) {
        puts.push(store.put(i, u.pieceBytes(i)));
        await new Promise((r) => setTimeout(r, 0));
      }
      // Read back before the batch has committed: served from the pending batch.
      const early = u.sameBytes(await store.get(5), u.pieceBytes(5));
      await Promise.all(puts);
      const transactions = g.writeTransactions;
      g.failPut = { name: 'QuotaExceededError', message: 'The quota has been exceeded.' };
      const failed = await Promise.allSettled([8, 9, 10].map((i) => store.put(i, u.pieceBytes(i))));
      g.failPut = undefined;
      return {
        early,
        transactions,
        failed: failed.map((r) => (r.status === 'rejected' ? u.errorInfo(r.reason) : null)),
        stored: await store.stored(),
        same: (await Promise.all(first.map(async (i) => u.sameBytes(await store.get(i), u.pieceBytes(i))))).every(Boolean),
      };
    }, A);
    expect(result.early).toBe(true);
    expect(result.transactions).toBe(2); // 1 + 7 × 256 KiB, under the 4 MiB batch limit
    expect(result.failed).toHaveLength(3);
    for (const f of result.failed) expect(f).toMatchObject({ name: 'StorageError', quotaExceeded: true });
    expect(result.failed[0]?.message).toMatch(/3 pieces/);
    expect(result.stored).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(result.same).toBe(true);
  });

  it('reports a real quota failure (a transaction aborted by Chromium) and records nothing', async (ctx) => {
    const { page, context } = await pages.open();
    const cdp = await context.newCDPSession(page);
    try {
      // Experimental CDP command: the origin's quota becomes 1 MiB.
      await cdp.send('Storage.overrideQuotaForOrigin' as never, { origin: pages.url(), quotaSize: 1024 * 1024 } as never);
    } catch (e) {
      ctx.skip(`this Chromium cannot override the quota: ${String(e)}`);
    }
    const result = await page.evaluate(async (hash) => {
      const g = globalThis as unknown as HarnessGlobals;
      const { IdbPieceStore } = (await g.harnessImport('/src/store/idb-store.ts')) as IdbModule;
      const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
      const store = new IdbPieceStore(hash);
      const ok: number[] = [];
      for (let i = 0; i < 12; i++) {
        const failure = await store.put(i, u.pieceBytes(i)).then(() => null, u.errorInfo);
        if (failure) return { ok, failed: i, failure, stored: await store.stored(), absent: (await store.get(i)) === undefined };
        ok.push(i);
      }
      return { ok, failed: -1, failure: null, stored: await store.stored(), absent: false };
    }, A);
    expect(result.failed).toBeGreaterThan(0); // some pieces fit in 1 MiB, the rest do not
    expect(result.failure).toMatchObject({ name: 'StorageError', quotaExceeded: true });
    expect(result.stored).toEqual(result.ok);
    expect(result.absent).toBe(true);
  });
});
