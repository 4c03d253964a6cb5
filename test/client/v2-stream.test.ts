/**
 * Streaming a BitTorrent v2 torrent (issue 21, item 5): a file's stream hands out each 16 KiB block
 * as soon as it proved right against its leaf hash, without waiting for the rest of its piece. The
 * seeder is slowed to 64 KiB/s so that a 256 KiB piece takes seconds to come.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient } from '../../src/client/client.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { clientBed, sha } from './client-bed.js';
import { fakeWorld } from './fake-env.js';

describe('BitTorrent v2 streaming in the client', () => {
  const { cleanup, tracker } = clientBed();

  it('a stream of a v2 file gets its first verified block before the first piece is in', async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url], uploadLimit: 64 * 1024 });
    const b = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(
      () => a.destroy(),
      () => b.destroy(),
    );
    const data = fixtureBytes(4 * 256 * 1024, 12);
    const seeded = await a.seed([{ path: 'clip.bin', data }], { version: 'v2', pieceLength: 256 * 1024 });
    const got = await b.add(seeded.magnetURI);
    await got.ready;
    const reader = got.files[0]!.stream().getReader();
    const first = await reader.read();
    const pieceInAlready = got.pieceStates()[0] === 2;
    await reader.cancel();
    expect(first.value!.length).toBe(16384);
    expect(sha(first.value!)).toBe(sha(data.subarray(0, 16384)));
    expect(pieceInAlready).toBe(false);
  });
});
