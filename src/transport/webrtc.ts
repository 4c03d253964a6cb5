/**
 * WebRTC transport: one data channel per peer through simple-peer (trickle ICE off, so one whole SDP
 * each way through the tracker, as WebTorrent does), adapted to the engine's byte-stream `PeerChannel`
 * with backpressure (./channel.ts).
 *
 * simple-peer's lite entry takes RTCPeerConnection from webrtc-polyfill: the browser's own in a
 * browser, node-datachannel in Node. Nothing here throws out of an event handler: every failure
 * closes the peer, and `closeReason` tells why; a connection that could not be made (ICE failed, or
 * one side has no address to offer) also says so in `failure`, in words a person can act on. Once
 * open, `connection` says whether it goes straight to the peer or through a TURN relay.
 */
import SimplePeer from '@thaunknown/simple-peer/lite.js';
import type { PeerChannel } from '../core/session/channel.js';
import { errorMessage } from '../core/errors.js';
import type { AnswerDescription, OfferDescription } from '../core/tracker/messages.js';
import type { PeerFactory, SignalingPeer } from '../core/tracker/types.js';
import { DataChannelAdapter } from './channel.js';
import { FAILURE, connectionKindOf, rtcConfiguration, sdpHasCandidates, type ConnectionKind } from './ice.js';
import { dataChannelOf, iceCompleteOf, markIceComplete, peerConnectionOf } from './simple-peer-internals.js';

export type { ConnectionKind } from './ice.js';

/** How long to wait for the local SDP (ICE gathering) before giving up on an attempt. */
export const SIGNAL_TIMEOUT_MS = 15_000;
/**
 * Without STUN/TURN servers, the SDP goes out this long after the first local candidate instead of
 * when gathering completes. Chromium gathers the UDP host candidates of every interface at once
 * (within a few ms) and completes ~125 ms later, after a TCP step that a connection between two
 * tabs never needs: each side of every connection waited that long before its offer or answer left.
 * With servers, their (server-reflexive, relay) candidates are worth the wait: gathering completes.
 * Measured (Chromium 156, one page, 5 offers each): every host candidate of two and of three
 * interfaces came within 0.5 ms of the first; Firefox ESR completes gathering itself within a few
 * ms. 10 ms is twenty times that spread, and each side of a connection waits it once.
 */
export const HOST_ONLY_GATHER_MS = 10;
/** While an open connection's candidate pair is unknown, it is read again this often, this many times. */
const CONNECTION_RETRY_MS = 500;
const CONNECTION_RETRIES = 10;

export interface WebRtcPeerOptions {
  initiator: boolean;
  /**
   * STUN/TURN servers; none when absent (never simple-peer's default, which names public ones). A
   * shorthand for `rtcConfig.iceServers`, which wins when both are given.
   */
  iceServers?: RTCIceServer[];
  /** The whole RTCConfiguration (`iceServers`, `iceTransportPolicy: 'relay'`, …), as WebTorrent's `rtcConfig`. */
  rtcConfig?: RTCConfiguration;
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
  /**
   * Why the connection could not be made, in plain words, when it failed before opening for want of
   * a path: ICE failed, or one side had no address to offer. `connected` rejects with this message.
   */
  failure: string | undefined;
  /** Once open: straight to the peer, or through a TURN relay (undefined until the browser says). */
  connection: ConnectionKind | undefined;
  /** The RTCPeerConnection's configuration (its `iceServers` always set). */
  readonly config: RTCConfiguration;

