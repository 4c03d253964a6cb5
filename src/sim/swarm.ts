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
import type { Hasher, PieceAssembly, PieceStore } from '../core/session/store.js';
import { SimNetwork, type SimNode } from '../core/sim/network.js';
import { Mesh, type RelayCounts } from '../core/sim/mesh.js';
import { messagesOf, type TrackerCounts } from '../core/sim/tracker.js';
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
  /** One-way, ms (data links and each signaling hop). */
  latency: number;
  /** Offers per announce that a tracker hands out. */
  trackerOffers: number;
  /** Independent trackers; leecher i announces to tracker i mod K. */
  trackers: number;
  /** The seeder announces to the first this many trackers. */
  seederTrackers: number;
  /** Leechers that also announce to a second tracker: bridge b to trackers b and b + 1 (mod K). */
  bridges: number;
  /** Peer exchange and signaling relayed through peers (see core/sim/mesh.ts). */
  relay: boolean;
  /** The seeder super-seeds (see core/session/initial-seeding.ts). */
  superSeed: boolean;
  /** Connections per peer at most (the real client's default). */
  maxPeers: number;
  /** Leechers join at random times over this many ms (the seeder is there at 0). */
  joinWindow: number;
  /** The last this many leechers join at `lateJoinAt` ms instead: late joiners. */
  lateJoiners: number;
  lateJoinAt: number;
  seed: number;
  /** Give up after this much simulated time (ms). */
  limit: number;
  /** Stop when no leecher received a byte for this long (simulated ms): the swarm cannot finish. */
  stallAfter: number;
}

export const DEFAULT_SIM: SimOptions = {
  peers: 10,
  fileSize: 64 * 1024 * 1024,
  pieceLength: 256 * 1024,
  seederUpload: 1024 * 1024,
  peerUpload: 1024 * 1024,
  peerDownload: 4 * 1024 * 1024,
  latency: 50,
  trackerOffers: 40,
  trackers: 1,
  seederTrackers: 1,
  bridges: 0,
  relay: false,
  superSeed: false,
  maxPeers: 40,
  joinWindow: 1000,
  lateJoiners: 0,
  lateJoinAt: 0,
  seed: 1,
  limit: 24 * 3600 * 1000,
  stallAfter: 120_000,
};

export interface SimResult {
  peers: number;
  fileSize: number;
  /** Seconds until the last leecher finished (simulated); null if some never did. */
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
  /** Messages the trackers carried (announces, offers relayed, answers relayed) per peer that joined (the seeder too). */
  trackerMessagesPerPeer: number;
  tracker: TrackerCounts;
  /** Signaling carried by peers (relay on): offers, answers and refusals forwarded, peer-exchange messages. */
  relay: RelayCounts;
  /** Connections made over the run. */
  connections: number;
  /** Connections between two leechers that announce to no tracker in common. */
  crossTrackerConnections: number;
  /** Groups of peers joined by the connections made (1: one swarm). */
  components: number;
  /** Answered offers not connected because the cap was reached meanwhile. */
  dropped: number;
  /** The run stopped because nothing moved for `stallAfter`. */
  stalled: boolean;
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

/**
 * A piece assembled by reference: every block a peer sends is a view of the shared synthetic content
 * (the links do not copy, and the sessions serve the store's own copy), so the blocks are kept as
 * they came instead of copied into a 256 KiB buffer per piece per peer. `bytes` gives the shared
 * content itself when every block is the view of its own place in it and together they cover the
 * piece; otherwise (a block from elsewhere, or blocks missing) the buffer the copies would have made.
 */
class ViewAssembly implements PieceAssembly {
  private readonly blocks: Uint8Array[] = [];
  private readonly begins: number[] = [];
  /** Every block so far is the shared content at its own place. */
  private inPlace = true;
  constructor(private readonly content: Uint8Array) {}

  set(block: Uint8Array, begin: number): void {
    this.blocks.push(block);
    this.begins.push(begin);
    const c = this.content;
    if (block.buffer !== c.buffer || block.byteOffset !== c.byteOffset + begin || begin + block.length > c.length) this.inPlace = false;
  }

  bytes(): Uint8Array {
    if (this.inPlace && this.covered()) return this.content;
    const out = new Uint8Array(this.content.length);
    for (let i = 0; i < this.blocks.length; i++) out.set(this.blocks[i]!, this.begins[i]);
    return out;
  }

