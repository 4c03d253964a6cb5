/**
 * BitTorrent v2 and hybrid metainfo (BEP 52) and padding files (BEP 47): what is read, and every way a
 * file tree, piece layers or the two halves of a hybrid can be wrong, each with its own message.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, type BDict } from '../../src/core/bencode.js';
import { toBinaryString, toHex } from '../../src/core/bytes.js';
import { createTorrent } from '../../src/core/create.js';
import { TorrentError } from '../../src/core/errors.js';
import { parseInfoDict, parseTorrent } from '../../src/core/metainfo.js';
import { fixtureBytes } from '../fixtures/greeting.js';

const PIECE = 16384;
const A = fixtureBytes(40_000, 1);
const B = fixtureBytes(5, 2);
const FILES = [
  { path: 'set/a.bin', data: A },
  { path: 'set/d/b.bin', data: B },
];

async function torrent(version: 'v2' | 'hybrid'): Promise<Uint8Array> {
  return (await createTorrent(FILES, { version, pieceLength: PIECE, creationDate: 0 })).torrentFile;
}

/** The torrent with `change` applied to a fresh decoded copy of its top level and info dictionary. */
function changed(bytes: Uint8Array, change: (top: BDict, info: BDict) => void): Uint8Array {
  const top = decode(bytes) as BDict;
  change(top, top['info'] as BDict);
  return encode(top);
}

async function rejection(bytes: Uint8Array): Promise<string> {
  const err = await parseTorrent(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TorrentError);
  return (err as Error).message;
}

const tree = (info: BDict): BDict => info['file tree'] as BDict;
const fileEntry = (info: BDict, ...path: string[]): BDict => {
  let node = tree(info);
  for (const p of path) node = node[p] as BDict;
  return node[''] as BDict;
};

