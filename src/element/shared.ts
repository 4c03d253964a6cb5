/**
 * What every `<tab-swarm>` of a page shares: one client and one stream server, both created lazily
 * (the client when the first element starts loading, the stream server when the first element has
 * something to show through the service worker), and which torrent each element holds.
 *
 * This is module-level state on purpose, and explicit: one page, one swarm client. Each element holds
 * a {@link Lease} on its torrent; the torrent is removed from the client when its last lease is
 * released (unless page code added it), and the client itself is destroyed (its tracker sockets
 * closed) when no lease is left, unless page code holds it (see {@link tabSwarmClient}). A later
 * element creates a new one.
 *
 * Pieces go to IndexedDB, in a database of their own ({@link ELEMENT_PIECES_DB}: never mixed with the
 * tabswarm app's torrents on the same origin), and no torrent list is kept: a page shows what its
 * markup names, nothing is restored behind its back. The pieces stay as a cache (a reload resumes
 * where it was) in best-effort storage, which the browser may evict; `store: 'memory'` keeps nothing.
 */
import { BaseClient, browserEnvironment, startStreaming, type StreamServer, type Torrent } from '../client/index.js';
import { SERVICE_WORKER_FILE } from '../sw/http.js';
import { openPieceStore } from '../store/open.js';
import { createWebRtcFactory } from '../transport/webrtc.js';
import type { PeerFactory } from '../core/tracker/types.js';
import type { ChannelPeer } from '../client/torrent-tracker.js';

/** The IndexedDB database of the element's pieces. */
export const ELEMENT_PIECES_DB = 'tabswarm-element-pieces';

export interface TabSwarmOptions {
  /** Trackers every torrent announces to, besides its own and its element's `announce` (default none). */
  announce?: string[];
  /**
   * STUN/TURN servers for WebRTC (default none: peers on the same network still connect). A
   * shorthand for `rtcConfig.iceServers`, which wins when both are given.
   */
  iceServers?: RTCIceServer[];
  /**
   * The RTCConfiguration of every peer connection, such as
   * `{ iceServers: [{ urls: 'turn:turn.example:3478', username, credential }], iceTransportPolicy: 'relay' }`.
   */
  rtcConfig?: RTCConfiguration;
  /** Where pieces are kept: `'indexeddb'` (the default) or `'memory'`. */
  store?: 'indexeddb' | 'memory';
  /**
   * The service worker script that streams files to `<video>`, `<audio>` and `<img>`: by default
   * `tabswarm-sw.js` beside this module. It must come from the page's origin, and the page must be
   * inside its scope (the worker's folder, unless the server sends `Service-Worker-Allowed`).
   */
  workerUrl?: string | URL;
  /** The worker's scope (default: the worker's folder). */
  scope?: string;
  /** How long to wait for the worker to take control of the page (default 10 s). */
  workerTimeoutMs?: number;
}

let options: TabSwarmOptions = {};
let client: BaseClient | undefined;
/** The client's offers made ahead (browserEnvironment): made with the STUN/TURN servers of their time. */
let offersAhead: PeerFactory<ChannelPeer> | undefined;
let streaming: Promise<StreamServer> | undefined;
let server: StreamServer | undefined;
/** Page code has the client (tabSwarmClient): it stays when the last element goes. */
let keep = false;

/** One torrent held by elements: added once, after any removal of it still under way. */
class Holding {
  readonly leases = new Set<Lease>();
  /** Whether the torrent was added for the elements (else it was in the client before: it stays). */
  owned = true;
  readonly torrent: Promise<Torrent>;

  constructor(c: BaseClient, infoHash: string, input: string | Uint8Array, announce: string[], secret: Uint8Array | undefined) {
    const before = removing.get(infoHash) ?? Promise.resolve();
    this.torrent = before.then(() => {
      this.owned = !c.get(infoHash);
      return c.add(input, secret ? { announce, secret } : { announce });
    });
  }
}
const holdings = new Map<string, Holding>();
/** Removals under way: an element that wants the same torrent again waits for them. */
const removing = new Map<string, Promise<void>>();

