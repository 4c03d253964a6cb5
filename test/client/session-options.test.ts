/** What a torrent's session is given from its client (session-options.ts). */
import { describe, expect, it } from 'vitest';
import { sessionOptions } from '../../src/client/session-options.js';
import type { TorrentInit } from '../../src/client/torrent-types.js';
import { MemoryStore } from '../../src/core/session/store.js';

const HASH = 'ab'.repeat(20);

function init(extra: Partial<TorrentInit>): TorrentInit {
  return {
    infoHash: HASH,
    name: undefined,
    announce: [],
    urlList: [],
    exactSource: [],
    metainfo: undefined,
    store: new MemoryStore(),
    peerId: new Uint8Array(20),
    maxPeers: 40,
    persist: () => Promise.resolve(),
    register: () => undefined,
    ...extra,
  };
}

describe('session options', () => {
  it('super seeding reaches the session when the client asks for it, and initial seeding stays off with web seeds', () => {
    const bytes = new Uint8Array(20).fill(0xab);
    expect(sessionOptions(init({}), bytes, undefined, []).superSeeding).toBe(false);
    expect(sessionOptions(init({ superSeeding: true }), bytes, undefined, [])).toMatchObject({ superSeeding: true, initialSeeding: true });
    expect(sessionOptions(init({ superSeeding: true }), bytes, undefined, ['https://127.0.0.1/seed/']).initialSeeding).toBe(false);
  });

  it("a btmh magnet link's SHA-256 hash reaches the session", () => {
    const v2 = 'cd'.repeat(32);
    const o = sessionOptions(init({ infoHashV2: v2 }), new Uint8Array(20), undefined, []);
    expect(o.infoHashV2).toEqual(new Uint8Array(32).fill(0xcd));
    expect(sessionOptions(init({}), new Uint8Array(20), undefined, []).infoHashV2).toBeUndefined();
  });
});
