/**
 * WebRTC transport: one data channel per peer through simple-peer (trickle ICE off, so one whole SDP
 * each way through the tracker, as WebTorrent does), adapted to the engine's byte-stream `PeerChannel`
 * with backpressure (./channel.ts).
 *
 * simple-peer's lite entry takes RTCPeerConnection from webrtc-polyfill: the browser's own in a
 * browser, node-datachannel in Node. Nothing here throws out of an event handler: every failure
 * closes the peer, and `closeReason` tells why.
 */
import SimplePeer from '@thaunknown/simple-peer/lite.js';
import type { PeerChannel } from '../core/session/channel.js';
import { errorMessage } from '../core/errors.js';
import type { AnswerDescription, OfferDescription } from '../core/tracker/messages.js';
import type { PeerFactory, SignalingPeer } from '../core/tracker/types.js';
import { DataChannelAdapter } from './channel.js';
import { dataChannelOf, iceCompleteOf, markIceComplete } from './simple-peer-internals.js';

/** How long to wait for the local SDP (ICE gathering) before giving up on an attempt. */
export const SIGNAL_TIMEOUT_MS = 15_000;
/**
 * Without STUN/TURN servers, the SDP goes out this long after the first local candidate instead of
 * when gathering completes. Chromium gathers the UDP host candidates of every interface at once
 * (within a few ms) and completes ~125 ms later, after a TCP step that a connection between two
 * tabs never needs: each side of every connection waited that long before its offer or answer left.
 * With servers, their (server-reflexive, relay) candidates are worth the wait: gathering completes.
 */
export const HOST_ONLY_GATHER_MS = 40;

export interface WebRtcPeerOptions {
  initiator: boolean;
  /** STUN/TURN servers; [] for none (never left to simple-peer's default, which names public ones). */
  iceServers: RTCIceServer[];
  channelConfig?: RTCDataChannelInit;
  /** Default SIGNAL_TIMEOUT_MS. */
  signalTimeoutMs?: number;
  /** false: ignore the channel's `bufferedamountlow` event and poll `bufferedAmount` (for tests). */
  lowBufferEvent?: boolean;
}

export type LocalDescription = OfferDescription | AnswerDescription;

export class WebRtcPeer implements SignalingPeer {
  readonly initiator: boolean;
  /** Resolves once the data channel is open; rejects if the peer closes first. */
  readonly connected: Promise<void>;
  /** Resolves once the peer is closed or destroyed, for any reason. */
  readonly closed: Promise<void>;
  /** Why the peer closed: undefined while open; 'destroyed' after `destroy()`. */
  closeReason: string | undefined;

