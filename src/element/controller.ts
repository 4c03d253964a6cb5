/**
 * The work behind one `<tab-swarm>`, as a Lit ReactiveController: it resolves `src`, holds a lease on
 * the torrent in the page's shared client (./shared.ts), picks the file, gets its URL from the
 * service worker (or a Blob once complete where there is none), keeps the numbers fresh and fires
 * the element's events. The element only renders what is here.
 *
 * Everything one `src` starts belongs to a {@link Run}: listeners (an AbortSignal), timers, the
 * lease and any object URLs. A new `src`, an error or the element leaving the page ends the run
 * and frees all of it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StreamServer, Torrent, TorrentFile } from '../client/index.js';
import { errorMessage } from '../core/errors.js';
import { contentTypeOf, inertTypeOf } from '../sw/http.js';
import { fire, type WaitingReason } from './events.js';
import { rasterise } from '../shared/raster.js';
import { acquire, streamServer, type Lease } from './shared.js';
import { SourceError, displayKindOf, pickFile, resolveSource, type DisplayKind } from './source.js';

export interface EmbedHost extends ReactiveControllerHost, HTMLElement {
  src: string;
  file: string;
  announce: string;
  /** Makes the element's player or image let go of its URL (its request to the worker ends). */
  releaseMedia(): void;
}

export type Phase = 'idle' | 'loading' | 'ready' | 'error';

interface Run {
  /** The `src` and `announce` it was started for. */
  key: string;
  /** When bytes last arrived (or the run started), and how many had then (performance.now()). */
  stalledSince: number;
  bytesSeen: number;
  /** The reason last told with `tabswarm-waiting` (undefined: not waiting). */
  waiting: WaitingReason | undefined;
  /** What the last `tabswarm-progress` said. */
  told: string | undefined;
  abort: AbortController;
  lease: Lease | undefined;
  soon: ReturnType<typeof setTimeout> | undefined;
  tick: ReturnType<typeof setInterval> | undefined;
  objectUrls: string[];
}

const REFRESH_MS = 1000;
const PROGRESS_MS = 250;
/** Nothing arriving for this long is worth saying (and `tabswarm-waiting` fires). */
export const WAIT_NOTICE_MS = 5000;

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');

export class EmbedController implements ReactiveController {
  phase: Phase = 'idle';
  /** What it is doing while loading. */
  status = '';
  torrent: Torrent | undefined;
  file: TorrentFile | undefined;
  kind: DisplayKind | undefined;
  /**
   * What the player or image shows: the worker's URL, or an object URL once complete (never of a
   * type that runs script when opened as a page: see `useBlob`).
   */
  url: string | undefined;
  /** Where the save link points: the worker's URL as an attachment, or an object URL of bytes to save. */
  saveUrl: string | undefined;
  /** Why the file does not stream (shown in the element). */
  notice: string | undefined;
  /** Why nothing arrives, once it has been so for a while (shown in the element). */
  waiting: string | undefined;
  error: Error | undefined;
  errorMessage = '';
  done = false;
  streaming: StreamServer | undefined;

  private current: Run | undefined;
  private fileWanted = '';
  private leaving = false;
  /** `tabswarm-ready` was fired for the file (whether it streams is known). */
  private shown = false;

  constructor(private readonly host: EmbedHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.leaving = false;
    // A removed element put back starts again (its attributes have not changed: ask for an update).
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.leaving = true;
    // A move (removed and inserted in one DOM call) keeps everything; a removal frees everything.
    queueMicrotask(() => {
      if (this.leaving && !this.host.isConnected) this.stop();
    });
  }

  /** Follows the host's attributes: called before each render. */
  sync(): void {
    if (!this.host.isConnected) return;
    const key = `${this.host.src.trim()}\n${this.host.announce.trim()}`;
    if (this.current?.key !== key) {
      this.stop();
      this.begin(key);
    } else if (this.host.file !== this.fileWanted && this.torrent?.metainfo && this.phase !== 'error') {
      this.show(this.current);
    }
  }

  /** The player could not play the file (or the image could not be decoded): a card instead. */
  mediaFailed(url: string): void {
    const run = this.current;
    if (!run || this.phase !== 'ready' || url !== this.url || !this.file) return;
    this.host.releaseMedia();
    const message = `This browser cannot show ${this.file.name}; save it to open it with another program.`;
    this.kind = 'card';
    this.notice = message;
    this.host.requestUpdate();
    fire(this.host, 'tabswarm-error', { error: new Error(message), message });
  }

  // ---- a run ----------------------------------------------------------------------------------------

  private begin(key: string): void {
    const run: Run = {
      key,
      abort: new AbortController(),
      lease: undefined,
      soon: undefined,
      tick: undefined,
      objectUrls: [],
      stalledSince: performance.now(),
      bytesSeen: 0,
      waiting: undefined,
      told: undefined,
    };
    this.current = run;
    if (this.host.src.trim() === '') return;
    this.phase = 'loading';
    this.status = 'Loading…';
    this.load(run).catch((e: unknown) => this.fail(run, e));
  }

