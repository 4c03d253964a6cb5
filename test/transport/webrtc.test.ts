/**
 * Two WebRtcPeers in one Node process (simple-peer lite → webrtc-polyfill → node-datachannel),
 * connected by passing the offer and answer by hand. Run inside the private network namespace
 * (scripts/in-netns.sh); no ICE servers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, assert, describe, expect, it } from 'vitest';
import type { PeerChannel } from '../../src/core/session/channel.js';
import { createWebRtcFactory, WebRtcPeer } from '../../src/transport/webrtc.js';
import { DataChannelAdapter } from '../../src/transport/channel.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const factory = createWebRtcFactory({ iceServers: [] });
const live: WebRtcPeer[] = [];

afterEach(async () => {
  for (const p of live.splice(0)) p.destroy();
});

async function connectPair(lowBufferEvent = true): Promise<[WebRtcPeer, WebRtcPeer]> {
  const a = new WebRtcPeer({ initiator: true, iceServers: [], lowBufferEvent });
  const b = new WebRtcPeer({ initiator: false, iceServers: [], lowBufferEvent });
  live.push(a, b);
  const offer = await a.localDescription();
  expect(offer.type).toBe('offer');
  b.signal(offer);
  const answer = await b.localDescription();
  expect(answer.type).toBe('answer');
  a.signal(answer);
  await Promise.all([a.connected, b.connected]);
  return [a, b];
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Sends `data` from one channel to the other in 64 KiB sends, pausing above `high` until onDrain. */
async function stream(
  from: PeerChannel,
  to: PeerChannel,
  data: Uint8Array,
  opts: { chunk: number; high: number; low: number },
): Promise<{ seconds: number; drains: number; maxBuffered: number; checksum: string; messages: number }> {
  const received = new Uint8Array(data.length);
  let got = 0;
  let messages = 0;
  let sent = 0;
  let drains = 0;
  let maxBuffered = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve, reject) => {
    to.onData = (chunk) => {
      if (!(chunk instanceof Uint8Array)) return reject(new Error('data is not a Uint8Array'));
      if (got + chunk.length > data.length) return reject(new Error('more bytes than sent'));
      received.set(chunk, got);
      got += chunk.length;
      messages++;
      if (got === data.length) resolve();
    };
    to.onClose = () => reject(new Error('receiver closed early'));
    from.onClose = () => reject(new Error('sender closed early'));
  });
  from.lowWaterMark = opts.low;
  const pump = (): void => {
    while (sent < data.length && from.bufferedAmount <= opts.high) {
      from.send(data.subarray(sent, sent + opts.chunk));
      sent += opts.chunk;
      maxBuffered = Math.max(maxBuffered, from.bufferedAmount);
    }
  };
  from.onDrain = () => {
    drains++;
    pump();
  };
  pump();
  await done;
  const seconds = (performance.now() - start) / 1000;
  from.onClose = undefined;
  to.onClose = undefined;
  expect(got).toBe(data.length);
  expect(Buffer.compare(received, data)).toBe(0);
  return { seconds, drains, maxBuffered, checksum: sha256(received), messages };
}

