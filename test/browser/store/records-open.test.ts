/**
 * The torrent list, openPieceStore()'s fallback to memory, and the StorageManager helpers, in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { useStorePages, type HarnessGlobals, type OpenModule, type PersistModule, type RecordsModule, type UtilsModule } from './setup.js';
import { FAILING_OPEN, HANGING_OPEN } from './idb-faults.js';

type KeyvalModule = typeof import('idb-keyval');

const H1 = '1'.repeat(40);
const H2 = '2'.repeat(40);
const H3 = '3'.repeat(40);

const pages = useStorePages();

describe('torrent records in Chromium', () => {
  it('saves, replaces, loads (oldest first) and deletes records', async () => {
    const { page } = await pages.open();
    const result = await page.evaluate(
      async ([h1, h2]) => {
        const g = globalThis as unknown as HarnessGlobals;
        const r = (await g.harnessImport('/src/store/torrent-records.ts')) as RecordsModule;
        const u = (await g.harnessImport('/test/browser/store/page-utils.ts')) as UtilsModule;
        const info = u.pieceBytes(1, 3000);
        await r.saveTorrent({
          infoHash: h2.toUpperCase(),
          name: 'full',
          infoBytes: new Uint8Array(info.buffer, 0, 1000), // a view: only its bytes are kept
          magnetURI: `magnet:?xt=urn:btih:${h2}`,
          announce: ['wss://tracker.example'],
          urlList: ['https://example.com/file'],
          selection: [0, 2],
          paused: false,
          addedAt: 2000,
          seeding: true,
        });
        await r.saveTorrent({
          infoHash: h1,
          name: 'magnet only',
          magnetURI: `magnet:?xt=urn:btih:${h1}`,
          announce: [],
          urlList: [],
          paused: false,
          addedAt: 1000,
        });
        await r.saveTorrent({
          infoHash: h1,
          name: 'magnet only',
          magnetURI: `magnet:?xt=urn:btih:${h1}`,
          announce: [],
          urlList: [],
          paused: true,
          addedAt: 1000,
        });
        const warnings: string[] = [];
        const loaded = await r.loadTorrents((m) => warnings.push(m));
        const full = loaded[1];
        const view = full ? { ...full, infoBytes: undefined } : undefined;
        const infoOk = u.sameBytes(full?.infoBytes, info.subarray(0, 1000)) && full?.infoBytes?.buffer.byteLength === 1000;
        await r.deleteTorrent(h2.toUpperCase());
        const invalid = await r
          .saveTorrent({ infoHash: h1, name: 'x', magnetURI: 'http://not-a-magnet', announce: [], urlList: [], paused: false, addedAt: 0 })
          .then(() => null, u.errorInfo);
        return {
          loaded: [loaded[0], view],
          infoOk,
          warnings,
          afterDelete: (await r.loadTorrents()).map((t) => t.infoHash),
          invalid,
        };
      },
      [H1, H2] as const,
    );
    expect(result.loaded).toEqual([
      { infoHash: H1, name: 'magnet only', magnetURI: `magnet:?xt=urn:btih:${H1}`, announce: [], urlList: [], paused: true, addedAt: 1000 },
      {
        infoHash: H2,
        name: 'full',
        infoBytes: undefined,
        magnetURI: `magnet:?xt=urn:btih:${H2}`,
        announce: ['wss://tracker.example'],
        urlList: ['https://example.com/file'],
        selection: [0, 2],
        paused: false,
        addedAt: 2000,
        seeding: true,
      },
    ]);
    expect(result.infoOk).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.afterDelete).toEqual([H1]);
    expect(result.invalid).toMatchObject({ name: 'TypeError' });
    expect(result.invalid?.message).toMatch(/magnetURI/);
  });

  it('skips damaged records with a warning and still loads the good ones', async () => {
    const { page } = await pages.open();
    const result = await page.evaluate(
      async ([h1, h2, h3]) => {
        const g = globalThis as unknown as HarnessGlobals;
        const r = (await g.harnessImport('/src/store/torrent-records.ts')) as RecordsModule;
        const kv = (await g.harnessImport('/node_modules/idb-keyval/dist/index.js')) as KeyvalModule;
        const good = { infoHash: h1, name: 'good', magnetURI: `magnet:?xt=urn:btih:${h1}`, announce: [], urlList: [], paused: false, addedAt: 1 };
        await r.saveTorrent(good);
        const raw = kv.createStore(r.TORRENTS_DB, r.TORRENTS_STORE);
        await kv.set('garbage', 'just a string', raw);
        await kv.set(h2, { ...good, infoHash: h2, name: 42 }, raw);
        await kv.set(h3, { ...good, infoHash: h2 }, raw); // valid, but under another torrent's key
        await kv.set(['weird', 1], null, raw);
        const warnings: { message: string; key: string }[] = [];
        const loaded = await r.loadTorrents((message, key) => warnings.push({ message, key: JSON.stringify(key) }));
        await r.deleteTorrent('garbage');
        const left: string[] = [];
        await r.loadTorrents((_m, key) => left.push(JSON.stringify(key)));
        return { loaded: loaded.map((t) => t.name), warnings, left };
      },
      [H1, H2, H3] as const,
    );
    expect(result.loaded).toEqual(['good']);
    expect(result.warnings).toHaveLength(4);
    expect(result.warnings.map((w) => w.key).sort()).toEqual(['"garbage"', `"${H2}"`, `"${H3}"`, '["weird",1]'].sort());
    expect(result.warnings.find((w) => w.key === `"${H2}"`)?.message).toMatch(/name is not a string/);
    expect(result.warnings.find((w) => w.key === `"${H3}"`)?.message).toMatch(/wrong key/);
    expect(result.left).not.toContain('"garbage"');
  });
});

describe('openPieceStore in Chromium', () => {
  /** Opens a store of `kind` in the page and tries it out. */
  async function openIn(initScripts: string[], kind: 'indexeddb' | 'memory', timeoutMs?: number) {
    const { page } = await pages.open(initScripts);
    return page.evaluate(
      async ([hash, kind, timeoutMs]) => {
        const g = globalThis as unknown as HarnessGlobals;
        const { openPieceStore } = (await g.harnessImport('/src/store/open.ts')) as OpenModule;
        const opened = await openPieceStore(hash, kind, timeoutMs === undefined ? {} : { timeoutMs });
        await opened.store.put(3, new Uint8Array([1, 2, 3]));
        return {
          kind: opened.kind,
          fallbackReason: opened.fallbackReason,
          store: opened.store.constructor.name,
          stored: await opened.store.stored(),
        };
      },
      [H1, kind, timeoutMs] as const,
    );
  }

  it('opens IndexedDB when it works, and memory when asked', async () => {
    expect(await openIn([], 'indexeddb')).toEqual({ kind: 'indexeddb', fallbackReason: undefined, store: 'IdbPieceStore', stored: [3] });
    expect(await openIn([], 'memory')).toEqual({ kind: 'memory', fallbackReason: undefined, store: 'MemoryStore', stored: [3] });
  });

  it('falls back to memory when indexedDB is missing', async () => {
    const opened = await openIn(['delete window.indexedDB;'], 'indexeddb');
    expect(opened).toMatchObject({ kind: 'memory', store: 'MemoryStore', stored: [3] });
    expect(opened.fallbackReason).toMatch(/no IndexedDB.*memory only/);
  });

  it('falls back to memory when opening the database fails or hangs', async () => {
    const failed = await openIn([FAILING_OPEN], 'indexeddb');
    expect(failed).toMatchObject({ kind: 'memory', store: 'MemoryStore', stored: [3] });
    expect(failed.fallbackReason).toMatch(/could not be opened \(InvalidStateError: A mutation operation/);
    const hung = await openIn([HANGING_OPEN], 'indexeddb', 200);
    expect(hung).toMatchObject({ kind: 'memory', store: 'MemoryStore' });
    expect(hung.fallbackReason).toMatch(/no answer within 200 ms/);
  });

  it('requests persistence and estimates storage, and degrades without StorageManager', async () => {
    const evaluate = async (initScripts: string[]) => {
      const { page } = await pages.open(initScripts);
      return page.evaluate(async () => {
        const g = globalThis as unknown as HarnessGlobals;
        const p = (await g.harnessImport('/src/store/persist.ts')) as PersistModule;
        return { persisted: await p.requestPersistence(), estimate: (await p.storageEstimate()) ?? null };
      });
    };
    const real = await evaluate([]);
    expect(typeof real.persisted).toBe('boolean');
    expect(real.estimate?.quota).toBeGreaterThan(0);
    expect(real.estimate?.available).toBeLessThanOrEqual(real.estimate?.quota ?? 0);
    const none = await evaluate([`Object.defineProperty(Navigator.prototype, 'storage', { get: () => undefined });`]);
    expect(none).toEqual({ persisted: false, estimate: null });
  });
});
