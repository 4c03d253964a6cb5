/**
 * The tabswarm service worker (built to `/tabswarm-sw.js`, see scripts/bundled-assets.mjs): it
 * answers HTTP requests for `<scope>stream/…` with the bytes of torrent files, so that `<video>`,
 * `<audio>`, `<img>`, a PDF viewer or a download read a file while it is being downloaded. The swarm
 * lives in the page, so the worker asks the pages it controls for the bytes (see protocol.ts), one
 * chunk at a time as the response is read: a reader that stops reading stops the fetching too, and
 * a request that goes away (a seek, a closed player) cancels its stream in the page, which lowers
 * the priority of the pieces it was waiting for. Every other request goes to the network untouched.
 */
import { answer, parseStreamUrl, type StreamTarget } from './http.js';
import { KEEP_ALIVE, OPEN, isPageMessage, type OpenMessage, type PageMessage, type WorkerMessage } from './protocol.js';

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
}
interface ClientLike {
  readonly id: string;
  postMessage(message: OpenMessage, transfer: Transferable[]): void;
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

worker.addEventListener('install', (event) => event.waitUntil(worker.skipWaiting()));
// Control the pages already open, so that they can stream without a reload.
worker.addEventListener('activate', (event) => event.waitUntil(worker.clients.claim()));
// Pages send these while streams are open: each event keeps the worker from being stopped as idle.
worker.addEventListener('message', (event) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === KEEP_ALIVE) event.waitUntil(Promise.resolve());
});

worker.addEventListener('fetch', (event) => {
  const parsed = parseStreamUrl(event.request.url, worker.registration.scope);
  if (parsed === undefined) return; // not ours: the network
  event.respondWith(respond(event, parsed === null ? undefined : parsed));
});

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

async function respond(event: FetchEventLike, parsed: { target: StreamTarget; download: boolean } | undefined): Promise<Response> {
  const request = event.request;
  if (!parsed) return plain(404, 'No such stream.');
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Only GET and HEAD.');
  const opened = await openInPage(event.clientId, parsed.target);
  if (!opened) return plain(404, 'No open tabswarm page has this torrent or file.');
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
 * once; the first that has it serves it. Undefined when none has it.
 */
async function openInPage(clientId: string, target: StreamTarget): Promise<{ port: PagePort; found: Found } | undefined> {
  const all = await worker.clients.matchAll({ type: 'window' });
  const own = clientId ? await worker.clients.get(clientId) : undefined;
  const candidates = own ? [own, ...all.filter((c) => c.id !== own.id)] : all;
  if (candidates.length === 0) return undefined;
  return new Promise((resolve) => {
    let pending = candidates.length;
    let winner = false;
    const lose = () => {
      if (--pending === 0 && !winner) resolve(undefined);
    };
    for (const client of candidates) {
      const channel = new MessageChannel();
      const port = new PagePort(channel.port1);
      const timer = setTimeout(() => {
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
        port.close();
        lose();
      });
      client.postMessage({ type: OPEN, target }, [channel.port2]);
    }
  });
}