describe('WebRtcPeer over node-datachannel', () => {
  it('connects both sides by hand-carried offer and answer', async () => {
    const started = performance.now();
    const [a, b] = await connectPair();
    console.log(`connected in ${Math.round(performance.now() - started)} ms`);
    expect(a.channel()).toBe(a.channel());
    expect(b.channel()).toBeDefined();
    expect(a.closeReason).toBeUndefined();
  });

  it('streams 32 MiB in 64 KiB sends with backpressure, byte-identical and in order', async () => {
    const [a, b] = await connectPair();
    const from = a.channel();
    assert.instanceOf(from, DataChannelAdapter);
    expect(from.usesLowBufferEvent).toBe(true);
    const data = new Uint8Array(randomBytes(32 * MiB));
    const r = await stream(from, b.channel(), data, { chunk: 64 * KiB, high: 1 * MiB, low: 256 * KiB });
    expect(r.checksum).toBe(sha256(data));
    expect(r.drains).toBeGreaterThan(0);
    expect(r.maxBuffered).toBeLessThanOrEqual(1 * MiB + 64 * KiB);
    console.log(
      `32 MiB a→b (bufferedamountlow): ${(32 / r.seconds).toFixed(1)} MiB/s, ${r.seconds.toFixed(2)} s, ` +
        `${r.drains} drains, max bufferedAmount ${Math.round(r.maxBuffered / KiB)} KiB, ${r.messages} messages`,
    );
  });

  it('streams with the poll fallback when the event is not used', async () => {
    const [a, b] = await connectPair(false);
    const from = b.channel(); // the answerer's side this time
    assert.instanceOf(from, DataChannelAdapter);
    expect(from.usesLowBufferEvent).toBe(false);
    const data = new Uint8Array(randomBytes(16 * MiB));
    const r = await stream(from, a.channel(), data, { chunk: 64 * KiB, high: 1 * MiB, low: 256 * KiB });
    expect(r.checksum).toBe(sha256(data));
    expect(r.drains).toBeGreaterThan(0);
    console.log(`16 MiB b→a (poll fallback): ${(16 / r.seconds).toFixed(1)} MiB/s, ${r.seconds.toFixed(2)} s, ${r.drains} drains`);
  });

  it('carries bytes both ways at once', async () => {
    const [a, b] = await connectPair();
    const ab = new Uint8Array(randomBytes(4 * MiB));
    const ba = new Uint8Array(randomBytes(4 * MiB));
    const opts = { chunk: 16 * KiB, high: 256 * KiB, low: 64 * KiB };
    const [r1, r2] = await Promise.all([stream(a.channel(), b.channel(), ab, opts), stream(b.channel(), a.channel(), ba, opts)]);
    expect(r1.checksum).toBe(sha256(ab));
    expect(r2.checksum).toBe(sha256(ba));
  });

  it('close(): onClose fires once on both sides, later sends are no-ops', async () => {
    const [a, b] = await connectPair();
    const ca = a.channel();
    const cb = b.channel();
    let closesA = 0;
    let closesB = 0;
    const remoteClosed = new Promise<void>((resolve) => {
      cb.onClose = () => {
        closesB++;
        resolve();
      };
    });
    ca.onClose = () => closesA++;
    ca.close();
    expect(closesA).toBe(1);
    await remoteClosed;
    await Promise.all([a.closed, b.closed]);
    ca.close();
    expect(() => ca.send(new Uint8Array(10))).not.toThrow();
    expect(() => cb.send(new Uint8Array(10))).not.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(closesA).toBe(1);
    expect(closesB).toBe(1);
    expect(a.closeReason).toBe('destroyed');
    expect(b.closeReason).toBeDefined();
    expect(() => a.channel()).toThrow();
  });

  it('destroy() of the remote side closes the local channel', async () => {
    const [a, b] = await connectPair();
    let closes = 0;
    const closed = new Promise<void>((resolve) => {
      a.channel().onClose = () => {
        closes++;
        resolve();
      };
    });
    b.destroy();
    await closed;
    await a.closed;
    expect(closes).toBe(1);
  });

  it('destroy() before connecting: connected rejects, closed resolves (offerer and answerer)', async () => {
    const { offer, peer: a } = await factory.createOffer();
    const { answer, peer: b } = await factory.acceptOffer(offer);
    live.push(a, b);
    expect(answer.sdp).toContain('a=fingerprint');
    a.destroy();
    await expect(a.connected).rejects.toThrow(/closed/);
    await a.closed;
    expect(() => a.channel()).toThrow();
    b.destroy();
    await expect(b.connected).rejects.toThrow(/closed/);
    await b.closed;
    a.signal(answer); // ignored after destroy
  });

  it('destroy() before the SDP exists rejects the description', async () => {
    const a = new WebRtcPeer({ initiator: true, iceServers: [] });
    a.destroy();
    await expect(a.localDescription()).rejects.toThrow(/closed/);
    await expect(a.connected).rejects.toThrow();
    await a.closed;
  });

  it('gives up when no SDP appears in time', async () => {
    const b = new WebRtcPeer({ initiator: false, iceServers: [], signalTimeoutMs: 100 });
    live.push(b);
    await expect(b.localDescription()).rejects.toThrow(/no local WebRTC description/);
    await b.closed;
    const slow = createWebRtcFactory({ iceServers: [], signalTimeoutMs: 1 });
    await expect(slow.createOffer()).rejects.toThrow();
  });

  it('a garbage remote SDP closes the peer instead of throwing', async () => {
    const { peer: a } = await factory.createOffer();
    live.push(a);
    expect(() => a.signal({ type: 'answer', sdp: 'not sdp' })).not.toThrow();
    await a.closed;
    await expect(a.connected).rejects.toThrow();
    expect(a.closeReason).toBeDefined();
  });

  it('says the open connection is direct (host candidates, no relay)', async () => {
    const [a, b] = await connectPair();
    const until = Date.now() + 5_000;
    while ((a.connection === undefined || b.connection === undefined) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(a.connection).toBe('direct');
    expect(b.connection).toBe('direct');
    expect(a.failure).toBeUndefined();
  });
});

/** The SDP without its candidate lines: a peer with no address to offer. */
const withoutCandidates = (sdp: string): string => sdp.replace(/^a=candidate:.*\r?\n/gm, '');

describe('WebRtcPeer: connections that cannot be made', () => {
  it('an offer without any candidate is still answered, then the answerer fails saying why', async () => {
    const a = new WebRtcPeer({ initiator: true, iceServers: [] });
    live.push(a);
    const offer = await a.localDescription();
    expect(offer.sdp).toMatch(/^a=candidate:/m);
    const b = new WebRtcPeer({ initiator: false, iceServers: [] });
    live.push(b);
    const started = Date.now();
    b.signal({ type: 'offer', sdp: withoutCandidates(offer.sdp) });
    // The answer goes out (so the offerer learns of us), and the connection fails at once.
    const answer = await b.localDescription();
    expect(answer.type).toBe('answer');
    await expect(b.connected).rejects.toThrow(/^the peer sent no address to connect to/);
    expect(b.failure).toMatch(/no address/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an answer without any candidate fails the offerer at once', async () => {
    const a = new WebRtcPeer({ initiator: true, iceServers: [] });
    const b = new WebRtcPeer({ initiator: false, iceServers: [] });
    live.push(a, b);
    b.signal(await a.localDescription());
    const answer = await b.localDescription();
    a.signal({ type: 'answer', sdp: withoutCandidates(answer.sdp) });
    await expect(a.connected).rejects.toThrow(/^the peer sent no address to connect to/);
    expect(a.closeReason).toBe(a.failure);
  });

  it('relay only, without a TURN server: the offer has no candidate, goes out all the same, and the peer fails saying what to configure', async () => {
    const a = new WebRtcPeer({ initiator: true, rtcConfig: { iceServers: [], iceTransportPolicy: 'relay' } });
    live.push(a);
    const offer = await a.localDescription();
    expect(offer.sdp).not.toMatch(/^a=candidate:/m);
    await expect(a.connected).rejects.toThrow('only relayed connections are allowed here, and no TURN server is configured');
    expect(a.config).toEqual({ iceServers: [], iceTransportPolicy: 'relay' });
  });

  it("simple-peer's ICE or connection failure before the channel opens becomes a plain failure (Chromium: connectionState 'failed' some 15 s after checks start without a path)", async () => {
    for (const code of ['ERR_ICE_CONNECTION_FAILURE', 'ERR_CONNECTION_FAILURE']) {
      const { peer } = await factory.createOffer();
      live.push(peer);
      // As simple-peer emits it (errCode(new Error('Ice connection failed.'), code)); its instance is private to WebRtcPeer.
      const sp = (peer as unknown as { sp: { emit(event: 'error', e: Error): boolean } }).sp;
      sp.emit('error', Object.assign(new Error('Ice connection failed.'), { code }));
      await expect(peer.connected).rejects.toThrow('the connection failed (no direct path; a TURN relay would help)');
      expect(peer.failure).toBe('the connection failed (no direct path; a TURN relay would help)');
    }
    // Any other error is not a failure to reach the peer.
    const other = new WebRtcPeer({ initiator: true, iceServers: [] });
    live.push(other);
    (other as unknown as { sp: { emit(event: 'error', e: Error): boolean } }).sp.emit('error', new Error('something else'));
    await expect(other.connected).rejects.toThrow('the WebRTC peer closed (something else)');
    expect(other.failure).toBeUndefined();
  });

  it('a peer destroyed on purpose has no failure', async () => {
    const { peer } = await factory.createOffer();
    peer.destroy();
    await expect(peer.connected).rejects.toThrow(/closed \(destroyed\)/);
    expect(peer.failure).toBeUndefined();
  });
});
