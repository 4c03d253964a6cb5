import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decode, isDict, type BDict } from '../../src/core/bencode.js';
import { createTorrent, defaultPieceLength, type BlobLike, type CreateTorrentOptions, type TorrentInputFile } from '../../src/core/create.js';
import { TorrentError } from '../../src/core/errors.js';
import { parseTorrent } from '../../src/core/metainfo.js';
import {
  concatenation,
  fixtureBytes,
  GREETING,
  GREETING_FOLDER,
  GREETING_LENGTH,
  makeGreetingFolderTorrent,
  makeGreetingTorrent,
  nodePieceHashes,
} from '../fixtures/greeting.js';

// create-torrent ships no types: load it untyped and give it the one signature we use.
type CreateTorrentCb = (input: Uint8Array[], opts: object, cb: (err: Error | null, torrent?: Uint8Array) => void) => void;
const createTorrentSpecifier: string = 'create-torrent';
const { default: createTorrentCb } = (await import(createTorrentSpecifier)) as { default: CreateTorrentCb };

/** Runs create-torrent 6.1.3 over the same files (as named Buffers); returns its .torrent bytes. */
function referenceTorrent(files: readonly TorrentInputFile[], opts: { name?: string; pieceLength?: number; private?: boolean }): Promise<Uint8Array> {
  const input = files.map((f) => {
    if (!(f.data instanceof Uint8Array)) throw new Error('reference inputs must be Uint8Array');
    return Object.assign(Buffer.from(f.data), { name: f.path });
  });
  return new Promise((resolve, reject) => {
    createTorrentCb(input, { ...opts, announce: ['wss://tracker.test'] }, (err, torrent) => {
      if (err || !torrent) reject(err ?? new Error('no torrent'));
      else resolve(new Uint8Array(torrent));
    });
  });
}

function infoOf(torrentFile: Uint8Array): BDict {
  const top = decode(torrentFile);
  if (!isDict(top) || !isDict(top['info'])) throw new Error('no info dictionary');
  return top['info'];
}

