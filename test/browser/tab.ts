/**
 * A browser tab running the library bundle, driven from a test: each method runs in the page.
 * The page keeps one client (`globalThis.tab`), with IndexedDB storage unless told otherwise, and no
 * ICE servers unless `Tab.open` is given client options (the relay tests' own TURN server).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Client, Torrent } from '../../src/client/index.js';
import type { LibServer } from './lib-harness.js';
import { PAGE_BYTES } from '../fixtures/page-bytes-path.js';

const LOADER = 'globalThis.harnessImport = (path) => import(path);';

export interface TabStatus {
  torrents: number;
  progress: number;
  done: boolean;
  downloaded: number;
  uploaded: number;
  peers: number;
  error: string | undefined;
}

/** Code run in the page (plain JS: Vitest rewrites imports inside evaluate callbacks). */
const PAGE_HELPERS = `
globalThis.tabHelpers = {
  async client(tracker) {
    if (globalThis.tab) return globalThis.tab;
    const { Client } = await globalThis.harnessImport('/tabswarm.js');
    const client = new Client({ announce: [tracker].flat(), iceServers: [], ...(globalThis.tabClientOptions ?? {}) });
    globalThis.tab = { client, torrent: undefined, error: undefined, events: [], warnings: [] };
    client.addEventListener('warning', (e) => globalThis.tab.warnings.push({ at: performance.now(), message: e.detail.message }));
    client.addEventListener('tracker', (e) => {
      const d = e.detail;
      globalThis.tab.events.push(d.type + (d.event ? ':' + d.event : '') + (d.message ? ' ' + d.message : '') + (d.retryInMs ? ' retry ' + d.retryInMs : ''));
    });
    await client.ready;
    globalThis.tab.torrent = client.torrents[0];
    return globalThis.tab;
  },
  makeData(size, seed) {
    return pageBytes.make(size, seed);
  },
  sha256(bytes) {
    return pageBytes.sha256(bytes);
  },
  watch(torrent) {
    torrent.addEventListener('error', (e) => (globalThis.tab.error = e.detail.error.message));
  },
};
`;

/** The page's one client, as PAGE_HELPERS keeps it in `globalThis.tab`. */
interface PageTab {
  client: Client;
  torrent: Torrent | undefined;
  error: string | undefined;
  events: string[];
  /** The client's warnings, with when (performance.now()) they came. */
  warnings: { at: number; message: string }[];
}

/** What PAGE_HELPERS puts on the page's globalThis. */
interface PageGlobals {
  tab?: PageTab;
  tabHelpers: {
    client(tracker: string | string[]): Promise<PageTab>;
    makeData(size: number, seed: number): Uint8Array<ArrayBuffer>;
    sha256(bytes: BufferSource): Promise<string>;
    watch(torrent: Torrent): void;
  };
}

export class Tab {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly lib: LibServer,
  ) {}

  /** @param clientOptions more options of the page's Client (JSON), such as `rtcConfig`. */
  static async open(browser: Browser, lib: LibServer, context?: BrowserContext, clientOptions?: object): Promise<Tab> {
    const ctx = context ?? (await browser.newContext());
    await ctx.addInitScript({ path: PAGE_BYTES });
    const options = clientOptions ? `globalThis.tabClientOptions = ${JSON.stringify(clientOptions)};` : '';
    await ctx.addInitScript({ content: LOADER + options + PAGE_HELPERS });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.stack ?? e.message));
    await page.goto(`${lib.url}/blank.html`);
    return new Tab(ctx, page, lib);
  }

  /** Reloads the page (same context: same IndexedDB). */
  async reload(): Promise<void> {
    await this.page.goto(`${this.lib.url}/blank.html`);
  }

  /** Seeds a deterministic file; returns its magnet link and SHA-256. */
  seed(tracker: string, size: number, seed: number, name = 'big.bin'): Promise<{ magnet: string; sha256: string }> {
    return this.page.evaluate(
      async ([tracker, size, seed, name]) => {
        const h = (globalThis as unknown as PageGlobals).tabHelpers;
        const tab = await h.client(tracker);
        const data = h.makeData(size, seed);
        tab.torrent = await tab.client.seed([new File([data], name)]);
        h.watch(tab.torrent);
        return { magnet: tab.torrent.magnetURI, sha256: await h.sha256(data) };
      },
      [tracker, size, seed, name] as const,
    );
  }

  /** Starts downloading a magnet link (does not wait); `tracker`: the client's tracker(s). */
  async add(tracker: string | string[], magnet: string): Promise<void> {
    await this.page.evaluate(
      async ([tracker, magnet]) => {
        const h = (globalThis as unknown as PageGlobals).tabHelpers;
        const tab = await h.client(tracker);
        tab.torrent = await tab.client.add(magnet);
        h.watch(tab.torrent);
      },
      [tracker, magnet] as [string | string[], string],
    );
  }

  /** Creates the client again after a reload: it restores the saved torrents. */
  async restore(tracker: string): Promise<void> {
    await this.page.evaluate(async (tracker) => {
      const h = (globalThis as unknown as PageGlobals).tabHelpers;
      const tab = await h.client(tracker);
      if (tab.torrent) h.watch(tab.torrent);
    }, tracker);
  }

  status(): Promise<TabStatus> {
    return this.page.evaluate(() => {
      const tab = (globalThis as unknown as PageGlobals).tab;
      const t = tab?.torrent;
      return {
        torrents: tab?.client.torrents.length ?? 0,
        progress: t?.progress ?? 0,
        done: t?.isDone ?? false,
        downloaded: t?.downloaded ?? 0,
        uploaded: t?.uploaded ?? 0,
        peers: t?.numPeers ?? 0,
        error: tab?.error,
      };
    });
  }

  /** Waits until `predicate` holds for the status (polling), or fails after `timeoutMs`. */
  async waitFor(predicate: (s: TabStatus) => boolean, timeoutMs = 60_000, what = 'the condition'): Promise<TabStatus> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status();
      if (s.error) throw new Error(`the tab reported an error: ${s.error}`);
      if (predicate(s)) return s;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SHA-256 of the torrent's first file, once complete. */
  fileSha256(): Promise<string> {
    return this.page.evaluate(async () => {
      const h = (globalThis as unknown as PageGlobals).tabHelpers;
      const t = (globalThis as unknown as PageGlobals).tab!.torrent!;
      await t.done;
      const blob: Blob = await t.files[0]!.blob();
      return await h.sha256(await blob.arrayBuffer());
    });
  }

  /** The torrent's peers as `torrent.peers()` gives them. */
  peers(): Promise<{ id: string; connection: 'direct' | 'relay' | undefined }[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).tab?.torrent?.peers().map((p) => ({ id: p.id, connection: p.connection })) ?? []);
  }

  /** The torrent's count of connections that could not be made. */
  failedConnections(): Promise<number> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).tab?.torrent?.failedConnections ?? 0);
  }

  /** The client's warnings so far, with when they came (ms on the page's clock) and the page's clock now. */
  warnings(): Promise<{ now: number; warnings: { at: number; message: string }[] }> {
    return this.page.evaluate(() => ({ now: performance.now(), warnings: (globalThis as unknown as PageGlobals).tab?.warnings ?? [] }));
  }

  /** Destroys the page's client: every peer connection closes (a TURN allocation is released). */
  async destroyClient(): Promise<void> {
    await this.page.evaluate(async () => {
      await (globalThis as unknown as PageGlobals).tab?.client.destroy();
    });
  }

  /** What the client's tracker connection reported, oldest first. */
  trackerEvents(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).tab?.events ?? []);
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
