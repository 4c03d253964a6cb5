import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encode, type BEncodable } from '../../src/core/bencode.js';
import { TorrentError } from '../../src/core/errors.js';
import { MAX_PIECE_LENGTH, parseInfoDict, parseTorrent } from '../../src/core/metainfo.js';
import { torrentFileBytes } from '../../src/core/torrent-file.js';

/** Bytes of a string written one char per byte (so "\xff" is the byte 0xff). */
const bin = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const sha1Hex = (s: string): string => createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
const HASH_A = 'A'.repeat(20);
const HASH_B = 'B'.repeat(20);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('parseTorrent: byte-exact vectors', () => {
  const info = `d6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:${HASH_A}e`;
  const file =
    'd8:announce18:wss://tracker.test7:comment5:hello10:created by4:test13:creation datei1700000000e' + `4:info${info}8:url-list19:https://seed.test/ae`;

  it('hashes the raw info bytes and reads every field', async () => {
    const m = await parseTorrent(bin(file));
    expect(m.infoHash).toBe(sha1Hex(info));
    expect(m.infoHash).toMatch(/^[0-9a-f]{40}$/);
    expect(Buffer.from(m.infoHashBytes).toString('hex')).toBe(m.infoHash);
    expect(m.infoBytes).toEqual(bin(info));
    expect(m.name).toBe('a.txt');
    expect(m.length).toBe(5);
    expect(m.pieceLength).toBe(16384);
    expect(m.lastPieceLength).toBe(5);
    expect(m.pieces).toEqual([bin(HASH_A)]);
    expect(m.singleFile).toBe(true);
    expect(m.files).toEqual([{ path: 'a.txt', pathSegments: ['a.txt'], name: 'a.txt', length: 5, offset: 0 }]);
    expect(m.private).toBe(false);
    expect(m.announce).toEqual(['wss://tracker.test']);
    expect(m.announceList).toEqual([['wss://tracker.test']]);
    expect(m.urlList).toEqual(['https://seed.test/a']);
    expect(m.comment).toBe('hello');
    expect(m.createdBy).toBe('test');
    expect(m.creationDate?.getTime()).toBe(1700000000 * 1000);
  });

  it('copies what it keeps: changing the input afterwards changes nothing', async () => {
    const input = Buffer.from(file, 'latin1'); // a Node Buffer, whose slice() shares memory
    const m = await parseTorrent(input);
    input.fill(0);
    expect(m.infoBytes).toEqual(bin(info));
    expect(m.pieces).toEqual([bin(HASH_A)]);
  });

  it('hashes a non-canonical info dictionary as written, never re-encoded', async () => {
    // Keys out of order ("name" before "length"): a re-encoding would sort them.
    const odd = `d4:name5:a.txt6:lengthi5e12:piece lengthi16384e6:pieces20:${HASH_A}e`;
    const m = await parseTorrent(bin(`d4:info${odd}e`));
    expect(m.infoHash).toBe(sha1Hex(odd));
    expect(m.infoHash).not.toBe(sha1Hex(info));
    expect(m.infoBytes).toEqual(bin(odd));
  });

  it('reads a multi-file torrent with nested paths and an empty file', async () => {
    const multi =
      'd5:filesl' +
      'd6:lengthi3e4:pathl3:dir5:x.binee' +
      'd6:lengthi0e4:pathl5:emptyee' +
      'd6:lengthi16384e4:pathl1:yee' +
      `e4:name4:root12:piece lengthi16384e6:pieces40:${HASH_A}${HASH_B}e`;
    const m = await parseTorrent(bin(`d4:info${multi}e`));
    expect(m.infoHash).toBe(sha1Hex(multi));
    expect(m.singleFile).toBe(false);
    expect(m.length).toBe(16387);
    expect(m.lastPieceLength).toBe(3);
    expect(m.pieces).toEqual([bin(HASH_A), bin(HASH_B)]);
    expect(m.files).toEqual([
      { path: 'root/dir/x.bin', pathSegments: ['root', 'dir', 'x.bin'], name: 'x.bin', length: 3, offset: 0 },
      { path: 'root/empty', pathSegments: ['root', 'empty'], name: 'empty', length: 0, offset: 3 },
      { path: 'root/y', pathSegments: ['root', 'y'], name: 'y', length: 16384, offset: 3 },
    ]);
    expect(m.announce).toEqual([]);
    expect(m.announceList).toEqual([]);
    expect(m.urlList).toEqual([]);
  });

  it('prefers valid name.utf-8 and path.utf-8, ignores invalid ones', async () => {
    const multi =
      'd5:filesl' +
      'd6:lengthi1e4:pathl3:olde10:path.utf-8l5:caf\xc3\xa9ee' +
      'd6:lengthi1e4:pathl4:keepe10:path.utf-8l2:..ee' +
      `e4:name3:old10:name.utf-87:new\xe2\x9c\x93 12:piece lengthi16384e6:pieces20:${HASH_A}e`;
    const m = await parseTorrent(bin(`d4:info${multi}e`));
    expect(m.name).toBe('new✓ ');
    expect(m.files.map((f) => f.path)).toEqual(['new✓ /café', 'new✓ /keep']);
  });

  it('flattens and deduplicates trackers, skipping junk entries', async () => {
    const t = encode({
      announce: 'wss://a',
      'announce-list': [['wss://b', 'wss://a'], [], 'wss://flat', [42, 'wss://c', new Uint8Array([0xff])], 7],
      'url-list': 'https://seed/',
      info: { name: 'x', 'piece length': 16384, pieces: bin(HASH_A), length: 1, private: 1 },
    });
    const m = await parseTorrent(t);
    expect(m.announceList).toEqual([['wss://b', 'wss://a'], ['wss://flat'], ['wss://c']]);
    expect(m.announce).toEqual(['wss://a', 'wss://b', 'wss://flat', 'wss://c']);
    expect(m.urlList).toEqual(['https://seed/']);
    expect(m.private).toBe(true);
  });

  it('skips junk in optional top-level fields', async () => {
    const t = encode({
      announce: 5,
      'announce-list': 'nope',
      comment: [1],
      'creation date': 'yesterday',
      'url-list': [1, 'https://w/'],
      info: { name: 'x', 'piece length': 16384, pieces: bin(HASH_A), length: 1 },
    });
    const m = await parseTorrent(t);
    expect(m.announce).toEqual([]);
    expect(m.comment).toBeUndefined();
    expect(m.creationDate).toBeUndefined();
    expect(m.urlList).toEqual(['https://w/']);
  });
});

