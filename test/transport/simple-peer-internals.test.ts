/**
 * What src/transport/simple-peer-internals.ts relies on in @thaunknown/simple-peer, checked against the
 * installed package with two real peers (node-datachannel): if an upgrade renames `_channel` or `_pc`,
 * or changes how `_iceComplete` releases the SDP, this fails before a browser ever does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import SimplePeer from '@thaunknown/simple-peer/lite.js';
import { dataChannelOf, iceCompleteOf, markIceComplete, peerConnectionOf } from '../../src/transport/simple-peer-internals.js';
import { connectionKindOf } from '../../src/transport/ice.js';

const live: SimplePeer[] = [];
afterEach(() => {
  for (const p of live.splice(0)) p.destroy();
});

function peer(initiator: boolean): SimplePeer {
  // A long iceCompleteTimeout: the SDP leaves only when gathering is marked complete.
  const p = new SimplePeer({ initiator, trickle: false, config: { iceServers: [] }, iceCompleteTimeout: 60_000 });
  live.push(p);
  return p;
}

const signal = (p: SimplePeer): Promise<{ type: string; sdp?: string }> => new Promise((resolve) => p.on('signal', resolve));

describe('simple-peer internals', () => {
  it('marking ICE gathering complete releases the SDP at once, and the open data channel is reachable with its low-buffer event', async () => {
    const a = peer(true);
    const b = peer(false);
    expect(iceCompleteOf(a)).toBe(false);
    const offered = signal(a);
    // Gathering under way: mark it complete as soon as it reports so (as WebRtcPeer does).
    const until = Date.now() + 10_000;
    a.on('iceStateChange', (_ice, gathering) => {
      if (gathering === 'complete') markIceComplete(a);
    });
    b.on('iceStateChange', (_ice, gathering) => {
      if (gathering === 'complete') markIceComplete(b);
    });
    const offer = await offered;
    expect(Date.now()).toBeLessThan(until);
    expect(iceCompleteOf(a)).toBe(true);
    expect(offer.type).toBe('offer');
    const answered = signal(b);
    b.signal(offer);
    a.signal(await answered);
    await Promise.all([new Promise<void>((r) => a.on('connect', () => r())), new Promise<void>((r) => b.on('connect', () => r()))]);
    const dc = dataChannelOf(a);
    expect(dc).not.toBeNull();
    expect(dc!.readyState).toBe('open');
    expect(typeof dc!.bufferedAmountLowThreshold).toBe('number');
    expect(typeof dc!.addEventListener).toBe('function');

    // The RTCPeerConnection, with the standard promise getStats(): the selected pair is a host one here.
    const pc = peerConnectionOf(a);
    expect(pc).not.toBeNull();
    expect(pc!.connectionState).toBe('connected');
    const stats: unknown[] = [];
    (await pc!.getStats()).forEach((s) => stats.push(s));
    expect(connectionKindOf(stats)).toBe('direct');
    const closed = new Promise<void>((r) => a.on('close', () => r()));
    a.destroy();
    await closed;
    expect(peerConnectionOf(a)).toBeNull();
  });
});
