/** A TrackerClient on a virtual clock with fake sockets and fake peers, for the client tests. */
import { VirtualClock } from '../../src/core/session/clock.js';
import { TrackerClient, type TrackerClientOptions } from '../../src/core/tracker/client.js';
import type { AnnouncedTorrent, TorrentRegistration, TrackerEvent, TransferStats } from '../../src/core/tracker/types.js';
import { bid, bytesOf, FakeFactory, FakeNet, FakeRegistry, FakeSocket, type FakePeer, type Sent, type SocketBehaviour } from './fakes.js';

export const SELF = bid(0x53); // 'S' × 20
export const IH1 = bid(0x01);
export const IH2 = bid(0x02);
export const URL1 = 'wss://one.example/announce';
export const URL2 = 'wss://two.example/announce';

const settle = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

export function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Connected {
  infoHash: string;
  peer: FakePeer;
  remote: string;
}

export interface TestTorrent {
  handle: AnnouncedTorrent;
  stats: TransferStats;
  wants: number;
  /** What `starving()` says (see TorrentRegistration). */
  starving: boolean;
  /** What `makeRoom()` says, and how often it was asked (see TorrentRegistration). */
  roomMade: boolean;
  makeRoomCalls: number;
}

export class Harness {
  readonly clock = new VirtualClock(settle);
  readonly net: FakeNet;
  readonly registry = new FakeRegistry();
  readonly factory = new FakeFactory('L', this.registry);
  /** A factory standing for the remote peers (it makes their answers and offers). */
  readonly remote = new FakeFactory('R', this.registry);
  readonly events: TrackerEvent[] = [];
  readonly connected: Connected[] = [];
  /** What onPeerFailed was told. */
  readonly failures: { infoHash: string; reason: string }[] = [];
  readonly client: TrackerClient<FakePeer>;

  constructor(options: Partial<TrackerClientOptions<FakePeer>> = {}, behaviour?: (url: string) => SocketBehaviour) {
    this.net = new FakeNet(this.clock, behaviour);
    this.client = new TrackerClient<FakePeer>({
      peerId: bytesOf(SELF),
      connect: this.net.connect,
      peers: this.factory,
      clock: this.clock,
      random: mulberry(1),
      onPeer: (ih, peer, remote) => this.connected.push({ infoHash: String.fromCharCode(...ih), peer, remote: String.fromCharCode(...remote) }),
      onEvent: (e) => this.events.push(e),
      onPeerFailed: (ih, reason) => this.failures.push({ infoHash: String.fromCharCode(...ih), reason }),
      ...options,
    });
  }

  add(infoHash: string, wants: number, opts: { trackers?: string[]; left?: number } = {}): TestTorrent {
    const t: TestTorrent = {
      handle: undefined as unknown as AnnouncedTorrent,
      stats: { uploaded: 0, downloaded: 0, left: opts.left ?? 1000 },
      wants,
      starving: false,
      roomMade: false,
      makeRoomCalls: 0,
    };
    const reg: TorrentRegistration = {
      infoHash: bytesOf(infoHash),
      trackers: opts.trackers ?? [URL1],
      stats: () => t.stats,
      wantsPeers: () => t.wants,
      starving: () => t.starving,
      makeRoom: () => (t.makeRoomCalls++, t.roomMade),
    };
    t.handle = this.client.announce(reg);
    return t;
  }

  /** Advances virtual time by `ms`, running due timers and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    this.clock.setTimeout(() => undefined, ms);
    await this.clock.run(() => false, target);
  }

  async settle(): Promise<void> {
    await this.advance(0);
  }

  socket(url = URL1): FakeSocket {
    return this.net.last(url);
  }

  /** Plays the tracker: answers one of our offers as remote peer `remoteId`. */
  async answerOffer(socket: FakeSocket, entry: Sent, remoteId: string, infoHash = IH1): Promise<void> {
    const offer = entry['offer'] as { type: 'offer'; sdp: string };
    const { answer } = await this.remote.acceptOffer(offer);
    socket.receive({ action: 'announce', answer, offer_id: entry['offer_id'], peer_id: remoteId, info_hash: infoHash });
    await this.settle();
  }

  /** Plays the tracker: relays an offer from remote peer `remoteId`. */
  async relayOffer(socket: FakeSocket, remoteId: string, infoHash = IH1, offerId = bid(0x90 + socket.sent.length)): Promise<FakePeer> {
    const { offer, peer } = await this.remote.createOffer();
    socket.receive({ action: 'announce', offer, offer_id: offerId, peer_id: remoteId, info_hash: infoHash });
    await this.settle();
    return peer;
  }

  warnings(kind?: string): Extract<TrackerEvent, { type: 'warning' }>[] {
    return this.events.filter((e): e is Extract<TrackerEvent, { type: 'warning' }> => e.type === 'warning' && (kind === undefined || e.kind === kind));
  }
}

/** The offers of an announce as sent. */
export function offersOf(msg: Sent | undefined): Sent[] {
  return (msg?.['offers'] as Sent[] | undefined) ?? [];
}

/** Plays the remote offerer: takes our answer to its offer and connects. False if we never answered. */
export async function takeAnswer(h: Harness, socket: FakeSocket, remotePeer: FakePeer): Promise<boolean> {
  const msg = socket.answers().find((m) => (m['answer'] as { sdp: string }).sdp.endsWith(`:${remotePeer.id}`));
  if (!msg) return false;
  remotePeer.signal(msg['answer'] as { type: 'answer'; sdp: string });
  await h.settle();
  return true;
}
