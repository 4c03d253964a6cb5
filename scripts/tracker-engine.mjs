// bittorrent-tracker's WebSocket server, adapted so that a peer entry lives exactly as long as the
// socket that announced it. This is the one module that relies on the library's internals; each
// assumption is listed in ASSUMED below, checked when this module loads (fail closed), and exercised by
// test/tracker/engine-adapter.test.ts, which fails if an upgrade of bittorrent-tracker breaks one.
//
// What the library does, and what changes here:
// - It keeps a peer per (info hash, peer id) in its Swarm's LRU (`lru`: 1000 peers, 20 min TTL) and,
//   when a socket closes, announces `stopped` only for the first peer id that socket ever sent, in the
//   swarms listed in `socket.infoHashes` (a list that also grows with every swarm the socket left).
//   Every other peer id it announced stayed, with its dead socket, and offers kept going to it.
//   Here each socket holds the set of peers it put into swarms (the Swarm's own insertion and removal
//   methods keep that set), and all of them are removed when it closes.
// - It never deleted a swarm. Here a swarm is deleted when its last peer leaves, and the swarms are
//   kept in a Map in order of their last announce so that the stalest can be evicted at a cap.
//   `createSwarm` / `getSwarm` are the library's documented way to replace its swarm store ("an
//   interface that you need to support when overriding Server.createSwarm() and Server.getSwarm()");
//   here they answer synchronously, so an announce runs start to end in one turn of the event loop and
//   no socket can close half way through it.
// - It picked peers for offers by listing every key of the LRU (`Object.keys`, per announce) and could
//   pick peers whose socket had closed. Here a swarm also keeps its peers in an array and picks from it
//   at random, only peers whose socket is open.
// Policy (what is refused, caps, rates, counting) is the subclass's: see tracker-server.mjs.
import Server from 'bittorrent-tracker/server';

const LibrarySwarm = Server.Swarm;

/** The library methods this module overrides or calls, and so relies on. */
export const ASSUMED = {
  server: ['onWebSocketConnection', '_onWebSocketRequest', '_onWebSocketClose', '_onRequest', '_onAnnounce', '_onScrape', 'getSwarm', 'createSwarm'],
  swarm: ['announce', 'scrape', '_onAnnounceStarted', '_onAnnounceStopped', '_onAnnounceCompleted', '_onAnnounceUpdate', '_getPeers'],
};
{
  const missing = [
    ...ASSUMED.server.filter((name) => typeof Server.prototype[name] !== 'function').map((name) => `Server#${name}`),
    ...(typeof LibrarySwarm === 'function'
      ? ASSUMED.swarm.filter((name) => typeof LibrarySwarm.prototype[name] !== 'function').map((name) => `Swarm#${name}`)
      : ['Server.Swarm']),
  ];
  if (missing.length > 0) {
    // Without these overrides peers would outlive their sockets again: refuse to run.
    throw new Error(`bittorrent-tracker no longer has ${missing.join(', ')}: check scripts/tracker-engine.mjs`);
  }
}

/** A peer id no peer has (ids are 40 hex digits). */
const NO_ONE = '';

/** ws's WebSocket.OPEN. */
const OPEN = 1;
export const isOpen = (socket) => socket != null && socket.readyState === OPEN;

/** The peers (entries of the library's swarms) a socket announced: Set<peer>. */
const HELD = Symbol('peers held');
/** How many of those entries use each peer id: Map<peerId (hex), number>. */
const IDS = Symbol('peer ids');
/** A peer's swarm, and its index in the swarm's `list`. */
const SWARM = Symbol('swarm');
const SLOT = Symbol('slot');

/**
 * What the library keeps per socket as `infoHashes` (used only by its own close handler, which this
 * module replaces), made to hold nothing: it grew by one entry for every swarm a socket announced to
 * and then left, for as long as the socket stayed open.
 */
const NO_INFO_HASHES = Object.freeze({ length: 0, includes: () => true, push: () => 0, indexOf: () => -1, slice: () => [] });

/** The library's swarm, with its peers also in an array, and every insertion and removal reported to the server. */
export class EngineSwarm extends LibrarySwarm {
  constructor(infoHash, server) {
    super(infoHash, server);
    this.server = server;
    /** The peers, in no particular order (the LRU `peers` keeps them in order of their last announce). */
    this.list = [];
  }

  get size() {
    return this.list.length;
  }

  /** Every new peer goes through here (`update`, `completed` and `paused` of an unknown peer too). */
  _onAnnounceStarted(params, peer, id) {
    // A full LRU evicts its stalest peer to make room (through _onAnnounceStopped).
    const evicts = !peer && this.peers.length >= this.peers.max;
    super._onAnnounceStarted(params, peer, id);
    if (peer) return; // it was there: an update
    if (evicts) this.server.peerEvicted();
    const added = this.peers.peek(id);
    if (added === undefined) return;
    added[SWARM] = this;
    added[SLOT] = this.list.push(added) - 1;
    this.server.peerAdded(added);
  }

