/**
 * A torrent while another tab of this browser runs it (tabs/coordinator.ts): its numbers and pieces are
 * that tab's (what it broadcasts), its commands go to that tab, and when that tab is gone and this one
 * has the torrent's lock, this one takes over and runs it.
 */
import type { Metainfo } from '../core/metainfo.js';
import type { PieceGeometry } from '../core/geometry.js';
import { TabswarmError } from '../core/errors.js';
import type { PieceReader } from './piece-reader.js';
import { RemoteReadout } from './torrent-readout.js';
import type { TorrentEventMap } from './torrent-types.js';
import type { TorrentReadings } from './torrent-readings.js';
import type { TabCommand, TorrentSnapshot } from './tabs/protocol.js';

/** The torrent's state that following reads, and sets as the tab that runs it says (or as saved, on taking over). */
export type FollowedTorrent = Pick<TorrentReadings, 'infoHash' | 'metainfo' | 'paused' | 'lastError'>;

/** What else following asks of its torrent. */
export interface FollowingHost {
  /** Its pieces, and its files' (a private share's own files lie over the same pieces). */
  geometry(): PieceGeometry | undefined;
  filesGeometry(): PieceGeometry | undefined;
  /** Where its numbers come from now: the tab that runs it, or (undefined) this tab's session. */
  show(remote: RemoteReadout | undefined): void;
  setMetainfo(m: Metainfo): void;
  /** A private share's manifest is read, once the metadata is known and its pieces are stored. */
  openPrivate(): void;
  /** Readers waiting for its pieces. */
  readonly reader: Pick<PieceReader, 'wake' | 'wakeAll'>;
  emit<K extends 'progress' | 'error' | 'done'>(type: K, detail: TorrentEventMap[K]['detail']): void;
  /** Resolves its `done` promise. */
  resolveDone(): void;
  /** Runs it in this tab: its file selection as saved, and a new session, started. */
  runHere(selection: number[] | undefined): Promise<void>;
  /** Whether its session (this tab's) has every selected piece. */
  sessionDone(): boolean;
}

export class TorrentFollowing {
  private followed: RemoteReadout | undefined;

  constructor(
    private readonly torrent: FollowedTorrent,
    private readonly host: FollowingHost,
  ) {}

  /** Set while another tab of this browser runs the torrent. */
  get remote(): RemoteReadout | undefined {
    return this.followed;
  }

  /** Shows what the tab running it broadcasts, and sends it this torrent's commands (called before `start`, instead of it). */
  follow(send: (command: TabCommand) => void): void {
    const host = this.host;
    this.followed = new RemoteReadout(
      () => host.geometry(),
      send,
      () => host.filesGeometry(),
    );
    host.show(this.followed);
    // A private share's manifest is read from the pieces that tab stored.
    host.openPrivate();
  }

  /** The latest state from the tab that runs it: the numbers change, and readers waiting for pieces it stored go on. */
  applySnapshot(s: TorrentSnapshot): void {
    const remote = this.followed;
    const { torrent, host } = this;
    if (!remote || s.infoHash !== torrent.infoHash) return;
    const fresh = remote.update(s);
    torrent.paused = s.paused;
    const failed = s.error !== undefined && torrent.lastError?.message !== s.error;
    torrent.lastError = s.error === undefined ? undefined : failed ? new TabswarmError(s.error) : torrent.lastError;
    for (const piece of fresh) {
      host.reader.wake(piece);
      // The torrent's progress: that tab's, as its readout shows it.
      host.emit('progress', { progress: remote.progress, piece });
    }
    if (failed) host.emit('error', { error: torrent.lastError! });
    if (s.done && torrent.metainfo && !remote.doneSeen) {
      remote.doneSeen = true;
      host.resolveDone();
      host.emit('done', undefined);
    }
  }

  /** The metadata, read from the saved torrent list once the tab running it has it. */
  adoptMetainfo(m: Metainfo): void {
    if (this.torrent.metainfo || m.infoHash !== this.torrent.infoHash) return;
    this.host.setMetainfo(m);
    if (this.followed?.snapshot) this.applySnapshot(this.followed.snapshot);
    this.host.openPrivate();
  }

  /** The tab that ran it is gone and this one has its lock: runs it from the shared store, as saved, with a new session. */
  async takeOver(saved: { paused: boolean; selection?: number[] | undefined }): Promise<void> {
    const { torrent, host } = this;
    if (!this.followed) return;
    this.followed = undefined;
    host.show(undefined);
    torrent.paused = saved.paused;
    torrent.lastError = undefined;
    await host.runHere(saved.selection);
    // Readers that waited for pieces the session found in the store (no `piece` event for those).
    host.reader.wakeAll();
    if (host.sessionDone()) host.resolveDone();
  }

  /** No longer followed (removed, or this client destroyed): readers stop waiting. False when this tab runs it. */
  close(): boolean {
    if (!this.followed) return false;
    this.followed.closed = true;
    this.host.reader.wakeAll();
    return true;
  }
}
