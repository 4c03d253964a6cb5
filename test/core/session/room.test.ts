/** room.ts: a full seed closes seed-to-seed connections one at a time; a full leecher turns useless peers over; a leecher with no useful peer starves. */
import { describe, expect, it } from 'vitest';
import { MAKE_ROOM_GRACE, MAKE_ROOM_INTERVAL, MIN_PEERS, Room, SHED_INTERVAL, TURNOVER_INTERVAL, type RoomPeer } from '../../../src/core/session/room.js';

const PIECES = 8;

interface FakePeer extends RoomPeer {
  name: string;
}

function peer(name: string, held: number, more: Partial<Omit<FakePeer, 'piecesHeld'>> = {}): FakePeer {
  return {
    name,
    backup: false,
    closed: false,
    handshaken: true,
    amInterested: false,
    peerInterested: false,
    queuedRequests: [],
    piecesHeld: () => held,
    connectedAt: 0,
    uploadRate: () => 0,
    downloaded: { rate: () => 0 },
    ...more,
  };
}

function names(peers: readonly FakePeer[]): string[] {
  return peers.map((p) => p.name);
}

function world(peers: FakePeer[], state: { seed?: boolean; done?: boolean; running?: boolean; full?: boolean; pieceCount?: number | undefined } = {}) {
  const s = { seed: true, done: true, running: true, full: true, pieceCount: PIECES as number | undefined, ...state };
  const closed: string[] = [];
  const list = [...peers];
  const room = new Room<FakePeer>({
    peers: () => list,
    pieceCount: () => s.pieceCount,
    seed: () => s.seed,
    full: () => s.full,
    done: () => s.done,
    running: () => s.running,
    close: (p) => {
      closed.push(p.name);
      list.splice(list.indexOf(p), 1);
    },
  });
  return { room, closed, s, list };
}

describe('Room: seed-to-seed connections', () => {
  it('closes one at a time, at most every 30 s, the oldest first, down to the minimum', () => {
    const w = world([peer('a', 3), peer('s1', PIECES), peer('b', 0), peer('s2', PIECES), peer('s3', PIECES), peer('c', 5)]);
    expect(names(w.room.tick(1_000))).toEqual(['s1']);
    expect(w.room.tick(1_000 + SHED_INTERVAL - 1)).toEqual([]);
    expect(names(w.room.tick(1_000 + SHED_INTERVAL))).toEqual(['s2']);
    expect(w.closed).toEqual(['s1', 's2']);
    // Four connections left: the minimum, so s3 stays however long we wait.
    expect(w.list).toHaveLength(MIN_PEERS);
    expect(w.room.tick(1_000 + 10 * SHED_INTERVAL)).toEqual([]);
    expect(w.closed).toEqual(['s1', 's2']);
  });

  it('keeps a seed it uploads to, web seeds, peers not handshaken yet, and every peer that lacks a piece', () => {
    const w = world([
      peer('interested', PIECES, { peerInterested: true }),
      peer('asking', PIECES, { queuedRequests: [{ index: 0, begin: 0, length: 16_384 }] }),
      peer('web', PIECES, { backup: true }),
      peer('new', PIECES, { handshaken: false }),
      peer('almost', PIECES - 1),
      peer('empty', 0),
    ]);
    expect(w.room.tick(0)).toEqual([]);
    expect(w.closed).toEqual([]);
  });

  it('closes nothing unless every slot is taken, it holds every piece, runs and knows the metadata', () => {
    const peers = () => Array.from({ length: 8 }, (_, i) => peer(`s${i}`, PIECES));
    expect(world(peers(), { full: false }).room.tick(0)).toEqual([]); // room for more already
    expect(world(peers(), { seed: false }).room.tick(0)).toEqual([]); // done with the selected files only
    expect(world(peers(), { running: false }).room.tick(0)).toEqual([]);
    expect(world(peers(), { pieceCount: undefined }).room.tick(0)).toEqual([]);
    expect(names(world(peers()).room.tick(0))).toEqual(['s0']);
  });
});

