/**
 * The test side of peer-page.js (the init script of honest seeders and victims in the hostile-peer
 * and storage suites): its path, and the types of what it offers on `globalThis.peer`.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PAGE_BYTES } from '../../fixtures/page-bytes-path.js';

export const PEER_PAGE = fileURLToPath(new URL('./peer-page.js', import.meta.url));

export interface PeerContext {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions of the page. */
  pageErrors: string[];
}

/**
 * A page with peer-page.js on the library server's blank page (`libUrl`), in a new context of
 * `browser` added to `contexts` (closed by the caller); `init` runs before peer-page.js.
 */
export async function openPeerPage(browser: Browser, libUrl: string, contexts: BrowserContext[], init?: string): Promise<PeerContext> {
  const context = await browser.newContext();
  contexts.push(context);
  if (init) await context.addInitScript({ content: init });
  await context.addInitScript({ path: PAGE_BYTES });
  await context.addInitScript({ path: PEER_PAGE });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${libUrl}/blank.html`);
  return { page, context, pageErrors };
}

export type Kind = 'tabswarm' | 'webtorrent';

export interface PeerStatus {
  done: boolean;
  doneMs: number | null;
  progress: number;
  peers: number;
  /** The torrent's error message, if it stopped on one. */
  failed: string | null;
  /** That error was a StorageError with quotaExceeded. */
  quotaExceeded: boolean;
  downloaded: number;
  warnings: string[];
  /** Uncaught errors and unhandled rejections in the page. */
  errors: string[];
}

export interface PeerPage {
  /** Creates the client; returns its peer id (hex). */
  create(kind: Kind, tracker: string, store?: 'indexeddb' | 'memory'): Promise<string>;
  /** Seeds makeData(size, seed) as `name`; returns the info hash. */
  seed(size: number, seed: number, name: string, pieceLength: number): Promise<string>;
  unseed(): Promise<void>;
  add(magnet: string, tracker: string): Promise<void>;
  /** After a reload: the tabswarm client again; returns how many torrents it restored. */
  restore(tracker: string): Promise<number>;
  storage(): { kind: 'indexeddb' | 'memory'; fallbackReason?: string };
  verified(): number[];
  stored(infoHash: string, size: number, seed: number, pieceLength: number): Promise<{ indexes: number[]; wrong: number[] }>;
  /** The magnet link of the torrent seeded or added last. */
  magnet(): string;
  /** SHA-256 (hex) of makeData(size, seed). */
  dataSha256(size: number, seed: number): Promise<string>;
  status(): PeerStatus;
  fileSha256(): Promise<string>;
}

export type PeerGlobals = { peer: PeerPage };
