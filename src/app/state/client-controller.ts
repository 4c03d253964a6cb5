/**
 * The client as the app sees it: a Lit ReactiveController that owns the `Client`, listens to its
 * events and its torrents' events, refreshes the numbers about once a second while the page is
 * visible, and turns what happens into notices, a log and status messages for screen readers.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Client, startStreaming, type StreamServer, type Torrent } from '../../client/index.js';
import { errorMessage } from '../../core/errors.js';
import { loadConfig } from '../config.js';
import { describeFiles, type PickedFile } from '../drop.js';
import { NoticeBoard } from './notice-board.js';
import { addErrorNotice, startErrorNotice, seedErrorNotice, type AddSource, type Notice } from './notices.js';
import { loadSettings, saveSettings, type Settings } from './settings.js';
import { effectiveRtcConfig, effectiveTrackers, needsRestart, type OperatorIce } from './settings-form.js';
import { hasTurnServer } from '../../transport/ice.js';
import { VisibleTicker } from './visible-ticker.js';
import { runHere, stateInput, TorrentWatches } from './torrent-watch.js';
import { displayName } from '../../shared/format.js';
import { shareFromText } from '../../shared/share-link.js';
import { markMoment } from '../../client/moments.js';

const TICK_MS = 1000;
const LOG_LIMIT = 100;
/** At most this often while hashing (progress callbacks come once per piece). */
const PROGRESS_UPDATE_MS = 100;

export interface PendingSeed {
  id: number;
  name: string;
  done: number;
  total: number;
}

export interface LogEntry {
  time: number;
  message: string;
}

export type Phase = 'starting' | 'ready' | 'restarting' | 'unsupported';

export class ClientController implements ReactiveController {
  client: Client | undefined;
  phase: Phase = 'starting';
  settings: Settings = loadSettings();
  /** The app's default trackers (config.json). */
  defaults: string[] = [];
  /** The operator's STUN/TURN servers and ICE transport policy (config.json), used when the person set no ICE servers. */
  operatorIce: OperatorIce = { iceServers: [] };
  pending: PendingSeed[] = [];
  log: LogEntry[] = [];
  /** The latest message for the status live region. */
  status = '';
  /** Bumped on every refresh, so components showing live numbers re-render. */
  revision = 0;
  /** Torrents shared from this page, whose share panel starts open (the person wants the link). */
  readonly fresh = new Set<string>();
  /**
   * Torrents this page opened from a link: a video or audio file such a card offers to play is loaded
   * ahead, out of sight, so that Play starts it at once (torrent-card.ts).
   */
  readonly linked = new Set<string>();
  readonly webrtc = typeof RTCPeerConnection !== 'undefined';
  /** Resolves once the client is ready (saved torrents back); never rejects. */
  readonly ready: Promise<void>;
  /**
   * Serves the client's files to the service worker, so that they play and save while they download
   * (src/client/stream-server.ts); undefined until the worker controls the page, or where it cannot.
   */
  streaming: StreamServer | undefined;

  private resolveReady!: () => void;
  private readonly board = new NoticeBoard();
  private readonly watches = new TorrentWatches({
    refresh: () => this.refresh(),
    done: (torrent) => this.announce(`Download complete: ${torrent.name}.`),
    // The notice (from lastError) is read out by the notices' live region.
    error: (torrent, error) => this.logMessage(`${torrent.name} stopped: ${error.message}`),
  });
  private clientListeners: AbortController | undefined;
  private readonly ticker = new VisibleTicker(() => this.refresh(), TICK_MS);
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private seeding = new Set<Promise<unknown>>();
  private nextId = 1;
  private started = false;

  constructor(private readonly host: ReactiveControllerHost) {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    host.addController(this);
  }

  hostConnected(): void {
    this.ticker.connect();
    if (!this.started) {
      this.started = true;
      void this.start();
    }
  }

  hostDisconnected(): void {
    this.ticker.disconnect();
  }

  /** The torrents, newest first. */
  get torrents(): Torrent[] {
    return [...(this.client?.torrents ?? [])].reverse();
  }

  get trackersInUse(): string[] {
    return effectiveTrackers(this.settings, this.defaults);
  }

  /** The peer connections' configuration: the person's ICE servers, or the operator's. */
  get rtcConfig(): RTCConfiguration {
    return effectiveRtcConfig(this.settings, this.operatorIce);
  }

  /** Whether a TURN server is in use, to relay peers that cannot reach each other directly. */
  get turnConfigured(): boolean {
    return hasTurnServer(this.rtcConfig.iceServers);
  }