describe('parseInfoDict (metadata from peers)', () => {
  const info = `d6:lengthi20000e4:name1:z12:piece lengthi16384e6:pieces40:${HASH_A}${HASH_B}e`;

  it('builds the same object as parseTorrent, without trackers', async () => {
    const fromFile = await parseTorrent(bin(`d8:announce7:wss://t4:info${info}e`));
    const fromPeers = await parseInfoDict(bin(info), sha1Hex(info).toUpperCase());
    expect(fromPeers).toEqual({ ...fromFile, announce: [], announceList: [], urlList: [] });
    await expect(parseInfoDict(bin(info), new Uint8Array(createHash('sha1').update(bin(info)).digest()))).resolves.toBeTruthy();
  });

  it('rejects bytes that do not match the expected info hash', async () => {
    const err = await rejection(parseInfoDict(bin(info), '0'.repeat(40)));
    expect(err).toBeInstanceOf(TorrentError);
    expect(err.message).toContain(`hashes to ${sha1Hex(info)}`);
  });

  it('rejects a malformed info dictionary', async () => {
    const err = await rejection(parseInfoDict(bin('d4:name1:ze')));
    expect(err).toBeInstanceOf(TorrentError);
    expect(err.message).toMatch(/^Invalid torrent metadata: /);
  });
});