async function expectSameAsCreateTorrent(files: TorrentInputFile[], opts: CreateTorrentOptions = {}): Promise<string> {
  const ours = await createTorrent(files, opts);
  // create-torrent writes `private: 0` into the info dictionary when given `private: false`,
  // which changes the hash; like create-torrent's default, we leave `private` out unless asked.
  const refOpts = { name: opts.name, pieceLength: opts.pieceLength, ...(opts.private ? { private: true } : {}) };
  const reference = await parseTorrent(await referenceTorrent(files, refOpts));
  expect(ours.metainfo.infoBytes).toEqual(reference.infoBytes);
  expect(ours.infoHash).toBe(reference.infoHash);
  expect(ours.infoHash).toBe(createHash('sha1').update(reference.infoBytes).digest('hex'));
  return ours.infoHash;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('createTorrent matches create-torrent 6.1.3', () => {
  it('for a single file', async () => {
    await expectSameAsCreateTorrent([{ path: 'greeting.txt', data: GREETING }], { pieceLength: 16384 });
  });

  it('for a single file renamed by opts.name', async () => {
    await expectSameAsCreateTorrent([{ path: 'greeting.txt', data: GREETING }], { name: 'hi.txt', pieceLength: 16384 });
  });

  it('for nested paths under a common folder (which names the torrent and is stripped)', async () => {
    const files = [
      { path: 'folder/a.txt', data: text('alpha') },
      { path: 'folder/sub/b.bin', data: fixtureBytes(40000, 3) },
      { path: 'folder/sub/deeper/c.txt', data: text('gamma!') },
    ];
    await expectSameAsCreateTorrent(files, { pieceLength: 16384 });
    await expectSameAsCreateTorrent(files, { name: 'renamed', pieceLength: 32768 });
  });

  it('for paths without a common folder, named by opts.name or the first file', async () => {
    const files = [
      { path: 'a.txt', data: text('alpha') },
      { path: 'sub/b.bin', data: fixtureBytes(20000, 4) },
    ];
    await expectSameAsCreateTorrent(files, { name: 'mix', pieceLength: 16384 });
    await expectSameAsCreateTorrent(files, { pieceLength: 16384 });
  });

  it('for a 1-byte input', async () => {
    await expectSameAsCreateTorrent([{ path: 'one', data: new Uint8Array([7]) }], { pieceLength: 16384 });
  });

  it('for a file of an exact multiple of the piece length', async () => {
    await expectSameAsCreateTorrent([{ path: 'exact.bin', data: fixtureBytes(3 * 16384, 5) }], { pieceLength: 16384 });
  });

  it('for an empty file last, except the piece hashes, which create-torrent 6.1.3 gets wrong', async () => {
    // create-torrent 6.1.3 mis-hashes the piece around an empty file, wherever the empty file is
    // (even last): compare everything but `pieces` with it, and `pieces` with node:crypto.
    const files = [
      { path: 'd/a', data: fixtureBytes(17000, 6) },
      { path: 'd/z', data: new Uint8Array(0) },
    ];
    const ours = await createTorrent(files, { pieceLength: 16384 });
    const reference = await referenceTorrent(files, { pieceLength: 16384 });
    const { pieces: ourPieces, ...ourRest } = infoOf(ours.torrentFile);
    const { pieces: refPieces, ...refRest } = infoOf(reference);
    expect(ourRest).toEqual(refRest);
    expect(ourPieces).toEqual(new Uint8Array(Buffer.concat(nodePieceHashes(concatenation(files), 16384))));
    expect(refPieces).toBeInstanceOf(Uint8Array);
  });

  it('for a private torrent', async () => {
    await expectSameAsCreateTorrent([{ path: 'p.txt', data: text('secret') }], { pieceLength: 16384, private: true });
  });

  it('given the piece length tabswarm chooses by default (create-torrent chooses smaller ones below 256 MiB)', async () => {
    for (const size of [1, 300_000, 3_000_000]) {
      const files = [{ path: 'f.bin', data: fixtureBytes(size, size) }];
      const chosen = (await createTorrent(files)).metainfo.pieceLength;
      expect(chosen).toBe(256 * 1024);
      const reference = await parseTorrent(await referenceTorrent(files, {}));
      expect(reference.pieceLength).toBeLessThan(chosen);
      expect(await expectSameAsCreateTorrent(files, { pieceLength: reference.pieceLength })).toBe(reference.infoHash);
      await expectSameAsCreateTorrent(files, { pieceLength: chosen });
    }
  });
});

describe('createTorrent output', () => {
  it('is byte-exact for a small file', async () => {
    const t = await createTorrent([{ path: 'a.txt', data: text('hello') }], {
      pieceLength: 16384,
      creationDate: 1700000000,
      createdBy: 'x',
    });
    const pieceHash = createHash('sha1').update('hello').digest().toString('latin1');
    const info = `d6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:${pieceHash}e`;
    const expected = `d10:created by1:x13:creation datei1700000000e4:info${info}e`;
    expect(Buffer.from(t.torrentFile).toString('latin1')).toBe(expected);
    expect(t.infoHash).toBe(createHash('sha1').update(Buffer.from(info, 'latin1')).digest('hex'));
    expect(t.magnetURI).toBe(`magnet:?xt=urn:btih:${t.infoHash}&dn=a.txt`);
    expect(t.length).toBe(5);
    expect(t.pieceLength).toBe(16384);
  });

  it('writes trackers, web seeds, comment and dates at the top level, private only when asked', async () => {
    const t = await makeGreetingTorrent({
      announce: ['wss://one.test/a b', 'wss://two.test'],
      urlList: ['https://seed.test/'],
      comment: 'hi',
      creationDate: new Date(1_600_000_000_500),
      private: true,
      name: 'hé llo.txt',
    });
    const top = decode(t.torrentFile);
    if (!isDict(top)) throw new Error('not a dict');
    expect(Object.keys(top).sort()).toEqual(['announce', 'announce-list', 'comment', 'created by', 'creation date', 'info', 'url-list']);
    expect(top['creation date']).toBe(1_600_000_000);
    expect(Object.keys(infoOf(t.torrentFile)).sort()).toEqual(['length', 'name', 'piece length', 'pieces', 'private']);
    expect(t.metainfo.private).toBe(true);
    expect(t.metainfo.announceList).toEqual([['wss://one.test/a b'], ['wss://two.test']]);
    expect(t.metainfo.urlList).toEqual(['https://seed.test/']);
    expect(t.metainfo.comment).toBe('hi');
    expect(t.magnetURI).toBe(
      `magnet:?xt=urn:btih:${t.infoHash}&dn=h%C3%A9%20llo.txt&tr=wss%3A%2F%2Fone.test%2Fa%20b&tr=wss%3A%2F%2Ftwo.test&ws=https%3A%2F%2Fseed.test%2F`,
    );

    const plain = await createTorrent([{ path: 'a', data: text('a') }], { announce: ['wss://only'] });
    const plainTop = decode(plain.torrentFile);
    if (!isDict(plainTop)) throw new Error('not a dict');
    expect(Object.keys(plainTop).sort()).toEqual(['announce', 'created by', 'creation date', 'info']);
    expect(plain.metainfo.createdBy).toBe('tabswarm/0.1.0');
    expect(Object.keys(infoOf(plain.torrentFile)).sort()).toEqual(['length', 'name', 'piece length', 'pieces']);
  });

  it('round-trips through parseTorrent (single file)', async () => {
    const t = await makeGreetingTorrent();
    const m = await parseTorrent(t.torrentFile);
    expect(m.infoHash).toBe(t.infoHash);
    expect(m.name).toBe('greeting.txt');
    expect(m.length).toBe(GREETING_LENGTH);
    expect(m.files).toEqual([{ path: 'greeting.txt', pathSegments: ['greeting.txt'], name: 'greeting.txt', length: GREETING_LENGTH, offset: 0 }]);
    expect(m.pieces).toEqual(nodePieceHashes(GREETING, 16384));
    expect(m.pieces).toHaveLength(4);
    expect(m.lastPieceLength).toBe(2051);
  });

  it('hashes empty files first, in the middle and last over the true concatenation', async () => {
    const t = await makeGreetingFolderTorrent();
    const m = await parseTorrent(t.torrentFile);
    expect(m.name).toBe('greeting');
    expect(m.files.map((f) => [f.path, f.length, f.offset])).toEqual([
      ['greeting/0-empty-first.txt', 0, 0],
      ['greeting/hello.txt', GREETING_LENGTH, 0],
      ['greeting/sub/empty-middle.bin', 0, GREETING_LENGTH],
      ['greeting/sub/one-byte.bin', 1, GREETING_LENGTH],
      ['greeting/sub/deeper/noise.bin', 20000, GREETING_LENGTH + 1],
      ['greeting/z-empty-last.txt', 0, GREETING_LENGTH + 20001],
    ]);
    expect(m.length).toBe(GREETING_LENGTH + 20001);
    expect(m.pieces).toEqual(nodePieceHashes(concatenation(GREETING_FOLDER), 16384));
  });

  it('makes a one-file folder a multi-file torrent named by the folder', async () => {
    const t = await createTorrent([{ path: '/dir/a.txt', data: text('x') }]);
    expect(t.metainfo.singleFile).toBe(false);
    expect(t.metainfo.name).toBe('dir');
    expect(t.metainfo.files.map((f) => f.path)).toEqual(['dir/a.txt']);
  });

  it('reads a Blob in chunks, never whole, with the same result as bytes', async () => {
    const data = fixtureBytes(9 * 1024 * 1024 + 123, 9);
    const reads: number[] = [];
    const blob: BlobLike = {
      size: data.length,
      slice(start = 0, end = data.length) {
        reads.push(end - start);
        return { arrayBuffer: () => Promise.resolve(data.slice(start, end).buffer) };
      },
    };
    const progress: [number, number][] = [];
    const fromBlob = await createTorrent([{ path: 'big.bin', data: blob }], {
      onProgress: (done, total) => progress.push([done, total]),
    });
    const fromBytes = await createTorrent([{ path: 'big.bin', data }]);
    expect(fromBlob.infoHash).toBe(fromBytes.infoHash);
    expect(fromBlob.metainfo.pieces).toEqual(nodePieceHashes(data, fromBlob.pieceLength));
    expect(reads.length).toBeGreaterThan(1);
    expect(Math.max(...reads)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(progress).toHaveLength(fromBlob.metainfo.pieces.length);
    expect(progress.every(([, total]) => total === data.length)).toBe(true);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toEqual([data.length, data.length]);
  });

  it('reads a real Blob', async () => {
    const t = await createTorrent([{ path: 'g.txt', data: new Blob([GREETING]) }], { pieceLength: 16384 });
    expect(t.metainfo.pieces).toEqual(nodePieceHashes(GREETING, 16384));
  });

  it('chooses default piece lengths like create-torrent from 256 MiB up, and 256 KiB at least', () => {
    expect(defaultPieceLength(1)).toBe(256 * 1024);
    expect(defaultPieceLength(16 * 1024 * 1024)).toBe(256 * 1024); // create-torrent: 16 KiB
    expect(defaultPieceLength(64 * 1024 * 1024)).toBe(256 * 1024); // create-torrent: 64 KiB
    expect(defaultPieceLength(256 * 1024 * 1024)).toBe(256 * 1024);
    expect(defaultPieceLength(512 * 1024 * 1024)).toBe(512 * 1024);
    expect(defaultPieceLength(1024 * 1024 * 1024)).toBe(1024 * 1024);
    expect(defaultPieceLength(1.5 * 1024 * 1024 * 1024)).toBe(2 * 1024 * 1024); // log2 = 20.58, rounds up
    expect(defaultPieceLength(1.4 * 1024 * 1024 * 1024)).toBe(1024 * 1024); // log2 = 20.49, rounds down
    expect(defaultPieceLength(100 * 1024 ** 3)).toBe(4 * 1024 * 1024);
  });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('createTorrent rejections', () => {
  const one = text('1');
  const cases: [string, TorrentInputFile[], CreateTorrentOptions, string][] = [
    ['no files', [], {}, 'no files were given'],
    ['zero bytes in all', [{ path: 'a', data: new Uint8Array(0) }], {}, 'hold no data'],
    [
      'zero bytes in a folder',
      [
        { path: 'd/a', data: new Uint8Array(0) },
        { path: 'd/b', data: new Uint8Array(0) },
      ],
      {},
      'hold no data',
    ],
    ['a .. component', [{ path: 'd/../a', data: one }], {}, "is '..'"],
    ['an empty component', [{ path: 'd//a', data: one }], {}, 'is empty'],
    ['a trailing slash', [{ path: 'd/a/', data: one }], {}, 'is empty'],
    ['a backslash', [{ path: 'd\\a', data: one }], {}, "contains '\\'"],
    ['a NUL', [{ path: 'a\0', data: one }], {}, 'contains a NUL character'],
    ['a bad name', [{ path: 'a', data: one }], { name: '..' }, 'the torrent name ".." is \'..\''],
    [
      'a name with /',
      [
        { path: 'a', data: one },
        { path: 'b', data: one },
      ],
      { name: 'x/y' },
      "contains '/'",
    ],
    ['a lone surrogate', [{ path: 'a\ud800', data: one }], {}, 'is not valid Unicode'],
    ['a piece length below 16 KiB', [{ path: 'a', data: one }], { pieceLength: 8192 }, 'not a power of two from 16384'],
    ['a piece length not a power of two', [{ path: 'a', data: one }], { pieceLength: 3 * 16384 }, 'not a power of two'],
    [
      'duplicate paths',
      [
        { path: 'd/a', data: one },
        { path: 'd/a', data: one },
      ],
      {},
      'two files have the same path "a"',
    ],
    [
      'a file that is also a folder',
      [
        { path: 'd/a', data: one },
        { path: 'd/a/b', data: one },
      ],
      {},
      '"a" is both a file and a directory',
    ],
    ['a bad creation date', [{ path: 'a', data: one }], { creationDate: new Date(Number.NaN) }, 'creation date'],
  ];
  it.each(cases)('rejects %s', async (_label, files, opts, fragment) => {
    const err = await rejection(createTorrent(files, opts));
    expect(err).toBeInstanceOf(TorrentError);
    expect(err.message).toContain(fragment);
  });

  it('rejects a Blob that shrinks while being read', async () => {
    const blob: BlobLike = { size: 100, slice: () => ({ arrayBuffer: () => Promise.resolve(new ArrayBuffer(10)) }) };
    const err = await rejection(createTorrent([{ path: 'a', data: blob }]));
    expect(err).toBeInstanceOf(TorrentError);
    expect(err.message).toContain('changed while it was being read');
  });
});
