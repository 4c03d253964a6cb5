/** The WebSocket tracker client (DOM-free): see client.ts. */
export { TrackerClient, isWebSocketTrackerUrl } from './client.js';
export type { TrackerClientOptions } from './client.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export {
  parseTrackerMessage,
  encodeAnnounce,
  encodeAnswer,
  encodeScrape,
  isBinaryId,
  TrackerProtocolError,
  MAX_MESSAGE_LENGTH,
  MAX_SDP_LENGTH,
  MAX_OFFERS,
} from './messages.js';
export type {
  OfferDescription,
  AnswerDescription,
  AnnounceEvent,
  TrackerReply,
  AnnounceReply,
  RelayedOffer,
  RelayedAnswer,
  FailureReply,
  ScrapeReply,
  ScrapeEntry,
  AnnounceRequest,
  AnswerRequest,
  OfferEntry,
} from './messages.js';
export type {
  SocketLike,
  SocketConnector,
  SignalingPeer,
  PeerFactory,
  TransferStats,
  TorrentRegistration,
  AnnouncedTorrent,
  TrackerEvent,
  WarningKind,
} from './types.js';