  private readonly sp: SimplePeer;
  private readonly description: Promise<LocalDescription>;
  private readonly lowBufferEvent: boolean;
  /** The byte channel; bytes that arrive before 'connect' (the remote may send as soon as its channel opens) wait in it. */
  private readonly adapter: DataChannelAdapter;
  private isConnected = false;
  private isClosed = false;
  private signalTimer: ReturnType<typeof setTimeout> | undefined;
  private resolveClosed!: () => void;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: Error) => void;
  private resolveDescription!: (d: LocalDescription) => void;
  private rejectDescription!: (e: Error) => void;

  constructor(options: WebRtcPeerOptions) {
    this.initiator = options.initiator;
    this.lowBufferEvent = options.lowBufferEvent ?? true;
    this.closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.description = new Promise<LocalDescription>((resolve, reject) => {
      this.resolveDescription = resolve;
      this.rejectDescription = reject;
    });
    this.connected.catch(() => undefined);
    this.description.catch(() => undefined);

    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below needs this peer, not the object literal
    const self = this;
    this.adapter = new DataChannelAdapter(
      {
        send: (data) => self.sp.send(data),
        get bufferedAmount() {
          return self.sp.bufferSize;
        },
        close: () => this.destroy(),
        lowBufferEvents: undefined,
      },
      {
        onHandlerError: (e) => {
          this.closeReason ??= `channel handler threw: ${errorMessage(e)}`;
        },
      },
    );
    this.sp = new SimplePeer({
      initiator: options.initiator,
      trickle: false,
      config: { iceServers: options.iceServers },
      ...(options.iceServers.length === 0 ? { iceCompleteTimeout: HOST_ONLY_GATHER_MS } : {}),
      ...(options.channelConfig ? { channelConfig: options.channelConfig } : {}),
    });
    const timeout = options.signalTimeoutMs ?? SIGNAL_TIMEOUT_MS;
    this.signalTimer = setTimeout(() => this.onClosed(`no local WebRTC description within ${timeout} ms`), timeout);

    this.sp.on('signal', (data) => this.guard(() => this.onSignal(data)));
    this.sp.on('iceStateChange', (_ice, gathering) => this.guard(() => this.onGathering(gathering)));
    this.sp.on('connect', () => this.guard(() => this.onConnect()));
    this.sp.on('data', (data) => this.guard(() => this.onData(data)));
    this.sp.on('error', (error) => this.onClosed(error instanceof Error && error.message ? error.message : 'WebRTC error'));
    this.sp.on('close', () => this.onClosed('closed'));
    // After a remote close simple-peer ends the stream ('end'), and may never emit 'close'.
    this.sp.on('end', () => this.onClosed('closed by the remote peer'));
  }

  /** The local offer (initiator) or answer, once ICE gathering is complete. */
  localDescription(): Promise<LocalDescription> {
    return this.description;
  }

  /** Hands over the remote SDP: the answer (initiator) or the offer. */
  signal(description: LocalDescription): void {
    if (this.isClosed) return;
    try {
      this.sp.signal({ type: description.type, sdp: description.sdp });
    } catch (e) {
      this.onClosed(`signal failed: ${errorMessage(e)}`);
    }
  }

  /** The byte channel, once `connected` resolved and while open; throws otherwise. */
  channel(): PeerChannel {
    if (this.isClosed || !this.isConnected) throw new Error('the WebRTC connection is not open');
    return this.adapter;
  }

  destroy(): void {
    if (this.isClosed) return;
    this.onClosed('destroyed');
  }

  private onSignal(data: { type: string; sdp?: string }): void {
    const want = this.initiator ? 'offer' : 'answer';
    if (data.type !== want || typeof data.sdp !== 'string') return;
    this.clearSignalTimer();
    this.resolveDescription(this.initiator ? { type: 'offer', sdp: data.sdp } : { type: 'answer', sdp: data.sdp });
  }

  /**
   * webrtc-polyfill (Node) never fires the end-of-candidates `icecandidate` event, so with trickle off
   * simple-peer would wait out its 5 s iceCompleteTimeout on each side. Gathering 'complete' means
   * the same thing: mark it the way simple-peer does on that event. Harmless in browsers, where
   * whichever of the two comes first wins.
   */
  private onGathering(gathering: string): void {
    if (gathering !== 'complete' || iceCompleteOf(this.sp)) return;
    markIceComplete(this.sp);
  }

  private onConnect(): void {
    if (this.isClosed || this.isConnected) return;
    this.isConnected = true;
    const dc = dataChannelOf(this.sp);
    if (this.lowBufferEvent && dc) this.adapter.useLowBufferEvents(dc);
    this.resolveConnected();
  }

  private onData(data: Uint8Array | string): void {
    if (this.isClosed) return;
    this.adapter.receive(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  private onClosed(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeReason ??= reason;
    this.clearSignalTimer();
    try {
      this.sp.destroy();
    } catch {
      // already destroyed
    }
    const error = new Error(`the WebRTC peer closed (${this.closeReason})`);
    this.rejectDescription(error);
    this.rejectConnected(error);
    this.adapter.closedByTransport();
    this.resolveClosed();
  }

  private clearSignalTimer(): void {
    if (this.signalTimer !== undefined) clearTimeout(this.signalTimer);
    this.signalTimer = undefined;
  }

  /** Runs an event handler; an exception closes the peer instead of escaping into simple-peer. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.onClosed(`event handler threw: ${errorMessage(e)}`);
    }
  }
}

export interface WebRtcFactoryOptions {
  /** STUN/TURN servers; [] for none. */
  iceServers: RTCIceServer[];
  channelConfig?: RTCDataChannelInit;
  /** Default SIGNAL_TIMEOUT_MS. */
  signalTimeoutMs?: number;
}

/** The tracker client's peer factory: offers and answers with whole SDPs (trickle off). */
export function createWebRtcFactory(options: WebRtcFactoryOptions): PeerFactory<WebRtcPeer> {
  const peerOptions = (initiator: boolean): WebRtcPeerOptions => ({
    initiator,
    iceServers: options.iceServers,
    ...(options.channelConfig ? { channelConfig: options.channelConfig } : {}),
    ...(options.signalTimeoutMs !== undefined ? { signalTimeoutMs: options.signalTimeoutMs } : {}),
  });
  return {
    async createOffer() {
      const peer = new WebRtcPeer(peerOptions(true));
      try {
        const d = await peer.localDescription();
        return { offer: { type: 'offer', sdp: d.sdp }, peer };
      } catch (e) {
        peer.destroy();
        throw e;
      }
    },
    async acceptOffer(offer) {
      const peer = new WebRtcPeer(peerOptions(false));
      peer.signal(offer);
      try {
        const d = await peer.localDescription();
        return { answer: { type: 'answer', sdp: d.sdp }, peer };
      } catch (e) {
        peer.destroy();
        throw e;
      }
    },
  };
}
