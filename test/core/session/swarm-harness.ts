/**
 * In-process swarms for tests: real `TorrentSession`s over simulated links on a virtual clock,
 * with real SHA-1 (node:crypto, synchronous, so that the virtual clock never runs ahead of a hash).
 */
import { createHash } from 'node:crypto';
import { mulberry32 as seeded } from '../../../src/core/random.js';
import { VirtualClock } from '../../../src/core/session/clock.js';
import { SimNetwork, type SimNode } from '../../../src/core/sim/network.js';
import { TorrentSession, type SessionOptions } from '../../../src/core/session/session.js';
import { MemoryStore, type Hasher, type PieceStore } from '../../../src/core/session/store.js';
import type { PeerChannel } from '../../../src/core/session/channel.js';
import type { PeerConnector } from '../../../src/core/session/connector.js';
import type { Metainfo } from '../../../src/core/metainfo.js';

export const nodeSha1: Hasher = async (data) => new Uint8Array(createHash('sha1').update(data).digest());

export function peerIdFor(n: number): Uint8Array {
  const id = new TextEncoder().encode('-TS0001-000000000000');
  new DataView(id.buffer).setUint32(16, n);
  return id;
}

/** A store holding a whole torrent's data, as a seeder's would. */
export async function seededStore(metainfo: Metainfo, data: Uint8Array, transform?: (index: number, piece: Uint8Array) => Uint8Array): Promise<PieceStore> {
  const store = new MemoryStore();
  const count = metainfo.pieces.length;
  for (let i = 0; i < count; i++) {
    const piece = data.slice(i * metainfo.pieceLength, Math.min((i + 1) * metainfo.pieceLength, metainfo.length));
    await store.put(i, transform ? transform(i, piece) : piece);
  }
  return store;
}

/** Concatenates a session's stored pieces. */
export async function storedBytes(store: PieceStore, metainfo: Metainfo): Promise<Uint8Array> {
  const out = new Uint8Array(metainfo.length);
  for (let i = 0; i < metainfo.pieces.length; i++) {
    const piece = await store.get(i);
    if (!piece) throw new Error(`piece ${i} missing`);
    out.set(piece, i * metainfo.pieceLength);
  }
  return out;
}

export interface TestNode {
  name: string;
  session: TorrentSession;
  store: PieceStore;
  node: SimNode;
  warnings: string[];
  bans: string[];
  doneAt: number | undefined;
}

export class TestSwarm {
  readonly clock = new VirtualClock(() => new Promise<void>((r) => setImmediate(r)));
  readonly net: SimNetwork;
  readonly nodes: TestNode[] = [];
  private count = 0;

  constructor(latency = 20) {
    this.net = new SimNetwork(this.clock, latency);
  }

  async add(
    name: string,
    o: {
      metainfo?: Metainfo;
      infoHash: Uint8Array;
      store?: PieceStore;
      upload?: number;
      download?: number;
      /** Relayed signaling: the node's connector (see fake-connector.ts). */
      connect?: (node: SimNode) => PeerConnector;
    } & Partial<SessionOptions>,
  ): Promise<TestNode> {
    const store = o.store ?? new MemoryStore();
    const { connect, ...options } = o;
    const simNode = this.net.node(name, { upload: o.upload ?? 4 * 1024 * 1024, download: o.download ?? 8 * 1024 * 1024 });
    const session = new TorrentSession({
      peerId: peerIdFor(++this.count),
      hasher: nodeSha1,
      clock: this.clock,
      random: seeded(this.count),
      ...options,
      ...(connect ? { connector: connect(simNode) } : {}),
      store,
    });
    const node: TestNode = {
      name,
      session,
      store,
      node: simNode,
      warnings: [],
      bans: [],
      doneAt: undefined,
    };
    session.on('warning', (w) => node.warnings.push(w));
    session.on('ban', (b) => node.bans.push(b.id));
    session.on('done', () => (node.doneAt ??= this.clock.now()));
    await session.start();
    this.nodes.push(node);
    return node;
  }

  /** Connects two nodes; `wrap` may interpose on a's side of the link (to misbehave). */
  connect(a: TestNode, b: TestNode, wrap?: (channel: PeerChannel) => PeerChannel): void {
    const [ab, ba] = this.net.connect(a.node, b.node);
    a.session.addPeer(wrap ? wrap(ab) : ab, b.name);
    b.session.addPeer(ba, a.name);
  }

  connectAll(): void {
    for (let i = 0; i < this.nodes.length; i++) for (let j = i + 1; j < this.nodes.length; j++) this.connect(this.nodes[i]!, this.nodes[j]!);
  }

  async runUntil(done: () => boolean, limitMs = 600_000): Promise<void> {
    await this.clock.run(done, this.clock.now() + limitMs);
  }

  stop(): void {
    for (const n of this.nodes) n.session.stop();
  }
}

/** A channel that closes itself after `bytes` bytes have been sent through it. */
export function closingAfter(bytes: number): (c: PeerChannel) => PeerChannel {
  return (inner) => {
    let sent = 0;
    return withSend(inner, (data) => {
      if (sent >= bytes) return;
      const room = bytes - sent;
      sent += data.length;
      inner.send(data.length > room ? data.subarray(0, room) : data);
      if (sent >= bytes) inner.close();
    });
  };
}

/** `inner` with its `send` replaced by `send` (everything else passes through). */
export function withSend(inner: PeerChannel, send: (data: Uint8Array) => void): PeerChannel {
  return {
    send,
    get bufferedAmount() {
      return inner.bufferedAmount;
    },
    close: () => inner.close(),
    get onData() {
      return inner.onData;
    },
    set onData(f) {
      inner.onData = f;
    },
    get onClose() {
      return inner.onClose;
    },
    set onClose(f) {
      inner.onClose = f;
    },
    get onDrain() {
      return inner.onDrain;
    },
    set onDrain(f) {
      inner.onDrain = f;
    },
    get lowWaterMark() {
      return inner.lowWaterMark;
    },
    set lowWaterMark(v) {
      inner.lowWaterMark = v;
    },
  };
}

export { seeded };
