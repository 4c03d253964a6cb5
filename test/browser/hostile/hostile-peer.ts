/**
 * A hostile BitTorrent peer that runs in a browser page (loaded from the Vite dev server, see
 * page-harness.ts) and reaches its victim the way any peer would: it announces to the real WebSocket
 * tracker, answers the victim's relayed WebRTC offer with the browser's own RTCPeerConnection (no ICE
 * servers), and then speaks raw peer wire bytes over the data channel, scripted to misbehave.
 *
 * One page plays one behaviour per torrent (see {@link BEHAVIOURS}); it answers only offers from the
 * peer id it is told to target, so an honest seeder in the same swarm never talks to it. It records
 * what happened on each connection (who closed it, what it received, whether the attack was made)
 * for the test to check.
 */
import { createTorrent, type CreatedTorrent } from '../../../src/core/create.js';
import { decode, encode } from '../../../src/core/bencode.js';
import { parseInfoDict } from '../../../src/core/metainfo.js';
import { formatMagnet } from '../../../src/core/magnet.js';
import { concatBytes, fromBinaryString, toBinaryString, toHex } from '../../../src/core/bytes.js';
import {
  METADATA_PIECE,
  WireDecoder,
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  type WireEvent,
  type WireMessage,
} from '../../../src/core/wire/index.js';
import { frame } from '../../fixtures/frames.js';

