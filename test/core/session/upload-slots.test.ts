import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random.js';
import { UploadSlots } from '../../../src/core/session/upload-slots.js';
import type { Peer } from '../../../src/core/session/peer.js';

/** The parts of a peer the upload slots read and change. */
function fakePeer(id: string, o: { interested: boolean; from?: number }) {
  const p = {
    id,
    handshaken: true,
    closed: false,
    peerInterested: o.interested,
    amChoking: true,
    connectedAt: 0,
    downloaded: { rate: () => o.from ?? 0 },
    uploaded: { rate: () => 0 },
    unchoke() {
      p.amChoking = false;
    },
    choke() {
      p.amChoking = true;
    },
  };
  return p;
}

describe('upload slots', () => {
  it('a slot that falls free between rechokes is filled without choking the interested peers already unchoked', () => {
    const choked: string[] = [];
    const unchoked: string[] = [];
    const slots = new UploadSlots({
      clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
      random: mulberry32(3),
      slots: 4,
      onUnchoked: (p) => unchoked.push(p.id),
      onChoking: (p) => choked.push(p.id),
    });
    // Four peers that have sent us nothing yet take the four slots (three regular, one optimistic).
    const first = ['a', 'b', 'd', 'e'].map((id) => fakePeer(id, { interested: true }));
    const all = [...first];
    slots.rechoke(all as unknown as Peer[], false);
    expect(first.every((p) => !p.amChoking)).toBe(true);
    // Two peers that upload to us fast become interested: no slot is free yet.
    const g = fakePeer('g', { interested: true, from: 500_000 });
    const h = fakePeer('h', { interested: true, from: 400_000 });
    all.push(g, h);
    slots.fillFreeSlot(all as unknown as Peer[], false);
    expect(g.amChoking && h.amChoking).toBe(true);
    // One of the four loses interest: it is choked, its slot goes to the fastest waiting peer, and
    // nobody else is choked (a full rechoke here would give g and h two regular slots, choking two
    // of a, b and d, which had just been unchoked and had their requests on the way).
    first[3]!.peerInterested = false;
    unchoked.length = 0;
    slots.fillFreeSlot(all as unknown as Peer[], false);
    expect(unchoked).toEqual(['g']);
    expect(choked).toEqual(['e']);
    expect(first.slice(0, 3).every((p) => !p.amChoking)).toBe(true);
  });
});