type Info = Record<string, BEncodable | undefined>;
const base: Info = { name: 'a.txt', 'piece length': 16384, pieces: bin(HASH_A), length: 5 };
const withInfo = (patch: Info): Uint8Array => encode({ info: { ...base, ...patch } });
const multi = (files: BEncodable, patch: Info = {}): Uint8Array => withInfo({ length: undefined, files, name: 'dir', ...patch });
const file = (path: BEncodable, length: BEncodable = 5): BEncodable => ({ length, path });

const rejections: [string, Uint8Array, string][] = [
  ['an empty file', new Uint8Array(0), 'the file is empty'],
  ['a magnet link', bin('magnet:?xt=urn:btih:00'), 'magnet link'],
  ['an HTML page', bin('<!doctype html>'), 'HTML page'],
  ['malformed bencode', bin('d4:infod4:name'), 'malformed bencode'],
  ['trailing garbage', bin('d4:infodee!'), 'malformed bencode'],
  ['no info dictionary', encode({ announce: 'x' }), "no 'info' dictionary"],
  ['info that is not a dictionary', encode({ info: 'x' }), "'info' is a string, not a dictionary"],
  ['pieces not a multiple of 20', withInfo({ pieces: new Uint8Array(41) }), "'pieces' holds 41 bytes, which is not a multiple of 20"],
  ['too few piece hashes', withInfo({ length: 16385 }), "'pieces' holds 1 hashes, but 16385 bytes in pieces of 16384 make 2"],
  ['too many piece hashes', withInfo({ pieces: new Uint8Array(40) }), 'holds 2 hashes'],
  ['no pieces', withInfo({ pieces: undefined }), "'pieces' is missing"],
  ['pieces not a string', withInfo({ pieces: 3 }), "'pieces' is not a byte string"],
  ['no piece length', withInfo({ 'piece length': undefined }), "'piece length' is missing"],
  ['a piece length that is not an integer', withInfo({ 'piece length': '16384' }), "'piece length' is not an integer"],
  ['a piece length below 16 KiB', withInfo({ 'piece length': 8192 }), 'below the minimum of 16384'],
  ['a piece length that is not a power of two', withInfo({ 'piece length': 16384 * 3 }), 'not a power of two'],
  ['a piece length above the maximum', withInfo({ 'piece length': MAX_PIECE_LENGTH * 2 }), 'above the maximum'],
  ['a zero-length single file', withInfo({ length: 0, pieces: new Uint8Array(0) }), 'total length is 0 bytes'],
  ['a multi-file torrent of empty files', multi([file(['a'], 0), file(['b'], 0)], { pieces: new Uint8Array(0) }), 'total length is 0 bytes'],
  ['a negative length', withInfo({ length: -5 }), "'length' is negative (-5)"],
  ['a length that is not an integer', withInfo({ length: '5' }), "'length' is not an integer"],
  ['both length and files', withInfo({ files: [file(['a'])] }), "both 'length' and 'files'"],
  ['neither length nor files', withInfo({ length: undefined }), "neither 'length' nor 'files'"],
  ['an empty v2 file tree', withInfo({ length: undefined, 'meta version': 2, 'file tree': {} }), "the 'file tree' is empty"],
  ['files that is not a list', multi('x'), "'files' is not a list"],
  ['an empty files list', multi([]), "'files' is an empty list"],
  ['a file that is not a dictionary', multi(['x']), 'file 0 is not a dictionary'],
  ['a file without a path', multi([{ length: 5 }]), "file 0 has no 'path'"],
  ['a file without a length', multi([{ path: ['a'] }]), "the 'length' of file 0 is missing"],
  ['a path that is not a list', multi([file('a')]), "the 'path' of file 0 is not a list"],
  ['an empty path', multi([file([])]), "the 'path' of file 0 is empty"],
  ['an empty path component', multi([file(['a', ''])]), 'component 1 of the path of file 0 "" is empty'],
  ['a .. path component', multi([file(['..', 'etc'])]), `".." is '..'`],
  ['a . path component', multi([file(['.'])]), `"." is '.'`],
  ['a path component with /', multi([file(['a/b'])]), "contains '/'"],
  ['a path component with \\', multi([file(['a\\b'])]), "contains '\\'"],
  ['a path component with NUL', multi([file(['a\0b'])]), 'contains a NUL character'],
  ['a path component that is not UTF-8', multi([file([new Uint8Array([0x61, 0xff])])]), 'is not valid UTF-8'],
  ['a path component that is not a string', multi([file([7])]), 'is not a string'],
  ['no name', withInfo({ name: undefined }), "the torrent 'name' is missing"],
  ['an empty name', withInfo({ name: '' }), 'the torrent \'name\' "" is empty'],
  ['a name of ..', withInfo({ name: '..' }), "is '..'"],
  ['a name with /', withInfo({ name: 'a/b' }), "contains '/'"],
  ['private that is not 0 or 1', withInfo({ private: 2 }), "'private' is neither 0 nor 1"],
  ['two files with one path', multi([file(['a']), file(['a'])], { pieces: new Uint8Array(20) }), 'two files have the same path "dir/a"'],
  ['a file that is also a directory', multi([file(['a']), file(['a', 'b'])]), '"dir/a" is both a file and a directory'],
  ['a total beyond the safe integer range', multi([file(['a'], Number.MAX_SAFE_INTEGER), file(['b'], 1)]), 'passes the safe integer range'],
];