  private async load(run: Run): Promise<void> {
    if (typeof RTCPeerConnection === 'undefined') throw new SourceError('this browser cannot connect to peers: it has no WebRTC');
    const source = await resolveSource(this.host.src, document.baseURI, run.abort.signal);
    if (run !== this.current) return;
    const announce = this.host.announce.split(/\s+/).filter((a) => a.length > 0);
    run.lease = acquire(source.infoHash, source.input, announce, source.secret);
    const torrent = await run.lease.torrent;
    if (run !== this.current) return;
    this.torrent = torrent;
    const signal = run.abort.signal;
    torrent.addEventListener('progress', () => this.soon(run), { signal });
    torrent.addEventListener('peer', () => this.soon(run), { signal });
    torrent.addEventListener('error', (e) => this.fail(run, e.detail.error), { signal });
    run.tick = setInterval(() => this.refresh(run), REFRESH_MS);
    if (!torrent.metainfo) {
      this.status = 'Looking for peers…';
      this.checkWaiting(run, torrent);
      this.host.requestUpdate();
    }
    // Ready: the metadata is known, and a private share's files once its manifest is read.
    await torrent.ready;
    if (run !== this.current) return;
    const share = torrent.privateShare;
    if (share?.status === 'failed') throw new SourceError(`the private share cannot be opened: ${share.error.message}`);
    this.show(run);
  }

  /** Shows the file the `file` attribute names (again, when it changed). */
  private show(run: Run): void {
    const torrent = this.torrent!;
    let file: TorrentFile;
    try {
      file = pickFile(torrent.files, this.host.file, torrent.name);
    } catch (e) {
      this.fail(run, e);
      return;
    }
    this.fileWanted = this.host.file;
    if (file === this.file) return;
    this.host.releaseMedia();
    this.revoke(run);
    const kind = displayKindOf(file.name);
    this.forgetFile();
    this.file = file;
    this.kind = kind;
    this.phase = 'ready';
    run.lease?.want([file.index]);
    this.host.requestUpdate();
    void streamServer().then(
      (server) => {
        if (run !== this.current || file !== this.file) return;
        this.streaming = server;
        this.url = kind === 'card' ? undefined : server.fileUrl(torrent, file.index);
        this.saveUrl = server.fileUrl(torrent, file.index, { download: true });
        this.ready(run, torrent, file, kind);
      },
      (e: unknown) => {
        if (run !== this.current || file !== this.file) return;
        const reason = sentence(errorMessage(e));
        const when = kind === 'video' || kind === 'audio' ? 'It plays' : kind === 'image' ? 'It is shown' : 'It can be saved';
        this.notice = `Streaming is not available here. ${reason} ${when} once it is downloaded.`;
        this.ready(run, torrent, file, kind);
      },
    );
  }

  private ready(run: Run, torrent: Torrent, file: TorrentFile, kind: DisplayKind): void {
    this.shown = true;
    fire(this.host, 'tabswarm-ready', { torrent, file, kind, streaming: this.streaming !== undefined });
    this.refresh(run);
  }

  /** At most every PROGRESS_MS while pieces arrive. */
  private soon(run: Run): void {
    run.soon ??= setTimeout(() => {
      run.soon = undefined;
      this.refresh(run);
    }, PROGRESS_MS);
  }

  private refresh(run: Run): void {
    const torrent = this.torrent;
    if (run !== this.current || !torrent || this.phase === 'error') return;
    this.host.requestUpdate();
    const file = this.phase === 'ready' ? this.file : undefined;
    if (this.done) return;
    this.checkWaiting(run, torrent);
    const progress = file ? file.progress : torrent.progress;
    const detail = { torrent, file, progress, downloadSpeed: torrent.downloadSpeed, uploadSpeed: torrent.uploadSpeed, numPeers: torrent.numPeers };
    // Only what changed is news: a torrent that waits does not repeat 0 % every second.
    const told = `${file?.index}:${progress}:${detail.downloadSpeed}:${detail.uploadSpeed}:${detail.numPeers}`;
    if (told !== run.told) {
      run.told = told;
      fire(this.host, 'tabswarm-progress', detail);
    }
    // Done once shown (streaming or not is decided) and every byte is verified.
    if (!file || !this.shown || progress < 1) return;
    this.done = true;
    if (!this.streaming) void this.useBlob(run, file);
    fire(this.host, 'tabswarm-done', { torrent, file });
  }

