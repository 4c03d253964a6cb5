/**
 * An init script that taps what a page sends on its WebRTC data channels (every client in a page,
 * tabswarm or WebTorrent, sends through `RTCDataChannel.prototype.send`): it reads each channel's
 * outgoing byte stream as BitTorrent wire (a 68-byte handshake, then length-prefixed frames, split
 * across sends as the sender likes) and records the handshakes' reserved bytes and the message ids
 * sent. Given `corruptNth`, it flips the first byte of the block of the page's Nth piece message
 * (counted over all its channels) before it leaves: an otherwise honest peer that sends one
 * corrupt block.
 */

/** What the tap keeps on the page's `globalThis.wireTap`. */
export interface WireTap {
  /** The reserved bytes (hex) of each handshake sent, one per channel. */
  handshakes: string[];
  /** Messages sent, by id (decimal). */
  sent: Record<string, number>;
  /** Piece messages sent so far. */
  pieces: number;
  /** The block corrupted: piece index and offset (null until it is sent). */
  corrupted: { index: number; begin: number } | null;
}

export type WireTapGlobals = { wireTap: WireTap };

/** The script (plain JS) for `context.addInitScript({ content })`. */
export function wireTapScript(corruptNth = 0): string {
  return `(() => {
  const corruptNth = ${JSON.stringify(corruptNth)};
  const tap = (globalThis.wireTap = { handshakes: [], sent: {}, pieces: 0, corrupted: null });
  const send = RTCDataChannel.prototype.send;
  const streams = new WeakMap();
  const u32 = (b, at) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  RTCDataChannel.prototype.send = function (data) {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) return send.call(this, data);
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let s = streams.get(this);
    if (!s) streams.set(this, (s = { handshake: [], head: [], left: 0, piece: 0, front: [], corruptNext: false }));
    let out;
    let i = 0;
    while (i < bytes.length) {
      if (s.handshake.length < 68) {
        s.handshake.push(bytes[i++]);
        if (s.handshake.length === 68)
          tap.handshakes.push(s.handshake.slice(20, 28).map((b) => b.toString(16).padStart(2, '0')).join(''));
        continue;
      }
      if (s.left === 0) {
        s.head.push(bytes[i++]);
        if (s.head.length === 4 && u32(s.head, 0) === 0) s.head = [];
        if (s.head.length < 5) continue;
        const id = s.head[4];
        tap.sent[id] = (tap.sent[id] ?? 0) + 1;
        s.left = u32(s.head, 0) - 1;
        s.piece = id === 7 ? ++tap.pieces : 0;
        s.front = [];
        s.head = [];
        continue;
      }
      if (s.piece > 0 && s.front.length < 8) {
        s.front.push(bytes[i++]);
        s.left--;
        s.corruptNext = s.front.length === 8 && s.piece === corruptNth && s.left > 0;
        continue;
      }
      if (s.corruptNext) {
        out ??= bytes.slice();
        out[i] ^= 0xff;
        tap.corrupted = { index: u32(s.front, 0), begin: u32(s.front, 4) };
        s.corruptNext = false;
      }
      const n = Math.min(s.left, bytes.length - i);
      s.left -= n;
      i += n;
    }
    return send.call(this, out ?? data);
  };
})();`;
}
