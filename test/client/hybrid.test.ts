/**
 * BitTorrent v2 in the client (issue 21): a hybrid torrent is shared and downloaded through its v1
 * half, its padding files nowhere to be seen and its bytes identical; a v2-only one is shared and
 * downloaded by its `btmh` magnet link or its .torrent.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient } from '../../src/client/client.js';
import { parseTorrent } from '../../src/core/metainfo.js';
import { clientBed, sha } from './client-bed.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { fakeWorld } from './fake-env.js';

describe('BitTorrent v2 in the client', () => {
  const { cleanup, tracker, clients } = clientBed();

  it('shares a hybrid torrent and another client downloads it by its v1+v2 magnet link: no padding files, the same bytes', async () => {
    const [a, b] = (await clients(2)) as [BaseClient, BaseClient];
    // Given out of order; sizes that leave each file short of a piece (so padding follows each).
    const files = [
      { path: 'set/d/b.bin', data: fixtureBytes(37_000, 2) },
      { path: 'set/a.bin', data: fixtureBytes(100_000, 1) },
      { path: 'set/c.txt', data: new TextEncoder().encode('five!') },
      { path: 'set/empty', data: new Uint8Array(0) },
    ];
    const seeded = await a.seed(files, { version: 'hybrid', pieceLength: 16384 });
    expect(seeded.isDone).toBe(true);
    const meta = await parseTorrent(seeded.torrentFile!);
    expect(meta.version).toBe('hybrid');
    expect(seeded.magnetURI).toMatch(new RegExp(`^magnet:\\?xt=urn:btih:${seeded.infoHash}&xt=urn:btmh:1220${meta.infoHashV2!}&`));
    // a.bin in 7 pieces, c.txt in 1, d/b.bin in 3: every file padded to a whole piece.
    expect(meta.length).toBe(11 * 16384);
    expect(meta.files.map((f) => f.offset)).toEqual([0, 7 * 16384, 8 * 16384, 11 * 16384]);
    expect(seeded.files.map((f) => f.path)).toEqual(['set/a.bin', 'set/c.txt', 'set/d/b.bin', 'set/empty']);

    const got = await b.add(seeded.magnetURI);
    await got.ready;
    expect(got.files.map((f) => [f.path, f.length])).toEqual([
      ['set/a.bin', 100_000],
      ['set/c.txt', 5],
      ['set/d/b.bin', 37_000],
      ['set/empty', 0],
    ]);
    await got.done;
    const bytes = async (i: number): Promise<Uint8Array> => new Uint8Array(await (await got.files[i]!.blob()).arrayBuffer());
    expect(sha(await bytes(0))).toBe(sha(files[1]!.data));
    expect(new TextDecoder().decode(await bytes(1))).toBe('five!');
    expect(sha(await bytes(2))).toBe(sha(files[0]!.data));
    expect((await bytes(3)).length).toBe(0);
  });

  it('shares a v2-only torrent and another client downloads it by its btmh-only magnet link and by its .torrent, the same bytes', async () => {
    const t = await tracker();
    const world = fakeWorld();
    const a = new BaseClient(world.env(), { announce: [t.url] });
    const b = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    const c = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(
      () => a.destroy(),
      () => b.destroy(),
      () => c.destroy(),
    );
    const files = [
      { path: 'v2set/big.bin', data: fixtureBytes(150_000, 3) },
      { path: 'v2set/small.txt', data: new TextEncoder().encode('small') },
    ];
    const seeded = await a.seed(files, { version: 'v2', pieceLength: 16384 });
    expect(seeded.isDone).toBe(true);
    const meta = await parseTorrent(seeded.torrentFile!);
    expect(meta.version).toBe('v2');
    // Known by the first 20 bytes of its SHA-256 info hash; the link names it by the whole hash alone.
    expect(seeded.infoHash).toBe(meta.infoHashV2!.slice(0, 40));
    expect(seeded.magnetURI).toMatch(new RegExp(`^magnet:\\?xt=urn:btmh:1220${meta.infoHashV2!}&dn=v2set&`));
    for (const [client, input] of [
      [b, seeded.magnetURI],
      [c, seeded.torrentFile!],
    ] as const) {
      const got = await client.add(input);
      await got.done;
      expect(got.magnetURI.startsWith(`magnet:?xt=urn:btmh:1220${meta.infoHashV2!}&`)).toBe(true);
      const bytes = async (i: number): Promise<Uint8Array> => new Uint8Array(await (await got.files[i]!.blob()).arrayBuffer());
      expect(sha(await bytes(0))).toBe(sha(files[0]!.data));
      expect(new TextDecoder().decode(await bytes(1))).toBe('small');
    }
  });

  it('announces a hybrid under its truncated v2 hash too: a client given only its btmh link finds the seeder and downloads it', async () => {
    const [a, b] = (await clients(2)) as [BaseClient, BaseClient];
    const files = [{ path: 'both/x.bin', data: fixtureBytes(70_000, 5) }];
    const seeded = await a.seed(files, { version: 'hybrid', pieceLength: 16384 });
    const meta = await parseTorrent(seeded.torrentFile!);
    // As a v2-only client knows it: by its SHA-256 hash alone, so it looks for it under the first 20 bytes.
    const got = await b.add(`magnet:?xt=urn:btmh:1220${meta.infoHashV2!}`);
    expect(got.infoHash).toBe(meta.infoHashV2!.slice(0, 40));
    await got.done;
    expect(sha(new Uint8Array(await (await got.files[0]!.blob()).arrayBuffer()))).toBe(sha(files[0]!.data));
  });

  it('a client that learns from the metadata that its btih-only torrent is a hybrid announces it under its v2 hash too', async () => {
    const [a, b, c] = (await clients(3)) as [BaseClient, BaseClient, BaseClient];
    const files = [{ path: 'late/y.bin', data: fixtureBytes(50_000, 6) }];
    const seeded = await a.seed(files, { version: 'hybrid', pieceLength: 16384 });
    const meta = await parseTorrent(seeded.torrentFile!);
    const relay = await b.add(`magnet:?xt=urn:btih:${seeded.infoHash}`);
    await relay.done;
    await a.destroy();
    // Only b has it now, and only the metadata told b of its v2 hash.
    const got = await c.add(`magnet:?xt=urn:btmh:1220${meta.infoHashV2!}`);
    await got.done;
    expect(sha(new Uint8Array(await (await got.files[0]!.blob()).arrayBuffer()))).toBe(sha(files[0]!.data));
  });
});
