/**
 * BitTorrent v2 and hybrid torrents (BEP 52) against the reference, libtorrent 2.0: the same files on
 * disk, made into v1, v2 and hybrid torrents by libtorrent with piece lengths from 16 KiB to 4 MiB.
 * tabswarm's parse gives the same info hashes and files (no padding files), its createTorrent the same
 * info dictionaries byte for byte (v2 and hybrid), and the magnet links read the same both ways.
 * Skipped, saying so, only where no Python can import libtorrent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWithSpans } from '../../src/core/bencode.js';
import { toHex } from '../../src/core/bytes.js';
import { createTorrent, type TorrentInputFile } from '../../src/core/create.js';
import { parseMagnet } from '../../src/core/magnet.js';
import { parseInfoDict, parseTorrent, type Metainfo } from '../../src/core/metainfo.js';
import { fixtureBytes, GREETING } from '../fixtures/greeting.js';
import {
  expectTorrent,
  fromBase64,
  libtorrentPython,
  runLibtorrent,
  SKIP_REASON,
  type LibtorrentJob,
  type LibtorrentMagnet,
  type LibtorrentTorrent,
  type TorrentVersion,
} from '../reference/libtorrent.js';

const KIB = 1024;
const PIECE_LENGTHS = [16 * KIB, 64 * KIB, 256 * KIB, 1024 * KIB, 4096 * KIB];
const VERSIONS: TorrentVersion[] = ['v1', 'v2', 'hybrid'];

/** Paths below the folder that is shared: nested, empty files, one byte, a piece exactly, over 4 MiB, names that sort apart as bytes and as numbers, UTF-8. */
const SET: [string, Uint8Array][] = [
  ['0-empty-first.txt', new Uint8Array(0)],
  ['hello.txt', GREETING],
  ['sub/empty-middle.bin', new Uint8Array(0)],
  ['sub/one-byte.bin', new Uint8Array([0x2a])],
  ['sub/deeper/noise.bin', fixtureBytes(20000, 7)],
  ['big.bin', fixtureBytes(4 * 1024 * KIB + 1000, 11)],
  ['10.txt', fixtureBytes(300, 3)],
  ['2.txt', fixtureBytes(16 * KIB, 5)],
  ['B.txt', fixtureBytes(17, 9)],
  ['sub.txt', fixtureBytes(40, 13)],
  ['\u00e9t\u00e9.txt', fixtureBytes(10, 17)],
  ['z-empty-last.txt', new Uint8Array(0)],
];
const SINGLE: [string, Uint8Array] = ['single.bin', fixtureBytes(70000, 21)];
const TINY: [string, Uint8Array] = ['tiny.txt', fixtureBytes(5, 23)];

interface Case {
  label: string;
  /** The file or folder given to libtorrent. */
  path: string;
  /** The same as tabswarm's input. */
  input: TorrentInputFile[];
}

let root = '';
const cases: Case[] = [];
const made = new Map<string, LibtorrentTorrent>();
const key = (label: string, version: TorrentVersion, pieceLength: number): string => `${label} ${version} ${pieceLength}`;

function infoOf(torrentFile: Uint8Array): Uint8Array {
  const span = decodeWithSpans(torrentFile).spans.get('info')!;
  return torrentFile.subarray(span.start, span.end);
}

function visibleFiles(t: LibtorrentTorrent): { path: string; length: number; offset: number }[] {
  return t.files.filter((f) => !f.pad).map((f) => ({ path: f.path, length: f.size, offset: f.offset }));
}

function ourFiles(m: Metainfo): { path: string; length: number; offset: number }[] {
  return m.files.map((f) => ({ path: f.path, length: f.length, offset: f.offset }));
}

