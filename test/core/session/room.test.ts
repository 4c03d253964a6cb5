/** room.ts: a full seed closes seed-to-seed connections one at a time; a leecher with no useful peer starves. */
import { describe, expect, it } from 'vitest';
import { MIN_PEERS, Room, SHED_INTERVAL, type RoomPeer } from '../../../src/core/session/room.js';

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
    ...more,
  };
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
    expect(w.room.tick(1_000)?.name).toBe('s1');
    expect(w.room.tick(1_000 + SHED_INTERVAL - 1)).toBeUndefined();
    expect(w.room.tick(1_000 + SHED_INTERVAL)?.name).toBe('s2');
    expect(w.closed).toEqual(['s1', 's2']);
    // Four connections left: the minimum, so s3 stays however long we wait.
    expect(w.list).toHaveLength(MIN_PEERS);
    expect(w.room.tick(1_000 + 10 * SHED_INTERVAL)).toBeUndefined();
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
    expect(w.room.tick(0)).toBeUndefined();
    expect(w.closed).toEqual([]);
  });

  it('closes nothing unless every slot is taken, it holds every piece, runs and knows the metadata', () => {
    const peers = () => Array.from({ length: 8 }, (_, i) => peer(`s${i}`, PIECES));
    expect(world(peers(), { full: false }).room.tick(0)).toBeUndefined(); // room for more already
    expect(world(peers(), { seed: false }).room.tick(0)).toBeUndefined(); // done with the selected files only
    expect(world(peers(), { running: false }).room.tick(0)).toBeUndefined();
    expect(world(peers(), { pieceCount: undefined }).room.tick(0)).toBeUndefined();
    expect(world(peers()).room.tick(0)?.name).toBe('s0');
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