  private readonly sp: SimplePeer;
  private readonly description: Promise<LocalDescription>;
  private readonly lowBufferEvent: boolean;
  /** The byte channel; bytes that arrive before 'connect' (the remote may send as soon as its channel opens) wait in it. */
  private readonly adapter: DataChannelAdapter;
  private isConnected = false;
  private isClosed = false;
  /** The local description is out (offer or answer). */
  private described = false;
  /** Known before this side's answer is ready: the connection cannot work, but the answer still goes (so the offerer learns). */
  private pendingFailure: string | undefined;
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
        // simple-peer hands what it is given straight to RTCDataChannel.send, which copies it.
        copiesOnSend: true,
      },
    );
    const config = rtcConfiguration(options);
    this.config = config;
    this.sp = new SimplePeer({
      initiator: options.initiator,
      trickle: false,
      config,
      ...(config.iceServers.length === 0 ? { iceCompleteTimeout: HOST_ONLY_GATHER_MS } : {}),
      ...(options.channelConfig ? { channelConfig: options.channelConfig } : {}),
    });
    const timeout = options.signalTimeoutMs ?? SIGNAL_TIMEOUT_MS;
    this.signalTimer = setTimeout(() => this.onClosed(`no local WebRTC description within ${timeout} ms`), timeout);

    this.sp.on('signal', (data) => this.guard(() => this.onSignal(data)));
    this.sp.on('iceStateChange', (ice, gathering) => this.guard(() => this.onIceState(ice, gathering)));
    this.sp.on('connect', () => this.guard(() => this.onConnect()));
    this.sp.on('data', (data) => this.guard(() => this.onData(data)));
    this.sp.on('error', (error) => this.onError(error));
    this.sp.on('close', () => this.onClosed('closed'));
    // After a remote close simple-peer ends the stream ('end'), and may never emit 'close'.
    this.sp.on('end', () => this.onClosed('closed by the remote peer'));
  }

  /** The local offer (initiator) or answer, once ICE gathering is complete. */
  localDescription(): Promise<LocalDescription> {
    return this.description;
  }

  /**
   * Hands over the remote SDP: the answer (initiator) or the offer. One without any ICE candidate
   * fails the connection (at once for an answer; after our answer is out for an offer).
   */
  signal(description: LocalDescription): void {
    if (this.isClosed) return;
    if (sdpHasCandidates(description.sdp) === false) {
      if (this.described) {
        this.fail(FAILURE.noRemoteAddress);
        return;
      }
      this.pendingFailure = FAILURE.noRemoteAddress;
    }
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
    if (data.type !== want || typeof data.sdp !== 'string' || this.described) return;
    this.clearSignalTimer();
    this.described = true;
    this.resolveDescription(this.initiator ? { type: 'offer', sdp: data.sdp } : { type: 'answer', sdp: data.sdp });
    // The description still goes out (the factory has it): the other side learns that we exist and
    // cannot be reached, and says so too. Ours cannot connect without an address in it.
    const failure = sdpHasCandidates(data.sdp) === false ? FAILURE.noLocalAddress(this.config) : this.pendingFailure;
    if (failure) this.fail(failure);
  }

  /** simple-peer's errors: an ICE or connection failure before the channel opened is a failure to reach the peer. */
  private onError(error: Error & { code?: string }): void {
    const unreachable = !this.isConnected && (error.code === 'ERR_ICE_CONNECTION_FAILURE' || error.code === 'ERR_CONNECTION_FAILURE');
    if (unreachable) this.fail(FAILURE.iceFailed(this.config));
    else this.onClosed(error.message ? error.message : 'WebRTC error');
  }

  private fail(reason: string): void {
    if (this.isClosed) return;
    this.failure = reason;
    this.onClosed(reason);
  }

  private onIceState(ice: string, gathering: string): void {
    this.onGathering(gathering);
    // The selected pair may change when ICE settles again (a better pair, a restart): read it anew.
    if (this.isConnected && (ice === 'connected' || ice === 'completed')) void this.readConnection(0);
  }

  /** Reads which candidate pair carries the open connection (see connectionKindOf), until known. */
  private async readConnection(attempt: number): Promise<void> {
    const pc = peerConnectionOf(this.sp);
    if (this.isClosed || !pc) return;
    let kind: ConnectionKind | undefined;
    try {
      const report = await pc.getStats();
      const stats: unknown[] = [];
      report.forEach((s) => stats.push(s));
      kind = connectionKindOf(stats);
    } catch {
      return; // closed meanwhile, or no stats here: the connection stays unknown
    }
    // Closed meanwhile: the next attempt (if any) stops at the top.
    if (kind) this.connection = kind;
    else if (attempt < CONNECTION_RETRIES) setTimeout(() => void this.readConnection(attempt + 1), CONNECTION_RETRY_MS);
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
    void this.readConnection(0);
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
    const error = new Error(this.failure ?? `the WebRTC peer closed (${this.closeReason})`);
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
  /** STUN/TURN servers; none when absent. A shorthand for `rtcConfig.iceServers`, which wins when both are given. */
  iceServers?: RTCIceServer[];
  /** The whole RTCConfiguration of every connection (see WebRtcPeerOptions.rtcConfig). */
  rtcConfig?: RTCConfiguration;
  channelConfig?: RTCDataChannelInit;
  /** Default SIGNAL_TIMEOUT_MS. */
  signalTimeoutMs?: number;
  /**
   * Read for each new connection instead of `iceServers` / `rtcConfig`: a configuration that may
   * change while the factory is in use (`configureTabSwarm` after the first element started).
   */
  currentConfig?: () => { iceServers?: RTCIceServer[]; rtcConfig?: RTCConfiguration };
}

/** The tracker client's peer factory: offers and answers with whole SDPs (trickle off). */
export function createWebRtcFactory(options: WebRtcFactoryOptions): PeerFactory<WebRtcPeer> {
  const fixed = rtcConfiguration(options);
  const peerOptions = (initiator: boolean): WebRtcPeerOptions => ({
    initiator,
    rtcConfig: options.currentConfig ? rtcConfiguration(options.currentConfig()) : fixed,
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
