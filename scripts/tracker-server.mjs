// The WebSocket tracker that `npm start` runs (and the tests use): bittorrent-tracker's server, adapted
// in tracker-engine.mjs so that a peer lives exactly as long as the socket that announced it, with the
// limits that make its memory and work known in advance whatever clients send:
// - per socket: a frame size cap (oversized frames close the socket), a message rate (a token bucket;
//   a socket over it is closed), at most a few peer ids and a bounded number of swarms (further
//   announces are refused with a failure reason), a ping every 30 s (a socket that did not answer
//   the previous one is closed, so a peer never outlives a dead connection for long), and at most
//   256 KiB waiting to be sent to it (a client that does not read is closed);
// - in all: a cap on open sockets, on peers per swarm and on swarms, the stalest evicted at the last two.
// Bad messages get a failure reason and are counted by reason; nothing a client sends is thrown.
// The log is one line a minute of counts (tracker-log.mjs), never a line per event.
// It tells a stranger nothing a stranger did not already know: a scrape answers only for the info
// hashes it names (no "full scrape" listing every torrent), and /stats is counts in JSON (no peer ids,
// no info hashes, no HTML).
import { EngineServer, isOpen } from './tracker-engine.mjs';
import { EventSummary } from './tracker-log.mjs';

/** The scrape action's number (BEP 15); the WebSocket path replies with the name `scrape`. */
const SCRAPE = 2;

export const TRACKER_LIMITS = {
  /** Bytes per WebSocket frame; an offer with its SDP is a few KiB. */
  maxPayload: 64 * 1024,
  /** Sustained messages per second per socket, and the burst allowed above it. */
  messagesPerSecond: 20,
  burst: 100,
  /** Open sockets at most; more are closed at once (1013, try again later). */
  maxSockets: 10_000,
  /** Peer ids one socket may announce (a client uses one; a page of WebTorrent clients shares a socket). */
  maxPeerIdsPerSocket: 4,
  /** Swarms one socket may be in (a swarm it joined under two peer ids counts twice). */
  maxSwarmsPerSocket: 100,
  /** Peers per swarm; a newcomer to a full swarm evicts the peer that announced least recently. */
  maxPeersPerSwarm: 1000,
  /** Swarms in all; a new swarm evicts the one announced to least recently, with its peers. */
  maxSwarms: 100_000,
  /** Info hashes one scrape may name. */
  maxScrapeHashes: 64,
  /** A ping this often; a socket that has not answered the previous one (or sent anything) is closed. */
  pingIntervalMs: 30_000,
  /**
   * Bytes waiting to be sent to a socket (its client does not read them): above this it is closed
   * when the next offer or answer would go to it, or at the next ping.
   */
  maxBufferedBytes: 256 * 1024,
};

/**
 * Why a message was refused or a socket closed or refused: the keys of /stats `refusals` and of the
 * log, each with the failure reason sent to the client when one is sent.
 */
const REFUSALS = {
  'not a JSON object': 'not a JSON object',
  'invalid JSON': 'invalid JSON', // the library answers with the parser's message
  'unknown action': 'unknown action',
  'invalid info_hash': 'invalid info_hash',
  'invalid peer_id': 'invalid peer_id',
  'invalid event': 'invalid event: started, stopped, completed, paused or none',
  'invalid answer': 'invalid answer: {type: "answer", sdp} with offer_id and to_peer_id',
  /** Dropped from an announce that is answered as usual. */
  'malformed offer': 'malformed offer',
  /** An answer whose offerer is no longer in the swarm: dropped, as the library did. */
  'answer to an unknown peer': 'answer to an unknown peer',
  'full scrape': 'a scrape must name the info hashes it asks about',
  'too many info hashes': 'too many info hashes in one scrape',
  'peer_id in use': 'peer_id in use by another connection',
  'too many peer ids': 'too many peer ids on one connection',
  'too many swarms': 'too many swarms on one connection',
  // Sockets closed or refused: no failure reason.
  'rate limit': 'too many messages',
  'frame too large': 'frame too large',
  'bad frame': 'bad frame',
  'socket cap': 'tracker busy',
  'no pong': 'no pong',
  'not reading': 'not reading',
};
export const REFUSAL_REASONS = Object.keys(REFUSALS);

const HEX40 = /^[0-9a-f]{40}$/;
const EVENTS = new Set(['started', 'stopped', 'completed', 'paused', 'update', 'empty']);
const RATE = Symbol('rate');
const binaryId = (s) => typeof s === 'string' && s.length === 20 && /^[\0-\xff]{20}$/.test(s);

/** An entry of an announce's `offers` that can be relayed: `{ offer: { type: 'offer', sdp }, offer_id }`. */
function relayable(entry) {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    binaryId(entry.offer_id) &&
    typeof entry.offer === 'object' &&
    entry.offer !== null &&
    entry.offer.type === 'offer' &&
    typeof entry.offer.sdp === 'string'
  );
}