describe('Room: peer turnover of a leecher out of slots', () => {
  const leecher = { seed: false, done: false };
  /** Twelve peers: `u0`… have nothing we want and want nothing of ours; the rest are useful one way or another. */
  function crowd(useless: number): FakePeer[] {
    const useful = [
      peer('has', 2, { amInterested: true }),
      peer('wants', 0, { peerInterested: true }),
      peer('asks', 0, { queuedRequests: [{ index: 1, begin: 0, length: 16_384 }] }),
      peer('web', PIECES, { backup: true }),
      peer('new', 0, { handshaken: false }),
    ];
    return [...Array.from({ length: useless }, (_, i) => peer(`u${i}`, i % 3)), ...useful].slice(0, 12);
  }

  it('closes a quarter of the useless connections (rounded up), the oldest first, at most every 10 s', () => {
    const w = world(crowd(7), leecher);
    expect(names(w.room.tick(1_000))).toEqual(['u0', 'u1']);
    expect(w.room.tick(1_000 + TURNOVER_INTERVAL - 1)).toEqual([]);
    // Five useless left: two more (a quarter, rounded up), the useful peers stay.
    expect(names(w.room.tick(1_000 + TURNOVER_INTERVAL))).toEqual(['u2', 'u3']);
    expect(w.closed).toEqual(['u0', 'u1', 'u2', 'u3']);
    expect(w.list.map((p) => p.name)).toEqual(['u4', 'u5', 'u6', 'has', 'wants', 'asks', 'web', 'new']);
  });

  it('also while starving, and never below the minimum', () => {
    const w = world([peer('a', 0), peer('b', 1), peer('c', 0), peer('d', 2), peer('e', 0)], leecher);
    expect(w.room.starving).toBe(true);
    expect(names(w.room.tick(0))).toEqual(['a']); // a quarter of 5, rounded up; and 4 left
    expect(w.room.tick(TURNOVER_INTERVAL)).toEqual([]);
    expect(w.list).toHaveLength(MIN_PEERS);
  });

  it('keeps every connection unless every slot is taken, or when done, paused, or before the metadata', () => {
    expect(world(crowd(7), { ...leecher, full: false }).room.tick(0)).toEqual([]); // a small swarm keeps its peers
    expect(world(crowd(7), { ...leecher, done: true }).room.tick(0)).toEqual([]); // done with the selected files
    expect(world(crowd(7), { ...leecher, running: false }).room.tick(0)).toEqual([]);
    expect(world(crowd(7), { ...leecher, pieceCount: undefined }).room.tick(0)).toEqual([]);
    expect(world(crowd(0), leecher).room.tick(0)).toEqual([]); // every peer useful: nothing to close
  });
});

describe('Room: starving', () => {
  it('is a running leecher that no connected peer can give a wanted piece', () => {
    const useless = [peer('a', 0), peer('b', 3), peer('gone', PIECES, { amInterested: true, closed: true })];
    expect(world(useless, { seed: false, done: false }).room.starving).toBe(true);
    expect(world([], { seed: false, done: false }).room.starving).toBe(true);
    expect(world([...useless, peer('useful', 2, { amInterested: true })], { seed: false, done: false }).room.starving).toBe(false);
    // Done (every wanted piece), paused or stopped: not starving.
    expect(world(useless, { seed: false, done: true }).room.starving).toBe(false);
    expect(world(useless, { seed: false, done: false, running: false }).room.starving).toBe(false);
  });

  it('before the metadata: while no peer (other than a web seed) is connected and handshaken', () => {
    const before = { seed: false, done: false, pieceCount: undefined };
    expect(world([], before).room.starving).toBe(true);
    expect(world([peer('web', 0, { backup: true }), peer('new', 0, { handshaken: false })], before).room.starving).toBe(true);
    expect(world([peer('p', 0)], before).room.starving).toBe(false);
  });
});

describe('Room: making room for a newcomer', () => {
  const rate = (n: number) => ({ rate: () => n });
  const busy = (name: string, down: number, more: Partial<Omit<FakePeer, 'piecesHeld'>> = {}) =>
    peer(name, 3, { amInterested: true, peerInterested: true, downloaded: rate(down), ...more });

  it('closes a useless connection first, else the one carrying least; one every interval; never below the minimum', () => {
    const t = MAKE_ROOM_GRACE + 1;
    const w = world([busy('a', 500), busy('b', 100), peer('idle', 3), busy('c', 900), busy('d', 300), busy('e', 700)], { seed: false, done: false });
    expect(w.room.makeRoom(t)?.name).toBe('idle');
    expect(w.room.makeRoom(t + MAKE_ROOM_INTERVAL - 1)).toBeUndefined();
    expect(w.room.makeRoom(t + MAKE_ROOM_INTERVAL)?.name).toBe('b');
    expect(w.closed).toEqual(['idle', 'b']);
    expect(w.list).toHaveLength(MIN_PEERS);
    expect(w.room.makeRoom(t + 10 * MAKE_ROOM_INTERVAL)).toBeUndefined();
  });

  it('keeps web seeds, young connections, and everything when not full or not running', () => {
    const t = 60_000;
    const peers = [
      busy('a', 500),
      busy('young', 0, { connectedAt: t - MAKE_ROOM_GRACE + 1 }),
      peer('web', 0, { backup: true }),
      busy('b', 800),
      busy('c', 900),
    ];
    expect(world([...peers], { full: false }).room.makeRoom(t)).toBeUndefined();
    expect(world([...peers], { running: false }).room.makeRoom(t)).toBeUndefined();
    expect(world([...peers]).room.makeRoom(t)?.name).toBe('a');
  });
});