describe.skipIf(libtorrentPython === undefined)('BitTorrent v2 and hybrid torrents against libtorrent 2.0', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tabswarm-v2-'));
    const write = (path: string, data: Uint8Array): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), data);
    };
    for (const [path, data] of SET) write(`set/${path}`, data);
    write(`one/${SINGLE[0]}`, SINGLE[1]);
    write(`small/${TINY[0]}`, TINY[1]);
    cases.push(
      { label: 'nested multi-file', path: join(root, 'set'), input: SET.map(([path, data]) => ({ path: `set/${path}`, data })) },
      { label: 'single file', path: join(root, 'one', SINGLE[0]), input: [{ path: SINGLE[0], data: SINGLE[1] }] },
      { label: 'single file smaller than a piece', path: join(root, 'small', TINY[0]), input: [{ path: TINY[0], data: TINY[1] }] },
    );
    const jobs: LibtorrentJob[] = [];
    const keys: string[] = [];
    for (const c of cases) {
      for (const version of VERSIONS) {
        for (const pieceLength of PIECE_LENGTHS) {
          jobs.push({ op: 'create', path: c.path, version, pieceLength });
          keys.push(key(c.label, version, pieceLength));
        }
      }
    }
    runLibtorrent(jobs).forEach((r, i) => made.set(keys[i]!, expectTorrent(r)));
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('parses every libtorrent torrent to the same info hashes, files (no padding) and piece layers', async () => {
    expect(made.size).toBe(cases.length * VERSIONS.length * PIECE_LENGTHS.length);
    for (const [label, t] of made) {
      const m = await parseTorrent(fromBase64(t.torrent));
      const version = label.split(' ').at(-2);
      expect(m.version, label).toBe(version);
      expect(m.infoHashV1 ?? null, label).toBe(t.v1);
      expect(m.infoHashV2 ?? null, label).toBe(t.v2);
      expect(m.infoHash, label).toBe(t.v1 ?? t.v2!.slice(0, 40));
      expect(ourFiles(m), label).toEqual(visibleFiles(t));
      expect(
        m.files.some((f) => f.path.includes('.pad')),
        label,
      ).toBe(false);
      expect(Math.ceil(m.length / m.pieceLength), label).toBe(t.numPieces);
      const layers = Object.fromEntries([...(m.pieceLayers ?? new Map<string, Uint8Array>())].map(([root, layer]) => [root, toHex(layer)]));
      expect(layers, label).toEqual(t.pieceLayers);
      // The info dictionary alone (as peers send it) gives the same torrent.
      const fromPeers = await parseInfoDict(fromBase64(t.info), m.infoHash);
      expect(ourFiles(fromPeers), label).toEqual(ourFiles(m));
      if (m.infoHashV2 !== undefined) expect((await parseInfoDict(fromBase64(t.info), m.infoHashV2)).infoHash, label).toBe(m.infoHash);
    }
  });

  it("lists a hybrid's files without its padding files, where libtorrent lists them", async () => {
    const t = made.get(key('nested multi-file', 'hybrid', 16 * KIB))!;
    expect(t.files.filter((f) => f.pad).length).toBeGreaterThan(3);
    const m = await parseTorrent(fromBase64(t.torrent));
    // File-tree order: byte order of each name, a directory's files before the next name ('sub' < 'sub.txt').
    expect(m.files.map((f) => f.path)).toEqual(
      [
        '0-empty-first.txt',
        '10.txt',
        '2.txt',
        'B.txt',
        'big.bin',
        'hello.txt',
        'sub/deeper/noise.bin',
        'sub/empty-middle.bin',
        'sub/one-byte.bin',
        'sub.txt',
        'z-empty-last.txt',
        '\u00e9t\u00e9.txt',
      ].map((p) => `set/${p}`),
    );
    expect(m.files.every((f) => f.length === 0 || f.offset % m.pieceLength === 0)).toBe(true);
  });

  it('creates the same info dictionaries as libtorrent for v2 and hybrid, whatever the order files are given in', async () => {
    for (const c of cases) {
      for (const version of ['v2', 'hybrid'] as const) {
        for (const pieceLength of PIECE_LENGTHS) {
          const label = key(c.label, version, pieceLength);
          const t = made.get(label)!;
          const ours = await createTorrent([...c.input].reverse(), { version, pieceLength });
          expect(toHex(infoOf(ours.torrentFile)), label).toBe(toHex(fromBase64(t.info)));
          expect(ours.infoHash, label).toBe(t.v1 ?? t.v2!.slice(0, 40));
          expect(ours.infoHashV2, label).toBe(t.v2);
          expect(
            ours.files.map((f) => f.path),
            label,
          ).toEqual(ours.metainfo.files.map((f) => (c.input.length === 1 ? f.name : f.path)));
        }
      }
    }
  });

  it('libtorrent reads the torrents and magnet links tabswarm makes, and tabswarm reads its magnet links', async () => {
    const ours = await Promise.all([
      createTorrent(cases[0]!.input, { version: 'hybrid', pieceLength: 64 * KIB, announce: ['wss://tracker.example'] }),
      createTorrent(cases[0]!.input, { version: 'v2', pieceLength: 64 * KIB }),
      createTorrent(cases[1]!.input, { version: 'v2', pieceLength: 16 * KIB }),
    ]);
    const results = runLibtorrent(
      ours.flatMap((o): LibtorrentJob[] => [
        { op: 'parse', torrent: Buffer.from(o.torrentFile).toString('base64') },
        { op: 'magnet', magnet: o.magnetURI },
      ]),
    );
    ours.forEach((o, i) => {
      const parsed = expectTorrent(results[2 * i]);
      expect(parsed.v2).toBe(o.infoHashV2);
      expect(parsed.v1).toBe(o.version === 'hybrid' ? o.infoHash : null);
      expect(visibleFiles(parsed)).toEqual(ourFiles(o.metainfo));
      const magnet = results[2 * i + 1] as LibtorrentMagnet;
      expect(magnet).toEqual({ v1: o.version === 'hybrid' ? o.infoHash : null, v2: o.infoHashV2, name: o.metainfo.name });
    });
    for (const t of made.values()) {
      const link = parseMagnet(t.magnet);
      expect(link.infoHash).toBe(t.v1 ?? t.v2!.slice(0, 40));
      expect(link.infoHashV2 ?? null).toBe(t.v2);
      expect(link.version ?? 'v1').toBe(t.v1 === null ? 'v2' : t.v2 === null ? 'v1' : 'hybrid');
      expect(link.name).toBe(t.name);
    }
  });
});

describe.skipIf(libtorrentPython !== undefined)('BitTorrent v2 reference tests', () => {
  it(`are skipped: ${SKIP_REASON}`, () => {
    console.warn(SKIP_REASON);
  });
});