/** Whether a text frame can parse to a JSON object (the library's parser throws on anything else). */
function startsAnObject(data) {
  if (typeof data === 'string') return /^\s*\{/.test(data);
  if (!(data instanceof Uint8Array)) return false;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    if (byte === 0x7b) return true; // {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return false;
}

class Tracker extends EngineServer {
  constructor(limits, print) {
    super(limits);
    this.limits = limits;
    this.sockets = new Set();
    this.refusals = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0]));
    /** What the library sends as the failure reason for each refusal (one object per reason: no allocation per refusal). */
    this.refusalOf = new Map(REFUSAL_REASONS.map((r) => [r, Object.freeze({ message: REFUSALS[r], reason: r })]));
    this.errors = { socket: 0, internal: 0 };
    this.evicted = { peers: 0, swarms: 0 };
    this.peerCount = 0;
    this.seeders = 0;
    this.messages = 0;
    this.messagesPerSecond = 0;
    this.summary = print ? new EventSummary({ print }) : undefined;
    this.on('warning', (error) => this.classify(error));
    this.on('error', (error) => this.count('internal error', error?.message, 'internal'));

    let lastMessages = 0;
    this.rateTimer = setInterval(() => {
      this.messagesPerSecond = this.messages - lastMessages;
      lastMessages = this.messages;
    }, 1000);
    this.pingTimer = setInterval(() => this.heartbeat(), limits.pingIntervalMs);
    this.rateTimer.unref();
    this.pingTimer.unref();
  }

  /** Counts one refusal (or, with `kind`, one error) and hands it to the log summary. */
  count(reason, detail, kind) {
    if (kind) this.errors[kind]++;
    else this.refusals[reason]++;
    this.summary?.count(reason, detail);
  }

  refusal(reason) {
    return this.refusalOf.get(reason) ?? { message: reason };
  }

  /** Warnings come from the library (its parser, its answer relay), from ws (frames, sockets) and from our refusals. */
  classify(error) {
    if (typeof error?.reason === 'string' && error.reason in this.refusals) return this.count(error.reason);
    if (error instanceof SyntaxError) return this.count('invalid JSON');
    const message = String(error?.message ?? error);
    const code = typeof error?.code === 'string' ? error.code : '';
    if (message === 'invalid info_hash') return this.count('invalid info_hash');
    if (message === 'invalid peer_id') return this.count('invalid peer_id');
    if (message.startsWith('invalid `to_peer_id`')) return this.count('invalid answer');
    if (message.startsWith('invalid action')) return this.count('unknown action');
    if (message.startsWith('no swarm with that') || message.startsWith('no peer with that')) return this.count('answer to an unknown peer');
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return this.count('frame too large');
    if (code.startsWith('WS_ERR_')) return this.count('bad frame');
    if (code) return this.count('socket error', code, 'socket');
    this.count('internal error', message, 'internal');
  }

  accept(socket) {
    if (this.sockets.size >= this.limits.maxSockets) {
      this.count('socket cap');
      socket.close(1013, REFUSALS['socket cap']);
      return false;
    }
    this.sockets.add(socket);
    const rate = { tokens: this.limits.burst, last: Date.now(), alive: true };
    socket[RATE] = rate;
    socket.on('pong', () => (rate.alive = true));
    return true;
  }

  socketClosed(socket) {
    this.sockets.delete(socket);
  }

  screen(socket, data) {
    this.messages++;
    const rate = socket[RATE];
    const now = Date.now();
    rate.alive = true;
    rate.tokens = Math.min(this.limits.burst, rate.tokens + ((now - rate.last) / 1000) * this.limits.messagesPerSecond);
    rate.last = now;
    if (--rate.tokens < 0) {
      this.count('rate limit');
      socket.removeAllListeners('message'); // nothing more from it reaches the tracker
      socket.terminate();
      return false;
    }
    if (!startsAnObject(data)) {
      this.count('not a JSON object');
      socket.send(JSON.stringify({ 'failure reason': REFUSALS['not a JSON object'] }), socket.onSend);
      return false;
    }
    return true;
  }

  checkAnnounce(params) {
    if (!HEX40.test(params.info_hash)) return this.refusal('invalid info_hash');
    if (!HEX40.test(params.peer_id)) return this.refusal('invalid peer_id');
    if (params.event && !EVENTS.has(params.event)) return this.refusal('invalid event');
    if (params.answer != null) {
      const answer = params.answer;
      if (
        typeof answer !== 'object' ||
        answer.type !== 'answer' ||
        typeof answer.sdp !== 'string' ||
        !binaryId(params.offer_id) ||
        !HEX40.test(params.to_peer_id)
      ) {
        return this.refusal('invalid answer');
      }
      params.answer = { type: 'answer', sdp: answer.sdp }; // relayed as it is: nothing else goes along
    }
    if (params.offers !== undefined) {
      // The library relays `offers[i]` to each peer it picks (as many as there were entries), so
      // `offers: [null]` used to throw; only well-formed offers are relayed, each as `{ type, sdp }`.
      const given = Array.isArray(params.offers) ? params.offers : [params.offers];
      const offers = [];
      if (params.event !== 'stopped') {
        for (const entry of given) {
          if (relayable(entry)) offers.push({ offer: { type: 'offer', sdp: entry.offer.sdp }, offer_id: entry.offer_id });
        }
      }
      for (let i = offers.length; i < given.length && params.event !== 'stopped'; i++) this.count('malformed offer');
      params.offers = offers;
      params.numwant = Math.min(Number(params.numwant) || 0, offers.length);
    }
    return undefined;
  }

  admit(_socket, _infoHash, peerId, entries, ids) {
    if (!ids.has(peerId) && ids.size >= this.limits.maxPeerIdsPerSocket) return this.refusal('too many peer ids');
    if (entries >= this.limits.maxSwarmsPerSocket) return this.refusal('too many swarms');
    return undefined;
  }

  onScrape(params) {
    // The library answers a scrape naming no hash with every hash it knows; its parser turns named
    // hashes into an array, so "is a non-empty array" is exactly "names its hashes".
    const hashes = params.info_hash;
    let reason;
    if (!Array.isArray(hashes) || hashes.length === 0) reason = 'full scrape';
    else if (hashes.length > this.limits.maxScrapeHashes) reason = 'too many info hashes';
    else if (!hashes.every((h) => HEX40.test(h))) reason = 'invalid info_hash';
    if (!reason) return undefined;
    this.count(reason);
    // Not through the error path: its reply echoes `info_hash`, which is not a hash here.
    return { action: SCRAPE, 'failure reason': REFUSALS[reason], files: {} };
  }

  peerAdded(peer) {
    super.peerAdded(peer);
    this.peerCount++;
    if (peer.complete) this.seeders++;
  }

  peerRemoved(peer) {
    super.peerRemoved(peer);
    this.peerCount--;
    if (peer.complete) this.seeders--;
  }

  peerCompleted() {
    this.seeders++;
  }

  peerEvicted() {
    this.evicted.peers++;
    this.summary?.count('peer evicted from a full swarm');
  }

  swarmEvicted() {
    this.evicted.swarms++;
    this.summary?.count('swarm evicted at the swarm cap');
  }

  reachable(socket) {
    if (!isOpen(socket)) return false;
    if (socket.bufferedAmount <= this.limits.maxBufferedBytes) return true;
    this.count('not reading');
    socket.terminate();
    return false;
  }

  heartbeat() {
    for (const socket of this.sockets) {
      const rate = socket[RATE];
      if (!rate.alive) {
        this.count('no pong');
        socket.terminate();
      } else if (socket.bufferedAmount > this.limits.maxBufferedBytes) {
        this.count('not reading');
        socket.terminate();
      } else if (isOpen(socket)) {
        rate.alive = false;
        socket.ping();
      }
    }
  }

  stats() {
    const { heapUsed, rss } = process.memoryUsage();
    return {
      sockets: this.sockets.size,
      swarms: this.swarms.size,
      peers: this.peerCount,
      seeders: this.seeders,
      leechers: this.peerCount - this.seeders,
      messages: this.messages,
      messagesPerSecond: this.messagesPerSecond,
      refusals: { ...this.refusals },
      evicted: { ...this.evicted },
      errors: { ...this.errors },
      heapUsed,
      rss,
    };
  }

  shutdown() {
    clearInterval(this.rateTimer);
    clearInterval(this.pingTimer);
    this.summary?.close();
  }
}

