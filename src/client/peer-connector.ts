/**
 * The session's connector for peers heard of from other peers (relayed signaling, see
 * core/session/relay.ts), made with the client's WebRTC peer factory: the same connections as the
 * tracker's, with their SDP carried by a peer instead of the tracker.
 */
import type { ConnectAttempt, PeerConnector } from '../core/session/connector.js';
import type { PeerFactory } from '../core/tracker/types.js';
import type { ChannelPeer } from './torrent-tracker.js';

function attemptOf(peer: ChannelPeer, sdp: string): ConnectAttempt {
  const channel = peer.connected.then(() => peer.channel());
  channel.catch(() => undefined);
  return {
    sdp,
    answer: (answer) => peer.signal({ type: 'answer', sdp: answer }),
    channel,
    cancel: () => peer.destroy(),
  };
}

/** @param canConnect whether the client may hold one more connection (its cap over all torrents). */
export function peerConnector(factory: PeerFactory<ChannelPeer>, canConnect: () => boolean): PeerConnector {
  return {
    canConnect,
    async offer() {
      const { offer, peer } = await factory.createOffer();
      return attemptOf(peer, offer.sdp);
    },
    async accept(sdp) {
      const { answer, peer } = await factory.acceptOffer({ type: 'offer', sdp });
      return attemptOf(peer, answer.sdp);
    },
  };
}
