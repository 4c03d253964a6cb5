/**
 * What the session asks of the transport to connect to a peer it learned of from other peers
 * (relayed signaling, relay.ts): an offer, an answer to an offer, and the answer applied. The core
 * never sees WebRTC: descriptions are opaque text (SDP), and a connection that opens is a
 * `PeerChannel`. The client implements it with its WebRTC factory; tests with in-memory links.
 */
import type { PeerChannel } from './channel.js';

export interface ConnectAttempt {
  /** Our description to send: the offer (from `offer`) or the answer (from `accept`). */
  readonly sdp: string;
  /** Offerer side: the remote answer. May throw on a description that is not one. */
  answer(sdp: string): void;
  /** Resolves with the open channel; rejects if the attempt fails or is cancelled. */
  readonly channel: Promise<PeerChannel>;
  /** Gives up (idempotent): the channel closes or never opens. */
  cancel(): void;
}

export interface PeerConnector {
  /** Whether one more connection may be made now (the client's caps over all its torrents). */
  canConnect(): boolean;
  /** A new outgoing attempt with its offer. */
  offer(): Promise<ConnectAttempt>;
  /** Answers a remote offer; rejects on an offer that is not one. */
  accept(offerSdp: string): Promise<ConnectAttempt>;
}
