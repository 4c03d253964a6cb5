/** A `Peer` over a test channel: messages from the remote side are delivered as wire bytes, what it sends is decoded. */
import { Peer, type PeerEvent } from '../../../src/core/session/peer.js';
import { Requester } from '../../../src/core/session/requester.js';
import type { Clock } from '../../../src/core/session/clock.js';
import type { PeerChannel } from '../../../src/core/session/channel.js';
import { encodeHandshake, encodeMessage, WireDecoder, type WireEvent, type WireMessage } from '../../../src/core/wire/index.js';

export interface WiredPeer {
  peer: Peer;
  channel: PeerChannel & { drain(): void };
  /** What the peer sent, decoded. */
  sent: WireEvent[];
  /** What it reported to its session. */
  events: PeerEvent[];
  /** Messages from the remote peer. */
  deliver(...messages: WireMessage[]): void;
}

export function wiredPeer(o: {
  id: string;
  clock: Clock;
  pieceCount?: number;
  backup?: boolean;
  /** The remote handshake's Fast Extension bit (default true); no handshake at all with `handshake: false`. */
  fast?: boolean;
  handshake?: boolean;
  onEvent?: (peer: Peer, e: PeerEvent) => void;
}): WiredPeer {
  const decoder = new WireDecoder({ handshake: false });
  const sent: WireEvent[] = [];
  const events: PeerEvent[] = [];
  let buffered = 0;
  const channel = {
    onData: undefined as ((d: Uint8Array) => void) | undefined,
    onClose: undefined,
    onDrain: undefined as (() => void) | undefined,
    lowWaterMark: 0,
    get bufferedAmount() {
      return buffered;
    },
    send(data: Uint8Array) {
      buffered += data.length;
      sent.push(...decoder.push(data));
    },
    close() {},
    drain() {
      buffered = 0;
      channel.onDrain?.();
    },
  };
  const peer = new Peer({
    id: o.id,
    channel,
    clock: o.clock,
    pieceCount: o.pieceCount,
    backup: o.backup,
    onEvent: (p, e) => {
      events.push(e);
      o.onEvent?.(p, e);
    },
  });
  const deliver = (...messages: WireMessage[]): void => {
    for (const m of messages) channel.onData!(encodeMessage(m));
  };
  if (o.handshake !== false) {
    channel.onData!(
      encodeHandshake({
        infoHash: new Uint8Array(20),
        peerId: new Uint8Array(20).fill(o.id.charCodeAt(0)),
        extensions: { extended: true, fast: o.fast ?? true },
      }),
    );
  }
  return { peer, channel, sent, events, deliver };
}

/** A requester over a map of peers, with the session's pipeline and time-out; `drop` records dropped peers. */
export function testRequester(o: {
  clock: Clock;
  peers: Map<string, Peer>;
  criticalPieces?: () => readonly number[];
  drop: (peer: Peer, reason: string) => void;
}) {
  return new Requester({
    clock: o.clock,
    maxPipeline: 160,
    requestTimeout: 30_000,
    peers: () => o.peers.values(),
    peer: (id) => o.peers.get(id),
    criticalPieces: o.criticalPieces ?? (() => []),
    drop: o.drop,
  });
}
