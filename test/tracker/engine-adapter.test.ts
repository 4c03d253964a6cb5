/**
 * The contract between scripts/tracker-engine.mjs and bittorrent-tracker's internals. Each assumption
 * the adapter makes about the library is exercised here through the library's own code paths (its
 * WebSocket message handler, its announce handling, its Swarm and LRU), with fake sockets: if an
 * upgrade of bittorrent-tracker changes one, a test here fails (and if it drops a method the adapter
 * overrides, the adapter refuses to load).
 */
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import Server from 'bittorrent-tracker/server';
import { ASSUMED, EngineServer, type EnginePeer } from '../../scripts/tracker-engine.mjs';
import { bin } from './ws-peer.js';

/** What the library and the adapter use of a ws socket. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  readonly sent: Record<string, unknown>[] = [];
  upgradeReq: object | null = { headers: {}, connection: { remoteAddress: '127.0.0.1', remotePort: 40000 } };
  peerId?: string | null;
  infoHashes?: unknown;
  send(text: string, cb?: (err?: Error) => void): void {
    if (this.readyState !== 1) {
      cb?.(new Error('not open'));
      return;
    }
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
    cb?.();
  }
  message(body: object): void {
    this.emit('message', Buffer.from(JSON.stringify(body)));
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.close();
  }
  ping(): void {}
}

const hex = (binary: string): string => Buffer.from(binary, 'latin1').toString('hex');
const announce = (peer: number, hash: number, extra: object = {}): object => ({
  action: 'announce',
  info_hash: bin(hash),
  peer_id: bin(peer),
  numwant: 0,
  uploaded: 0,
  downloaded: 0,
  left: 100,
  event: 'started',
  ...extra,
});

describe('the adapter over bittorrent-tracker', () => {
  const servers: EngineServer[] = [];
  const engine = (options: Partial<{ maxPeersPerSwarm: number; maxSwarms: number }> = {}): EngineServer => {
    const server = new EngineServer({ maxPayload: 65536, maxPeersPerSwarm: 1000, maxSwarms: 1000, ...options });
    server.on('warning', () => undefined);
    servers.push(server);
    return server;
  };
  const connect = (server: EngineServer): FakeSocket => {
    const socket = new FakeSocket();
    (server as unknown as { onWebSocketConnection(s: FakeSocket): void }).onWebSocketConnection(socket);
    return socket;
  };
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  it('finds every method it overrides or calls', () => {
    for (const name of ASSUMED.server) expect(typeof (Server.prototype as unknown as Record<string, unknown>)[name], name).toBe('function');
    const swarm = (Server as unknown as { Swarm: { prototype: Record<string, unknown> } }).Swarm;
    for (const name of ASSUMED.swarm) expect(typeof swarm.prototype[name], name).toBe('function');
  });

  it("the library's message handler parses, announces through our swarm store in the same turn, replies and relays offers", () => {
    const server = engine();
    const a = connect(server);
    const b = connect(server);
    a.message(announce(1, 7));
    // Answered synchronously: getSwarm / createSwarm answer at once, so nothing waits for a later tick.
    expect(a.sent).toEqual([{ action: 'announce', complete: 0, incomplete: 1, interval: 120, info_hash: bin(7) }]);
    const swarm = server.swarms.get(hex(bin(7)))!;
    expect(swarm.size).toBe(1);
    expect(swarm.peers.peek(hex(bin(1)))).toMatchObject({ peerId: hex(bin(1)), socket: a, complete: false });
    b.message(announce(2, 7, { left: 0, offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(9) }] }));
    expect(b.sent).toEqual([{ action: 'announce', complete: 1, incomplete: 1, interval: 120, info_hash: bin(7) }]);
    expect(a.sent[1]).toEqual({ action: 'announce', offer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(9), peer_id: bin(2), info_hash: bin(7) });
    // An answer goes to the offerer's socket.
    a.message(announce(1, 7, { event: undefined, answer: { type: 'answer', sdp: 'v=1' }, offer_id: bin(9), to_peer_id: bin(2) }));
    expect(b.sent[1]).toEqual({ action: 'announce', answer: { type: 'answer', sdp: 'v=1' }, offer_id: bin(9), peer_id: bin(1), info_hash: bin(7) });
    // The library's own per-socket list of swarms stays the adapter's empty stand-in.
    expect(a.infoHashes).toMatchObject({ length: 0 });
  });

  it('every peer id a socket announced, in every swarm, goes when it closes, and so do the emptied swarms', () => {
    const server = engine();
    const a = connect(server);
    const b = connect(server);
    for (const [peer, hash] of [
      [1, 7],
      [2, 7],
      [1, 8],
      [3, 9],
    ] as const)
      a.message(announce(peer, hash));
    b.message(announce(4, 7));
    expect(EngineServer.held(a)).toBe(4);
    const sizes = (): Record<string, number> => Object.fromEntries([...server.swarms].map(([hash, swarm]) => [hash, swarm.size]));
    expect(sizes()).toEqual({ [hex(bin(7))]: 3, [hex(bin(8))]: 1, [hex(bin(9))]: 1 });
    a.close();
    expect(EngineServer.held(a)).toBe(0);
    expect(sizes()).toEqual({ [hex(bin(7))]: 1 });
    expect(server.swarms.get(hex(bin(7)))!.list.map((p) => p.peerId)).toEqual([hex(bin(4))]);
    // The library's close handler ran too: the socket's listeners are gone.
    expect(a.listenerCount('message')).toBe(0);
  });

  it("the library's LRU evicts a full swarm's stalest peer through the swarm's removal method", () => {
    const server = engine({ maxPeersPerSwarm: 2 });
    const sockets = [1, 2, 3].map(() => connect(server));
    sockets.forEach((s, i) => s.message(announce(i + 1, 7)));
    const swarm = server.swarms.get(hex(bin(7)))!;
    expect(swarm.peers.max).toBe(2);
    expect(swarm.list.map((p) => p.peerId).sort()).toEqual([hex(bin(2)), hex(bin(3))]);
    expect(EngineServer.held(sockets[0])).toBe(0);
    expect(swarm.incomplete).toBe(2);
  });

  it('keeps swarms, peers and sockets consistent whatever sequence of announces, leaves and closes (property)', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('announce' as const),
        socket: fc.integer({ min: 0, max: 2 }),
        peer: fc.integer({ min: 1, max: 4 }),
        hash: fc.integer({ min: 1, max: 3 }),
        event: fc.constantFrom('started', 'stopped', 'completed', 'paused', 'update', undefined),
        left: fc.constantFrom(0, 100),
        offers: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({ kind: fc.constant('close' as const), socket: fc.integer({ min: 0, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const server = engine({ maxPeersPerSwarm: 3, maxSwarms: 2 });
        const sockets = [0, 1, 2].map(() => connect(server));
        /** Closed sockets, and how many messages each had been sent when it closed. */
        const closed = new Map<FakeSocket, number>();
        for (const o of ops) {
          if (o.kind === 'close') {
            sockets[o.socket]!.close();
            closed.set(sockets[o.socket]!, sockets[o.socket]!.sent.length);
            sockets[o.socket] = connect(server);
          } else {
            const offers = Array.from({ length: o.offers }, (_, i) => ({ offer: { type: 'offer', sdp: 'v=0' }, offer_id: bin(0x90 + i) }));
            sockets[o.socket]!.message(announce(o.peer, o.hash, { event: o.event, left: o.left, offers }));
          }
          let peers = 0;
          for (const swarm of server.swarms.values()) {
            expect(swarm.size).toBeGreaterThan(0);
            expect(swarm.size).toBe(swarm.peers.length);
            expect(swarm.complete + swarm.incomplete).toBe(swarm.size);
            expect(swarm.complete).toBe(swarm.list.filter((p: EnginePeer) => p.complete).length);
            expect(swarm.size).toBeLessThanOrEqual(3);
            for (const peer of swarm.list) {
              expect(swarm.peers.peek(peer.peerId)).toBe(peer);
              expect(sockets).toContain(peer.socket);
            }
            peers += swarm.size;
          }
          expect(server.swarms.size).toBeLessThanOrEqual(2);
          expect(sockets.reduce((n, s) => n + EngineServer.held(s), 0)).toBe(peers);
          for (const s of closed.keys()) expect(EngineServer.held(s)).toBe(0);
        }
        // Nothing (no offer, no answer) was sent to a socket once it had closed.
        for (const [s, n] of closed) expect(s.sent).toHaveLength(n);
        for (const s of sockets) s.close();
        expect(server.swarms.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
