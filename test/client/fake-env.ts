/**
 * A client environment for Node tests: `ws` sockets to a real tracker, WebRTC replaced by in-memory
 * links paired through the SDP strings the tracker relays, memory stores, and records in a Map
 * (so a "reload" is a new client over the same records and stores).
 */
import WebSocket from 'ws';
import { realClock } from '../../src/core/session/clock.js';
import { SimNetwork } from '../../src/core/sim/network.js';
import { MemoryStore, type PieceStore } from '../../src/core/session/store.js';
import type { PeerChannel } from '../../src/core/session/channel.js';
import type { AnswerDescription, OfferDescription } from '../../src/core/tracker/messages.js';
import type { ChannelPeer, ClientEnvironment, SavedTorrent } from '../../src/client/client.js';
import { webSocketConnectorFor } from '../../src/tracker/websocket.js';

const net = new SimNetwork(realClock, 1);
const nodeLink = { upload: Infinity, download: Infinity };
const pending = new Map<string, FakePeer>();
let counter = 0;

/** How a world's peers connect: what their connection goes through, or why it cannot be made. */
export interface FakeLinks {
  connection?: 'direct' | 'relay';
  /** Every connection of this world fails before opening, with this reason (as WebRtcPeer words it). */
  unreachable?: string;
}

class FakePeer implements ChannelPeer {
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  connection: 'direct' | 'relay' | undefined;
  private ch: PeerChannel | undefined;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: Error) => void;
  private resolveClosed!: () => void;
  private done = false;
  constructor(
    readonly token: string,
    private readonly links: FakeLinks,
  ) {
    this.connected = new Promise((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => undefined);
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }
  attach(ch: PeerChannel): void {
    this.ch = ch;
    this.connection = this.links.connection;
    this.resolveConnected();
  }
  fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.rejectConnected(new Error(reason));
    this.resolveClosed();
  }
  signal(answer: AnswerDescription): void {
    const other = pending.get(answer.sdp);
    if (!other) return;
    pending.delete(answer.sdp);
    const unreachable = this.links.unreachable ?? other.links.unreachable;
    if (unreachable) {
      this.fail(unreachable);
      other.fail(unreachable);
      return;
    }
    // Either end closing closes both peers, as a WebRTC peer closes with its data channel (the
    // channel's own onClose belongs to the session that reads it).
    const [a, b] = net.connect(net.node('a', nodeLink), net.node('b', nodeLink), () => {
      this.destroy();
      other.destroy();
    });
    this.attach(a);
    other.attach(b);
  }
  channel(): PeerChannel {
    if (!this.ch) throw new Error('not connected');
    return this.ch;
  }
  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.ch?.close();
    this.resolveClosed();
  }
}

export interface FakeWorld {
  stores: Map<string, PieceStore>;
  records: Map<string, SavedTorrent>;
  env(): ClientEnvironment;
}

export function fakeWorld(links: FakeLinks = {}): FakeWorld {
  const stores = new Map<string, PieceStore>();
  const records = new Map<string, SavedTorrent>();
  return {
    stores,
    records,
    env: () => ({
      connect: webSocketConnectorFor(WebSocket),
      peers: {
        createOffer: async () => {
          const peer = new FakePeer(`offer-${++counter}`, links);
          return { offer: { type: 'offer', sdp: peer.token } satisfies OfferDescription, peer };
        },
        acceptOffer: async (offer: OfferDescription) => {
          const peer = new FakePeer(offer.sdp, links);
          pending.set(offer.sdp, peer);
          return { answer: { type: 'answer', sdp: offer.sdp } satisfies AnswerDescription, peer };
        },
      },
      openStore: async (infoHash: string) => {
        let store = stores.get(infoHash);
        if (!store) stores.set(infoHash, (store = new MemoryStore()));
        return { store, kind: 'memory' as const };
      },
      records: {
        save: async (r: SavedTorrent) => void records.set(r.infoHash, structuredClone(r)),
        load: async () => [...records.values()].map((r) => structuredClone(r)),
        delete: async (infoHash: string) => void records.delete(infoHash),
      },
    }),
  };
}
