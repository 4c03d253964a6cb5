/**
 * The three things WebRtcPeer needs from a simple-peer instance that are not its public API, and the
 * only place that touches them (test/transport/simple-peer-internals.test.ts fails when an upgrade
 * of @thaunknown/simple-peer changes them):
 *
 * - the RTCDataChannel (`_channel`), for `bufferedamountlow` events: simple-peer exposes only
 *   `bufferSize`, and polling it costs a timer per connection;
 * - marking local ICE gathering complete (`_iceComplete` and the `_iceComplete` event): with trickle
 *   off, simple-peer signals its SDP only then, and webrtc-polyfill (Node) never fires the
 *   end-of-candidates event it waits for;
 * - the RTCPeerConnection (`_pc`), for its standard `getStats()`: which candidate pair carries the
 *   connection (direct or through a TURN relay). simple-peer's own `getStats(cb)` flattens the report
 *   and may answer `[]`; the connection's own is the one the browsers document.
 */
import type SimplePeer from '@thaunknown/simple-peer/lite.js';

/** The peer's data channel once simple-peer has made it (null before). */
export function dataChannelOf(sp: SimplePeer): RTCDataChannel | null {
  return sp._channel;
}

/** Has simple-peer considered local ICE gathering complete? */
export function iceCompleteOf(sp: SimplePeer): boolean {
  return sp._iceComplete;
}

/** Tells simple-peer that local ICE gathering is complete, as its own end-of-candidates handler does: it signals its SDP. */
export function markIceComplete(sp: SimplePeer): void {
  if (sp._iceComplete) return;
  sp._iceComplete = true;
  sp.emit('_iceComplete');
}

/** The peer's RTCPeerConnection (null once simple-peer has destroyed it). */
export function peerConnectionOf(sp: SimplePeer): RTCPeerConnection | null {
  return sp._pc;
}