describe('v2 and hybrid metainfo', () => {
  it('reads a v2-only torrent: files at piece boundaries, the truncated v2 hash as its identity, no v1 pieces', async () => {
    const m = await parseTorrent(await torrent('v2'));
    expect(m.version).toBe('v2');
    expect(m.infoHashV1).toBeUndefined();
    expect(m.infoHashV2).toMatch(/^[0-9a-f]{64}$/);
    expect(m.infoHash).toBe(m.infoHashV2!.slice(0, 40));
    expect(toHex(m.infoHashBytes)).toBe(m.infoHash);
    expect(m.pieces).toEqual([]);
    expect(m.files.map((f) => [f.path, f.offset, f.length])).toEqual([
      ['set/a.bin', 0, 40_000],
      ['set/d/b.bin', 3 * PIECE, 5],
    ]);
    expect(m.length).toBe(3 * PIECE + 5);
    expect(m.lastPieceLength).toBe(5);
    expect(m.files.every((f) => f.piecesRoot?.length === 32)).toBe(true);
    expect([...m.pieceLayers!.keys()]).toEqual([toHex(m.files[0]!.piecesRoot!)]);
  });

  it('reads a hybrid: the v1 hash is its identity, padding files are left out, the v2 hash checks its info dictionary too', async () => {
    const bytes = await torrent('hybrid');
    const m = await parseTorrent(bytes);
    expect(m.version).toBe('hybrid');
    expect(m.infoHash).toBe(m.infoHashV1);
    expect(m.files.map((f) => f.path)).toEqual(['set/a.bin', 'set/d/b.bin']);
    expect(m.pieces.length).toBe(4);
    const infoBytes = m.infoBytes;
    expect((await parseInfoDict(infoBytes, m.infoHashV2)).infoHash).toBe(m.infoHash);
    expect((await parseInfoDict(infoBytes, m.infoHashV2!.slice(0, 40))).infoHash).toBe(m.infoHash);
    await expect(parseInfoDict(infoBytes, 'ab'.repeat(32))).rejects.toThrow(`hashes to ${m.infoHashV2!}, not to ${'ab'.repeat(32)}`);
    const v1 = await createTorrent(FILES, { pieceLength: PIECE });
    await expect(parseInfoDict(v1.metainfo.infoBytes, 'ab'.repeat(32))).rejects.toThrow('no SHA-256 info hash (a v1 torrent)');
    await expect(parseInfoDict(infoBytes, 'ab'.repeat(8))).rejects.toThrow('not 20 bytes (40 hex digits) nor 32');
  });

  it('reads padding files and attributes in a v1 torrent: padding (even at one repeated path) is in no list; x, h and l are kept', async () => {
    const info = {
      name: 'p',
      'piece length': PIECE,
      files: [
        { length: 10, path: ['a'], attr: 'xh' },
        { length: PIECE - 10, path: ['.pad', 'x'], attr: 'p' },
        { length: 0, path: ['link'], attr: 'l', 'symlink path': ['a'] },
        { length: 3, path: ['b'] },
        { length: PIECE - 3, path: ['.pad', 'x'], attr: 'p' },
      ],
      pieces: new Uint8Array(40),
    };
    const m = await parseTorrent(encode({ info }));
    expect(m.files.map((f) => [f.path, f.offset, f.length])).toEqual([
      ['p/a', 0, 10],
      ['p/link', PIECE, 0],
      ['p/b', PIECE, 3],
    ]);
    expect(m.length).toBe(2 * PIECE);
    expect(m.files[0]!.attributes).toEqual({ executable: true, hidden: true, symlink: false });
    expect(m.files[1]!.attributes).toEqual({ executable: false, hidden: false, symlink: true, symlinkPath: ['a'] });
    expect(m.files[2]!.attributes).toBeUndefined();
    const onlyPadding = encode({ info: { ...info, files: [{ length: 5, path: ['.pad', '5'], attr: 'p' }], pieces: new Uint8Array(20) } });
    expect(await rejection(onlyPadding)).toContain('the torrent has no data');
  });

  it('reads file tree names in byte order, numbers and UTF-8 included', async () => {
    const files = ['10', '2', 'b/x', 'a\u00e9', 'a'].map((path, i) => ({ path: `t/${path}`, data: fixtureBytes(3 + i, i) }));
    const m = await parseTorrent((await createTorrent(files, { version: 'v2', pieceLength: PIECE })).torrentFile);
    expect(m.files.map((f) => f.path)).toEqual(['t/10', 't/2', 't/a', 't/a\u00e9', 't/b/x']);
  });

  it.each<[string, 'v2' | 'hybrid', (top: BDict, info: BDict) => void, string]>([
    ['meta version 3', 'v2', (_, i) => (i['meta version'] = 3), "'meta version' 3 is not supported"],
    ['a meta version string', 'v2', (_, i) => (i['meta version'] = new Uint8Array([50])), "'meta version' is not an integer"],
    ['no file tree', 'v2', (_, i) => delete i['file tree'], "the v2 'file tree' is missing"],
    ['a file tree list', 'v2', (_, i) => (i['file tree'] = []), "the 'file tree' is not a dictionary"],
    ['a file tree without meta version', 'v2', (_, i) => delete i['meta version'], "has a v2 'file tree' but no 'meta version' 2"],
    ['an empty directory', 'v2', (_, i) => (tree(i)['e'] = {}), 'the directory "e" in the \'file tree\' is empty'],
    ['a directory entry that is no dictionary', 'v2', (_, i) => (tree(i)['e'] = 5), '"e" in the \'file tree\' is not a dictionary'],
    ['a file that is a directory too', 'v2', (_, i) => ((tree(i)['a.bin'] as BDict)['x'] = {}), '"a.bin" in the \'file tree\' is both a file and a directory'],
    ['a name ..', 'v2', (_, i) => (tree(i)['..'] = tree(i)['a.bin']!), "a name in the 'file tree' \"..\" is '..'"],
    ['a name with /', 'v2', (_, i) => (tree(i)['x/y'] = tree(i)['a.bin']!), "a name in the 'file tree' \"x/y\" contains '/'"],
    ['a name of bad UTF-8', 'v2', (_, i) => (tree(i)[toBinaryString(new Uint8Array([0xff]))] = tree(i)['a.bin']!), 'is not valid UTF-8'],
    ['a file at the top with an empty name', 'v2', (_, i) => (i['file tree'] = { '': { length: 1 } }), 'a file with an empty name at its top'],
    ['no length', 'v2', (_, i) => delete fileEntry(i, 'a.bin')['length'], "the 'length' of \"a.bin\" in the 'file tree' is missing"],
    ['a negative length', 'v2', (_, i) => (fileEntry(i, 'a.bin')['length'] = -1), 'is negative (-1)'],
    ['a length string', 'v2', (_, i) => (fileEntry(i, 'a.bin')['length'] = new Uint8Array(1)), 'is not an integer'],
    ['no pieces root', 'v2', (_, i) => delete fileEntry(i, 'd', 'b.bin')['pieces root'], 'the \'pieces root\' of "d/b.bin" is missing'],
    ['a short pieces root', 'v2', (_, i) => (fileEntry(i, 'd', 'b.bin')['pieces root'] = new Uint8Array(31)), '\'pieces root\' of "d/b.bin" is not 32 bytes'],
    [
      'a padding file in the tree',
      'v2',
      (_, i) => (fileEntry(i, 'd', 'b.bin')['attr'] = new Uint8Array([0x70])),
      'marked as padding, which v2 files never are',
    ],
    ['only empty files', 'v2', (_, i) => (i['file tree'] = { e: { '': { length: 0 } } }), 'the torrent has no data'],
    ['piece layers that are a list', 'v2', (t) => (t['piece layers'] = []), "'piece layers' is not a dictionary"],
    [
      'a piece layer one hash short',
      'v2',
      (t) => {
        const layers = t['piece layers'] as BDict;
        for (const k of Object.keys(layers)) layers[k] = (layers[k] as Uint8Array).subarray(32);
      },
      'the piece layer of "a.bin" holds 64 bytes, but its 3 pieces need 96',
    ],
    [
      'a piece layer that is not the file\u2019s',
      'v2',
      (t) => {
        const layers = t['piece layers'] as BDict;
        for (const k of Object.keys(layers)) (layers[k] as Uint8Array)[0]! ^= 1;
      },
      'the piece layer of "a.bin" does not hash to its \'pieces root\'',
    ],
    [
      'hybrid: another path',
      'hybrid',
      (_, i) => (((i['files'] as BDict[])[2]!['path'] as Uint8Array[])[1] = new Uint8Array([0x63])),
      'disagree (a hybrid torrent must describe the same files twice): file 1 is "d/c" in \'files\' but "d/b.bin"',
    ],
    [
      'hybrid: another length',
      'hybrid',
      (_, i) => {
        const files = i['files'] as BDict[];
        files[2]!['length'] = 6;
        files[3]!['length'] = (files[3]!['length'] as number) - 1;
      },
      "\"d/b.bin\" has 6 bytes in 'files' but 5 in the 'file tree'",
    ],
    [
      'hybrid: padding one byte short',
      'hybrid',
      (_, i) => {
        const files = i['files'] as BDict[];
        files[1]!['length'] = (files[1]!['length'] as number) - 1;
        files[3]!['length'] = (files[3]!['length'] as number) + 1;
      },
      "\"d/b.bin\" starts at byte 49151 in 'files' but at 49152 in the 'file tree' (are the padding files right?)",
    ],
    [
      'hybrid: one more file',
      'hybrid',
      (_, i) => (i['files'] as BDict[]).push({ length: 0, path: [new Uint8Array([0x7a])] }),
      "'files' lists 3 files (padding left out), the 'file tree' 2",
    ],
    [
      'hybrid: a piece more',
      'hybrid',
      (_, i) => {
        (i['files'] as BDict[]).push({ attr: new Uint8Array([0x70]), length: PIECE, path: [new Uint8Array([0x70])] });
        i['pieces'] = new Uint8Array(5 * 20);
      },
      "'files' holds 81920 bytes, the 'file tree' 4 pieces of 16384",
    ],
  ])('refuses %s', async (_label, version, change, fragment) => {
    const message = await rejection(changed(await torrent(version), change));
    expect(message).toMatch(/^Not a valid \.torrent file: /);
    expect(message).toContain(fragment);
  });

  it('takes a torrent without piece layers (they can come from peers), and leaves out layers of no file', async () => {
    const without = await parseTorrent(changed(await torrent('v2'), (t) => delete t['piece layers']));
    expect(without.pieceLayers?.size).toBe(0);
    const extra = await parseTorrent(changed(await torrent('hybrid'), (t) => ((t['piece layers'] as BDict)['x'.repeat(32)] = new Uint8Array(64))));
    expect(extra.pieceLayers?.size).toBe(1);
  });
});
