/**
 * The tracker server `npm start` runs (scripts/tracker-server.mjs) under abuse: malformed JSON, an
 * oversized frame, a flood from one socket, more sockets than allowed. It stays up, closes the
 * offenders, and honest peers still find each other.
 */
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { RunningTracker } from '../../scripts/tracker-server.mjs';
import { announce, bin, closed, nextMessage, trackerTestBed } from './ws-peer.js';

describe('tracker server limits', () => {
  const bed = trackerTestBed();
  const client = (): Promise<WebSocket> => bed.client();
  let tracker: RunningTracker | undefined;

  /** Two honest peers: the second one's offer reaches the first. */
  async function honestPeersMeet(): Promise<void> {
    const a = await client();
    const b = await client();
    a.send(announce(1));
    expect(await nextMessage(a)).toMatchObject({ action: 'announce', interval: expect.any(Number) });
    const relayed = nextMessage(a);
    b.send(announce(2, { offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(9) }] }));
    expect(await relayed).toMatchObject({ offer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(9), peer_id: bin(2) });
  }

  it('answers malformed JSON and a wrong-length info_hash with a failure reason and stays up', async () => {
    const warnings: string[] = [];
    tracker = await bed.start({ onWarning: (e) => warnings.push(e.message) });
    const bad = await client();
    const replies: Record<string, unknown>[] = [];
    bad.on('message', (data: unknown) => replies.push(JSON.parse(String(data)) as Record<string, unknown>));
    bad.send('{not json');
    bad.send(JSON.stringify({ action: 'announce', info_hash: 'short', peer_id: bin(3) }));
    await expect.poll(() => replies.length).toBe(2);
    for (const r of replies) expect(r['failure reason']).toEqual(expect.any(String));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    await honestPeersMeet();
  });

  it('relays only well-formed offers: an announce whose offers are null, strings or half-made stays a plain announce', async () => {
    tracker = await bed.start();
    // A swarm of its own (info hash bin(8)); honest peers meet in bin(7) afterwards.
    const swarm = { info_hash: bin(8) };
    const a = await client();
    a.send(announce(1, swarm));
    expect(await nextMessage(a)).toMatchObject({ action: 'announce' });
    const relayed: Record<string, unknown>[] = [];
    a.on('message', (data: unknown) => relayed.push(JSON.parse(String(data)) as Record<string, unknown>));
    const bad = await client();
    // Each of these threw in the library's offer relay and took the whole process down.
    for (const offers of [[null], ['x'], [{ offer: null, offer_id: bin(5) }], [{ offer: { type: 'offer', sdp: 'v=0' } }], [{}, {}, {}]]) {
      bad.send(announce(3, { ...swarm, offers }));
      expect(await nextMessage(bad)).toMatchObject({ action: 'announce' });
    }
    // One good offer among bad ones is relayed, alone.
    bad.send(announce(3, { ...swarm, offers: [null, { offer: { type: 'offer', sdp: 'v=1' }, offer_id: bin(6) }] }));
    expect(await nextMessage(bad)).toMatchObject({ action: 'announce' });
    await expect.poll(() => relayed.length).toBe(1);
    expect(relayed[0]).toMatchObject({ offer: { type: 'offer', sdp: 'v=1' }, offer_id: bin(6), peer_id: bin(3) });
    await honestPeersMeet();
  });

  it('closes a socket that sends an oversized frame', async () => {
    tracker = await bed.start({ limits: { maxPayload: 16 * 1024 } });
    const big = await client();
    const gone = closed(big);
    big.send('x'.repeat(100 * 1024));
    expect(await gone).toBe(1009); // message too big
    await honestPeersMeet();
  });

  it('closes a socket that floods it, and keeps serving the others', async () => {
    tracker = await bed.start({ limits: { messagesPerSecond: 10, burst: 20 } });
    const flood = await client();
    const gone = closed(flood);
    for (let i = 0; i < 500; i++) flood.send(announce(50, { numwant: 0 }));
    await gone;
    expect(tracker.stats().closedForRate).toBe(1);
    await honestPeersMeet();
  });

  it('holds 1,000 sockets, refuses those beyond its cap, and honest peers still meet', async () => {
    tracker = await bed.start({ limits: { maxSockets: 1000 } });
    const many = await Promise.all(Array.from({ length: 1000 }, () => client()));
    expect(many).toHaveLength(1000);
    await expect.poll(() => tracker!.stats().sockets).toBe(1000);
    const extra = await client();
    expect(await closed(extra)).toBe(1013);
    for (const s of many.splice(0, 10)) s.terminate(); // room for the two honest peers
    await expect.poll(() => tracker!.stats().sockets).toBe(990);
    await honestPeersMeet();
  });
});