  /** The blocks cover the whole piece. */
  private covered(): boolean {
    const order = this.begins.map((_, i) => i).sort((a, b) => this.begins[a]! - this.begins[b]!);
    let end = 0;
    for (const i of order) {
      if (this.begins[i]! > end) return false;
      end = Math.max(end, this.begins[i]! + this.blocks[i]!.length);
    }
    return end >= this.content.length;
  }
}

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
  /** The shared synthetic bytes: the sessions keep and serve them, and reuse their piece buffers. */
  ownCopy(index: number): Uint8Array | undefined {
    return this.have.has(index) ? this.content(index) : undefined;
  }
  /** Pieces in progress are kept by reference (see ViewAssembly). */
  assemble(index: number): PieceAssembly {
    return new ViewAssembly(this.content(index));
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
 * Runs the swarm. `onProgress`, when given, is called every `progressEvery` simulated seconds (it
 * does not change the result: the check runs either way).
 */
export async function simulate(options: Partial<SimOptions> = {}, onProgress?: (p: SimProgress) => void, progressEvery = 5): Promise<SimResult> {
  const o: SimOptions = { ...DEFAULT_SIM, ...options };
  const wallStart = Date.now();
  const random = mulberry32(o.seed);
  let settles = 0;
  // process.nextTick runs once every pending promise job has run (Node drains the microtask queue
  // before its tick queue), so this settles exactly as setImmediate would, without a turn of the
  // event loop; one in 4096 still takes the turn, so that signals and output are served.
  const clock = new VirtualClock(() => new Promise<void>((r) => (++settles % 4096 === 0 ? setImmediate(r) : process.nextTick(r))));
  const net = new SimNetwork(clock, o.latency, { copy: false });
  const { metainfo, content } = await syntheticTorrent(o);
  const pieceCount = metainfo.pieces.length;

  interface Node {
    node: SimNode;
    session: TorrentSession;
    doneAt: number | undefined;
  }
  const nodes: Node[] = [];
  let finished = 0;
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
      superSeeding: seeder && o.superSeed,
    });
    const node = net.node(`n${i}`, seeder ? { upload: o.seederUpload, download: o.peerDownload } : { upload: o.peerUpload, download: o.peerDownload });
    const entry: Node = { node, session, doneAt: seeder ? 0 : undefined };
    session.on('done', () => {
      if (entry.doneAt !== undefined) return;
      entry.doneAt = clock.now();
      if (!seeder) finished++;
    });
    nodes.push(entry);
  }
  await Promise.all(nodes.map((n) => n.session.start()));

  // Who meets whom: the trackers, and with `relay` peer exchange and relayed offers.
  const k = Math.max(1, o.trackers);
  const mesh = new Mesh(
    clock,
    random,
    k,
    {
      connect: (a, b) => {
        const [ab, ba] = net.connect(nodes[a]!.node, nodes[b]!.node, () => mesh.disconnected(a, b));
        nodes[a]!.session.addPeer(ab, `n${b}`);
        nodes[b]!.session.addPeer(ba, `n${a}`);
        if (crossTracker(a, b)) crossTrackerConnections++;
      },
      seeking: (i) => i === 0 || nodes[i]!.doneAt === undefined,
      starving: (i) => nodes[i]!.session.starving,
      makeRoom: (i) => {
        const closed = nodes[i]!.session.makeRoom();
        if (closed !== undefined) mesh.disconnected(i, Number(closed.slice(1)));
        return closed !== undefined;
      },
    },
    { trackerOffers: o.trackerOffers, maxPeers: o.maxPeers, latency: o.latency, relay: o.relay },
  );
  const trackersOf = nodes.map((_, i) => {
    if (i === 0) return Array.from({ length: Math.min(k, Math.max(1, o.seederTrackers)) }, (_, t) => t);
    const b = i - 1;
    return b < o.bridges && k > 1 ? [b % k, (b + 1) % k] : [b % k];
  });
  for (const ts of trackersOf) mesh.add(ts);
  // The seeder is there first; the leechers arrive over `joinWindow` (all at one instant, each
  // would answer the offers of the others before its own answers are back: see mesh.ts).
  mesh.join(0);
  for (let i = 1; i < nodes.length; i++) clock.setTimeout(() => mesh.join(i), i > o.peers - o.lateJoiners ? o.lateJoinAt : random() * o.joinWindow);
  for (let i = 1; i < nodes.length; i++) nodes[i]!.session.on('done', () => mesh.completed(i));
  const crossTracker = (a: number, b: number): boolean => a !== 0 && b !== 0 && !trackersOf[a]!.some((t) => trackersOf[b]!.includes(t));
  let crossTrackerConnections = 0;

  const leechers = nodes.slice(1);
  const received = (): number => leechers.reduce((sum, n) => sum + n.session.downloaded, 0);
  // Every 5 simulated seconds: progress, and whether anything still moves.
  let stalled = false;
  let lastReceived = -1;
  let lastMoved = 0;
  const check = (): void => {
    const bytes = received();
    if (bytes !== lastReceived) {
      lastReceived = bytes;
      lastMoved = clock.now();
    } else if (clock.now() - lastMoved >= o.stallAfter) stalled = true;
    onProgress?.({
      seconds: clock.now() / 1000,
      finished,
      peers: leechers.length,
      fraction: Math.min(1, bytes / (o.fileSize * leechers.length)),
      wallMs: Date.now() - wallStart,
    });
    if (finished < leechers.length && !stalled) clock.setTimeout(check, progressEvery * 1000);
  };
  clock.setTimeout(check, progressEvery * 1000);
  // Between instants: a promise job that sets a tick runs after the jobs the instant started, and
  // the tick after every one of theirs (see VirtualClock.runScheduled); one in 4096 takes a turn of
  // the event loop instead, as `settle` does.
  const resolved = Promise.resolve();
  let nextInstant = (): void => {};
  const afterJobs = (): void => {
    if (++settles % 4096 === 0) setImmediate(nextInstant);
    else process.nextTick(nextInstant);
  };
  const schedule = (next: () => void): void => {
    nextInstant = next;
    void resolved.then(afterJobs);
  };
  await clock.runScheduled(() => finished === leechers.length || stalled, o.limit, schedule);
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
  const tracker = mesh.trackerCounts();
  return {
    peers: o.peers,
    fileSize: o.fileSize,
    completionTime: round(completion),
    bound: round(bound),
    ratioToBound: round(completion / bound),
    finished: finishedTimes.length,
    seederUploadRatio: round(nodes[0]!.session.uploaded / o.fileSize),
    wasteRatio: round(downloaded > 0 ? wasted / downloaded : 0),
    trackerMessagesPerPeer: round(messagesOf(tracker) / nodes.length),
    tracker,
    relay: { ...mesh.relay },
    connections: mesh.connections,
    crossTrackerConnections,
    components: mesh.components(),
    dropped: mesh.dropped,
    stalled,
    wallMs: Date.now() - wallStart,
  };
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}
