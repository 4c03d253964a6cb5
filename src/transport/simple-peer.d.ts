/**
 * The part of @thaunknown/simple-peer's `lite.js` entry that src/transport uses (the package ships no
 * types). lite.js takes RTCPeerConnection from `webrtc-polyfill`: the browser's globals in a browser,
 * node-datachannel in Node, so no `wrtc` option is needed.
 */
declare module '@thaunknown/simple-peer/lite.js' {
  interface SimplePeerOptions {
    initiator?: boolean;
    /** false: no candidate signals; the offer/answer SDP is emitted once ICE gathering is complete. */
    trickle?: boolean;
    /** The RTCPeerConnection's, merged over simple-peer's default, which names public STUN servers: always pass `iceServers`. */
    config?: RTCConfiguration;
    channelConfig?: RTCDataChannelInit;
    /** ms after the first local candidate before the SDP is signaled anyway (default 5000). */
    iceCompleteTimeout?: number;
  }

  /** `{type:'offer'|'answer', sdp}`; also `renegotiate` / `transceiverRequest` objects, unused here. */
  type SignalData = { type: string; sdp?: string };

  export default class SimplePeer {
    constructor(options?: SimplePeerOptions);
    /** true once 'connect' fired and while the data channel is open. */
    readonly connected: boolean;
    readonly destroyed: boolean;
    /** The data channel's bufferedAmount (0 without a channel). */
    readonly bufferSize: number;
    /** Private: the RTCDataChannel once created, null after destroy. Used for low-buffer events. */
    readonly _channel: RTCDataChannel | null;
    /** Private: the RTCPeerConnection, null after destroy. Used for getStats(). */
    readonly _pc: RTCPeerConnection | null;
    /** Private: set when local ICE gathering is considered complete (see WebRtcPeer). */
    _iceComplete: boolean;
    signal(data: SignalData): void;
    /** Sends one message on the data channel (throws if the channel is not open; no-op while destroying). */
    send(chunk: Uint8Array): void;
    destroy(error?: Error): void;
    on(event: 'signal', fn: (data: SignalData) => void): this;
    on(event: 'connect' | 'close' | 'end', fn: () => void): this;
    on(event: 'data', fn: (data: Uint8Array | string) => void): this;
    /** `code` names the failure, e.g. ERR_ICE_CONNECTION_FAILURE, ERR_CONNECTION_FAILURE. */
    on(event: 'error', fn: (error: Error & { code?: string }) => void): this;
    on(event: 'iceStateChange', fn: (iceConnectionState: string, iceGatheringState: string) => void): this;
    emit(event: '_iceComplete'): boolean;
  }
}