  /** Every notice to show now, most important first; dismissed ones left out. */
  get notices(): Notice[] {
    return this.board.list(this.torrents, this.client?.storage, this.webrtc);
  }

  // ---- actions ----------------------------------------------------------------------------------

  /** Shares files: hashes and stores them with visible progress, then seeds. */
  async seed(files: PickedFile[]): Promise<Torrent | undefined> {
    if (files.length === 0) return undefined;
    await this.ready;
    const client = this.client;
    if (!client) return undefined;
    const pending: PendingSeed = { id: this.nextId++, name: describeFiles(files), done: 0, total: files.reduce((n, f) => n + f.data.size, 0) };
    this.pending = [...this.pending, pending];
    this.announce(`Preparing ${pending.name} to share…`);
    this.update();
    const work = client.seed(
      files.map((f) => ({ path: f.path, data: f.data })),
      {
        version: this.settings.shareVersion,
        private: this.settings.sharePrivate,
        onProgress: (done, total) => {
          pending.done = done;
          pending.total = total;
          this.throttledUpdate();
        },
      },
    );
    this.seeding.add(work);
    try {
      const torrent = await work;
      this.fresh.add(torrent.infoHash);
      this.announce(`Sharing ${torrent.name}. Copy the share link to send it.`);
      return torrent;
    } catch (e) {
      this.showError(seedErrorNotice(e, `seed-error:${pending.id}`));
      return undefined;
    } finally {
      this.seeding.delete(work);
      this.pending = this.pending.filter((p) => p !== pending);
      this.update();
    }
  }

  /** Adds a magnet link, a share link or .torrent bytes; a readable notice when they are wrong. */
  async add(source: string | Uint8Array, from: AddSource): Promise<Torrent | undefined> {
    await this.ready;
    const client = this.client;
    if (!client) return undefined;
    const known = new Set(client.torrents);
    try {
      const shared = typeof source === 'string' ? shareFromText(source) : undefined; // a private link's secret too
      const torrent = await client.add(shared?.magnet ?? source, shared);
      if (from === 'link') {
        this.linked.add(torrent.infoHash);
        // Opened to be seen: its start first, asked of peers before the metadata (a link carries no name to tell more).
        torrent.wantHead();
      }
      this.board.clearErrors((n) => n.id.startsWith('add-error'));
      this.announce(known.has(torrent) ? `${torrent.name} is already in your list.` : `Added ${torrent.name}. Looking for peers…`);
      this.update();
      return torrent;
    } catch (e) {
      this.showError(addErrorNotice(e, from, `add-error:${this.nextId++}`), (n) => n.id.startsWith('add-error'));
      return undefined;
    }
  }

