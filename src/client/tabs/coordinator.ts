/**
 * One engine per browser (issue 22, item 5): a torrent runs in exactly one tab of an origin at a
 * time. The tab that runs it holds its Web Lock (`tabswarm-torrent-<info hash>`), which the browser
 * gives back when that tab closes or crashes; the other tabs wait for the lock, show the state the
 * running tab broadcasts (BroadcastChannel, protocol.ts), send it their commands (pause, resume,
 * file selection, remove), read its verified pieces from the store they share, and the first of
 * them to get the lock takes the torrent over from that store.
 *
 * Each tab's client has its own peer id, and tells it to the others (`hello` / `here`): no tab
 * connects to another tab of the browser as a peer (see `refuses`), not even during a takeover.
 */
import { toHex } from '../../core/bytes.js';
import { TabswarmError, errorMessage } from '../../core/errors.js';
import type { Metainfo } from '../../core/metainfo.js';
import type { TorrentRecord } from '../../store/torrent-records.js';
import type { Torrent } from '../torrent.js';
import type { Release, TabChannel, TabPlatform } from './platform.js';
import { LIMITS, TAB_PROTOCOL_VERSION, TORRENT_LOCK_PREFIX, readTabMessage, type TabCommand, type TabMessage, type TorrentSnapshot } from './protocol.js';

/** How often the running tab broadcasts the state of its torrents (also at once after a command). */
export const PUBLISH_MS = 1_000;
/** How long a tab waits for the running tab to remove a torrent it asked it to. */
export const REMOVE_TIMEOUT_MS = 15_000;

/** What the coordinator needs of its client. */
export interface TabHost {
  readonly peerId: Uint8Array;
  /** Resolves once the client has opened its saved torrents. */
  readonly ready: Promise<void>;
  get(infoHash: string): Torrent | undefined;
  /** The torrent's saved record, while it is saved (a removed torrent's is not). */
  saved(infoHash: string): Promise<TorrentRecord | undefined>;
  /** The metadata in a saved record, checked against its info hash. */
  metainfoOf(record: TorrentRecord): Promise<Metainfo | undefined>;
  /** Opens a saved torrent that this client does not list (another tab runs it: it will follow it). */
  openSaved(record: TorrentRecord): Promise<void>;
  /** Removes a torrent this tab runs, as another tab asked. */
  remove(torrent: Torrent, deleteData: boolean): Promise<void>;
  /** Deletes a torrent's record (and pieces), with its lock held and nothing running it. */
  dropSaved(torrent: Torrent, deleteData: boolean): Promise<void>;
  /** Forgets a torrent another tab removed: nothing to stop or delete here. */
  forget(torrent: Torrent): void;
  warn(message: string, torrent?: Torrent): void;
}

interface Followed {
  torrent: Torrent;
  /** Ends the wait for the lock. */
  abort: AbortController;
  /** This tab asked the running tab to remove it. */
  removal?: { deleteData: boolean; done: () => void };
}

export const lockName = (infoHash: string): string => TORRENT_LOCK_PREFIX + infoHash;

/** A torrent this tab runs, as the others are told of it. */
export function snapshotOf(t: Torrent): TorrentSnapshot {
  const s: TorrentSnapshot = {
    infoHash: t.infoHash,
    name: t.name.slice(0, LIMITS.name),
    hasMetadata: t.metainfo !== undefined,
    paused: t.paused,
    done: t.isDone,
    progress: t.progress,
    downloaded: t.downloaded,
    uploaded: t.uploaded,
    downloadSpeed: t.downloadSpeed,
    uploadSpeed: t.uploadSpeed,
    numPeers: t.numPeers,
    failedConnections: t.failedConnections,
    pieces: t.pieceStates(),
    peers: t
      .peers()
      .slice(0, LIMITS.peers)
      .map((p) => ({ ...p, id: p.id.slice(0, LIMITS.text), client: p.client?.slice(0, LIMITS.text), progress: Math.min(1, p.progress) })),
  };
  if (t.lastError) s.error = t.lastError.message.slice(0, LIMITS.name);
  if (t.left !== undefined) s.left = t.left;
  if (t.selection) s.selection = t.selection;
  return s;
}