  /**
   * Says why nothing arrives once it has been so for {@link WAIT_NOTICE_MS} (or at once when there
   * is no tracker at all), in the element and with `tabswarm-waiting` when the reason changes: how
   * long, how many peers, whether any has the file's details, whether the page is a secure context.
   */
  private checkWaiting(run: Run, torrent: Torrent): void {
    const now = performance.now();
    if (torrent.downloaded !== run.bytesSeen) {
      run.bytesSeen = torrent.downloaded;
      run.stalledSince = now;
    }
    const waitedMs = now - run.stalledSince;
    const peers = torrent.numPeers;
    const lonely = torrent.announce.length === 0 && torrent.urlList.length === 0 && peers === 0;
    let reason: WaitingReason | undefined;
    if (lonely) reason = 'no-tracker';
    else if (waitedMs >= WAIT_NOTICE_MS) reason = peers === 0 ? 'no-peers' : !torrent.metainfo ? 'no-metadata' : 'no-data';
    const secureContext = typeof isSecureContext === 'boolean' ? isSecureContext : true;
    const seconds = Math.round(waitedMs / 1000);
    const connected = `Connected to ${peers} ${peers === 1 ? 'peer' : 'peers'}`;
    let message: string | undefined;
    switch (reason) {
      case 'no-tracker':
        message = 'No tracker to find peers with: give the element an announce attribute, or call configureTabSwarm({ announce }).';
        break;
      case 'no-peers':
        message = `No peer found in ${seconds} s: nobody may be sharing this file right now. Still looking…`;
        break;
      case 'no-metadata':
        message = `${connected}; none has sent the file's details yet (${seconds} s).`;
        break;
      case 'no-data':
        message = `${connected}; none is sending this file yet (${seconds} s).`;
        break;
      case undefined:
        break;
    }
    if (message && !secureContext) message += ' This page is not a secure context (https): the file plays once it is fully downloaded.';
    this.waiting = message;
    if (reason !== run.waiting) {
      run.waiting = reason;
      if (reason && message) fire(this.host, 'tabswarm-waiting', { reason, waitedMs, numPeers: peers, secureContext, message });
    }
  }

  /**
   * Without a service worker: the complete file as object URLs, which have this page's origin and
   * no headers to sandbox them. A person can open either URL as a page (a new tab), so neither may
   * have a type that a browser runs as a document (SVG, HTML, XML…): the player or image gets an
   * inert media type (`inertTypeOf`), an image of another type (SVG) is shown as a PNG drawn from
   * it (or as a card when it cannot be drawn), and Save gets `application/octet-stream`.
   */
  private async useBlob(run: Run, file: TorrentFile): Promise<void> {
    let blob: Blob;
    try {
      blob = await file.blob();
    } catch (e) {
      this.fail(run, e);
      return;
    }
    if (run !== this.current || file !== this.file) return;
    let shown: Blob | undefined;
    if (this.kind !== 'card') {
      const inert = inertTypeOf(file.name);
      if (inert) {
        shown = blob.slice(0, blob.size, inert);
      } else if (this.kind === 'image') {
        shown = await rasterise(blob, contentTypeOf(file.name).split(';')[0]!).catch(() => undefined);
        if (run !== this.current || file !== this.file) return;
      }
      if (!shown) {
        this.kind = 'card';
        this.notice = `${file.name} cannot be shown here; save it to open it with another program.`;
      }
    }
    const save = URL.createObjectURL(blob.slice(0, blob.size, 'application/octet-stream'));
    run.objectUrls.push(save);
    if (shown && this.kind !== 'card') {
      const url = URL.createObjectURL(shown);
      run.objectUrls.push(url);
      this.url = url;
    }
    this.saveUrl = save;
    this.host.requestUpdate();
  }

  private fail(run: Run, e: unknown): void {
    if (run !== this.current || run.abort.signal.aborted) return;
    const error = e instanceof Error ? e : new Error(String(e));
    this.teardown(run);
    this.phase = 'error';
    this.error = error;
    this.errorMessage = sentence(error.message);
    this.host.requestUpdate();
    fire(this.host, 'tabswarm-error', { error, message: this.errorMessage });
  }

  /** Ends the current run and forgets what it showed. */
  private stop(): void {
    const run = this.current;
    this.current = undefined;
    if (run) this.teardown(run);
    this.phase = 'idle';
    this.status = '';
    this.torrent = undefined;
    this.error = undefined;
    this.errorMessage = '';
    this.fileWanted = '';
    this.forgetFile();
    this.host.requestUpdate();
  }

  private forgetFile(): void {
    this.file = undefined;
    this.kind = undefined;
    this.url = undefined;
    this.saveUrl = undefined;
    this.notice = undefined;
    this.streaming = undefined;
    this.done = false;
    this.shown = false;
  }

  /** Frees what a run holds: listeners, timers, the player's stream, object URLs, the lease. */
  private teardown(run: Run): void {
    run.abort.abort();
    clearTimeout(run.soon);
    clearInterval(run.tick);
    run.soon = run.tick = undefined;
    this.host.releaseMedia();
    this.revoke(run);
    run.lease?.release();
    run.lease = undefined;
  }

  private revoke(run: Run): void {
    for (const url of run.objectUrls.splice(0)) URL.revokeObjectURL(url);
  }
}
