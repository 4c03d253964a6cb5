/**
 * Private shares in the client (Node, a real tracker, in-memory links): the link holder's client
 * gets the real files, byte-identical, and streams any range; a client with the info hash alone
 * downloads, stores and serves only ciphertext, and learns no name; a wrong key is said in plain
 * words; after a "reload" the holder's torrent opens again with the kept key.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient } from '../../src/client/client.js';
import type { Torrent } from '../../src/client/torrent.js';
import { concatBytes, utf8 } from '../../src/core/bytes.js';
import { WRONG_KEY } from '../../src/core/private/cipher.js';
import { PRIVATE_TORRENT_NAME, SECRET_LENGTH } from '../../src/core/private/format.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { clientBed, sha } from './client-bed.js';
import { fakeWorld } from './fake-env.js';
import { validateTorrentRecord } from '../../src/store/torrent-records.js';

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return concatBytes(chunks);
    chunks.push(value);
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).includes(Buffer.from(needle));
}

/** Every piece a client stored for a torrent, in order. */
async function storedBytes(world: ReturnType<typeof fakeWorld>, t: Torrent): Promise<Uint8Array> {
  const store = world.stores.get(t.infoHash)!;
  const indexes = (await store.stored()).sort((a, b) => a - b);
  return concatBytes(await Promise.all(indexes.map(async (i) => (await store.get(i))!)));
}

const film = fixtureBytes(700_001, 11);
const notes = utf8('meet at the old lighthouse at nine\n'.repeat(50));
const files = [
  { path: 'holiday-secrets/lighthouse-film.webm', data: film },
  { path: 'holiday-secrets/notes.txt', data: notes },
];
const NAMES = ['holiday-secrets', 'lighthouse-film', 'notes.txt'];