export const BEHAVIOURS = [
  'corrupt-blocks',
  'unrequested-blocks',
  'wrong-piece-index',
  'frame-length-2^31',
  'bitfield-wrong-length',
  'bitfield-spare-bits',
  'have-out-of-range',
  'request-flood',
  'request-too-large',
  'metadata-wrong-total-size',
  'metadata-wrong-hash',
  'metadata-bomb',
  'garbage-extended-handshake',
  'never-unchoke',
  'disconnect-mid-piece',
  'one-byte-per-second',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface CaseSpec {
  tracker: string;
  behaviour: Behaviour;
  /** The file: makeData(size, seed), named `name`, in pieces of `pieceLength`. */
  name: string;
  size: number;
  seed: number;
  pieceLength: number;
  /**
   * No data: the torrent's info dictionary is made by hand, with piece hashes that match nothing, so
   * that a torrent of gigabytes costs nothing to make (for attacks that need no honest data).
   */
  sparse?: boolean;
}

export interface Prepared {
  infoHash: string;
  magnet: string;
  /** The hostile peer's id (hex): what the victim names it by. */
  peerId: string;
  /** SHA-256 of the file, hex. */
  sha256: string;
  pieceCount: number;
}

export interface ConnectionReport {
  /** The remote peer id (hex) from the tracker. */
  remote: string;
  /** ms since prepare() when the data channel opened, or null. */
  openedMs: number | null;
  /** The victim's handshake arrived. */
  handshake: boolean;
  /** The scripted misbehaviour has been carried out (sent, or refused in the case of never-unchoke). */
  attacked: boolean;
  attackedMs: number | null;
  /** Who closed the connection first, if it is closed. */
  closedBy: 'remote' | 'self' | null;
  closedMs: number | null;
  /** Messages received, by type. */
  received: Record<string, number>;
  bytesSent: number;
  /** The first sends: their first bytes and when (debugging aid). */
  sent: string[];
}

export interface HostileReport {
  peerId: string;
  offersSeen: number;
  offersAnswered: number;
  connections: ConnectionReport[];
  errors: string[];
}

/** The extension id the hostile peer asks victims to use for ut_metadata messages to it. */
const OUR_METADATA_ID = 3;
const BLOCK = 16 * 1024;

/** The same bytes as the pages' makeData (xorshift32, four bytes per step). */
export function makeData(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    data[i] = x & 255;
    if (i + 1 < size) data[i + 1] = (x >>> 8) & 255;
    if (i + 2 < size) data[i + 2] = (x >>> 16) & 255;
    if (i + 3 < size) data[i + 3] = x >>> 24;
  }
  return data;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A torrent of `spec.size` bytes whose data nobody has (see CaseSpec.sparse). */
async function sparseTorrent(spec: CaseSpec): Promise<CreatedTorrent> {
  const count = Math.ceil(spec.size / spec.pieceLength);
  const infoBytes = encode({ length: spec.size, name: spec.name, 'piece length': spec.pieceLength, pieces: new Uint8Array(20 * count).fill(0x5a) });
  const metainfo = await parseInfoDict(infoBytes);
  const magnetURI = formatMagnet({ infoHash: metainfo.infoHash, name: spec.name, announce: [spec.tracker] });
  const torrentFile = encode({ announce: spec.tracker, info: decode(infoBytes) });
  return {
    version: 'v1',
    infoHash: metainfo.infoHash,
    infoHashBytes: metainfo.infoHashBytes,
    files: [],
    torrentFile,
    magnetURI,
    pieceLength: spec.pieceLength,
    length: spec.size,
    metainfo,
  };
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** What a connection needs from the page's peer. */
interface Host {
  readonly behaviour: Behaviour;
  readonly torrent: CreatedTorrent;
  readonly data: Uint8Array;
  readonly peerIdBytes: Uint8Array;
  elapsed(): number;
  error(text: string): void;
}

/** One WebRTC connection to the victim, and the script it plays. */
class Connection {
  readonly report: ConnectionReport;
  private channel: RTCDataChannel | undefined;
  private readonly decoder = new WireDecoder();
  private remoteFast = false;
  private remoteMetadataId = 0;
  private requestsAnswered = 0;
  private triggered = false;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];

  constructor(
    private readonly host: Host,
    readonly pc: RTCPeerConnection,
    remote: string,
  ) {
    this.report = {
      remote,
      openedMs: null,
      handshake: false,
      attacked: false,
      attackedMs: null,
      closedBy: null,
      closedMs: null,
      received: {},
      bytesSent: 0,
      sent: [],
    };
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.closed('remote');
    });
  }

  attach(channel: RTCDataChannel): void {
    this.channel = channel;
    channel.binaryType = 'arraybuffer';
    // Our handshake goes out once the victim's first bytes arrive (its handshake: every client sends
    // it as soon as its channel opens), or a second after the channel opened. Not at once: a message
    // the answering side sends the moment its channel appears is sometimes lost by Chromium on the
    // offering side (seen in about 1 of 8 connections), which would make every case a lost handshake.
    const hello = (): void => {
      if (this.report.openedMs !== null) return;
      this.report.openedMs = this.host.elapsed();
      this.send(encodeHandshake({ infoHash: this.host.torrent.infoHashBytes, peerId: this.host.peerIdBytes, extensions: { extended: true, fast: true } }));
    };
    const opened = (): void => this.after(1000, hello);
    if (channel.readyState === 'open') opened();
    else channel.addEventListener('open', opened);
    channel.addEventListener('close', () => this.closed('remote'));
    channel.addEventListener('message', (e: MessageEvent<unknown>) => {
      hello();
      if (!(e.data instanceof ArrayBuffer) || this.decoder.failure) return;
      let events: WireEvent[];
      try {
        events = this.decoder.push(new Uint8Array(e.data));
      } catch (err) {
        this.host.error(`could not decode the victim's bytes: ${message(err)}`);
        return;
      }
      for (const event of events) {
        try {
          this.onEvent(event);
        } catch (err) {
          this.host.error(`script failed on ${event.type}: ${message(err)}`);
        }
      }
    });
  }

  /** Closes the connection from this side. */
  close(): void {
    this.closed('self');
    for (const t of this.timers) clearTimeout(t);
    try {
      this.channel?.close();
      this.pc.close();
    } catch {
      // already closed
    }
  }

  private closed(by: 'remote' | 'self'): void {
    if (this.report.closedBy) return;
    this.report.closedBy = by;
    this.report.closedMs = this.host.elapsed();
    for (const t of this.timers) clearTimeout(t);
  }

  private send(bytes: Uint8Array): void {
    const channel = this.channel;
    if (!channel || channel.readyState !== 'open' || this.report.closedBy) return;
    channel.send(bytes as Uint8Array<ArrayBuffer>);
    this.report.bytesSent += bytes.length;
    if (this.report.sent.length < 8)
      this.report.sent.push(`${[...bytes.subarray(0, 6)].join(',')} (${bytes.length}) @${this.host.elapsed()} ${channel.readyState}`);
  }

  private sendMessage(msg: WireMessage): void {
    this.send(encodeMessage(msg));
  }

  private after(ms: number, fn: () => void): void {
    this.timers.push(
      setTimeout(() => {
        try {
          fn();
        } catch (err) {
          this.host.error(`timer failed: ${message(err)}`);
        }
      }, ms),
    );
  }

  private attacked(): void {
    if (this.report.attacked) return;
    this.report.attacked = true;
    this.report.attackedMs = this.host.elapsed();
  }

  private get pieceCount(): number {
    return this.host.torrent.metainfo.pieces.length;
  }

  // ---- honest parts -----------------------------------------------------------------------------

  private extendedHandshake(metadataSize = this.host.torrent.metainfo.infoBytes.length): void {
    this.sendMessage({ type: 'extended', extId: 0, payload: encodeExtendedHandshake({ m: { ut_metadata: OUR_METADATA_ID }, metadata_size: metadataSize }) });
  }

  private haveAll(): void {
    if (this.remoteFast) return this.sendMessage({ type: 'haveAll' });
    const bits = new Uint8Array(Math.ceil(this.pieceCount / 8));
    for (let i = 0; i < this.pieceCount; i++) bits[i >> 3]! |= 0x80 >> (i & 7);
    this.sendMessage({ type: 'bitfield', bits });
  }

  private haveNone(): void {
    if (this.remoteFast) this.sendMessage({ type: 'haveNone' });
  }

  private block(index: number, begin: number, length: number): Uint8Array {
    const start = index * this.host.torrent.pieceLength + begin;
    return this.host.data.subarray(start, start + length);
  }

  private sendMetadata(piece: number, transform?: (data: Uint8Array, totalSize: number) => { totalSize: number; data: Uint8Array }): void {
    const info = this.host.torrent.metainfo.infoBytes;
    const start = piece * METADATA_PIECE;
    if (this.remoteMetadataId === 0 || start >= info.length) return;
    const honest = { totalSize: info.length, data: info.subarray(start, Math.min(info.length, start + METADATA_PIECE)) };
    const { totalSize, data } = transform ? transform(honest.data, honest.totalSize) : honest;
    const dict = encode({ msg_type: 1, piece, total_size: totalSize });
    this.sendMessage({ type: 'extended', extId: this.remoteMetadataId, payload: concatBytes([dict, data]) });
  }

  // ---- the script -------------------------------------------------------------------------------

  private onEvent(e: WireEvent): void {
    this.report.received[e.type] = (this.report.received[e.type] ?? 0) + 1;
    switch (e.type) {
      case 'handshake':
        this.report.handshake = true;
        this.remoteFast = e.extensions.fast;
        return this.onHandshake();
      case 'extended':
        if (e.extId === 0) {
          try {
            this.remoteMetadataId = decodeExtendedHandshake(e.payload).m['ut_metadata'] ?? 0;
          } catch (err) {
            this.host.error(`the victim's extended handshake did not decode: ${message(err)}`);
          }
        } else if (e.extId === OUR_METADATA_ID) {
          const msg = decodeMetadataMessage(e.payload);
          if (msg.msgType === 0) this.onMetadataRequest(msg.piece);
        }
        return;
      case 'interested':
        return this.onInterested();
      case 'have':
        return this.onVictimHas(e.index);
      case 'haveAll':
        return this.onVictimHas(0);
      case 'bitfield': {
        const first = [...e.bits].findIndex((b) => b !== 0);
        if (first >= 0) this.onVictimHas(first * 8 + Math.clz32(e.bits[first]!) - 24);
        return;
      }
      case 'request':
        return this.onRequest(e.index, e.begin, e.length);
      default:
        return;
    }
  }

  private onHandshake(): void {
    switch (this.host.behaviour) {
      case 'frame-length-2^31':
        this.send(new Uint8Array([0x80, 0, 0, 0, 7, 1, 2, 3]));
        return this.attacked();
      case 'garbage-extended-handshake':
        this.send(frame(20, new Uint8Array([0, 0x64, 0x69, 0xff, 0x3a, 0x00, 0x13])));
        return this.attacked();
      case 'bitfield-wrong-length':
        this.extendedHandshake();
        this.sendMessage({ type: 'bitfield', bits: new Uint8Array(Math.ceil(this.pieceCount / 8) + 3).fill(0xff) });
        return this.attacked();
      case 'bitfield-spare-bits':
        this.extendedHandshake();
        this.sendMessage({ type: 'bitfield', bits: new Uint8Array(Math.ceil(this.pieceCount / 8)).fill(0xff) });
        return this.attacked();
      case 'have-out-of-range':
        this.extendedHandshake();
        this.sendMessage({ type: 'have', index: 1_000_000 });
        return this.attacked();
      case 'metadata-bomb':
        this.extendedHandshake(1_000_000_000);
        this.haveAll();
        return this.attacked();
      case 'unrequested-blocks':
        this.extendedHandshake();
        return this.haveNone();
      case 'request-flood':
      case 'request-too-large':
        this.extendedHandshake();
        this.haveNone();
        return this.sendMessage({ type: 'interested' });
      case 'never-unchoke':
      case 'wrong-piece-index':
      case 'metadata-wrong-total-size':
      case 'metadata-wrong-hash':
        this.extendedHandshake();
        return this.haveAll();
      case 'corrupt-blocks':
      case 'disconnect-mid-piece':
      case 'one-byte-per-second':
        this.extendedHandshake();
        this.haveAll();
        return this.sendMessage({ type: 'unchoke' });
    }
  }

  private onMetadataRequest(piece: number): void {
    const info = this.host.torrent.metainfo.infoBytes;
    switch (this.host.behaviour) {
      case 'metadata-wrong-total-size':
        // A whole 16 KiB piece of a claimed 5 MB info dictionary, for a smaller one announced.
        this.sendMetadata(piece, (data) => ({ totalSize: 5_000_000, data: concatBytes([data, new Uint8Array(METADATA_PIECE - data.length)]) }));
        return this.attacked();
      case 'metadata-wrong-hash':
        this.sendMetadata(piece, (data, totalSize) => ({ totalSize, data: new Uint8Array(data.length).fill(0x61) }));
        return this.attacked();
      default:
        this.sendMetadata(piece);
        // Once the victim has the whole info dictionary, it knows the pieces: time for blocks it never asked for.
        if (this.host.behaviour === 'unrequested-blocks' && (piece + 1) * METADATA_PIECE >= info.length) this.after(500, () => this.sendUnrequested());
    }
  }

  private sendUnrequested(): void {
    // Whole blocks inside the torrent (the last piece is left out: a full block would not fit in it).
    const garbage = new Uint8Array(BLOCK).fill(0x42);
    const pieces = Math.max(1, this.pieceCount - 1);
    for (let i = 0; i < 200; i++) this.sendMessage({ type: 'piece', index: i % pieces, begin: 0, block: garbage });
    this.attacked();
  }

  private onInterested(): void {
    switch (this.host.behaviour) {
      case 'never-unchoke':
        // It wants data, and is never let in.
        return this.attacked();
      case 'wrong-piece-index':
        this.sendMessage({ type: 'unchoke' });
        this.sendMessage({ type: 'piece', index: 9_999, begin: 0, block: new Uint8Array(BLOCK).fill(0x42) });
        return this.attacked();
      case 'unrequested-blocks':
        // A victim that has the metadata from elsewhere (WebTorrent asks only once) is attacked now.
        if (!this.report.attacked) this.sendUnrequested();
        return;
      default:
        return;
    }
  }

  /** The victim has piece `index`: now requests for it can be served, so flood them. */
  private onVictimHas(index: number): void {
    if (this.triggered) return;
    const behaviour = this.host.behaviour;
    if (behaviour !== 'request-flood' && behaviour !== 'request-too-large') return;
    this.triggered = true;
    if (behaviour === 'request-too-large') {
      this.sendMessage({ type: 'request', index, begin: 0, length: 256 * 1024 });
    } else {
      const blocks = Math.max(1, Math.floor(this.host.torrent.pieceLength / BLOCK));
      const many: Uint8Array[] = [];
      for (let i = 0; i < 10_000; i++) many.push(encodeMessage({ type: 'request', index, begin: (i % blocks) * BLOCK, length: BLOCK }));
      this.send(concatBytes(many));
    }
    this.attacked();
  }

  private onRequest(index: number, begin: number, length: number): void {
    if (index >= this.pieceCount || length > 128 * 1024) return;
    switch (this.host.behaviour) {
      case 'corrupt-blocks':
        this.sendMessage({ type: 'piece', index, begin, block: new Uint8Array(length).fill(0x42) });
        return this.attacked();
      case 'disconnect-mid-piece': {
        // Two honest blocks of the first piece asked for, then gone.
        if (this.requestsAnswered >= 2) return;
        this.sendMessage({ type: 'piece', index, begin, block: this.block(index, begin, length) });
        if (++this.requestsAnswered === 2) {
          this.attacked();
          this.after(50, () => this.close());
        }
        return;
      }
      case 'one-byte-per-second': {
        if (this.requestsAnswered++ > 0) return;
        const bytes = encodeMessage({ type: 'piece', index, begin, block: this.block(index, begin, length) });
        let at = 0;
        const drip = (): void => {
          if (at >= bytes.length) return;
          this.send(bytes.subarray(at, ++at));
          this.after(1000, drip);
        };
        drip();
        return this.attacked();
      }
      default:
        return;
    }
  }
}

