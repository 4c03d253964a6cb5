/**
 * The swarm simulator: one seeder and N leechers, each a real `TorrentSession`, on a virtual clock
 * over bandwidth- and latency-limited in-memory links. No real time is spent waiting.
 *
 * Piece data is synthetic (a function of the piece index, shared by every node) and hashed with a
 * cheap digest, so that a thousand-peer swarm fits in memory and time: the simulator measures
 * scheduling (picker, choker, pipelining), not SHA-1.
 */
import { VirtualClock } from '../core/session/clock.js';
import { TorrentSession } from '../core/session/session.js';
import type { Hasher, PieceStore } from '../core/session/store.js';
import { SimNetwork, type SimNode } from '../core/sim/network.js';
import { completionLowerBound } from '../core/sim/bound.js';
import { encode } from '../core/bencode.js';
import { parseInfoDict, type Metainfo } from '../core/metainfo.js';
import { mulberry32 } from '../core/random.js';

export interface SimOptions {
  peers: number;
  fileSize: number;
  pieceLength: number;
  /** Bytes per second. */
  seederUpload: number;
  peerUpload: number;
  peerDownload: number;
  /** One-way, ms. */
  latency: number;
  /** Neighbours each peer is given, as a tracker would. */
  neighbours: number;
  /** Connections per peer at most (the real client's default). */
  maxPeers: number;
  seed: number;
  /** Give up after this much simulated time (ms). */
  limit: number;
}

export const DEFAULT_SIM: SimOptions = {
  peers: 10,
  fileSize: 64 * 1024 * 1024,
  pieceLength: 256 * 1024,
  seederUpload: 1024 * 1024,
  peerUpload: 1024 * 1024,
  peerDownload: 4 * 1024 * 1024,
  latency: 50,
  neighbours: 40,
  maxPeers: 40,
  seed: 1,
  limit: 24 * 3600 * 1000,
};

export interface SimResult {
  peers: number;
  fileSize: number;
  /** Seconds until the last leecher finished (simulated). */
  completionTime: number;
  /** Seconds: the fluid lower bound for this swarm. */
  bound: number;
  ratioToBound: number;
  /** Leechers that finished. */
  finished: number;
  /** The seeder's upload divided by the file size. */
  seederUploadRatio: number;
  /** Bytes discarded (duplicates, endgame) divided by the bytes delivered. */
  wasteRatio: number;
  /** Real milliseconds the run took. */
  wallMs: number;
}

/** The synthetic content of a piece: cheap to make, different for every piece. */
function pieceContent(index: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  for (let i = 0; i + 4 <= size; i += 4096) view.setUint32(i, (index * 2654435761 + i) >>> 0);
  return out;
}

/** A cheap 20-byte digest: length and sampled words. Enough to catch a misplaced block in the sim. */
export const sampleHasher: Hasher = async (data) => {
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  let h = data.length >>> 0;
  for (let i = 0; i < data.length; i += 4096) h = (Math.imul(h ^ data[i]! ^ (data[i + 1] ?? 0) ^ (data[i + 3] ?? 0), 16777619) + i) >>> 0;
  view.setUint32(0, h);
  view.setUint32(4, data.length);
  return out;
};

class SyntheticStore implements PieceStore {
  readonly have = new Set<number>();
  constructor(
    private readonly content: (index: number) => Uint8Array,
    all: number,
  ) {
    for (let i = 0; i < all; i++) this.have.add(i);
  }
  async put(index: number): Promise<void> {
    this.have.add(index);
  }
  async get(index: number): Promise<Uint8Array | undefined> {
    return this.have.has(index) ? this.content(index) : undefined;
  }
  async stored(): Promise<number[]> {
    return [...this.have];
  }
  async clear(): Promise<void> {
    this.have.clear();
  }
}

async function syntheticTorrent(o: SimOptions): Promise<{ metainfo: Metainfo; content: (i: number) => Uint8Array }> {
  const count = Math.ceil(o.fileSize / o.pieceLength);
  const cache = new Map<number, Uint8Array>();
  const content = (i: number): Uint8Array => {
    let c = cache.get(i);
    if (!c) cache.set(i, (c = pieceContent(i, Math.min(o.pieceLength, o.fileSize - i * o.pieceLength))));
    return c;
  };
  const pieces = new Uint8Array(20 * count);
  for (let i = 0; i < count; i++) pieces.set(await sampleHasher(content(i)), 20 * i);
  const info = encode({ length: o.fileSize, name: 'sim.bin', 'piece length': o.pieceLength, pieces });
  return { metainfo: await parseInfoDict(info), content };
}