describe('parseTorrent: rejections', () => {
  it.each(rejections)('rejects %s', async (_label, bytes, fragment) => {
    const err = await rejection(parseTorrent(bytes));
    expect(err).toBeInstanceOf(TorrentError);
    expect(err.message).toMatch(/^Not a valid \.torrent file: /);
    expect(err.message).toContain(fragment);
  });

  it('rejects a top level that is a list', async () => {
    const err = await rejection(parseTorrent(bin('d1:xi1ee')));
    expect(err.message).toContain("no 'info'");
    const list = await rejection(parseTorrent(bin('li1ee')));
    expect(list).toBeInstanceOf(TorrentError);
    expect(list.message).toContain("does not start with a bencoded dictionary ('d')");
  });
});

describe('a torrent of 100,000 files (security review, finding 4)', () => {
  const FILES = 100_000;
  const files = Array.from({ length: FILES }, (_, i) => ({ length: 1000 + (i % 7), path: [`d${Math.floor(i / 1000)}`, `f${i}.txt`] }));
  const total = files.reduce((n, f) => n + f.length, 0);
  const info = (list: typeof files): Uint8Array =>
    encode({ name: 'many', 'piece length': 16384, pieces: new Uint8Array(Math.ceil(total / 16384) * 20), files: list });

  /** Runs `work` while counting turns of the event loop (timers that got to run meanwhile). */
  async function withTurns<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    try {
      return { result: await work(), turns };
    } finally {
      running = false;
    }
  }

  it('is parsed in slices, letting the event loop run in between, with every file in place', async () => {
    const bytes = info(files);
    const { result: m, turns } = await withTurns(() => parseInfoDict(bytes));
    expect(m.files).toHaveLength(FILES);
    expect(m.files[54_321]).toMatchObject({ path: 'many/d54/f54321.txt', name: 'f54321.txt', length: 1000 + (54_321 % 7) });
    expect(m.files[FILES - 1]!.offset + m.files[FILES - 1]!.length).toBe(total);
    // Parsed in one go it would be a single task of several hundred ms: here it let timers run.
    expect(turns).toBeGreaterThan(1);
    const file = await withTurns(() => parseTorrent(torrentFileBytes({ announce: ['wss://t.test'], urlList: [], infoBytes: m.infoBytes })));
    expect(file.result.infoHash).toBe(m.infoHash);
    expect(file.result.files).toHaveLength(FILES);
    expect(file.turns).toBeGreaterThan(1);
  });

  it('still finds two files with one path, the last one', async () => {
    const clash = [...files.slice(0, -1), { ...files[0]!, path: [...files[0]!.path] }];
    const err = await rejection(parseInfoDict(info(clash)));
    expect(err).toBeInstanceOf(TorrentError);
    expect(err.message).toContain('two files have the same path "many/d0/f0.txt"');
  });
});