/** The hostile peer of one page: one torrent, one behaviour, one tracker socket at a time. */
export class HostilePeer implements Host {
  behaviour: Behaviour = 'corrupt-blocks';
  torrent!: CreatedTorrent;
  data: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  readonly peerIdBytes: Uint8Array;
  private socket: WebSocket | undefined;
  private target: string | undefined;
  private readonly connections: Connection[] = [];
  private readonly errors: string[] = [];
  private offersSeen = 0;
  private offersAnswered = 0;
  private t0 = performance.now();

  constructor() {
    this.peerIdBytes = new Uint8Array(20);
    this.peerIdBytes.set(new TextEncoder().encode('-HX0001-'));
    crypto.getRandomValues(this.peerIdBytes.subarray(8));
  }

  get peerId(): string {
    return toHex(this.peerIdBytes);
  }

  elapsed(): number {
    return Math.round(performance.now() - this.t0);
  }

  error(text: string): void {
    if (this.errors.length < 100) this.errors.push(text);
  }

  /** Creates the case's torrent and announces it to the tracker (it answers no offer before `attack`). */
  async prepare(spec: CaseSpec): Promise<Prepared> {
    this.stop();
    this.t0 = performance.now();
    this.behaviour = spec.behaviour;
    this.target = undefined;
    this.offersSeen = 0;
    this.offersAnswered = 0;
    this.connections.length = 0;
    this.errors.length = 0;
    this.data = spec.sparse ? new Uint8Array(0) : makeData(spec.size, spec.seed);
    this.torrent = spec.sparse
      ? await sparseTorrent(spec)
      : await createTorrent([{ path: spec.name, data: this.data }], { pieceLength: spec.pieceLength, announce: [spec.tracker] });
    await this.connect(spec.tracker);
    return {
      infoHash: this.torrent.infoHash,
      magnet: this.torrent.magnetURI,
      peerId: this.peerId,
      sha256: await sha256Hex(this.data),
      pieceCount: this.torrent.metainfo.pieces.length,
    };
  }

