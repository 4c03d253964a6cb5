/**
 * The page's side of streaming: answers the tabswarm service worker (src/sw/sw.ts) with the bytes
 * of the torrents of this page's client, one chunk at a time as the worker pulls them, so that a
 * URL such as `/stream/<infoHash>/<fileIndex>/<name>` plays in `<video>` while the torrent downloads.
 * Reading a file raises the priority of the pieces at the reader's position (`TorrentFile.stream`);
 * a request that goes away cancels its stream here, which lowers them again.
 *
 *   const streaming = await startStreaming(client);   // rejects without service workers
 *   video.src = streaming.fileUrl(torrent, 0);
 */
import type { Torrent } from './torrent.js';
import { errorMessage } from '../core/errors.js';
import { SERVICE_WORKER_FILE, fileStreamUrl, parseRange, offerStreamUrl, type StreamTarget } from '../sw/http.js';
import { markMoment } from './moments.js';
import { HAVE, KEEP_ALIVE, isOpenMessage, isRollCallMessage, isWorkerMessage, type HaveMessage, type OpenMessage, type PageMessage } from '../sw/protocol.js';

/**
 * Where the server finds torrents: a `Client` fits. The worker answers stream URLs only for the
 * torrents the page tells it of: those of `torrents` (told again on each `torrent` event) and those
 * whose URLs `fileUrl` gave.
 */
export interface TorrentLookup {
  get(infoHash: string): Torrent | undefined;
  readonly torrents?: readonly Torrent[];
  addEventListener?(type: 'torrent', listener: () => void): void;
  removeEventListener?(type: 'torrent', listener: () => void): void;
}

/** A stream the page hands to the worker once (a download of something that is not one file, such as a zip). */
export interface StreamOffer {
  /** The name it is saved under. */
  name: string;
  /** Its length in bytes, when known (the download then shows its progress). */
  size?: number;
  /** Called once, when the worker starts reading. */
  open(): ReadableStream<Uint8Array>;
}

export interface StartStreamingOptions {
  /** The worker script; `tabswarm-sw.js` beside the page's base URL by default. */
  workerUrl?: string;
  /** Its scope (the worker's own folder by default). */
  scope?: string;
  /** How long to wait for the worker to control the page. */
  timeoutMs?: number;
  container?: ServiceWorkerContainer;
}

/** How often the page reminds the worker it is busy while streams are open. */
const KEEP_ALIVE_MS = 10_000;
/** An offer nobody opened is dropped after this. */
const OFFER_TTL_MS = 120_000;
/** A range read before the worker asked for it is let go after this if it does not ask (its own wait is 5 s). */
const EARLY_READ_MS = 10_000;
/** How long `startStreaming` waits for the worker to acknowledge the page's torrents (an older worker does not). */
const HELLO_TIMEOUT_MS = 1_000;

/**
 * Registers the service worker, waits until it controls this page, and answers it from `client`.
 * Rejects when streaming is not available here: no service workers (an insecure origin, a private
 * window of some browsers), or the worker failed to install or to take control in time.
 */
