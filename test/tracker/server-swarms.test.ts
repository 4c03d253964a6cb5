/**
 * Swarms of the tracker server `npm start` runs (scripts/tracker-server.mjs): a peer lives exactly as
 * long as the socket that announced it, a socket holds a bounded number of peer ids and swarms,
 * swarms and peers per swarm are capped with the stalest evicted, and offers go only to open sockets.
 * Before: on close bittorrent-tracker forgot only the socket's first peer id, so made-up ids stayed in
 * their swarms with dead sockets and took the offers meant for honest peers.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningTracker } from '../../scripts/tracker-server.mjs';
import { RawSocket } from './raw-ws.js';
import { announce, bin, closed, inbox, nextMessage, offers, open, trackerTestBed } from './ws-peer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A 20-character id that names its socket and index (`f`, socket, index). */
const fakeId = (socket: number, i: number): string => `f${socket}${String(i).padStart(18, '0')}`;
const offersTo = (messages: Record<string, unknown>[]): number => messages.filter((m) => m['offer'] !== undefined).length;
const failures = (messages: Record<string, unknown>[]): unknown[] => messages.map((m) => m['failure reason']).filter((r) => r !== undefined);

describe('tracker server swarms', () => {
  const bed = trackerTestBed();
  const client = (): Promise<WebSocket> => bed.client();
  let tracker: RunningTracker | undefined;
  /** Closes the sockets; the tracker then holds nothing. */
  async function closeAll(...sockets: WebSocket[]): Promise<void> {
    for (const socket of sockets) socket.close();
    await expect.poll(() => tracker!.stats()).toMatchObject({ sockets: 0, peers: 0, swarms: 0 });
  }

  it('with 270 fake peer ids announced and their sockets closed, two honest peers find each other on every announce', async () => {
    // Caps raised so that every fake id gets in: what is tested is that they all go with their sockets.
    tracker = await bed.start({ limits: { maxPeerIdsPerSocket: 1000, maxSwarmsPerSocket: 1000 } });
    const fakes = [await client(), await client(), await client()];
    // The swarm exists before the rest arrive (bittorrent-tracker created a swarm per announce racing to
    // a new info hash, the last one kept).
    fakes[0]!.send(announce(fakeId(0, 0)));
    await nextMessage(fakes[0]!);
    fakes.forEach((ws, s) => {
      for (let i = s === 0 ? 1 : 0; i < 90; i++) ws.send(announce(fakeId(s, i)));
    });
    await expect.poll(() => tracker!.stats().peers).toBe(270);
    for (const ws of fakes) {
      const gone = closed(ws);
      ws.close();
      await gone;
    }
    await expect.poll(() => tracker!.stats().sockets).toBe(0);
    const left = tracker.stats().peers;

    const a = await client();
    const b = await client();
    a.send(announce(1));
    expect(await nextMessage(a)).toMatchObject({ action: 'announce' });
    const toA = inbox(a);
    for (let i = 0; i < 40; i++) {
      b.send(announce(2, { offers: offers(10) }));
      expect(await nextMessage(b)).toMatchObject({ action: 'announce' });
    }
    await sleep(200);
    console.log(`fake peers left after their sockets closed: ${left}; honest announces that reached the other honest peer: ${offersTo(toA)} of 40`);
    expect(left).toBe(0);
    expect(offersTo(toA)).toBe(40);
  });

  it('caps a socket that announces thousands of peer ids, or thousands of swarms', async () => {
    tracker = await bed.start({ limits: { messagesPerSecond: 1e6, burst: 1e6 } });
    const { maxPeerIdsPerSocket, maxSwarmsPerSocket } = await import('../../scripts/tracker-server.mjs').then((m) => m.TRACKER_LIMITS);
    const ids = await client();
    const idReplies = inbox(ids);
    for (let i = 0; i < 3000; i++) ids.send(announce(fakeId(0, i)));
    await expect.poll(() => idReplies.length, { timeout: 15_000 }).toBe(3000);
    expect(failures(idReplies)).toHaveLength(3000 - maxPeerIdsPerSocket);
    expect(new Set(failures(idReplies))).toEqual(new Set(['too many peer ids on one connection']));
    expect(tracker.stats()).toMatchObject({ peers: maxPeerIdsPerSocket, swarms: 1 });

    const swarms = await client();
    const swarmReplies = inbox(swarms);
    for (let i = 0; i < 3000; i++) swarms.send(announce(9, { info_hash: fakeId(1, i) }));
    await expect.poll(() => swarmReplies.length, { timeout: 15_000 }).toBe(3000);
    expect(failures(swarmReplies)).toHaveLength(3000 - maxSwarmsPerSocket);
    expect(new Set(failures(swarmReplies))).toEqual(new Set(['too many swarms on one connection']));
    expect(tracker.stats()).toMatchObject({ peers: maxPeerIdsPerSocket + maxSwarmsPerSocket, swarms: 1 + maxSwarmsPerSocket });
    expect(tracker.stats().refusals).toMatchObject({ 'too many peer ids': 3000 - maxPeerIdsPerSocket, 'too many swarms': 3000 - maxSwarmsPerSocket });

    // A peer that left a swarm frees its place.
    swarms.send(announce(9, { info_hash: fakeId(1, 0), event: 'stopped' }));
    expect(await nextMessage(swarms)).toMatchObject({ action: 'announce' });
    swarms.send(announce(9, { info_hash: fakeId(1, 5000) }));
    expect((await nextMessage(swarms))['failure reason']).toBeUndefined();

    await closeAll(ids, swarms);
  });

  it('deletes a swarm when its last peer leaves, and creates none for a peer leaving a swarm it is not in', async () => {
    tracker = await bed.start();
    const a = await client();
    a.send(announce(1));
    await nextMessage(a);
    expect(tracker.stats()).toMatchObject({ swarms: 1, peers: 1 });
    a.send(announce(1, { event: 'stopped' }));
    expect(await nextMessage(a)).toMatchObject({ action: 'announce', complete: 0, incomplete: 0 });
    expect(tracker.stats()).toMatchObject({ swarms: 0, peers: 0 });
    a.send(announce(1, { event: 'stopped', info_hash: bin(0x55) }));
    expect(await nextMessage(a)).toMatchObject({ action: 'announce' });
    expect(tracker.stats()).toMatchObject({ swarms: 0, peers: 0 });
  });

  it('caps the peers of a swarm, evicting the one that announced least recently', async () => {
    tracker = await bed.start({ limits: { maxPeersPerSwarm: 5 } });
    const peers: WebSocket[] = [];
    for (let i = 1; i <= 8; i++) {
      const ws = await client();
      ws.send(announce(i));
      await nextMessage(ws);
      peers.push(ws);
    }
    expect(tracker.stats()).toMatchObject({ swarms: 1, peers: 5, evicted: { peers: 3 } });
    // Peer 4 announces again: now peer 5 is the stalest, and a newcomer evicts it.
    peers[3]!.send(announce(4));
    await nextMessage(peers[3]!);
    const newcomer = await client();
    newcomer.send(announce(20));
    await nextMessage(newcomer);
    expect(tracker.stats()).toMatchObject({ peers: 5, evicted: { peers: 4 } });
    // The newcomer's offers reach exactly the four others left: 4, 6, 7, 8.
    const boxes = peers.map(inbox);
    newcomer.send(announce(20, { offers: offers(10) }));
    await nextMessage(newcomer);
    await sleep(200);
    expect(boxes.map(offersTo)).toEqual([0, 0, 0, 1, 0, 1, 1, 1]);
    for (const ws of [...peers, newcomer]) ws.close();
    await expect.poll(() => tracker!.stats()).toMatchObject({ sockets: 0, peers: 0, swarms: 0 });
  });

  it('caps the swarms, evicting the one announced to least recently with its peers', async () => {
    tracker = await bed.start({ limits: { maxSwarms: 3 } });
    const a = await client();
    for (let s = 1; s <= 3; s++) {
      a.send(announce(1, { info_hash: bin(0x60 + s) }));
      await nextMessage(a);
    }
    // Swarm 1 is announced to again: swarm 2 is now the stalest.
    a.send(announce(1, { info_hash: bin(0x61) }));
    await nextMessage(a);
    const b = await client();
    b.send(announce(2, { info_hash: bin(0x64) }));
    await nextMessage(b);
    expect(tracker.stats()).toMatchObject({ swarms: 3, peers: 3, evicted: { swarms: 1 } });
    const { reply } = await (async () => {
      b.send(JSON.stringify({ action: 'scrape', info_hash: [bin(0x61), bin(0x62), bin(0x63), bin(0x64)] }));
      return { reply: await nextMessage(b) };
    })();
    expect(reply['files']).toEqual({
      [bin(0x61)]: { complete: 0, incomplete: 1, downloaded: 0 },
      [bin(0x62)]: { complete: 0, incomplete: 0, downloaded: 0 },
      [bin(0x63)]: { complete: 0, incomplete: 1, downloaded: 0 },
      [bin(0x64)]: { complete: 0, incomplete: 1, downloaded: 0 },
    });
    await closeAll(a, b);
  });

  it('refuses a peer id that another open connection holds in that swarm, and takes it once that one closes', async () => {
    tracker = await bed.start();
    const first = await client();
    first.send(announce(1));
    await nextMessage(first);
    const second = await client();
    second.send(announce(1));
    expect((await nextMessage(second))['failure reason']).toBe('peer_id in use by another connection');
    // Nor can it make the first one leave.
    second.send(announce(1, { event: 'stopped' }));
    await nextMessage(second);
    expect(tracker.stats().peers).toBe(1);
    const gone = closed(first);
    first.close();
    await gone;
    await expect.poll(() => tracker!.stats().peers).toBe(0);
    second.send(announce(1));
    expect((await nextMessage(second))['failure reason']).toBeUndefined();
    expect(tracker.stats().peers).toBe(1);
  });

  it('relays no offer to a socket that is closing', async () => {
    tracker = await bed.start();
    // Ten peers whose sockets sent a close frame but keep their TCP connection open: the server's side
    // of each stays "closing" (up to ws's 30 s) before it sees the close.
    const closing: RawSocket[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const raw = await RawSocket.connect(tracker.port, { allowHalfOpen: true });
        const replied = new Promise<void>((resolve) => (raw.onMessage = () => resolve()));
        raw.write(announce(0x40 + i));
        await replied;
        closing.push(raw);
      }
      const a = await client();
      a.send(announce(1));
      await nextMessage(a);
      for (const raw of closing) raw.sendClose();
      await sleep(200);
      expect(tracker.stats()).toMatchObject({ sockets: 11, peers: 11 });
      const toA = inbox(a);
      const b = await client();
      for (let i = 0; i < 20; i++) {
        b.send(announce(2, { offers: offers(1) }));
        await nextMessage(b);
      }
      await sleep(200);
      expect(offersTo(toA)).toBe(20);
    } finally {
      for (const raw of closing) raw.destroy();
    }
    await expect.poll(() => tracker!.stats()).toMatchObject({ peers: 2 });
  });

  it('closes a socket that does not read what it is sent, and relays nothing more to it', async () => {
    // Pings far apart: it is the offers relayed to it that find it full (256 KiB, the default).
    tracker = await bed.start({ limits: { pingIntervalMs: 60_000, messagesPerSecond: 1e6, burst: 1e6 } });
    const reader = await client();
    reader.send(announce(1));
    await nextMessage(reader);
    const deaf = await RawSocket.connect(tracker.port);
    try {
      const replied = new Promise<void>((resolve) => (deaf.onMessage = () => resolve()));
      deaf.write(announce(3));
      await replied;
      deaf.pause();
      const toReader = inbox(reader);
      const sender = await client();
      // Offers of 60 KB, one announce at a time (the peer that reads keeps up): enough to fill the
      // loopback's buffers towards the socket that does not.
      const big = [{ offer: { type: 'offer', sdp: 'v=0 ' + 'x'.repeat(60_000) }, offer_id: bin(0x91) }];
      for (let i = 0; i < 600; i++) {
        sender.send(announce(2, { offers: big }));
        await nextMessage(sender);
      }
      expect(tracker.stats()).toMatchObject({ sockets: 2, peers: 2, refusals: { 'not reading': 1 } });
      // Once it was closed, every offer went to the peer that reads.
      await expect.poll(() => offersTo(toReader), { timeout: 5000 }).toBeGreaterThan(300);
    } finally {
      deaf.destroy();
    }
  });

  it('closes an offerer that does not read the answers it is sent', async () => {
    tracker = await bed.start({ limits: { maxBufferedBytes: 64 * 1024, pingIntervalMs: 60_000, messagesPerSecond: 1e6, burst: 1e6 } });
    const deaf = await RawSocket.connect(tracker.port);
    try {
      const replied = new Promise<void>((resolve) => (deaf.onMessage = () => resolve()));
      deaf.write(announce(3));
      await replied;
      deaf.pause();
      const answerer = await client();
      const replies = inbox(answerer);
      const answer = { type: 'answer', sdp: 'v=0 ' + 'x'.repeat(60_000) };
      for (let i = 0; i < 600; i++) answerer.send(announce(4, { event: undefined, answer, offer_id: bin(0x91), to_peer_id: bin(3) }));
      await expect.poll(() => tracker!.stats(), { timeout: 10_000 }).toMatchObject({ peers: 1, refusals: { 'not reading': 1 } });
      await sleep(200);
      expect(replies).toEqual([]); // answers get no reply, forwarded or not
      expect(tracker.stats().refusals['answer to an unknown peer']).toBeGreaterThan(0);
    } finally {
      deaf.destroy();
    }
  });

  it('closes a socket that does not answer pings, and its peers go with it', async () => {
    tracker = await bed.start({ limits: { pingIntervalMs: 100 } });
    const silent = new WebSocket(tracker.url, { autoPong: false });
    await new Promise((resolve) => silent.once('open', resolve));
    const gone = closed(silent, 5000);
    silent.send(announce(1));
    const alive = await open(tracker.url);
    alive.send(announce(2));
    await nextMessage(alive);
    await gone;
    await expect.poll(() => tracker!.stats()).toMatchObject({ sockets: 1, peers: 1, refusals: { 'no pong': 1 } });
    await sleep(400); // the socket that answers pings stays
    expect(alive.readyState).toBe(1); // open
    alive.terminate();
  });
});
