/**
 * tabswarm: BitTorrent in a browser tab. The browser client library (dist/tabswarm.js).
 *
 *   const client = new Client({ announce: ['wss://tracker.example'] });
 *   const torrent = await client.seed(fileInput.files);
 *   torrent.magnetURI; // share it
 *   const other = await client.add('magnet:?xt=urn:btih:…');
 *   await other.done;
 *   const blob = await other.files[0].blob();
 */
import { BaseClient, type ClientEnvironment, type ClientOptions, type SavedTorrent } from './client.js';
import { webSocketConnectorFor } from '../tracker/websocket.js';
import { createWebRtcFactory } from '../transport/webrtc.js';
import { OfferPool } from '../core/tracker/offer-pool.js';
import type { PeerFactory } from '../core/tracker/types.js';
import type { ChannelPeer } from './torrent-tracker.js';
import { MAX_OFFERS } from '../core/tracker/messages.js';
import { realClock } from '../core/session/clock.js';
import { rtcConfiguration } from '../transport/ice.js';
import { openPieceStore } from '../store/open.js';
import { deleteTorrent, loadTorrents, saveTorrent } from '../store/torrent-records.js';
import { requestPersistence } from '../store/persist.js';
import { fetchRange, fetchTorrentFile } from './webseed-http.js';
import { browserTabPlatform } from './tabs/platform.js';

export interface BrowserClientOptions extends ClientOptions {
  /**
   * STUN/TURN servers for WebRTC; default none (peers on the same network still connect). A
   * shorthand for `rtcConfig.iceServers`: when both are given, `rtcConfig.iceServers` is used.
   */
  iceServers?: RTCIceServer[];
  /**
   * The RTCConfiguration of every peer connection, as WebTorrent's `tracker.rtcConfig`: such as
   * `{ iceServers: [{ urls: 'turn:turn.example:3478', username, credential }], iceTransportPolicy: 'relay' }`
   * to connect only through that TURN server. Its `iceServers`, when present, win over the
   * `iceServers` option; absent, that option's (or none) are used.
   */
  rtcConfig?: RTCConfiguration;
  /**
   * One engine per browser: each torrent runs in one tab of the origin at a time (a Web Lock per
   * torrent), and the other tabs with a client so configured show it, control it through that tab
   * and take it over when it closes (src/client/tabs/coordinator.ts). Default false: each client
   * runs every torrent it has. Without Web Locks or BroadcastChannel (a page that is not a secure
   * context), or with memory storage, it has no effect.
   */
  coordinateTabs?: boolean;
}

/** What a WebRTC data channel's send queue holds (see browserEnvironment). */
export const SEND_QUEUE_BYTES = 32 * 1024;

/** How long offers made ahead wait for a torrent to be added (then they are closed, not remade). */
export const OFFERS_AHEAD_MS = 30_000;

/** An info hash no torrent has (SHA-1 outputs all zeros with negligible probability). */
const NO_TORRENT = '0'.repeat(40);

/**
 * The I/O of a browser tab: WebSocket, WebRTC data channels, IndexedDB. `webrtc`: what makes the
 * WebRTC connections (by default with the options' STUN/TURN servers); its first offers are made at
 * once, and its `close` closes those not taken yet.
 */
export function browserEnvironment(
  options: BrowserClientOptions = {},
  webrtc: PeerFactory<ChannelPeer> = createWebRtcFactory({ rtcConfig: rtcConfiguration(options) }),
): ClientEnvironment {
  const persistent = options.store !== 'memory';
  // The first announce's offers are made while the page starts (offer-pool.ts).
  const peers = new OfferPool(webrtc, {
    size: MAX_OFFERS,
    maxAgeMs: OFFERS_AHEAD_MS,
    clock: realClock,
  });
  peers.warm();
  return {
    connect: webSocketConnectorFor(),
    peers,
    openStore: (infoHash, kind) => openPieceStore(infoHash, kind),
    // Opening the (empty) store of no torrent checks that IndexedDB opens and reads here.
    checkStore: async (kind) => ({ fallbackReason: (await openPieceStore(NO_TORRENT, kind)).fallbackReason }),
    fetchRange,
    fetchTorrentFile,
    // A WebRTC channel keeps 32 KiB queued, however fast: handed hundreds of KiB at once, Chromium's
    // SCTP stalls for seconds on a busy machine (README, "The send queue"), and a short queue
    // also keeps a streaming reader's urgent piece from waiting behind bulk data.
    // The trackers' sockets open while the page starts too, for as long as the offers are kept.
    trackersAheadMs: OFFERS_AHEAD_MS,
    highWaterMark: SEND_QUEUE_BYTES,
    maxHighWaterMark: SEND_QUEUE_BYTES,
    tabs: options.coordinateTabs && persistent ? browserTabPlatform() : undefined,
    records: persistent
      ? {
          save: (r: SavedTorrent) => saveTorrent(r),
          load: (warn) => loadTorrents((message) => warn(message)),
          delete: (infoHash) => deleteTorrent(infoHash),
        }
      : undefined,
  };
}

export class Client extends BaseClient {
  constructor(options: BrowserClientOptions = {}) {
    super(browserEnvironment(options), options);
    if (options.store !== 'memory') void requestPersistence();
  }
}

export { Torrent } from './torrent.js';
export type { PeerConnectionKind, TorrentEventMap, TorrentPeer } from './torrent.js';
export { TorrentFile } from './file.js';
export { BaseClient } from './client.js';
export type { ClientOptions, SeedOptions, AddOptions, ClientEventMap, ClientEnvironment, StorageStatus } from './client.js';
export { TabswarmError, TorrentError, MagnetError } from '../core/errors.js';
export { StorageError } from '../core/session/store.js';
export { WebSeedError } from '../core/webseed.js';
export { StreamServer, startStreaming } from './stream-server.js';
export type { StreamOffer, StartStreamingOptions, TorrentLookup } from './stream-server.js';
export type { PriorityWindow } from './file.js';