  /** The case's .torrent file. */
  torrentFileBytes(): Uint8Array {
    return this.torrent.torrentFile;
  }

  /** From now on, offers from the peer `peerId` (hex) are answered, and it is attacked. */
  attack(peerId: string): void {
    this.target = peerId.toLowerCase();
  }

  report(): HostileReport {
    return {
      peerId: this.peerId,
      offersSeen: this.offersSeen,
      offersAnswered: this.offersAnswered,
      connections: this.connections.map((c) => ({ ...c.report, received: { ...c.report.received }, sent: [...c.report.sent] })),
      errors: [...this.errors],
    };
  }

  /** Leaves the swarm: closes every connection and the tracker socket. */
  stop(): void {
    for (const c of this.connections) c.close();
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    if (socket.readyState === WebSocket.OPEN && this.torrent) socket.send(JSON.stringify(this.announce('stopped')));
    socket.close();
  }

  private announce(event?: 'started' | 'stopped'): Record<string, unknown> {
    return {
      action: 'announce',
      info_hash: toBinaryString(this.torrent.infoHashBytes),
      peer_id: toBinaryString(this.peerIdBytes),
      numwant: 0,
      uploaded: 0,
      downloaded: 0,
      left: 0,
      ...(event ? { event } : {}),
      offers: [],
    };
  }

