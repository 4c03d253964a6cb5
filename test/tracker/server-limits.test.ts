/**
 * The tracker server `npm start` runs (scripts/tracker-server.mjs) under abuse: malformed JSON, an
 * oversized frame, a flood from one socket, more sockets than allowed. It stays up, closes the
 * offenders, and honest peers still find each other.
 */
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { RunningTracker } from '../../scripts/tracker-server.mjs';
import { announce, ask, bin, closed, nextMessage, trackerTestBed } from './ws-peer.js';

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
    tracker = await bed.start();
    const bad = await client();
    const replies: Record<string, unknown>[] = [];
    bad.on('message', (data: unknown) => replies.push(JSON.parse(String(data)) as Record<string, unknown>));
    bad.send('{not json');
    bad.send(JSON.stringify({ action: 'announce', info_hash: 'short', peer_id: bin(3) }));
    await expect.poll(() => replies.length).toBe(2);
    for (const r of replies) expect(r['failure reason']).toEqual(expect.any(String));
    expect(tracker.stats().refusals).toMatchObject({ 'invalid JSON': 1, 'invalid info_hash': 1 });
    await honestPeersMeet();
  });

  it('answers every kind of malformed message with a failure reason, counts it by reason, and stays up', async () => {
    tracker = await bed.start();
    const id = bin(3);
    const cases: [string, string | object][] = [
      ['null', 'null'],
      ['a number', '5'],
      ['a string', '"announce"'],
      ['true', 'true'],
      ['an array', '[{"action":"announce"}]'],
      ['nothing', ''],
      ['blanks', '  \n '],
      ['cut short', '{"action":"announce"'],
      ['not JSON', '{not json'],
      ['no action', {}],
      ['an unknown action', { action: 'connect' }],
      ['an action that is a number', { action: 1 }],
      ['an announce without info_hash', { action: 'announce', peer_id: id }],
      ['an info_hash that is a number', { action: 'announce', info_hash: 7, peer_id: id }],
      ['an info_hash that is an object', { action: 'announce', info_hash: { length: 20 }, peer_id: id }],
      ['an info_hash that is a list', { action: 'announce', info_hash: [bin(7)], peer_id: id }],
      ['a short info_hash', { action: 'announce', info_hash: 'short', peer_id: id }],
      ['an info_hash of 21 characters', { action: 'announce', info_hash: bin(7) + 'x', peer_id: id }],
      ['an announce without peer_id', { action: 'announce', info_hash: bin(7) }],
      ['a peer_id that is a number', { action: 'announce', info_hash: bin(7), peer_id: 3 }],
      ['an unknown event', { action: 'announce', info_hash: bin(7), peer_id: id, event: 'bogus' }],
      ['an event that is a number', { action: 'announce', info_hash: bin(7), peer_id: id, event: 5 }],
      ['an answer without to_peer_id', { action: 'announce', info_hash: bin(7), peer_id: id, answer: { type: 'answer', sdp: 'v=0' }, offer_id: bin(9) }],
      ['an answer that is a string', { action: 'announce', info_hash: bin(7), peer_id: id, answer: 'v=0', offer_id: bin(9), to_peer_id: bin(4) }],
      ['an answer without sdp', { action: 'announce', info_hash: bin(7), peer_id: id, answer: { type: 'answer' }, offer_id: bin(9), to_peer_id: bin(4) }],
      [
        'an answer of type offer',
        { action: 'announce', info_hash: bin(7), peer_id: id, answer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(9), to_peer_id: bin(4) },
      ],
      ['an answer without offer_id', { action: 'announce', info_hash: bin(7), peer_id: id, answer: { type: 'answer', sdp: 'v=0' }, to_peer_id: bin(4) }],
      ['a scrape without info_hash', { action: 'scrape' }],
      ['a scrape of no hash', { action: 'scrape', info_hash: [] }],
      ['a scrape of a number', { action: 'scrape', info_hash: 5 }],
      ['a scrape of an object', { action: 'scrape', info_hash: {} }],
      ['a scrape of true', { action: 'scrape', info_hash: true }],
      ['a scrape of [5]', { action: 'scrape', info_hash: [5] }],
      ['a scrape of a short hash', { action: 'scrape', info_hash: ['short'] }],
      ['a scrape of 65 hashes', { action: 'scrape', info_hash: Array.from({ length: 65 }, (_, i) => bin(i)) }],
    ];
    const bad = await client();
    for (const [what, message] of cases) {
      const text = new Promise<string>((resolve) => bad.once('message', (data: unknown) => resolve(String(data))));
      bad.send(typeof message === 'string' ? message : JSON.stringify(message));
      const reply = JSON.parse(await text) as Record<string, unknown>;
      expect(reply['failure reason'], what).toEqual(expect.any(String));
      expect((reply['failure reason'] as string).length, what).toBeGreaterThan(0);
    }
    // A binary frame of bytes that are not JSON.
    const { reply } = await (async () => {
      const text = new Promise<string>((resolve) => bad.once('message', (data: unknown) => resolve(String(data))));
      bad.send(new Uint8Array([0xff, 0x00, 0x7b]), { binary: true });
      return { reply: JSON.parse(await text) as Record<string, unknown> };
    })();
    expect(reply['failure reason']).toBe('not a JSON object');
    const stats = tracker.stats();
    const refused = Object.values(stats.refusals).reduce((a, b) => a + b, 0);
    expect(refused).toBe(cases.length + 1);
    expect(stats.refusals).toMatchObject({
      'not a JSON object': 8,
      'invalid JSON': 2,
      'unknown action': 3,
      'invalid info_hash': 8,
      'invalid peer_id': 2,
      'invalid event': 2,
      'invalid answer': 5,
      'full scrape': 5,
      'too many info hashes': 1,
    });
    expect(stats.errors).toEqual({ socket: 0, internal: 0 });
    expect(stats).toMatchObject({ peers: 0, swarms: 0 });
    // Still the same socket, still answered.
    expect((await ask(bad, JSON.parse(announce(3, { info_hash: bin(8) })) as object)).reply['failure reason']).toBeUndefined();
    await honestPeersMeet();
  });

  it('logs one line of counts by reason, not a line per event', async () => {
    const lines: string[] = [];
    tracker = await bed.start({ log: (line) => lines.push(line), limits: { messagesPerSecond: 1e6, burst: 1e6 } });
    const bad = await client();
    let replies = 0;
    bad.on('message', () => replies++);
    for (let i = 0; i < 300; i++) bad.send('null');
    for (let i = 0; i < 200; i++) bad.send(JSON.stringify({ action: 'scrape' }));
    await expect.poll(() => replies).toBe(500);
    const big = await client();
    const gone = closed(big);
    big.send('x'.repeat(70 * 1024));
    await gone;
    expect(lines).toEqual([]);
    await tracker.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[tracker\] last \d+ s: not a JSON object 300, full scrape 200, frame too large 1$/);
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
    expect(tracker.stats().refusals['rate limit']).toBe(1);
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