/**
 * Sets the options of the shared client and of streaming, in any order with the elements: called
 * after elements started loading, its trackers are added to every torrent at once (an element still
 * looking for peers finds them there) and its STUN/TURN servers apply to the connections made from
 * then on. Only what cannot change once in use throws: another `store` once the client holds pieces,
 * or other worker settings once the service worker is registered.
 */
export function configureTabSwarm(next: TabSwarmOptions): void {
  if (client && next.store !== undefined && next.store !== (options.store ?? 'indexeddb')) {
    throw new Error(
      `configureTabSwarm: the store is "${options.store ?? 'indexeddb'}" already (pieces are kept there): set store before the first <tab-swarm> loads`,
    );
  }
  if (streaming && (['workerUrl', 'scope', 'workerTimeoutMs'] as const).some((k) => next[k] !== undefined && String(next[k]) !== String(options[k]))) {
    throw new Error('configureTabSwarm: the service worker is registered already: set workerUrl, scope and workerTimeoutMs before an element shows a file');
  }
  options = { ...options, ...next, announce: [...new Set([...(options.announce ?? []), ...(next.announce ?? [])])] };
  if (next.iceServers !== undefined || next.rtcConfig !== undefined) offersAhead?.close?.();
  if (client && next.announce) client.addTrackers(next.announce);
}

/**
 * The page's shared client, created on the first call, for page code (to seed, say). A client handed
 * out here is never closed by the elements: it outlives the last of them.
 */
export function tabSwarmClient(): BaseClient {
  keep = true;
  return sharedClient();
}

function sharedClient(): BaseClient {
  if (!client) {
    // STUN/TURN servers read for each connection: configureTabSwarm may change them later (then
    // the offers made ahead with the old ones are closed).
    const webrtc = createWebRtcFactory({ currentConfig: () => ({ iceServers: options.iceServers, rtcConfig: options.rtcConfig }) });
    const env = browserEnvironment({ store: options.store }, webrtc);
    offersAhead = env.peers;
    client = new BaseClient(
      { ...env, records: undefined, openStore: (infoHash, kind) => openPieceStore(infoHash, kind, { dbName: ELEMENT_PIECES_DB }) },
      { announce: options.announce ?? [], store: options.store ?? 'indexeddb' },
    );
  }
  return client;
}

/** What the page shares right now, to inspect it (nothing here is created by reading it). */
export function tabSwarmShared(): { client: BaseClient | undefined; streaming: StreamServer | undefined; torrents: string[] } {
  return { client, streaming: server, torrents: [...holdings.keys()] };
}

/** An element's hold on a torrent: it stays in the client until every lease on it is released. */
export class Lease {
  /** File indexes this lease wants downloaded (the union over the leases is selected). */
  private wanted: number[] | undefined;
  private released = false;

  constructor(
    readonly infoHash: string,
    readonly torrent: Promise<Torrent>,
  ) {}

  /** Downloads only the files some element shows (the torrent's metadata must be known). */
  want(fileIndexes: number[]): void {
    if (this.released) return;
    this.wanted = fileIndexes;
    void applySelection(this.infoHash);
  }

  get files(): readonly number[] | undefined {
    return this.wanted;
  }