  private async connect(url: string): Promise<void> {
    const socket = new WebSocket(url);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`the tracker ${url} could not be reached`)), { once: true });
    });
    socket.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (typeof e.data !== 'string') return;
      void this.onTrackerMessage(socket, e.data).catch((err: unknown) => this.error(`tracker message: ${message(err)}`));
    });
    socket.send(JSON.stringify(this.announce('started')));
  }

  private async onTrackerMessage(socket: WebSocket, text: string): Promise<void> {
    const msg = JSON.parse(text) as Record<string, unknown>;
    const offer = msg['offer'] as { type?: unknown; sdp?: unknown } | undefined;
    const offerId = msg['offer_id'];
    const from = typeof msg['peer_id'] === 'string' ? fromBinaryString(msg['peer_id']) : undefined;
    if (!offer || typeof offer.sdp !== 'string' || typeof offerId !== 'string' || !from) return;
    if (msg['info_hash'] !== toBinaryString(this.torrent.infoHashBytes)) return;
    this.offersSeen++;
    const remote = toHex(from);
    if (remote !== this.target) return;
    const pc = new RTCPeerConnection({ iceServers: [] });
    const connection = new Connection(this, pc, remote);
    this.connections.push(connection);
    pc.addEventListener('datachannel', (e: RTCDataChannelEvent) => connection.attach(e.channel));
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    if (socket.readyState !== WebSocket.OPEN || !pc.localDescription) return;
    socket.send(
      JSON.stringify({
        ...this.announce(),
        to_peer_id: msg['peer_id'],
        answer: { type: 'answer', sdp: pc.localDescription.sdp },
        offer_id: offerId,
      }),
    );
    this.offersAnswered++;
  }
}
