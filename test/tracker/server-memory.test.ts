/**
 * Memory the tracker server (scripts/tracker-server.mjs) keeps after abuse. The tracker runs in a child
 * process started with --expose-gc (test/tracker/tracker-process.ts) so that its live heap can be read
 * after a full collection. Before: bittorrent-tracker forgot only the first peer id of a closed socket
 * and never deleted a swarm, so every announce of a flood stayed (80,914 peers in 82,908 swarms, all
 * with closed sockets, +81 MiB of live heap after 35 s of it).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTrackerProcess, type Measure, type TrackerProcess } from './tracker-process.js';

const MiB = 1024 * 1024;
const binary = (): string => String.fromCharCode(...randomBytes(20));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SDP = `v=0 ${'a=candidate 1 udp 2122260223 192.0.2.1 54321 typ host '.repeat(4)}`;

/** An announce of a random peer id into a random swarm, with 5 offers. */
function randomAnnounce(): string {
  return JSON.stringify({
    action: 'announce',
    info_hash: binary(),
    peer_id: binary(),
    numwant: 5,
    uploaded: 0,
    downloaded: 0,
    left: 100,
    event: 'started',
    offers: Array.from({ length: 5 }, () => ({ offer: { type: 'offer', sdp: SDP }, offer_id: binary() })),
  });
}

/**
 * For `ms`: `attackers` sockets that each send `perSocket` random announces at once (over the burst, so
 * the tracker closes them for their rate) and reconnect whenever they are closed; and one that sends
 * junk (JSON that is not an object, frames over the size limit) and reconnects too. Resolves with the
 * number of announces sent once every socket is closed.
 */
async function flood(url: string, ms: number, attackers = 4, perSocket = 120): Promise<number> {
  const until = Date.now() + ms;
  let sent = 0;
  const cycle = (send: (ws: WebSocket) => void) =>
    new Promise<void>((done) => {
      const again = (): void => {
        if (Date.now() >= until) return done();
        const ws = new WebSocket(url);
        const guard = setTimeout(() => ws.terminate(), 3000);
        ws.on('error', () => undefined);
        ws.on('open', () => send(ws));
        ws.on('close', () => {
          clearTimeout(guard);
          again();
        });
      };
      again();
    });
  const announcer = cycle((ws) => {
    for (let i = 0; i < perSocket; i++) ws.send(randomAnnounce());
    sent += perSocket;
  });
  const junk = cycle((ws) => {
    for (let i = 0; i < 20; i++) ws.send('null');
    ws.send('x'.repeat(70 * 1024)); // over the 64 KiB frame limit: closed
  });
  await Promise.all([...Array.from({ length: attackers }, () => announcer), junk]);
  return sent;
}

async function allClosed(tracker: TrackerProcess): Promise<Measure> {
  const until = Date.now() + 15_000;
  for (;;) {
    const m = await tracker.measure();
    if (m.stats.sockets === 0 || Date.now() > until) return m;
    await sleep(100);
  }
}

describe('tracker server memory', () => {
  let tracker: TrackerProcess | undefined;
  afterEach(async () => {
    await tracker?.close();
    tracker = undefined;
  });

  it('holds no peer and no swarm after a flood of random announces from reconnecting sockets, and its heap comes back', async () => {
    tracker = await startTrackerProcess();
    // A short flood first, so that what the first one compiles and allocates once is in the baseline.
    await flood(tracker.url, 1000);
    const before = await allClosed(tracker);
    const sent = await flood(tracker.url, 8000);
    const after = await allClosed(tracker);
    const grew = (after.heapUsed - before.heapUsed) / MiB;
    console.log(
      `${sent} announces sent; after every socket closed: ${after.stats.peers} peers in ${after.stats.swarms} swarms; ` +
        `live heap ${(before.heapUsed / MiB).toFixed(1)} -> ${(after.heapUsed / MiB).toFixed(1)} MiB (${grew >= 0 ? '+' : ''}${grew.toFixed(1)}); ` +
        `RSS ${(before.rss / MiB).toFixed(0)} -> ${(after.rss / MiB).toFixed(0)} MiB`,
    );
    expect(after.stats.sockets).toBe(0);
    expect(after.stats).toMatchObject({ peers: 0, swarms: 0 });
    expect(grew).toBeLessThan(3);
  }, 40_000);
});
