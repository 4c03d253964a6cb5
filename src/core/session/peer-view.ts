/** One connected peer as `status()` shows it. */
import type { Peer } from './peer.js';
import type { PeerView } from './types.js';

/** `requests`: ours outstanding at it (the requester keeps them). */
export function peerView(peer: Peer, pieceCount: number, requests: number): PeerView {
  const have = peer.have;
  return {
    id: peer.id,
    client: peer.clientName,
    downloadRate: peer.downloaded.rate(),
    uploadRate: peer.uploaded.rate(),
    progress: peer.announced() === 'all' ? 1 : pieceCount > 0 && have ? have.count() / pieceCount : 0,
    peerChoking: peer.peerChoking,
    amChoking: peer.amChoking,
    amInterested: peer.amInterested,
    peerInterested: peer.peerInterested,
    requests,
    theirRequests: peer.queuedRequests.length,
    backup: peer.backup,
  };
}