export interface SimProgress {
  /** Simulated seconds so far. */
  seconds: number;
  finished: number;
  peers: number;
  /** Bytes received by all leechers over the bytes they need. */
  fraction: number;
  wallMs: number;
}

/**
 * Runs the swarm. `onProgress`, when given, is called every `progressEvery` simulated seconds
 * (it does not change the result: the same timers fire in the same order).
 */
export async function simulate(options: Partial<SimOptions> = {}, onProgress?: (p: SimProgress) => void, progressEvery = 5): Promise<SimResult> {
  const o: SimOptions = { ...DEFAULT_SIM, ...options };
  const wallStart = Date.now();
  const random = mulberry32(o.seed);
  const clock = new VirtualClock(() => new Promise<void>((r) => setImmediate(r)));
  const net = new SimNetwork(clock, o.latency);
  const { metainfo, content } = await syntheticTorrent(o);
  const pieceCount = metainfo.pieces.length;

  interface Node {
    node: SimNode;
    session: TorrentSession;
    doneAt: number | undefined;
  }
  const nodes: Node[] = [];
  for (let i = 0; i <= o.peers; i++) {
    const seeder = i === 0;
    const peerId = new Uint8Array(20);
    new DataView(peerId.buffer).setUint32(16, i + 1);
    const session = new TorrentSession({
      infoHash: metainfo.infoHashBytes,
      peerId,
      metainfo,
      store: new SyntheticStore(content, seeder ? pieceCount : 0),
      hasher: sampleHasher,
      clock,
      random: mulberry32(o.seed * 7919 + i),
      maxPeers: o.maxPeers,
    });
    const node = net.node(`n${i}`, seeder ? { upload: o.seederUpload, download: o.peerDownload } : { upload: o.peerUpload, download: o.peerDownload });
    const entry: Node = { node, session, doneAt: seeder ? 0 : undefined };
    session.on('done', () => (entry.doneAt ??= clock.now()));
    nodes.push(entry);
  }
  await Promise.all(nodes.map((n) => n.session.start()));

  // Topology: each node is handed up to `neighbours` random others, as a tracker would; a
  // connection is made while both ends are under their peer cap.
  const degree = new Array<number>(nodes.length).fill(0);
  const linked = new Set<string>();
  const order = nodes.map((_, i) => i).sort(() => random() - 0.5);
  for (const i of order) {
    for (let tries = 0; tries < o.neighbours * 2 && degree[i]! < o.neighbours; tries++) {
      const j = Math.floor(random() * nodes.length);
      const key = i < j ? `${i}-${j}` : `${j}-${i}`;
      if (j === i || linked.has(key) || degree[j]! >= o.maxPeers) continue;
      linked.add(key);
      degree[i]!++;
      degree[j]!++;
      const [a, b] = net.connect(nodes[i]!.node, nodes[j]!.node);
      nodes[i]!.session.addPeer(a, `n${j}`);
      nodes[j]!.session.addPeer(b, `n${i}`);
    }
  }

  const leechers = nodes.slice(1);
  if (onProgress) {
    const report = (): void => {
      let received = 0;
      for (const n of leechers) received += n.session.downloaded;
      onProgress({
        seconds: clock.now() / 1000,
        finished: leechers.filter((n) => n.doneAt !== undefined).length,
        peers: leechers.length,
        fraction: Math.min(1, received / (o.fileSize * leechers.length)),
        wallMs: Date.now() - wallStart,
      });
      if (leechers.some((n) => n.doneAt === undefined)) clock.setTimeout(report, progressEvery * 1000);
    };
    clock.setTimeout(report, progressEvery * 1000);
  }
  await clock.run(() => leechers.every((n) => n.doneAt !== undefined), o.limit);
  const finishedTimes = leechers.map((n) => n.doneAt).filter((t): t is number => t !== undefined);
  const completion = finishedTimes.length === leechers.length ? Math.max(...finishedTimes) / 1000 : Infinity;
  const bound = completionLowerBound({
    fileSize: o.fileSize,
    seederUpload: o.seederUpload,
    peerUploads: leechers.map(() => o.peerUpload),
    peerDownloads: leechers.map(() => o.peerDownload),
  });
  let wasted = 0;
  let downloaded = 0;
  for (const n of nodes) {
    wasted += n.session.wasted;
    downloaded += n.session.downloaded;
    n.session.stop();
  }
  return {
    peers: o.peers,
    fileSize: o.fileSize,
    completionTime: round(completion),
    bound: round(bound),
    ratioToBound: round(completion / bound),
    finished: finishedTimes.length,
    seederUploadRatio: round(nodes[0]!.session.uploaded / o.fileSize),
    wasteRatio: round(downloaded > 0 ? wasted / downloaded : 0),
    wallMs: Date.now() - wallStart,
  };
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}
