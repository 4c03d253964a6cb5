/**
 * Web seeds (BEP 19): an HTTP server holding the torrent's files, used as one more peer.
 *
 * A {@link WebSeedChannel} is a {@link PeerChannel} that answers the session's peer wire messages
 * itself: it sends a handshake and `have all`, unchokes once the session is interested, and turns
 * block requests into HTTP Range requests (contiguous blocks merged, up to {@link MAX_RANGE} per
 * request), sending back `piece` messages; an HTTP request whose blocks the session all cancelled
 * (their requests timed out, or other peers sent them) is aborted, so a hung response holds none of
 * its {@link MAX_FETCHES} slots for ever. So the session treats a web seed like any peer: its
 * pieces are verified, a web seed serving wrong bytes is blamed and banned like a lying peer, and
 * the picker spreads requests between it and the peers.
 *
 * The HTTP side is injected ({@link RangeFetcher}; src/client/webseed-http.ts uses `fetch`), so this
 * module stays free of platform APIs and is tested in-process.
 */
import type { PeerChannel } from './session/channel.js';
import type { Metainfo } from './metainfo.js';
import { WireDecoder, encodeHandshake, encodeMessage, type WireEvent } from './wire/index.js';
import { concatBytes } from './bytes.js';
import { TabswarmError, errorMessage } from './errors.js';

/** Bytes fetched by one HTTP request at most. */
export const MAX_RANGE = 1024 * 1024;
/** HTTP requests in flight per web seed at most. */
export const MAX_FETCHES = 2;

/**
 * Fetches bytes [start, end) of `url`; rejects with a {@link WebSeedError} saying what went wrong.
 * It must never hold more than the range (plus a chunk) of what the server sends, however much that
 * is: a hostile server may send an endless body. `signal` aborts the request (the web seed closed).
 */
export type RangeFetcher = (url: string, start: number, end: number, signal?: AbortSignal) => Promise<Uint8Array>;

export class WebSeedError extends TabswarmError {
  override name = 'WebSeedError';
}

/** The URL of file `index` of a torrent on the web seed `base` (BEP 19). */
export function webSeedFileUrl(base: string, metainfo: Metainfo, index: number): string {
  const file = metainfo.files[index]!;
  const single = metainfo.files.length === 1 && file.pathSegments.length === 1;
  if (single && !base.endsWith('/')) return base;
  // A multi-file torrent (or a URL naming a folder): the folder, then the path (name first), each
  // component percent-encoded.
  return (base.endsWith('/') ? base : `${base}/`) + file.pathSegments.map(encodeURIComponent).join('/');
}

/** The parts of the torrent's byte range [start, end) in each file. */
export function fileRanges(metainfo: Metainfo, start: number, end: number): { file: number; start: number; end: number }[] {
  const out: { file: number; start: number; end: number }[] = [];
  metainfo.files.forEach((f, i) => {
    const from = Math.max(start, f.offset);
    const to = Math.min(end, f.offset + f.length);
    if (from < to) out.push({ file: i, start: from - f.offset, end: to - f.offset });
  });
  return out;
}

interface Request {
  index: number;
  begin: number;
  length: number;
}

/** An HTTP request in flight: the blocks of it still wanted (by `index:begin`), and its abort. */
interface Fetch {
  readonly wanted: Set<string>;
  readonly abort: AbortController;
}

export interface WebSeedOptions {
  url: string;
  metainfo: Metainfo;
  fetch: RangeFetcher;
  /** The id this "peer" gives in its handshake (derived from the URL by the caller). */
  peerId: Uint8Array;
  /** Called once with the reason when the web seed gives up (an HTTP error, for instance). */
  onError?: (error: WebSeedError) => void;
}

