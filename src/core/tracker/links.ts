/**
 * Bookkeeping of connection attempts ("links"): how many are pending or connected, per torrent and
 * client-wide, and at most one link per (torrent, remote peer id).
 *
 * Two peers may offer to each other at the same time and both answer, making two connections. Both
 * sides then keep the same one: the one offered by the lower peer id (compared as binary strings).
 * A connected link is always kept: a later attempt to the same peer is refused.
 */
import type { Clock, TimerHandle } from '../session/clock.js';
import type { SignalingPeer } from './types.js';

export type LinkState = 'pending' | 'connected' | 'closed';

export interface Link<P> {
  /** Binary string. */
  readonly infoHash: string;
  readonly offerer: 'self' | 'remote';
  /** Binary string; known once the remote side answered (or offered). */
  remote: string | undefined;
  state: LinkState;
  peer: P | undefined;
  timer?: TimerHandle;
}

interface TorrentCounts<P> {
  pending: number;
  connected: number;
  byRemote: Map<string, Link<P>>;
}

export class LinkBook<P extends SignalingPeer> {
  pending = 0;
  connected = 0;
  private readonly torrents = new Map<string, TorrentCounts<P>>();
  private readonly live = new Set<Link<P>>();

  constructor(
    private readonly selfId: string,
    private readonly clock: Clock,
  ) {}

  /** `answered`: pending links whose remote peer is known (not mere offers awaiting an answer). */
  counts(infoHash: string): { pending: number; answered: number; connected: number } {
    const t = this.torrents.get(infoHash);
    let answered = 0;
    for (const link of t?.byRemote.values() ?? []) if (link.state === 'pending') answered++;
    return { pending: t?.pending ?? 0, answered, connected: t?.connected ?? 0 };
  }

  /** A new pending link, counted at once (before the factory has made its peer). */
  open(infoHash: string, offerer: 'self' | 'remote'): Link<P> {
    const link: Link<P> = { infoHash, offerer, remote: undefined, state: 'pending', peer: undefined, timer: undefined };
    this.entry(infoHash).pending++;
    this.pending++;
    this.live.add(link);
    return link;
  }

  /** Would a link to `remote` offered by `offerer` be kept against the existing one, if any? */
  accepts(infoHash: string, remote: string, offerer: 'self' | 'remote'): boolean {
    const existing = this.torrents.get(infoHash)?.byRemote.get(remote);
    if (!existing) return true;
    // A working connection is never replaced; nor is a pending one by the same side's offer.
    if (existing.state === 'connected' || existing.offerer === offerer) return false;
    const preferred = this.selfId < remote ? 'self' : 'remote';
    return offerer === preferred;
  }

  /**
   * Binds `link` to its remote peer id. Returns false if the link is a duplicate to drop (the caller
   * closes it); an existing link it supersedes is closed here.
   */
  bind(link: Link<P>, remote: string): boolean {
    if (link.state === 'closed') return false;
    if (!this.accepts(link.infoHash, remote, link.offerer)) return false;
    const t = this.entry(link.infoHash);
    const existing = t.byRemote.get(remote);
    if (existing && existing !== link) this.close(existing);
    link.remote = remote;
    t.byRemote.set(remote, link);
    return true;
  }

  /** Attaches the factory's peer; false (and the peer destroyed) if the link was closed meanwhile. */
  attach(link: Link<P>, peer: P): boolean {
    if (link.state === 'closed') {
      peer.destroy();
      return false;
    }
    link.peer = peer;
    return true;
  }

  /** The connection is up. False if the link was closed before. */
  markConnected(link: Link<P>): boolean {
    if (link.state !== 'pending') return false;
    this.clearTimer(link);
    link.state = 'connected';
    const t = this.entry(link.infoHash);
    t.pending--;
    t.connected++;
    this.pending--;
    this.connected++;
    return true;
  }

  /** Closes a link (idempotent); destroys its peer unless it is known closed already. */
  close(link: Link<P>, destroyPeer = true): void {
    if (link.state === 'closed') return;
    this.clearTimer(link);
    const t = this.entry(link.infoHash);
    if (link.state === 'pending') {
      t.pending--;
      this.pending--;
    } else {
      t.connected--;
      this.connected--;
    }
    link.state = 'closed';
    this.live.delete(link);
    if (link.remote !== undefined && t.byRemote.get(link.remote) === link) t.byRemote.delete(link.remote);
    if (t.pending === 0 && t.connected === 0 && t.byRemote.size === 0) this.torrents.delete(link.infoHash);
    if (destroyPeer) link.peer?.destroy();
  }

  /** Closes every pending link (of one torrent, or all). Connected peers belong to the caller. */
  closePending(infoHash?: string): void {
    for (const link of [...this.live]) {
      if (link.state === 'pending' && (infoHash === undefined || link.infoHash === infoHash)) this.close(link);
    }
  }

  private clearTimer(link: Link<P>): void {
    if (link.timer !== undefined) this.clock.clearTimeout(link.timer);
    link.timer = undefined;
  }

  private entry(infoHash: string): TorrentCounts<P> {
    let t = this.torrents.get(infoHash);
    if (!t) {
      t = { pending: 0, connected: 0, byRemote: new Map() };
      this.torrents.set(infoHash, t);
    }
    return t;
  }
}