  /** Every removal goes through here: `stopped`, and the LRU's evictions (full swarm, TTL). */
  _onAnnounceStopped(params, peer, id) {
    super._onAnnounceStopped(params, peer, id);
    if (!peer || peer[SWARM] !== this) return;
    const last = this.list.pop();
    if (last !== peer) {
      this.list[peer[SLOT]] = last;
      last[SLOT] = peer[SLOT];
    }
    peer[SWARM] = undefined;
    this.server.peerRemoved(peer);
  }

  _onAnnounceCompleted(params, peer, id) {
    const was = peer?.complete;
    super._onAnnounceCompleted(params, peer, id);
    if (peer && !was && peer.complete) this.server.peerCompleted(peer);
  }

  _onAnnounceUpdate(params, peer, id) {
    const was = peer?.complete;
    super._onAnnounceUpdate(params, peer, id);
    if (peer && !was && peer.complete) this.server.peerCompleted(peer);
  }

  /** Up to `numwant` peers picked at random among those whose socket is open (and reachable), never `ownPeerId`. */
  _getPeers(numwant, ownPeerId) {
    const picked = [];
    const list = this.list;
    let i = 0;
    while (i < list.length && picked.length < numwant) {
      // A partial shuffle in place: list[0..i) holds the peers already looked at.
      const j = i + Math.floor(Math.random() * (list.length - i));
      const peer = list[j];
      if (j !== i) {
        list[j] = list[i];
        list[j][SLOT] = j;
        list[i] = peer;
        peer[SLOT] = i;
      }
      // The library's TTL: peek drops a peer that has not announced for too long, and it leaves the list.
      const current = this.peers.peek(peer.peerId);
      if (list[i] !== peer) continue; // dropped: list[i] is another peer now
      i++;
      if (current === peer && peer.peerId !== ownPeerId && this.server.reachable(peer.socket)) picked.push(peer);
    }
    return picked;
  }

  /** Removes one peer, as if it had announced `stopped`. */
  remove(peer) {
    if (peer[SWARM] === this) this._onAnnounceStopped({ type: 'ws', event: 'stopped', numwant: 0, peer_id: peer.peerId }, peer, peer.peerId);
  }
}

/**
 * The library's server, WebSocket only, where every peer belongs to the socket that announced it.
 * Subclasses set the policy by overriding the hooks at the end (accept, screen, checkAnnounce, admit,
 * onScrape, reachable, socketClosed, refusal, and the counters peerAdded/peerRemoved (calling super),
 * peerCompleted, peerEvicted, swarmEvicted).
 */
export class EngineServer extends Server {
  /**
   * @param {{ maxPayload: number, maxPeersPerSwarm: number, maxSwarms: number, interval?: number }} options
   */
  constructor(options) {
    super({
      udp: false,
      http: false,
      stats: false,
      ws: { maxPayload: options.maxPayload },
      // The library's LRU per swarm: at most this many peers, the stalest (least recently announced) evicted.
      peersCacheLength: options.maxPeersPerSwarm,
      ...(options.interval ? { interval: options.interval } : {}),
    });
    this.maxSwarms = options.maxSwarms;
    /** Info hash (hex) → swarm, in order of the last announce to each (the first is the stalest). */
    this.swarms = new Map();
    // The library's own store stays empty: nothing of it is read any more (see getSwarm / createSwarm).
    this.torrents = Object.freeze({});
  }

  getSwarm(infoHash, cb) {
    cb(null, this.swarms.get(infoHash));
  }

  createSwarm(infoHash, cb) {
    while (this.swarms.size >= this.maxSwarms) {
      const stalest = this.swarms.values().next().value;
      this.dropSwarm(stalest);
      this.swarmEvicted(stalest);
    }
    const swarm = new EngineSwarm(infoHash, this);
    this.swarms.set(infoHash, swarm);
    cb(null, swarm);
  }

  /** Removes every peer of a swarm and the swarm. */
  dropSwarm(swarm) {
    for (const peer of swarm.list.slice()) swarm.remove(peer);
    if (this.swarms.get(swarm.infoHash) === swarm) this.swarms.delete(swarm.infoHash);
  }

  /** Deletes a swarm with no peer left; otherwise marks it as the most recently announced to. */
  tidy(swarm) {
    if (swarm === undefined || this.swarms.get(swarm.infoHash) !== swarm) return;
    this.swarms.delete(swarm.infoHash);
    if (swarm.size > 0) this.swarms.set(swarm.infoHash, swarm);
  }

  onWebSocketConnection(socket, opts) {
    if (!this.accept(socket)) {
      socket.on('error', () => undefined);
      return;
    }
    super.onWebSocketConnection(socket, opts);
    socket.infoHashes = NO_INFO_HASHES;
    socket[HELD] = new Set();
    socket[IDS] = new Map();
  }

