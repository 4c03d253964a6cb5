/**
 * The client's one tracker client for all its torrents: announces each torrent, hands each peer it
 * connects to the torrent it was found for (a peer of no torrent here, or without a channel, is
 * closed), and tells a torrent when a connection to one of its peers could not be made.
 */
import { TrackerClient } from '../core/tracker/client.js';
import type { AnnouncedTorrent, PeerFactory, SignalingPeer, SocketConnector, TrackerEvent } from '../core/tracker/types.js';
import type { PeerChannel } from '../core/session/channel.js';
import type { TorrentSession } from '../core/session/session.js';
import { toHex } from '../core/bytes.js';
import type { Torrent } from './torrent.js';
import type { PeerConnectionKind } from './torrent-types.js';

/** A connected (or connecting) WebRTC peer that yields a byte channel once open. */
export interface ChannelPeer extends SignalingPeer {
  channel(): PeerChannel;
  /** Once open, when known: straight to the peer, or through a TURN relay (read when shown). */
  readonly connection?: PeerConnectionKind | undefined;
}

/** What the tracker reads of a torrent, and gives it. */
export type TrackedTorrent = Pick<
  Torrent,
  'infoHashBytes' | 'swarmHashes' | 'timeline' | 'announce' | 'uploaded' | 'downloaded' | 'left' | 'trackerDemand' | 'makeRoom' | 'addPeer' | 'peerFailed'
>;

/**
 * Offers per announce under a hybrid's second hash (its v2 one): the clients found there speak v2
 * only, and the torrent's own demand is met under its first hash.
 */
const SECOND_SWARM_PEERS = 5;
/** Peers asked of the trackers at once while some peer can introduce others (issue 19, item 4). */
const TRACKER_PEERS_WITH_RELAYS = 5;

/** What a torrent asks of its trackers now. */
export interface TrackerDemand {
  /** Peers wanted: a few once a peer can introduce others (relayed signaling); none while paused. */
  readonly peers: number;
  /** No connected peer has a piece it lacks (TorrentSession.starving): the trackers are asked again sooner. */
  readonly starving: boolean;
}

export function trackerDemand(session: Pick<TorrentSession, 'peerCount' | 'relayPeers' | 'starving'>, paused: boolean, maxPeers: number): TrackerDemand {
  if (paused) return { peers: 0, starving: false };
  const want = Math.max(0, maxPeers - session.peerCount);
  return { peers: session.relayPeers > 0 ? Math.min(want, TRACKER_PEERS_WITH_RELAYS) : want, starving: session.starving };
}

export interface TorrentTrackerInit {
  peerId: Uint8Array;
  connect: SocketConnector;
  peers: PeerFactory<ChannelPeer>;
  maxPeers: number;
  maxPeersPerTorrent: number;
  /** The torrent of an info hash (lower-case hex), if the client has it. */
  find(infoHash: string): TrackedTorrent | undefined;
  /** Why a peer id is not to be connected (another tab of this browser), or undefined. */
  refuses?(peerId: Uint8Array): string | undefined;
  onEvent(event: TrackerEvent): void;
}

export class TorrentTracker {
  private readonly tracker: TrackerClient<ChannelPeer>;
  /** Torrents announced under a hash other than their own (a hybrid's v2 one), by that hash. */
  private readonly byOtherHash = new Map<string, TrackedTorrent>();

  constructor(private readonly o: TorrentTrackerInit) {
    this.tracker = new TrackerClient<ChannelPeer>({
      peerId: o.peerId,
      connect: o.connect,
      peers: o.peers,
      maxPeers: o.maxPeers,
      maxPeersPerTorrent: o.maxPeersPerTorrent,
      onPeer: (infoHash, peer, remote) => this.onPeer(infoHash, peer, remote),
      onPeerFailed: (infoHash, reason) => this.torrentOf(infoHash)?.peerFailed(reason),
      onEvent: (e) => {
        // The first announce is out (its offers made): the timeline's 'announce'.
        if (e.type === 'announced') this.torrentOf(e.infoHash)?.timeline.mark('announce');
        o.onEvent(e);
      },
    });
  }

  /**
   * Announces a torrent to its trackers until its announcement is removed: under each of its swarm
   * hashes (a hybrid is announced under its v1 hash and its truncated v2 one, as libtorrent does, so
   * that v2-only clients find it too).
   */
  announce(t: TrackedTorrent): AnnouncedTorrent {
    const hashes = t.swarmHashes;
    const others = hashes.slice(1);
    const each = hashes.map((infoHash, i) =>
      this.tracker.announce({
        infoHash,
        trackers: t.announce,
        stats: () => ({ uploaded: t.uploaded, downloaded: t.downloaded, left: t.left }),
        wantsPeers: i === 0 ? () => t.trackerDemand.peers : () => Math.min(t.trackerDemand.peers, SECOND_SWARM_PEERS),
        starving: () => t.trackerDemand.starving,
        makeRoom: () => t.makeRoom(),
      }),
    );
    for (const h of others) this.byOtherHash.set(toHex(h), t);
    return {
      infoHash: t.infoHashBytes,
      complete: () => each.forEach((a) => a.complete()),
      reannounce: () => each.forEach((a) => a.reannounce()),
      scrape: () => each.forEach((a) => a.scrape()),
      remove: () => {
        each.forEach((a) => a.remove());
        for (const h of others) if (this.byOtherHash.get(toHex(h)) === t) this.byOtherHash.delete(toHex(h));
      },
    };
  }

  /** Opens these trackers' sockets before a torrent needs them, for `holdMs` (TrackerClient.preconnect). */
  preconnect(urls: readonly string[], holdMs: number): void {
    this.tracker.preconnect(urls, holdMs);
  }

  /** Closes every tracker connection. */
  destroy(): void {
    this.tracker.destroy();
  }

  private torrentOf(infoHash: Uint8Array): TrackedTorrent | undefined {
    return this.o.find(toHex(infoHash)) ?? this.byOtherHash.get(toHex(infoHash));
  }

  private onPeer(infoHash: Uint8Array, peer: ChannelPeer, remotePeerId: Uint8Array): void {
    const torrent = this.torrentOf(infoHash);
    if (!torrent || this.o.refuses?.(remotePeerId)) {
      peer.destroy();
      return;
    }
    torrent.timeline.mark('signal');
    let channel: PeerChannel;
    try {
      channel = peer.channel();
    } catch {
      peer.destroy();
      return;
    }
    // The peer was found under this hash: it is the one our handshake names.
    if (!torrent.addPeer(channel, toHex(remotePeerId), peer, infoHash)) peer.destroy();
  }
}