export async function startStreaming(client: TorrentLookup, options: StartStreamingOptions = {}): Promise<StreamServer> {
  const container = options.container ?? (typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined);
  if (!container) throw new Error('this browser offers no service workers here (they need https or localhost)');
  const server = new StreamServer(client, container);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Listening before registering: the worker may take control as soon as it is registered.
  const controlled = new Promise<void>((resolve, reject) => {
    if (container.controller) return resolve();
    container.addEventListener('controllerchange', () => resolve(), { once: true });
    timer = setTimeout(() => reject(new Error('the service worker did not take control of the page')), options.timeoutMs ?? 10_000);
  });
  try {
    const url = options.workerUrl ?? new URL(SERVICE_WORKER_FILE, document.baseURI).href;
    const registration = await container.register(url, options.scope ? { scope: options.scope } : undefined);
    await controlled;
    server.scope = registration.scope;
    await server.hello();
    return server;
  } catch (e) {
    server.close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export class StreamServer {
  /** The worker's scope: stream URLs start with it. */
  scope: string;
  private readonly offers = new Map<string, { offer: StreamOffer; timer: ReturnType<typeof setTimeout> }>();
  private open = 0;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** Torrents whose URLs were given (told to the worker with the client's). */
  private readonly given = new Set<string>();

  constructor(
    private readonly client: TorrentLookup,
    private readonly container: ServiceWorkerContainer,
    scope = '',
  ) {
    this.scope = scope;
    container.addEventListener('message', this.onMessage);
    // A new worker (an update) knows nothing of this page yet.
    container.addEventListener('controllerchange', this.tell);
    client.addEventListener?.('torrent', this.tell);
    // Messages from the worker wait until this is called (or until the page has loaded).
    container.startMessages();
  }

  /** The URL that serves file `fileIndex` of `torrent` (with `download`: as an attachment). */
  fileUrl(torrent: Torrent, fileIndex: number, options: { download?: boolean } = {}): string {
    const file = torrent.files[fileIndex];
    if (!file) throw new RangeError(`no file ${fileIndex}`);
    if (!this.given.has(torrent.infoHash)) {
      this.given.add(torrent.infoHash);
      this.tell();
    }
    return fileStreamUrl(this.scope, torrent.infoHash, fileIndex, file.name, options.download === true);
  }

  /**
   * Tells the worker which torrents this page has, and waits until it has taken note (at most
   * HELLO_TIMEOUT_MS: a worker of an older version does not answer).
   */
  hello(): Promise<void> {
    const controller = this.container.controller;
    if (!controller) return Promise.resolve();
    const channel = new MessageChannel();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, HELLO_TIMEOUT_MS);
      channel.port1.onmessage = () => {
        clearTimeout(timer);
        resolve();
      };
      controller.postMessage(this.have(), [channel.port2]);
    }).finally(() => channel.port1.close());
  }

  private have(): HaveMessage {
    const infoHashes = new Set(this.given);
    for (const t of this.client.torrents ?? []) infoHashes.add(t.infoHash);
    return { type: HAVE, infoHashes: [...infoHashes] };
  }

  /** Tells the worker which torrents this page has (all of them, each time). */
  private readonly tell = (): void => {
    if (!this.closed) this.container.controller?.postMessage(this.have());
  };

  /** Offers a stream to be downloaded once, through the returned URL (as an attachment). */
  offer(offer: StreamOffer): string {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    this.offers.set(id, { offer, timer: setTimeout(() => this.offers.delete(id), OFFER_TTL_MS) });
    return offerStreamUrl(this.scope, id, offer.name);
  }

  /** Streams being read now. */
  get active(): number {
    return this.open;
  }

  close(): void {
    // The worker forgets this page's torrents (a server that never started told it nothing).
    if (this.scope && !this.closed) this.container.controller?.postMessage({ type: HAVE, infoHashes: [] } satisfies HaveMessage);
    this.closed = true;
    this.container.removeEventListener('message', this.onMessage);
    this.container.removeEventListener('controllerchange', this.tell);
    this.client.removeEventListener?.('torrent', this.tell);
    for (const { timer } of this.offers.values()) clearTimeout(timer);
    this.offers.clear();
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
  }

  private readonly onMessage = (event: MessageEvent<unknown>): void => {
    if (isRollCallMessage(event.data)) return this.tell();
    const port = event.ports[0];
    if (this.closed || !port || !isOpenMessage(event.data)) return;
    void this.serve(event.data.target, port, event.data.request);
  };

  private async serve(target: StreamTarget, port: MessagePort, request?: OpenMessage['request']): Promise<void> {
    const post = (m: PageMessage, transfer: Transferable[] = []) => port.postMessage(m, transfer);
    let source: { size: number | undefined; name: string; open(start: number, end: number | undefined): ReadableStream<Uint8Array> };
    if (target.kind === 'file') {
      const torrent = this.client.get(target.infoHash);
      if (!torrent) {
        post({ type: 'missing', reason: 'no such torrent', torrent: false });
        return;
      }
      await torrent.ready;
      const file = torrent.files[target.fileIndex];
      if (!file) {
        post({ type: 'missing', reason: 'no such file', torrent: true });
        return;
      }
      source = { size: file.length, name: file.name, open: (start, end) => file.stream(start, end) };
    } else {
      const entry = this.offers.get(target.id);
      if (!entry) {
        post({ type: 'missing', reason: 'no such download (each is served once)', torrent: false });
        return;
      }
      this.offers.delete(target.id);
      clearTimeout(entry.timer);
      const { offer } = entry;
      source = { size: offer.size, name: offer.name, open: () => offer.open() };
    }
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    /** The range `reader` reads, and whether the worker asked for it yet (see `early`). */
    let range: { start: number; end: number | undefined; asked: boolean } | undefined;
    let counted = false;
    let sent = false;
    let early: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      clearTimeout(early);
      port.onmessage = null;
      port.close();
      if (counted) this.streamClosed();
      counted = false;
    };
    const open = (start: number, end: number | undefined, asked: boolean) => {
      markMoment('stream-open');
      reader = source.open(start, end).getReader();
      range = { start, end, asked };
      if (!counted) this.streamOpened();
      counted = true;
    };
    port.onmessage = (e: MessageEvent<unknown>) => {
      const m = e.data;
      if (!isWorkerMessage(m)) return;
      if (m.type === 'read' && range && !range.asked) {
        clearTimeout(early);
        range.asked = true;
        // Read from the start of the request's range already, unless the worker wants another.
        if (range.start !== m.start || range.end !== m.end) {
          void reader?.cancel().catch(() => undefined);
          open(m.start, m.end, true);
        }
      } else if (m.type === 'read' && !reader) {
        open(m.start, m.end, true);
      } else if (m.type === 'pull' && reader) {
        const r = reader;
        r.read().then(
          ({ value, done }) => {
            if (done) {
              post({ type: 'end' });
              finish();
              return;
            }
            if (!sent) markMoment('stream-data');
            sent = true;
            const owned = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer;
            const data = owned ? value : value.slice();
            post({ type: 'chunk', data }, [data.buffer as ArrayBuffer]);
          },
          (e: unknown) => {
            post({ type: 'error', message: errorMessage(e) });
            finish();
          },
        );
      } else if (m.type === 'cancel') {
        void reader?.cancel().catch(() => undefined);
        finish();
      }
    };
    post({ type: 'found', size: source.size, name: source.name });
    // A file's range is read now, as the worker will ask (its request's range): its pieces are
    // fetched first a page-to-worker round trip sooner. Let go if the worker does not ask.
    const asked = request?.method === 'GET' && target.kind === 'file' && source.size !== undefined ? parseRange(request.range, source.size) : undefined;
    const body = asked?.kind === 'full' ? { start: 0, end: source.size! } : asked?.kind === 'range' ? asked : undefined;
    if (body && body.end > body.start) {
      open(body.start, body.end, false);
      early = setTimeout(() => {
        void reader?.cancel().catch(() => undefined);
        finish();
      }, EARLY_READ_MS);
    }
  }

  private streamOpened(): void {
    this.open++;
    this.keepAlive ??= setInterval(() => this.container.controller?.postMessage({ type: KEEP_ALIVE }), KEEP_ALIVE_MS);
  }

  private streamClosed(): void {
    this.open--;
    if (this.open === 0 && this.keepAlive !== undefined) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }
}