  async remove(torrent: Torrent, deleteData: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.remove(torrent, { deleteData });
    } catch (e) {
      // The torrent is stopped and forgotten; only deleting its data failed.
      this.logMessage(`${torrent.name}: could not delete its data: ${errorMessage(e)}`);
    }
    this.announce(deleteData ? `Removed ${torrent.name} and deleted its data.` : `Removed ${torrent.name}.`);
    this.update();
  }

  pause(torrent: Torrent): void {
    torrent.pause();
    this.announce(`Paused ${torrent.name}.`);
    this.refresh();
  }

  resume(torrent: Torrent): void {
    torrent.resume();
    this.board.undismiss(`torrent-error:${torrent.infoHash}`);
    this.announce(`Resumed ${torrent.name}.`);
    this.refresh();
  }

  selectFile(torrent: Torrent, index: number, selected: boolean): void {
    try {
      torrent.selectFile(index, selected);
    } catch (e) {
      this.logMessage(errorMessage(e));
    }
    this.refresh();
  }

  dismiss(id: string): void {
    this.board.dismiss(id);
    this.update();
  }

  /**
   * Saves and applies settings: rate limits at once; trackers, ICE servers and peer limits by
   * recreating the client (its torrents come back from IndexedDB by themselves).
   */
  async applySettings(next: Settings): Promise<void> {
    const before = this.settings;
    this.settings = next;
    saveSettings(next);
    this.client?.setRateLimits({ upload: next.uploadLimit, download: next.downloadLimit });
    if (!needsRestart(before, next) || !this.client) {
      this.announce('Settings saved.');
      this.update();
      return;
    }
    this.phase = 'restarting';
    this.announce('Settings saved. Reconnecting…');
    this.update();
    // Files still being hashed belong to the old client: let them finish first.
    await Promise.allSettled([...this.seeding]);
    const old = this.client;
    this.detachAll();
    try {
      await old.destroy();
      await this.createClient();
    } catch (e) {
      this.showError(startErrorNotice(e));
    }
    this.phase = 'ready';
    this.announce('Reconnected with the new settings.');
    this.update();
  }

  announce(text: string): void {
    // Names in it are shown with their hidden characters (displayName).
    const message = displayName(text);
    // The same text twice would not be read again: make it differ invisibly.
    this.status = message === this.status ? `${message}\u00a0` : message;
    this.update();
  }

  logMessage(message: string): void {
    this.log = [...this.log.slice(-(LOG_LIMIT - 1)), { time: Date.now(), message: displayName(message) }];
    this.update();
  }

  // ---- the client -------------------------------------------------------------------------------

  private async start(): Promise<void> {
    void this.startStreaming();
    if (!this.webrtc) {
      this.phase = 'unsupported';
      this.update();
      this.resolveReady();
      return;
    }
    try {
      const config = await loadConfig();
      this.defaults = config.announce;
      this.operatorIce = { iceServers: config.iceServers, ...(config.iceTransportPolicy ? { iceTransportPolicy: config.iceTransportPolicy } : {}) };
      for (const problem of config.problems) this.logMessage(`config.json: ${problem}; the default is used instead.`);
      await this.createClient();
      markMoment('client-ready');
    } catch (e) {
      this.showError(startErrorNotice(e));
    }
    this.phase = 'ready';
    this.update();
    this.resolveReady();
  }

  /**
   * Registers the service worker; it reads from whichever client is current (the client is recreated
   * on some settings). A torrent another tab runs is served by that tab (the worker asks every tab):
   * there a stream raises the priority of the pieces it waits for.
   */
  private async startStreaming(): Promise<void> {
    try {
      this.streaming = await startStreaming({ get: (infoHash) => runHere(this.client?.get(infoHash)) });
      markMoment('sw-ready');
      this.update();
    } catch (e) {
      this.logMessage(`Files cannot be played or saved while they download here: ${errorMessage(e)}`);
    }
  }

  private async createClient(): Promise<void> {
    const s = this.settings;
    const client = new Client({
      announce: effectiveTrackers(s, this.defaults),
      rtcConfig: effectiveRtcConfig(s, this.operatorIce),
      maxPeers: s.maxPeers,
      maxPeersPerTorrent: s.maxPeersPerTorrent,
      uploadLimit: s.uploadLimit,
      downloadLimit: s.downloadLimit,
      superSeeding: s.superSeeding,
      // Each torrent runs in one tab of this browser; the others show it (issue 22, item 5).
      coordinateTabs: true,
    });
    this.client = client;
    this.board.resetTrackers();
    const abort = new AbortController();
    this.clientListeners = abort;
    const signal = abort.signal;
    client.addEventListener('torrent', (e) => this.attach((e as CustomEvent<{ torrent: Torrent }>).detail.torrent), { signal });
    client.addEventListener('remove', (e) => this.detach((e as CustomEvent<{ torrent: Torrent }>).detail.torrent), { signal });
    client.addEventListener(
      'warning',
      (e) => {
        const { message, torrent } = (e as CustomEvent<{ message: string; torrent?: Torrent }>).detail;
        this.logMessage(torrent ? `${torrent.name}: ${message}` : message);
      },
      { signal },
    );
    client.addEventListener(
      'tracker',
      (e) => {
        if (this.board.onTracker(e.detail)) this.update();
      },
      { signal },
    );
    await client.ready;
    for (const t of client.torrents) this.attach(t);
  }

  private attach(torrent: Torrent): void {
    if (this.watches.watch(torrent)) this.update();
  }

  private detach(torrent: Torrent): void {
    this.watches.unwatch(torrent);
    this.fresh.delete(torrent.infoHash);
    this.board.forgetTorrent(torrent.infoHash);
    this.update();
  }

  private detachAll(): void {
    this.clientListeners?.abort();
    this.watches.unwatchAll();
    this.board.forgetClient();
  }

  /** Shows an error notice (read out by the notices' live region), replacing older ones of its kind. */
  private showError(notice: Notice, replaces: (n: Notice) => boolean = () => false): void {
    this.board.showError(notice, replaces);
    this.update();
  }

  // ---- refreshing -------------------------------------------------------------------------------

  /** Re-reads the torrents' numbers and re-renders. */
  refresh(): void {
    this.board.refreshLacking(this.client?.torrents ?? [], stateInput, Date.now());
    this.update();
  }

  private update(): void {
    this.revision++;
    this.host.requestUpdate();
  }

  private throttledUpdate(): void {
    if (this.updateTimer !== undefined) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.update();
    }, PROGRESS_UPDATE_MS);
  }
}