describe('private shares (Node, real tracker, in-memory links)', () => {
  const { cleanup, tracker } = clientBed();

  it('the link holder gets the real files, byte-identical and streamable; a peer with the hash alone stores only ciphertext and no name', async () => {
    const t = await tracker();
    const [sw, hw, ow] = [fakeWorld(), fakeWorld(), fakeWorld()];
    const sharer = new BaseClient(sw.env(), { announce: [t.url] });
    const holder = new BaseClient(hw.env(), { announce: [t.url] });
    const other = new BaseClient(ow.env(), { announce: [t.url] });
    cleanup.push(
      () => sharer.destroy(),
      () => holder.destroy(),
      () => other.destroy(),
    );
    const seeded = await sharer.seed(files, { private: true, pieceLength: 16384 });
    expect(seeded.secret).toHaveLength(SECRET_LENGTH);
    expect(seeded.name).toBe('holiday-secrets');
    expect(seeded.files.map((f) => f.path)).toEqual(['holiday-secrets/lighthouse-film.webm', 'holiday-secrets/notes.txt']);
    // What leaves the page: the magnet link, the .torrent, the metadata peers fetch.
    for (const name of NAMES) {
      expect(seeded.magnetURI).not.toContain(name);
      expect(contains(seeded.torrentFile!, utf8(name)), name).toBe(false);
    }
    expect(seeded.metainfo!.name).toBe(PRIVATE_TORRENT_NAME);

    const got = await holder.add(`magnet:?xt=urn:btih:${seeded.infoHash}`, { secret: seeded.secret! });
    await got.ready;
    expect(got.privateShare).toEqual({ status: 'open', name: 'holiday-secrets' });
    expect(got.files.map((f) => [f.path, f.length])).toEqual([
      ['holiday-secrets/lighthouse-film.webm', film.length],
      ['holiday-secrets/notes.txt', notes.length],
    ]);
    // A range in the middle, read before the download completes (it raises those pieces).
    expect(sha(await read(got.files[0]!.stream(400_000, 450_003)))).toBe(sha(film.subarray(400_000, 450_003)));
    await got.done;
    expect(sha(new Uint8Array(await (await got.files[0]!.blob()).arrayBuffer()))).toBe(sha(film));
    expect(sha(await read(got.files[1]!.stream()))).toBe(sha(notes));
    expect(got.fileProgress(1)).toBe(1);
    expect(got.completeFiles).toBe(2);
    expect(() => got.selectFile(1, false)).toThrow(/cannot be left out/);

    const carrier = await other.add(`magnet:?xt=urn:btih:${seeded.infoHash}`);
    await carrier.done;
    expect(carrier.privateShare).toBeUndefined();
    expect(carrier.name).toBe(PRIVATE_TORRENT_NAME);
    expect(carrier.files.map((f) => f.path)).toEqual([PRIVATE_TORRENT_NAME]);
    const stored = await storedBytes(ow, carrier);
    expect(stored.length).toBe(carrier.length);
    for (const name of NAMES) expect(contains(stored, utf8(name)), name).toBe(false);
    expect(contains(stored, notes.subarray(0, 34)), 'the notes').toBe(false);
    expect(contains(stored, film.subarray(100_000, 100_064)), 'the film').toBe(false);

    // Given the key later (the full link), the carrier opens the share from the pieces it has.
    const downloaded = carrier.downloaded;
    const opened = await other.add(`magnet:?xt=urn:btih:${seeded.infoHash}`, { secret: seeded.secret! });
    await opened.ready;
    expect(opened.name).toBe('holiday-secrets');
    expect(sha(await read(opened.files[1]!.stream()))).toBe(sha(notes));
    expect(opened.downloaded).toBe(0);
    expect(downloaded).toBeGreaterThan(0);
  });

  it('a wrong key says so, and the torrent is still carried', async () => {
    const t = await tracker();
    const sharer = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    const holder = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(
      () => sharer.destroy(),
      () => holder.destroy(),
    );
    const seeded = await sharer.seed(files, { private: true });
    const warnings: string[] = [];
    holder.addEventListener('warning', (e) => warnings.push(e.detail.message));
    const wrong = seeded.secret!.slice();
    wrong[0]! ^= 1;
    const got = await holder.add(seeded.magnetURI, { secret: wrong });
    await got.ready;
    expect(got.privateShare).toMatchObject({ status: 'failed', error: { message: WRONG_KEY } });
    expect(got.files).toEqual([]);
    expect(warnings).toContain(WRONG_KEY);
    await got.done;
  });

  it('a torrent record keeps a secret of 22 base64url characters, and refuses any other', () => {
    const record = {
      infoHash: 'ab'.repeat(20),
      name: 'x',
      magnetURI: 'magnet:?xt=urn:btih:' + 'ab'.repeat(20),
      announce: [],
      urlList: [],
      paused: false,
      addedAt: 1,
    };
    expect(validateTorrentRecord({ ...record, secret: 'A'.repeat(22) })).toEqual({ ...record, secret: 'A'.repeat(22) });
    expect(validateTorrentRecord(record)).toEqual(record);
    for (const secret of ['A'.repeat(21), 'A'.repeat(21) + '.', 7])
      expect(validateTorrentRecord({ ...record, secret })).toBe('secret is not 22 base64url characters');
  });

  it('after a "reload" the holder opens the share again with the key it kept', async () => {
    const t = await tracker();
    const hw = fakeWorld();
    const sharer = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    cleanup.push(() => sharer.destroy());
    const seeded = await sharer.seed(files, { private: true });
    const before = new BaseClient(hw.env(), { announce: [t.url] });
    await (
      await before.add(seeded.magnetURI, { secret: seeded.secret! })
    ).done;
    await before.destroy();
    const after = new BaseClient(hw.env(), { announce: [t.url] });
    cleanup.push(() => after.destroy());
    await after.ready;
    const again = after.torrents[0]!;
    await again.ready;
    expect(again.name).toBe('holiday-secrets');
    expect(sha(await read(again.files[1]!.stream()))).toBe(sha(notes));
  });
});