  /** Gives the torrent up; the last lease removes it from the client. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const holding = holdings.get(this.infoHash);
    if (!holding || !holding.leases.delete(this)) return;
    if (holding.leases.size > 0) {
      void applySelection(this.infoHash);
      return;
    }
    holdings.delete(this.infoHash);
    const removal = holding.torrent.then(
      async (t) => {
        const c = client;
        if (holding.owned && c) await c.remove(t);
      },
      () => undefined,
    );
    const done = removal.finally(() => {
      if (removing.get(this.infoHash) === done) removing.delete(this.infoHash);
      destroyWhenIdle();
    });
    removing.set(this.infoHash, done);
  }
}

/**
 * A lease on the torrent `infoHash`, added from `input` (a magnet link or .torrent bytes) unless the
 * page already has it; `secret`: a private share's, from its link. Rejects (through `lease.torrent`)
 * as `client.add` does.
 */
export function acquire(infoHash: string, input: string | Uint8Array, announce: string[], secret?: Uint8Array): Lease {
  const existing = holdings.get(infoHash);
  if (existing) {
    const lease = new Lease(infoHash, existing.torrent);
    existing.leases.add(lease);
    return lease;
  }
  const holding = new Holding(sharedClient(), infoHash, input, announce, secret);
  // A failed add is not kept: the next element tries again.
  holding.torrent.catch(() => {
    if (holdings.get(infoHash) === holding) holdings.delete(infoHash);
  });
  holdings.set(infoHash, holding);
  const lease = new Lease(infoHash, holding.torrent);
  holding.leases.add(lease);
  return lease;
}

/** Selects the files that some lease wants (every file when a lease has not said yet). */
async function applySelection(infoHash: string): Promise<void> {
  const holding = holdings.get(infoHash);
  if (!holding) return;
  const torrent = await holding.torrent.catch(() => undefined);
  // A private share is downloaded whole: its files cannot be selected.
  if (!torrent?.metainfo || torrent.secret || holdings.get(infoHash) !== holding) return;
  const leases = [...holding.leases];
  if (!holding.owned || leases.some((l) => l.files === undefined)) return;
  const count = torrent.files.length;
  // In one step: one file of 100,000 is one update, not 99,999 deselections.
  torrent.setSelection([...new Set(leases.flatMap((l) => l.files ?? []))].filter((i) => i < count));
}

function destroyWhenIdle(): void {
  if (holdings.size > 0 || removing.size > 0 || !client || keep) return;
  const c = client;
  client = undefined;
  offersAhead = undefined;
  void c.destroy();
}

/**
 * The page's stream server, started on the first call: it registers the service worker and answers
 * it from the shared client. Rejects, with a message saying why and what to do, where streaming is
 * not possible (then every element falls back to a Blob once its file is complete).
 */
export function streamServer(): Promise<StreamServer> {
  streaming ??= start().then((s) => (server = s));
  return streaming;
}

async function start(): Promise<StreamServer> {
  const container = typeof navigator === 'undefined' ? undefined : (navigator.serviceWorker as ServiceWorkerContainer | undefined);
  if (!container) throw new Error('this page cannot use service workers (they need https, or http on localhost)');
  const workerUrl = new URL(options.workerUrl ?? SERVICE_WORKER_FILE, options.workerUrl ? document.baseURI : import.meta.url);
  if (workerUrl.origin !== location.origin) {
    throw new Error(
      `the service worker ${workerUrl.href} is not on this page's origin: serve tabswarm-sw.js from this site and name it with configureTabSwarm({ workerUrl })`,
    );
  }
  const scope = new URL(options.scope ?? './', options.scope ? document.baseURI : workerUrl).href;
  if (!location.href.startsWith(scope)) {
    throw new Error(
      `this page is outside the scope of the service worker (${scope}): put tabswarm-sw.js in a folder above the page, such as the site's root, and name it with configureTabSwarm({ workerUrl })`,
    );
  }
  // Never take a page from another service worker (registering would replace it or shadow it).
  const existing = await container.getRegistration(location.href);
  const script = existing && (existing.active ?? existing.waiting ?? existing.installing)?.scriptURL;
  if (script && script !== workerUrl.href) {
    throw new Error(`this page already has a service worker (${script}), which tabswarm's would replace`);
  }
  return startStreaming({ get: (infoHash) => client?.get(infoHash) }, { workerUrl: workerUrl.href, scope, timeoutMs: options.workerTimeoutMs });
}
