/**
 * The tabswarm service worker (built to `/tabswarm-sw.js`, see scripts/bundled-assets.mjs): it
 * answers HTTP requests for `<scope>stream/…` with the bytes of torrent files, so that `<video>`,
 * `<audio>`, `<img>`, a PDF viewer or a download read a file while it is being downloaded. The swarm
 * lives in the page, so the worker asks the pages it controls for the bytes (see protocol.ts), one
 * chunk at a time as the response is read: a reader that stops reading stops the fetching too, and
 * a request that goes away (a seek, a closed player) cancels its stream in the page, which lowers
 * the priority of the pieces it was waiting for.
 *
 * On a site that embeds `<tab-swarm>`, the worker's scope is the site's: so it answers only what is
 * a tabswarm stream (`routeRequest`): a URL shaped as one, of a torrent a page of this worker said
 * it has. Every other request, the site's own `stream/…` URLs included, goes to the network untouched.
 */
import { answer, routeRequest, type ParsedStreamUrl } from './http.js';
import {
  KEEP_ALIVE,
  OPEN,
  ROLL_CALL,
  isHaveMessage,
  isPageMessage,
  type OpenMessage,
  type PageMessage,
  type RollCallMessage,
  type WorkerMessage,
} from './protocol.js';

// ---- the parts of the service worker global scope used here (the DOM library lacks them) --------

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  readonly clientId: string;
  respondWith(response: Promise<Response>): void;
}
interface MessageEventLike extends ExtendableEventLike {
  readonly data: unknown;
  readonly source: { readonly id: string } | null;
  readonly ports: readonly MessagePort[];
}
interface ClientLike {
  readonly id: string;
  postMessage(message: OpenMessage | RollCallMessage, transfer?: Transferable[]): void;
}
interface WorkerScope {
  readonly registration: { readonly scope: string };
  readonly clients: {
    get(id: string): Promise<ClientLike | undefined>;
    matchAll(options: { type: 'window' }): Promise<ClientLike[]>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
}

const worker = globalThis as unknown as WorkerScope;

/** How long a page may take to say whether it has what a request names. */
const OPEN_TIMEOUT_MS = 5_000;
/** How long the pages may take to answer the roll call of a worker that (re)started. */
const ROLL_CALL_MS = 2_000;

/** The torrents (info hashes) each page of this worker said it has, by client id. */
const pages = new Map<string, Set<string>>();
/** Pages asked by the roll call that have not answered yet (once it has asked them: `asked`). */
const unanswered = new Set<string>();
let asked = false;
/**
 * Whether the worker knows what every page has. Not at first: a worker stopped when idle and started
 * again by a request has lost what the pages told it, so it asks them all (the roll call), and until
 * they have answered it asks the pages about any stream URL instead of leaving it to the network.
 */
let complete = false;

async function rollCall(): Promise<void> {
  const all = await worker.clients.matchAll({ type: 'window' });
  for (const client of all) {
    unanswered.add(client.id);
    client.postMessage({ type: ROLL_CALL });
  }
  asked = true;
  if (unanswered.size === 0) complete = true;
  // Pages that never answer (a page of the site without tabswarm, a frozen tab) do not hold it up.
  setTimeout(() => {
    unanswered.clear();
    complete = true;
  }, ROLL_CALL_MS);
}
void rollCall();

/** Forgets the pages that are gone. */
async function prune(): Promise<void> {
  const live = new Set((await worker.clients.matchAll({ type: 'window' })).map((c) => c.id));
  for (const id of pages.keys()) if (!live.has(id)) pages.delete(id);
}

worker.addEventListener('install', (event) => event.waitUntil(worker.skipWaiting()));
// Control the pages already open, so that they can stream without a reload.
worker.addEventListener('activate', (event) => event.waitUntil(worker.clients.claim()));
// Pages send these while streams are open: each event keeps the worker from being stopped as idle.
worker.addEventListener('message', (event) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === KEEP_ALIVE) {
    event.waitUntil(Promise.resolve());
  } else if (isHaveMessage(data) && event.source) {
    const id = event.source.id;
    pages.set(id, new Set(data.infoHashes.map((h) => h.toLowerCase())));
    unanswered.delete(id);
    if (asked && unanswered.size === 0) complete = true;
    // Acknowledged once known: the page may count on it from then on.
    event.ports[0]?.postMessage(true);
    event.waitUntil(prune());
  }
});

