/**
 * The notices' bookkeeping behind the client controller: error notices shown until replaced or
 * dismissed, which notices the person dismissed, the trackers' reachability, and since when each
 * torrent has lacked peers. It only keeps state; the controller decides when to re-render.
 */
import type { Client, Torrent } from '../../client/index.js';
import type { TrackerEvent } from '../../core/tracker/types.js';
import { memoryStorageNotice, noWebRtcNotice, torrentErrorNotice, trackerNotice, waitingForPeersNotice, type Notice } from './notices.js';
import { isWaitingForPeers, lacksPeers, nextLackingSince, type TorrentStateInput } from './torrent-status.js';
import { trackerReducer, unreachableTrackers, type TrackerStatuses } from './trackers.js';

export class NoticeBoard {
  private trackers: TrackerStatuses = new Map();
  private lackingSince = new Map<string, number>();
  private errors: Notice[] = [];
  private dismissed = new Set<string>();

  /** Every notice to show now, most important first; dismissed ones left out. */
  list(torrents: readonly Torrent[], storage: Client['storage'] | undefined, webrtc: boolean): Notice[] {
    const now = Date.now();
    const out: Notice[] = [];
    if (!webrtc) out.push(noWebRtcNotice());
    for (const t of torrents) if (t.lastError) out.push(torrentErrorNotice(t, t.lastError));
    out.push(...this.errors);
    if (storage?.kind === 'memory' && storage.fallbackReason) out.push(memoryStorageNotice(storage.fallbackReason));
    const tracker = trackerNotice(unreachableTrackers(this.trackers));
    if (tracker) out.push(tracker);
    for (const t of torrents) {
      if (isWaitingForPeers(this.lackingSince.get(t.infoHash), now)) {
        out.push(waitingForPeersNotice({ infoHash: t.infoHash, name: t.name, hasMetadata: t.metainfo !== undefined }));
      }
    }
    return out.filter((n) => !this.dismissed.has(n.id));
  }

  /** Adds an error notice, replacing older ones that `replaces` picks. */
  showError(notice: Notice, replaces: (n: Notice) => boolean = () => false): void {
    this.errors = [...this.errors.filter((n) => !replaces(n)), notice];
  }

  /** Takes away the error notices that `which` picks. */
  clearErrors(which: (n: Notice) => boolean): void {
    this.errors = this.errors.filter((n) => !which(n));
  }

  dismiss(id: string): void {
    this.dismissed.add(id);
    this.errors = this.errors.filter((n) => n.id !== id);
  }

  /** A dismissed notice of this id shows again when it comes back. */
  undismiss(id: string): void {
    this.dismissed.delete(id);
  }

  /** Updates the trackers' statuses; true when whether any is unreachable changed. */
  onTracker(event: TrackerEvent): boolean {
    const before = unreachableTrackers(this.trackers).length;
    this.trackers = trackerReducer(this.trackers, event);
    // A tracker that came back and fails again is told again.
    if (event.type === 'connected') this.dismissed.delete('trackers');
    return (before === 0) !== (unreachableTrackers(this.trackers).length === 0);
  }

  /** A new client (or none): its trackers start unknown. */
  resetTrackers(): void {
    this.trackers = new Map();
  }

  /** Re-reads since when each torrent has lacked peers. */
  refreshLacking(torrents: readonly Torrent[], stateOf: (t: Torrent) => TorrentStateInput, now: number): void {
    for (const t of torrents) {
      const since = nextLackingSince(this.lackingSince.get(t.infoHash), lacksPeers(stateOf(t)), now);
      if (since === undefined) this.lackingSince.delete(t.infoHash);
      else this.lackingSince.set(t.infoHash, since);
    }
  }

  /** The torrent was removed: forget its waiting time and its dismissed notices. */
  forgetTorrent(infoHash: string): void {
    this.lackingSince.delete(infoHash);
    for (const id of [...this.dismissed]) if (id.endsWith(infoHash)) this.dismissed.delete(id);
  }

  /** The client goes away: forget the torrents' waiting times and the trackers. */
  forgetClient(): void {
    this.lackingSince.clear();
    this.trackers = new Map();
  }
}