export class TabCoordinator {
  /** This client's peer id, hex: the sender of its messages. */
  private readonly self: string;
  private readonly channel: TabChannel;
  /** The locks this tab holds, by info hash: it runs those torrents. */
  private readonly held = new Map<string, Release>();
  /** Torrents another tab runs, by info hash. */
  private readonly followed = new Map<string, Followed>();
  /** The peer ids of the other tabs of this browser. */
  private readonly siblings = new Set<string>();
  /** Saved torrents being opened because another tab runs them. */
  private readonly opening = new Set<string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly stopLeaving: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly platform: TabPlatform,
    private readonly host: TabHost,
  ) {
    this.self = toHex(host.peerId);
    this.channel = platform.openChannel();
    this.channel.listen((data) => this.receive(data));
    this.post({ type: 'hello' });
    this.stopLeaving = platform.onLeave?.(() => this.post({ type: 'bye' }));
    this.timer = setInterval(() => this.publishAll(), PUBLISH_MS);
  }

  /** Why a peer id is not to be connected: another tab of this browser; undefined for any other. */
  refuses(peerId: Uint8Array): string | undefined {
    return this.siblings.has(toHex(peerId)) ? 'another tab of this browser' : undefined;
  }

  /** Whether this tab follows the torrent (another tab runs it). */
  follows(torrent: Torrent): boolean {
    return this.followed.get(torrent.infoHash)?.torrent === torrent;
  }

  /**
   * Takes the torrent's lock when no tab holds it: true when this tab is to run the torrent (also
   * when locks fail here: then it runs as it would without them), false when another tab runs it.
   */
  async claim(infoHash: string): Promise<boolean> {
    if (this.closed || this.held.has(infoHash)) return true;
    let release: Release | undefined;
    try {
      release = await this.platform.locks.tryHold(lockName(infoHash));
    } catch (e) {
      this.host.warn(`could not take the lock of torrent ${infoHash.slice(0, 8)}… (${errorMessage(e)}); it runs in this tab`);
      return true;
    }
    if (!release) return false;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have come during the await
    if (this.closed) release();
    else this.held.set(infoHash, release);
    return true;
  }

  /** The torrent is running here (after `claim`): the other tabs are told its state. */
  running(torrent: Torrent): void {
    this.publish(torrent);
  }

  /** Another tab runs the torrent: shows its state, sends it the commands, and waits to take it over. */
  follow(torrent: Torrent): void {
    const infoHash = torrent.infoHash;
    const f: Followed = { torrent, abort: new AbortController() };
    this.followed.set(infoHash, f);
    torrent.follow((command) => this.post({ type: 'command', infoHash, command }));
    void this.waitForLock(f);
  }

  /**
   * Removes a torrent another tab runs: that tab stops it, forgets it and deletes its data; or, if it
   * goes away meanwhile, this tab does (holding the lock, with nothing running it).
   */
  removeFollowed(torrent: Torrent, deleteData: boolean): Promise<void> {
    const f = this.followed.get(torrent.infoHash);
    if (f?.torrent !== torrent) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        f.removal = undefined;
        this.unfollow(f);
        reject(new TabswarmError('the tab running it did not answer: it was removed from this tab only, and its data kept'));
      }, REMOVE_TIMEOUT_MS);
      f.removal = {
        deleteData,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.post({ type: 'command', infoHash: torrent.infoHash, command: { kind: 'remove', deleteData } });
    });
  }

  /** A torrent this tab ran is removed (stopped, forgotten, data deleted as asked): the others forget it, and the lock goes. */
  removed(infoHash: string): void {
    this.post({ type: 'removed', infoHash });
    this.held.get(infoHash)?.();
    this.held.delete(infoHash);
  }

  /** Lets every lock go and stops listening (the client is destroyed). */
  close(): void {
    if (this.closed) return;
    this.post({ type: 'bye' });
    this.closed = true;
    clearInterval(this.timer);
    this.stopLeaving?.();
    for (const release of this.held.values()) release();
    this.held.clear();
    for (const f of [...this.followed.values()]) this.unfollow(f);
    this.channel.close();
  }

  // ---- internals -------------------------------------------------------------------------------

  private post(message: DistributiveOmit<TabMessage, 'v' | 'from'>): void {
    if (!this.closed) this.channel.post({ v: TAB_PROTOCOL_VERSION, from: this.self, ...message });
  }

  private publish(torrent: Torrent): void {
    if (this.siblings.size > 0 && this.held.has(torrent.infoHash) && this.host.get(torrent.infoHash) === torrent) {
      this.post({ type: 'state', torrent: snapshotOf(torrent) });
    }
  }

  private publishAll(): void {
    for (const infoHash of this.held.keys()) {
      const t = this.host.get(infoHash);
      if (t && !t.following) this.publish(t);
    }
  }

  private receive(data: unknown): void {
    const m = readTabMessage(data);
    // Not a message this version understands (another version of the app, or damaged): ignored.
    if (typeof m === 'string' || this.closed || m.from === this.self) return;
    if (m.type === 'bye') {
      this.siblings.delete(m.from);
      return;
    }
    this.siblings.add(m.from);
    switch (m.type) {
      case 'hello':
        this.post({ type: 'here' });
        return this.publishAll();
      case 'here':
        return;
      case 'state':
        return void this.onState(m.torrent);
      case 'removed': {
        const f = this.followed.get(m.infoHash);
        if (!f) return;
        this.unfollow(f);
        this.host.forget(f.torrent);
        return;
      }
      case 'command':
        return this.obey(m.infoHash, m.command);
    }
  }

  private async onState(s: TorrentSnapshot): Promise<void> {
    await this.host.ready;
    const f = this.followed.get(s.infoHash);
    if (f) {
      if (s.hasMetadata && !f.torrent.metainfo) await this.readMetainfo(f.torrent);
      f.torrent.applySnapshot(s);
      return;
    }
    // A torrent added in another tab after this one started: shown here too, from the saved list.
    if (this.host.get(s.infoHash) || this.opening.has(s.infoHash) || this.held.has(s.infoHash)) return;
    this.opening.add(s.infoHash);
    try {
      const record = await this.host.saved(s.infoHash);
      if (record && !this.host.get(s.infoHash)) await this.host.openSaved(record);
    } catch (e) {
      this.host.warn(`could not show ${s.name}, run by another tab: ${errorMessage(e)}`);
    } finally {
      this.opening.delete(s.infoHash);
    }
    this.followed.get(s.infoHash)?.torrent.applySnapshot(s);
  }

  /** The running tab has the metadata: it saved it with the torrent, where this tab reads it. */
  private async readMetainfo(torrent: Torrent): Promise<void> {
    try {
      const record = await this.host.saved(torrent.infoHash);
      const metainfo = record && (await this.host.metainfoOf(record));
      if (metainfo) torrent.adoptMetainfo(metainfo);
    } catch (e) {
      this.host.warn(`could not read the file list: ${errorMessage(e)}`, torrent);
    }
  }

  private obey(infoHash: string, command: TabCommand): void {
    const t = this.host.get(infoHash);
    if (!t || t.following || !this.held.has(infoHash)) return;
    try {
      if (command.kind === 'remove') return void this.host.remove(t, command.deleteData);
      if (command.kind === 'pause') t.pause();
      else if (command.kind === 'resume') t.resume();
      else t.setSelection(command.selection);
    } catch (e) {
      this.host.warn(`another tab's ${command.kind} failed: ${errorMessage(e)}`, t);
    }
    this.publish(t);
  }

  /** Waits for the lock of a followed torrent: once this tab has it, nobody runs the torrent, and this tab does. */
  private async waitForLock(f: Followed): Promise<void> {
    const infoHash = f.torrent.infoHash;
    let release: Release;
    try {
      release = await this.platform.locks.hold(lockName(infoHash), f.abort.signal);
    } catch {
      return; // no longer followed
    }
    if (this.closed || this.followed.get(infoHash) !== f) {
      release();
      return;
    }
    this.followed.delete(infoHash);
    this.held.set(infoHash, release);
    try {
      if (f.removal) {
        await this.host.dropSaved(f.torrent, f.removal.deleteData);
        f.removal.done();
        this.removed(infoHash);
        return;
      }
      const record = await this.host.saved(infoHash);
      if (!record) {
        // Removed by the tab that ran it, which let the lock go once its data was deleted.
        this.removed(infoHash);
        this.host.forget(f.torrent);
        return;
      }
      if (!f.torrent.metainfo) {
        const metainfo = await this.host.metainfoOf(record);
        if (metainfo) f.torrent.adoptMetainfo(metainfo);
      }
      await f.torrent.takeOver(record);
      this.publish(f.torrent);
    } catch (e) {
      this.host.warn(`could not take over from the tab that ran it: ${errorMessage(e)}`, f.torrent);
    }
  }

  private unfollow(f: Followed): void {
    if (this.followed.get(f.torrent.infoHash) === f) this.followed.delete(f.torrent.infoHash);
    f.abort.abort();
    f.removal?.done();
    f.removal = undefined;
    f.torrent.stop();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