export class WebSeedChannel implements PeerChannel {
  onData: ((data: Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  onDrain: (() => void) | undefined;
  lowWaterMark = 0;
  readonly bufferedAmount = 0;
  /** Bytes received over HTTP. */
  fetched = 0;
  private readonly decoder = new WireDecoder();
  private queue: Request[] = [];
  /** HTTP requests in flight (aborted when the channel closes). */
  private readonly fetches = new Set<Fetch>();
  private closed = false;
  private pumpScheduled = false;

  constructor(private readonly o: WebSeedOptions) {}

  send(data: Uint8Array): void {
    if (this.closed) return;
    let events: WireEvent[];
    try {
      events = this.decoder.push(data);
    } catch {
      this.close();
      return;
    }
    for (const e of events) this.onMessage(e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    for (const f of this.fetches) f.abort.abort();
    queueMicrotask(() => this.onClose?.());
  }

  private reply(bytes: Uint8Array): void {
    queueMicrotask(() => {
      if (!this.closed) this.onData?.(bytes);
    });
  }

  private onMessage(e: WireEvent): void {
    switch (e.type) {
      case 'handshake':
        this.reply(encodeHandshake({ infoHash: e.infoHash, peerId: this.o.peerId, extensions: { extended: false, fast: true } }));
        this.reply(encodeMessage({ type: 'haveAll' }));
        break;
      case 'interested':
        this.reply(encodeMessage({ type: 'unchoke' }));
        break;
      case 'request':
        this.queue.push({ index: e.index, begin: e.begin, length: e.length });
        this.schedulePump();
        break;
      case 'cancel':
        this.queue = this.queue.filter((r) => !(r.index === e.index && r.begin === e.begin && r.length === e.length));
        for (const f of this.fetches) if (f.wanted.delete(`${e.index}:${e.begin}`) && f.wanted.size === 0) this.abort(f);
        break;
      default:
        break; // choke, have, bitfield, keep-alive…: nothing a web seed needs to act on
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Aborts an HTTP request none of whose blocks is wanted any more: its slot is free at once. */
  private abort(f: Fetch): void {
    f.abort.abort();
    this.fetches.delete(f);
    this.schedulePump();
  }

  /** Starts HTTP requests for queued blocks: runs of contiguous blocks, up to MAX_RANGE each. */
  private pump(): void {
    const pieceLength = this.o.metainfo.pieceLength;
    while (!this.closed && this.fetches.size < MAX_FETCHES && this.queue.length > 0) {
      const run: Request[] = [this.queue.shift()!];
      let end = run[0]!.index * pieceLength + run[0]!.begin + run[0]!.length;
      const start = end - run[0]!.length;
      for (;;) {
        const i = this.queue.findIndex((r) => r.index * pieceLength + r.begin === end);
        if (i < 0 || end - start + this.queue[i]!.length > MAX_RANGE) break;
        const [next] = this.queue.splice(i, 1);
        run.push(next!);
        end += next!.length;
      }
      const f: Fetch = { wanted: new Set(run.map((r) => `${r.index}:${r.begin}`)), abort: new AbortController() };
      this.fetches.add(f);
      void this.fetchRun(run, start, end, f.abort.signal).finally(() => {
        this.fetches.delete(f);
        this.pump();
      });
    }
  }

  private async fetchRun(run: Request[], start: number, end: number, signal: AbortSignal): Promise<void> {
    let bytes: Uint8Array;
    try {
      const parts: Uint8Array[] = [];
      const ranges = fileRanges(this.o.metainfo, start, end);
      for (const r of ranges) {
        const url = webSeedFileUrl(this.o.url, this.o.metainfo, r.file);
        const got = await this.o.fetch(url, r.start, r.end, signal);
        if (got.length !== r.end - r.start) {
          throw new WebSeedError(`web seed ${url} sent ${got.length} bytes for a range of ${r.end - r.start}`);
        }
        parts.push(got);
      }
      bytes = parts.length === 1 && parts[0]!.length === end - start ? parts[0]! : concatBytes(parts);
      if (bytes.length < end - start) {
        // Padding between files (BEP 47) is on no server: zeros.
        bytes = new Uint8Array(end - start);
        parts.forEach((part, i) => bytes.set(part, this.o.metainfo.files[ranges[i]!.file]!.offset + ranges[i]!.start - start));
      }
    } catch (e) {
      if (this.closed || signal.aborted) return;
      const error = e instanceof WebSeedError ? e : new WebSeedError(`web seed ${this.o.url}: ${errorMessage(e)}`);
      this.o.onError?.(error);
      this.close();
      return;
    }
    if (this.closed || signal.aborted) return;
    this.fetched += bytes.length;
    let at = 0;
    const out: Uint8Array[] = [];
    for (const r of run) {
      out.push(encodeMessage({ type: 'piece', index: r.index, begin: r.begin, block: bytes.subarray(at, at + r.length) }));
      at += r.length;
    }
    this.reply(concatBytes(out));
  }
}
