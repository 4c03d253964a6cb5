import { describe, expect, it } from 'vitest';
import { wiredPeer } from './peer-fixture.js';
import { BitField } from '../../../src/core/wire/index.js';
import { MAX_QUEUED_REQUESTS } from '../../../src/core/session/peer.js';

const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
const bitsOf = (count: number, set: number[]) => {
  const b = new BitField(count);
  for (const i of set) b.set(i);
  return b.toBytes();
};

describe('peer state machine', () => {
  it('keeps what a peer announces before the piece count is known, and reports it once it is', () => {
    const w = wiredPeer({ id: 'a', clock });
    w.deliver({ type: 'bitfield', bits: bitsOf(10, [1]) }, { type: 'have', index: 3 }, { type: 'have', index: 9 });
    // Nothing is counted yet, but that it has pieces is reported once (our interest follows it).
    expect(w.events.slice(1)).toEqual([{ type: 'availability' }]);
    expect(w.peer.announced()).toBe('some');
    expect(w.peer.hasPiece(1)).toBe(false);
    w.peer.setPieceCount(10);
    const last = w.events.at(-1)!;
    expect(last.type).toBe('availability');
    expect(last.type === 'availability' && last.added instanceof BitField && [...last.added.indexes()]).toEqual([1, 3, 9]);
    expect([1, 3, 9].every((i) => w.peer.hasPiece(i))).toBe(true);
    // Afterwards each `have` is reported once.
    w.deliver({ type: 'have', index: 4 }, { type: 'have', index: 4 });
    expect(w.events.slice(-1)).toEqual([{ type: 'availability', added: 4 }]);
  });

  it('a pending have out of range, or a bitfield of the wrong length, is a violation when the count becomes known', () => {
    const a = wiredPeer({ id: 'a', clock });
    a.deliver({ type: 'have', index: 10 });
    a.peer.setPieceCount(10);
    expect(a.events.at(-1)).toEqual({ type: 'violation', reason: 'have for piece 10, out of range' });
    const b = wiredPeer({ id: 'b', clock });
    b.deliver({ type: 'bitfield', bits: new Uint8Array(3) });
    b.peer.setPieceCount(10);
    expect(b.events.at(-1)).toEqual({ type: 'violation', reason: 'a bitfield for 10 pieces is 2 bytes, not 3' });
  });

  it('keeps the latest eight pieces a peer suggests (BEP 6), a repeat moving to the end', () => {
    const w = wiredPeer({ id: 'a', clock, pieceCount: 100 });
    expect(w.peer.suggested).toBeUndefined();
    w.deliver(...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3].map((index) => ({ type: 'suggest' as const, index })));
    expect([...(w.peer.suggested ?? [])]).toEqual([4, 5, 6, 7, 8, 9, 10, 3]);
  });

  it('have-all and a later bitfield swap what is counted', () => {
    const w = wiredPeer({ id: 'a', clock, pieceCount: 10 });
    w.deliver({ type: 'have', index: 2 }, { type: 'haveAll' });
    expect(w.events.at(-1)).toMatchObject({ type: 'availability', added: 'all' });
    expect(w.peer.announced()).toBe('all');
    const haveAll = w.events.at(-1);
    expect(haveAll?.type === 'availability' && haveAll.removed instanceof BitField && [...haveAll.removed.indexes()]).toEqual([2]);
    w.deliver({ type: 'bitfield', bits: bitsOf(10, [5]) });
    const swap = w.events.at(-1);
    expect(swap?.type === 'availability' && swap.removed).toBe('all');
    expect(w.peer.announced()).toBe('some');
    expect(w.peer.hasPiece(2)).toBe(false);
    expect(w.peer.hasPiece(5)).toBe(true);
  });

  it('reports protocol violations instead of acting on them', () => {
    const early = wiredPeer({ id: 'a', clock, handshake: false });
    early.deliver({ type: 'interested' });
    expect(early.events).toEqual([{ type: 'violation', reason: 'protocol error: not a BitTorrent handshake: the first byte is 0, not 19' }]);
    const slow = wiredPeer({ id: 'b', clock, fast: false, pieceCount: 4 });
    slow.deliver({ type: 'haveAll' }, { type: 'reject', index: 0, begin: 0, length: 16384 });
    expect(slow.events.slice(1)).toEqual([
      { type: 'violation', reason: 'haveAll without the Fast Extension' },
      { type: 'violation', reason: 'reject without the Fast Extension' },
    ]);
    const garbage = wiredPeer({ id: 'c', clock });
    garbage.deliver({ type: 'extended', extId: 0, payload: new Uint8Array([1, 2, 3]) });
    expect(garbage.events.at(-1)).toMatchObject({ type: 'violation', reason: expect.stringMatching(/^bad extended handshake: /) });
    const frame = wiredPeer({ id: 'd', clock });
    frame.channel.onData!(new Uint8Array([0x80, 0, 0, 0, 1]));
    expect(frame.events.at(-1)).toMatchObject({ type: 'violation', reason: expect.stringMatching(/^protocol error: /) });
  });

  it('queues its requests up to a limit, refuses a flood, and a choke rejects what is queued (Fast Extension)', () => {
    const w = wiredPeer({ id: 'a', clock, pieceCount: 4 });
    const r = { index: 0, begin: 0, length: 16384 };
    for (let i = 0; i < MAX_QUEUED_REQUESTS; i++) expect(w.peer.queueRequest(r)).toBe(true);
    expect(w.peer.queueRequest(r)).toBe(false);
    w.deliver({ type: 'cancel', ...r });
    expect(w.peer.queuedRequests).toHaveLength(MAX_QUEUED_REQUESTS - 1);
    w.peer.unchoke();
    w.peer.choke();
    w.peer.flush();
    expect(w.peer.queuedRequests).toHaveLength(0);
    expect(w.sent.filter((e) => e.type === 'reject')).toHaveLength(MAX_QUEUED_REQUESTS - 1);
    let refused = 0;
    while (w.peer.refuseRequest(r)) refused++;
    expect(refused).toBe(1000);
  });

  it('takes its extension handshake: names, client, queue depth (at most 250), metadata size', () => {
    const w = wiredPeer({ id: 'a', clock });
    const payload = new TextEncoder().encode('d1:md11:ut_metadatai3ee13:metadata_sizei999e4:reqqi5000e1:v6:Tester');
    w.deliver({ type: 'extended', extId: 0, payload: new Uint8Array([...payload, 0x65]) });
    expect(w.events.at(-1)).toEqual({ type: 'extendedHandshake' });
    expect(w.peer.extensions).toEqual({ ut_metadata: 3 });
    expect(w.peer.clientName).toBe('Tester');
    expect(w.peer.maxRequests).toBe(250);
    expect(w.peer.metadataSize).toBe(999);
  });
});