  _onWebSocketRequest(socket, opts, data) {
    if (socket[HELD] === undefined || !this.screen(socket, data)) return;
    try {
      super._onWebSocketRequest(socket, opts, data);
    } catch (error) {
      // Nothing a client sends may take the process down; a throw here is a bug, counted and survived.
      this.emit('warning', error);
    }
    // The library's parser keeps the upgrade request's headers on the socket, for nothing (about 1 KiB
    // from a browser): the tracker keeps no more about a client than it uses.
    if (socket.headers !== undefined) socket.headers = undefined;
  }

  _onAnnounce(params, cb) {
    const refusal = this.checkAnnounce(params);
    if (refusal) return cb(refusal);
    const socket = params.socket;
    if (socket[HELD] === undefined) return;
    const swarm = this.swarms.get(params.info_hash);
    try {
      // peek, not get: this must not count as the peer's announce (the library's announce does that).
      let held = swarm?.peers.peek(params.peer_id);
      if (held !== undefined && held.socket !== socket) {
        if (isOpen(held.socket)) return cb(this.refusal('peer_id in use'));
        swarm.remove(held); // its socket is closing: its entries go with it
        held = undefined;
      }
      if (params.event === 'stopped' && held === undefined) {
        // Leaving a swarm it is not in: nothing to remove, and no swarm to create for it.
        return cb(null, { complete: swarm?.complete ?? 0, incomplete: swarm?.incomplete ?? 0, peers: [], interval: Math.ceil(this.intervalMs / 1000) });
      }
      if (held === undefined) {
        const refused = this.admit(socket, params.info_hash, params.peer_id, socket[HELD].size, socket[IDS]);
        if (refused) return cb(refused);
      }
      if (params.answer) {
        // The library forwards an answer to its offerer's socket whatever the state of that socket;
        // addressed to no one, it is dropped as one whose offerer has left (a warning, no reply).
        const offerer = swarm?.peers.peek(params.to_peer_id);
        if (offerer !== undefined && !this.reachable(offerer.socket)) params.to_peer_id = NO_ONE;
      }
      super._onAnnounce(params, cb);
    } finally {
      this.tidy(this.swarms.get(params.info_hash) ?? swarm);
    }
  }

  _onScrape(params, cb) {
    const answer = this.onScrape(params);
    if (answer) return cb(null, answer);
    super._onScrape(params, cb);
  }

  _onWebSocketClose(socket) {
    const held = socket[HELD];
    if (held !== undefined) {
      for (const peer of [...held]) {
        const swarm = peer[SWARM];
        if (swarm === undefined) continue;
        swarm.remove(peer);
        if (swarm.size === 0) this.tidy(swarm);
      }
      socket[HELD] = undefined;
      socket[IDS] = undefined;
      this.socketClosed(socket);
    }
    // The library would announce `stopped` for the socket's first peer id alone: everything is done above.
    socket.peerId = null;
    super._onWebSocketClose(socket);
  }

  peerAdded(peer) {
    const socket = peer.socket;
    const held = socket?.[HELD];
    if (held === undefined) return;
    held.add(peer);
    socket[IDS].set(peer.peerId, (socket[IDS].get(peer.peerId) ?? 0) + 1);
  }

  peerRemoved(peer) {
    const socket = peer.socket;
    const held = socket?.[HELD];
    if (held === undefined || !held.delete(peer)) return;
    const ids = socket[IDS];
    const n = ids.get(peer.peerId) - 1;
    if (n > 0) ids.set(peer.peerId, n);
    else ids.delete(peer.peerId);
  }

  /** How many peers a socket holds in swarms (for tests and stats). */
  static held(socket) {
    return socket[HELD]?.size ?? 0;
  }

  // Hooks for the policy (defaults: allow everything).
  /** A new socket: false to refuse it (the hook closes it). */
  accept(_socket) {
    return true;
  }
  /** Each message before it is parsed: false to drop it (the hook answers or closes). */
  screen(_socket, _data) {
    return true;
  }
  /** An announce, parsed by the library: a refusal (`{ message }`) or nothing. May tidy `params`. */
  checkAnnounce(_params) {
    return undefined;
  }
  /** A (swarm, peer id) new to this socket: a refusal or nothing. */
  admit(_socket, _infoHash, _peerId, _entries, _ids) {
    return undefined;
  }
  /** A scrape, parsed by the library: a complete answer (a refusal) or nothing to let the library answer. */
  onScrape(_params) {
    return undefined;
  }
  /** Whether an offer or an answer may be relayed to this socket: open, by default. */
  reachable(socket) {
    return isOpen(socket);
  }
  socketClosed(_socket) {}
  peerCompleted(_peer) {}
  peerEvicted() {}
  swarmEvicted(_swarm) {}
  /** A refusal for `reason` (a key): any object with a `message` (the library sends it as the failure reason). */
  refusal(reason) {
    return { message: reason };
  }
}
