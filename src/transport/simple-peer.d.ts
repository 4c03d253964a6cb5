/** The part of @thaunknown/simple-peer's lite entry that tabswarm uses (the package ships no types). */
declare module '@thaunknown/simple-peer/lite.js' {
  interface SimplePeerOptions {
    initiator?: boolean;
    trickle?: boolean;
    config?: { iceServers?: RTCIceServer[] };
    channelConfig?: RTCDataChannelInit;
  }
  type SignalData = { type: 'offer' | 'answer'; sdp: string } | { type: string; [key: string]: unknown };
  export default class SimplePeer {
    constructor(options?: SimplePeerOptions);
    readonly connected: boolean;
    readonly destroyed: boolean;
    readonly bufferSize: number;
    /** The RTCDataChannel, once created (private in simple-peer; used for backpressure events). */
    readonly _channel: RTCDataChannel | null;
    signal(data: SignalData): void;
    send(chunk: Uint8Array): void;
    destroy(error?: Error): void;
    on(event: 'signal', fn: (data: SignalData) => void): this;
    on(event: 'connect' | 'close', fn: () => void): this;
    on(event: 'data', fn: (data: Uint8Array) => void): this;
    on(event: 'error', fn: (error: Error) => void): this;
  }
}