worker.addEventListener('fetch', (event) => {
  const route = routeRequest(event.request.method, event.request.url, {
    scope: worker.registration.scope,
    has: (infoHash) => [...pages.values()].some((hashes) => hashes.has(infoHash)),
    complete,
    fromStreamingPage: pages.has(event.clientId),
  });
  if (route.kind === 'network') return; // not a tabswarm stream: the site's, untouched
  event.respondWith(respond(event, route.stream));
});

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

async function respond(event: FetchEventLike, parsed: ParsedStreamUrl): Promise<Response> {
  const request = event.request;
  const opened = await openInPage(event.clientId, {
    type: OPEN,
    target: parsed.target,
    request: { method: request.method, range: request.headers.get('range') },
  });
  // No page has the torrent (or the download): not a tabswarm stream after all, the site's answer.
  if (!opened) return fetch(request);
  if (opened === 'no such file') return plain(404, 'This torrent has no such file.');
  const { port, found } = opened;
  const isFile = parsed.target.kind === 'file';
  const a = answer({ size: found.size, name: found.name, range: request.headers.get('range'), ranges: isFile, download: parsed.download });
  const empty = a.body !== undefined && a.body.end === a.body.start;
  if (a.status === 416 || request.method === 'HEAD' || empty) {
    port.send({ type: 'cancel' });
    return new Response(null, { status: a.status, headers: a.headers });
  }
  port.send({ type: 'read', start: a.body?.start ?? 0, end: a.body?.end });
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    port.send({ type: 'cancel' });
    port.close();
  };
  request.signal.addEventListener('abort', stop);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      port.send({ type: 'pull' });
      const m = await port.next();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- an abort may have stopped the stream during the await; TS keeps the narrowing from before it
      if (done) return;
      if (m.type === 'chunk') {
        controller.enqueue(m.data);
      } else if (m.type === 'end') {
        done = true;
        port.close();
        controller.close();
      } else {
        done = true;
        port.close();
        controller.error(new Error(m.type === 'error' ? m.message : `unexpected ${m.type}`));
      }
    },
    cancel: stop,
  });
  return new Response(body, { status: a.status, headers: a.headers });
}

/** One end of a conversation with a page: messages in order, each awaited by `next()`. */
class PagePort {
  private readonly queue: PageMessage[] = [];
  private readonly waiting: ((m: PageMessage) => void)[] = [];

  constructor(private readonly port: MessagePort) {
    port.onmessage = (e: MessageEvent<unknown>) => {
      const m: PageMessage = isPageMessage(e.data) ? e.data : { type: 'error', message: 'the page sent a malformed message' };
      const w = this.waiting.shift();
      if (w) w(m);
      else this.queue.push(m);
    };
  }

  next(): Promise<PageMessage> {
    const m = this.queue.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => this.waiting.push(resolve));
  }

  send(m: WorkerMessage): void {
    this.port.postMessage(m);
  }

  close(): void {
    this.port.close();
  }
}

type Found = Extract<PageMessage, { type: 'found' }>;

/**
 * Asks every page this worker controls (the requesting one first) whether it has the target, all at
 * once; the first that has it serves it. `no such file` when a page has the torrent but not the
 * file, undefined when none has the torrent (or the download).
 */
async function openInPage(clientId: string, open: OpenMessage): Promise<{ port: PagePort; found: Found } | 'no such file' | undefined> {
  const all = await worker.clients.matchAll({ type: 'window' });
  const own = clientId ? await worker.clients.get(clientId) : undefined;
  const candidates = own ? [own, ...all.filter((c) => c.id !== own.id)] : all;
  if (candidates.length === 0) return undefined;
  return new Promise((resolve) => {
    let pending = candidates.length;
    let winner = false;
    let torrentFound = false;
    const lose = () => {
      if (--pending === 0 && !winner) resolve(torrentFound ? 'no such file' : undefined);
    };
    for (const client of candidates) {
      const channel = new MessageChannel();
      const port = new PagePort(channel.port1);
      const timer = setTimeout(() => {
        port.send({ type: 'cancel' }); // it may have started reading
        port.close();
        lose();
      }, OPEN_TIMEOUT_MS);
      void port.next().then((m) => {
        clearTimeout(timer);
        if (m.type === 'found' && !winner) {
          winner = true;
          resolve({ port, found: m });
          return;
        }
        if (m.type === 'found') port.send({ type: 'cancel' });
        if (m.type === 'missing' && m.torrent) torrentFound = true;
        port.close();
        lose();
      });
      client.postMessage(open, [channel.port2]);
    }
  });
}
