/**
 * WebRTC transport: one data channel per peer through simple-peer (trickle ICE off, so one SDP each
 * way through the tracker), adapted to the engine's byte-stream `PeerChannel` with backpressure.
 */
import SimplePeer from '@thaunknown/simple-peer/lite.js';
import type { PeerChannel } from '../core/session/channel.js';
import type { AnswerDescription, OfferDescription } from '../core/tracker/messages.js';
import type { PeerFactory } from '../core/tracker/types.js';
import type { ChannelPeer } from '../client/client.js';

/** How long to wait for the local SDP (ICE gathering) before giving up on an attempt. */
const SIGNAL_TIMEOUT = 15_000;
/** While `bufferedamountlow` is not available, how often to check the buffer. */
const DRAIN_POLL = 20;

export class WebRtcPeer implements ChannelPeer {
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  private readonly sp: SimplePeer;
  private ch: DataChannelAdapter | undefined;
  private isClosed = false;
  private resolveClosed!: () => void;

  constructor(initiator: boolean, iceServers: RTCIceServer[]) {
    this.sp = new SimplePeer({ initiator, trickle: false, config: { iceServers } });
    this.closed = new Promise<void>((r) => (this.resolveClosed = r));
    this.connected = new Promise<void>((resolve, reject) => {
      this.sp.on('connect', () => resolve());
      void this.closed.then(() => reject(new Error('the WebRTC connection closed before it opened')));
    });
    this.connected.catch(() => {});
    this.sp.on('close', () => this.onClosed());
    this.sp.on('error', () => this.onClosed());
    this.sp.on('data', (data) => this.ch?.receive(data));
  }

  /** The first local SDP (offer or answer), once ICE gathering is done. */
  localDescription(): Promise<{ type: string; sdp: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no local WebRTC description within 15 s')), SIGNAL_TIMEOUT);
      this.sp.on('signal', (data) => {
        if ((data.type === 'offer' || data.type === 'answer') && typeof data.sdp === 'string') {
          clearTimeout(timer);
          resolve({ type: data.type, sdp: data.sdp });
        }
      });
      void this.closed.then(() => {
        clearTimeout(timer);
        reject(new Error('the WebRTC peer closed before signaling'));
      });
    });
  }

  signal(description: OfferDescription | AnswerDescription): void {
    if (this.isClosed) return;
    try {
      this.sp.signal({ type: description.type, sdp: description.sdp });
    } catch {
      this.destroy();
    }
  }

  channel(): PeerChannel {
    if (!this.sp.connected) throw new Error('the WebRTC connection is not open');
    this.ch ??= new DataChannelAdapter(this.sp, () => this.destroy());
    return this.ch;
  }

  destroy(): void {
    if (this.isClosed) return;
    try {
      this.sp.destroy();
    } catch {
      // already gone
    }
    this.onClosed();
  }

  private onClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.ch?.closedByPeer();
    this.resolveClosed();
  }
}

/** The engine's view of a data channel: bytes in, bytes out, backpressure through drain events. */
class DataChannelAdapter implements PeerChannel {
  onData: ((data: Uint8Array) => void) | undefined;
  onClose: (() => void) | undefined;
  onDrain: (() => void) | undefined;
  private low = 0;
  private closed = false;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly sp: SimplePeer,
    private readonly destroy: () => void,
  ) {
    const dc = sp._channel;
    if (dc && typeof dc.bufferedAmountLowThreshold === 'number') {
      dc.addEventListener('bufferedamountlow', () => this.drained());
    }
  }

  get lowWaterMark(): number {
    return this.low;
  }
  set lowWaterMark(value: number) {
    this.low = value;
    const dc = this.sp._channel;
    if (dc && typeof dc.bufferedAmountLowThreshold === 'number') dc.bufferedAmountLowThreshold = value;
  }

  get bufferedAmount(): number {
    return this.sp.bufferSize;
  }

  send(data: Uint8Array): void {
    if (this.closed) return;
    try {
      this.sp.send(data);
    } catch {
      this.destroy();
      return;
    }
    // Where the event may not come (or comes before we listen), a short poll covers it.
    if (this.poll === undefined && this.bufferedAmount > this.low) {
      this.poll = setInterval(() => {
        if (this.closed || this.bufferedAmount <= this.low) this.drained();
      }, DRAIN_POLL);
    }
  }

  receive(data: Uint8Array): void {
    if (!this.closed) this.onData?.(data instanceof Uint8Array ? data : new Uint8Array(data));
  }

  close(): void {
    if (this.closed) return;
    this.destroy();
  }

  closedByPeer(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPoll();
    this.onClose?.();
  }

  private drained(): void {
    this.stopPoll();
    if (!this.closed && this.bufferedAmount <= this.low) this.onDrain?.();
  }

  private stopPoll(): void {
    if (this.poll !== undefined) clearInterval(this.poll);
    this.poll = undefined;
  }
}

export interface WebRtcOptions {
  iceServers: RTCIceServer[];
}

/** The tracker client's peer factory: offers and answers with whole SDPs (trickle off). */
export function createWebRtcFactory(options: WebRtcOptions): PeerFactory<WebRtcPeer> {
  return {
    async createOffer() {
      const peer = new WebRtcPeer(true, options.iceServers);
      try {
        const d = await peer.localDescription();
        return { offer: { type: 'offer', sdp: d.sdp } satisfies OfferDescription, peer };
      } catch (e) {
        peer.destroy();
        throw e;
      }
    },
    async acceptOffer(offer) {
      const peer = new WebRtcPeer(false, options.iceServers);
      const answer = peer.localDescription();
      peer.signal(offer);
      try {
        const d = await answer;
        return { answer: { type: 'answer', sdp: d.sdp } satisfies AnswerDescription, peer };
      } catch (e) {
        peer.destroy();
        throw e;
      }
    },
  };
}