/**
 * @param {{ port?: number, host?: string, limits?: Partial<typeof TRACKER_LIMITS>, log?: (line: string) => void }} [options]
 */
export async function startTrackerServer(options = {}) {
  const limits = { ...TRACKER_LIMITS, ...options.limits };
  // No UDP, no HTTP announce or scrape: only WebSocket. The library's /stats page is off (it put peer ids
  // into HTML unescaped); the handler below serves counts as JSON instead.
  const server = new Tracker(limits, options.log);
  // The library answers every other request 404 (on a later tick, skipping a request already answered).
  server.http.on('request', (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (res.headersSent || req.method !== 'GET' || (path !== '/stats' && path !== '/stats.json')) return;
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(JSON.stringify(server.stats()));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve(undefined);
    });
  }).catch((error) => {
    server.shutdown();
    throw error;
  });
  const { port } = server.ws.address();
  return {
    server,
    port,
    url: `ws://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    sockets: server.sockets,
    stats: () => server.stats(),
    close: () =>
      new Promise((resolve) => {
        server.shutdown();
        for (const socket of server.sockets) socket.terminate();
        // The callback waits for every HTTP connection to end; the sockets are gone, so do not wait long.
        const timer = setTimeout(resolve, 2000);
        server.close(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
      }),
  };
}
