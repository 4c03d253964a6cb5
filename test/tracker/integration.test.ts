/**
 * Two TrackerClients against the real bittorrent-tracker server on 127.0.0.1, over real `ws`
 * sockets, with the fake signaling peers (no WebRTC): they find each other exactly once, survive a
 * tracker restart on the same port (reconnect + re-announce), and the server's /stats.json counts them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Server from 'bittorrent-tracker/server';
import { WebSocket } from 'ws';
import { TrackerClient } from '../../src/core/tracker/client.js';
import type { TrackerEvent } from '../../src/core/tracker/types.js';
import { webSocketConnector } from '../../src/tracker/websocket.js';
import { bytesOf, FakeFactory, FakeRegistry, type FakePeer } from './fakes.js';

interface Running {
  server: Server;
  port: number;
  sockets: Set<WebSocket>;
}

async function startServer(port = 0): Promise<Running> {
  const server = new Server({ udp: false, http: false, ws: true, stats: true });
  server.on('warning', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
    server.listen(port, '127.0.0.1');
  });
  const ws = server.ws;
  if (!ws) throw new Error('no ws server');
  const sockets = new Set<WebSocket>();
  ws.on('connection', (s: WebSocket) => sockets.add(s));
  return { server, port: ws.address().port, sockets };
}

async function stopServer(r: Running): Promise<void> {
  for (const s of r.sockets) s.terminate();
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
}

interface Stats {
  torrents: number;
  peersAll: number;
  peersLeecherOnly: number;
}

async function stats(port: number): Promise<Stats> {
  const res = await fetch(`http://127.0.0.1:${port}/stats.json`);
  return (await res.json()) as Stats;
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeout = 5000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const INFO_HASH = bytesOf('\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98');
const registry = new FakeRegistry();

function peerClient(name: string, idChar: number, url: string) {
  const peerId = new Uint8Array(20).fill(idChar);
  const connected: { remote: Uint8Array; peer: FakePeer }[] = [];
  const events: TrackerEvent[] = [];
  const client = new TrackerClient<FakePeer>({
    peerId,
    connect: (u) => webSocketConnector(u, WebSocket),
    peers: new FakeFactory(name, registry),
    onPeer: (ih, peer, remote) => {
      expect(ih).toEqual(INFO_HASH);
      connected.push({ remote, peer });
    },
    onEvent: (e) => events.push(e),
  });
  const torrent = client.announce({
    infoHash: INFO_HASH,
    trackers: [url],
    stats: () => ({ uploaded: 0, downloaded: 0, left: 1000 }),
    wantsPeers: () => Math.max(0, 3 - connected.length),
  });
  const count = (type: TrackerEvent['type'], event?: string): number =>
    events.filter((e) => e.type === type && (event === undefined || (e.type === 'announced' && e.event === event))).length;
  return { peerId, client, torrent, connected, events, count };
}

describe('with the real bittorrent-tracker server', () => {
  let running: Running | undefined;
  const clients: { client: TrackerClient<FakePeer> }[] = [];
  afterAll(async () => {
    for (const c of clients) c.client.destroy();
    if (running) await stopServer(running);
  });

  it('connects two clients exactly once, survives a restart on the same port, and is counted', async () => {
    running = await startServer();
    const port = running.port;
    const url = `ws://127.0.0.1:${port}`;
    const a = peerClient('A', 0x61, url);
    clients.push(a);
    await waitFor('A announced', () => a.count('reply') >= 1);
    const b = peerClient('B', 0x62, url);
    clients.push(b);
    await waitFor('A and B connected', () => a.connected.length >= 1 && b.connected.length >= 1);
    await sleep(300);
    expect(a.connected.map((c) => c.remote)).toEqual([b.peerId]);
    expect(b.connected.map((c) => c.remote)).toEqual([a.peerId]);
    expect(a.connected[0]!.peer.partner).toBe(b.connected[0]!.peer);
    expect(await stats(port)).toMatchObject({ torrents: 1, peersAll: 2, peersLeecherOnly: 2 });

    // Restart the tracker on the same port: both clients reconnect and announce `started` again.
    await stopServer(running);
    running = await startServer(port);
    expect(running.port).toBe(port);
    await waitFor('both re-announced', () => a.count('announced', 'started') >= 2 && b.count('announced', 'started') >= 2);
    await waitFor('both replied to', () => a.count('reply') >= 2 && b.count('reply') >= 2);
    expect(a.count('connected')).toBe(2);
    expect(b.count('connected')).toBe(2);
    await waitFor('the new server counts both', async () => (await stats(port)).peersAll === 2);
    // Their re-announces carried offers; each was relayed to the other, who refused the duplicate.
    await sleep(200);
    expect(a.connected).toHaveLength(1);
    expect(b.connected).toHaveLength(1);
    expect(a.events.filter((e) => e.type === 'warning' && e.kind !== 'socket')).toEqual([]);

    // Leaving: `stopped` reaches the server, which forgets both.
    a.client.destroy();
    b.client.destroy();
    await waitFor('the server forgot both', async () => (await stats(port)).peersAll === 0);
  });
});
