// The WebSocket tracker that `npm start` runs (and the tests use): bittorrent-tracker's server, with
// limits so that one hostile client cannot take it down or grow its memory without bound:
// a frame size cap (oversized frames close the socket), a per-socket message rate (a token bucket;
// a socket over it is closed), and a cap on open sockets.
// It tells a stranger nothing a stranger did not already know: a scrape answers only for the info
// hashes it names (no "full scrape" listing every torrent), and /stats is counts in JSON (no peer ids,
// no info hashes, no HTML).
import Server from 'bittorrent-tracker/server';

/** The scrape action's number (BEP 15); the WebSocket server replaces it by the name `scrape`. */
const SCRAPE = 2;
const FULL_SCRAPE_REFUSED = 'a scrape must name the info hashes it asks about';

if (typeof Server.prototype._onScrape !== 'function' || typeof Server.prototype._onAnnounce !== 'function') {
  // Fail closed: without the overrides below, a scrape naming no hash would list every torrent, and
  // a malformed offer would take the process down.
  throw new Error('bittorrent-tracker no longer has Server#_onScrape or #_onAnnounce: check the overrides in tracker-server.mjs');
}

/** An entry of an announce's `offers` that can be relayed: `{ offer: { type: 'offer', sdp }, offer_id }`. */
function relayable(entry) {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.offer_id === 'string' &&
    entry.offer_id.length === 20 &&
    typeof entry.offer === 'object' &&
    entry.offer !== null &&
    entry.offer.type === 'offer' &&
    typeof entry.offer.sdp === 'string'
  );
}

/**
 * bittorrent-tracker's server, except for a scrape that names no info hash: the library answers it
 * with every hash it knows (and throws, taking the process down, when `info_hash` is a number or an
 * object). Here such a scrape gets a `failure reason` and an empty `files`; a scrape naming hashes is
 * the library's own. The parsers of every transport turn named hashes into an array, so "is an array"
 * is exactly "names its hashes".
 */
class PrivateTracker extends Server {
  /**
   * Only well-formed offers are relayed: the library reads `offers[i].offer` for each peer it picks
   * (as many as there were entries), so `offers: [null]` threw and took the process down.
   */
  _onAnnounce(params, cb) {
    if (params.offers !== undefined) {
      params.offers = Array.isArray(params.offers) ? params.offers.filter(relayable) : [];
      params.numwant = Math.min(Number(params.numwant) || 0, params.offers.length);
    }
    super._onAnnounce(params, cb);
  }

  _onScrape(params, cb) {
    if (Array.isArray(params.info_hash)) {
      super._onScrape(params, cb);
      return;
    }
    // Not through `cb(error)`: the WebSocket path's error reply echoes `info_hash`, which is not a hash here.
    cb(null, { action: SCRAPE, 'failure reason': FULL_SCRAPE_REFUSED, files: {} });
  }
}

export const TRACKER_LIMITS = {
  /** Bytes per WebSocket frame; an offer with its SDP is a few KiB. */
  maxPayload: 64 * 1024,
  /** Sustained messages per second per socket, and the burst allowed above it. */
  messagesPerSecond: 20,
  burst: 100,
  /** Open sockets at most; more are closed at once (1013, try again later). */
  maxSockets: 10_000,
};

/**
 * @param {{ port?: number, host?: string, limits?: Partial<typeof TRACKER_LIMITS>, onWarning?: (error: Error) => void }} [options]
 */
export async function startTrackerServer(options = {}) {
  const limits = { ...TRACKER_LIMITS, ...options.limits };
  // No UDP, no HTTP announce or scrape: only WebSocket. The library's /stats page is off (it put peer ids
  // into HTML unescaped); the handler below serves counts as JSON instead.
  const server = new PrivateTracker({ udp: false, http: false, ws: { maxPayload: limits.maxPayload }, stats: false });
  server.on('warning', (error) => options.onWarning?.(error));
  const sockets = new Set();
  let closedForRate = 0;
  let refused = 0;

  const stats = () => {
    let peers = 0;
    let seeders = 0;
    let leechers = 0;
    const swarms = Object.values(server.torrents);
    for (const swarm of swarms) {
      peers += swarm.peers.length;
      seeders += swarm.complete;
      leechers += swarm.incomplete;
    }
    const { heapUsed, rss } = process.memoryUsage();
    return { sockets: sockets.size, swarms: swarms.length, peers, seeders, leechers, closedForRate, refused, heapUsed, rss };
  };
  // The library answers every other request 404 (on a later tick, skipping a request already answered).
  server.http.on('request', (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (res.headersSent || req.method !== 'GET' || (path !== '/stats' && path !== '/stats.json')) return;
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(JSON.stringify(stats()));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(undefined));
  });
  server.on('error', (error) => options.onWarning?.(error));
  server.ws.on('connection', (socket) => {
    if (sockets.size >= limits.maxSockets) {
      refused++;
      socket.close(1013, 'tracker busy');
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let tokens = limits.burst;
    let last = Date.now();
    // Runs before the tracker's own listener (added when the socket connected).
    socket.prependListener('message', () => {
      const now = Date.now();
      tokens = Math.min(limits.burst, tokens + ((now - last) / 1000) * limits.messagesPerSecond);
      last = now;
      if (--tokens >= 0) return;
      closedForRate++;
      socket.removeAllListeners('message'); // nothing more from it reaches the tracker
      socket.terminate();
      options.onWarning?.(new Error('a socket sent messages faster than the tracker allows: closed'));
    });
  });
  const { port } = server.ws.address();
  return {
    server,
    port,
    url: `ws://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    sockets,
    stats,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.terminate();
        // The callback waits for every HTTP connection to end; the sockets are gone, so do not wait long.
        const timer = setTimeout(resolve, 2000);
        server.close(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
      }),
  };
}
