/**
 * A peer connection as the engine sees it: an ordered, reliable byte stream with backpressure.
 * Adapters implement it over a WebRTC data channel (browser) or an in-memory link (tests, simulator).
 * Message boundaries carry no meaning: the wire decoder reassembles frames from any chunking.
 */
export interface PeerChannel {
  send(data: Uint8Array): void;
  /**
   * Optional: sends the parts as `send` would send their concatenation, without a buffer of its own
   * per send (the simulator's in-memory links pass the parts on; a data channel, which copies what
   * it sends, joins them in one buffer it reuses). The receiver may get them as separate chunks.
   * The caller does not change the parts afterwards.
   */
  sendParts?(parts: readonly Uint8Array[]): void;
  /** Bytes accepted by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  close(): void;
  onData: ((data: Uint8Array) => void) | undefined;
  /** The channel closed (either side). Called once. */
  onClose: (() => void) | undefined;
  /** `bufferedAmount` fell to or below `lowWaterMark`. */
  onDrain: (() => void) | undefined;
  lowWaterMark: number;
}
