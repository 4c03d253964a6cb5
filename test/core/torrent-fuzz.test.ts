/**
 * Fuzzing parseTorrent / parseInfoDict: random bytes, random bencoded torrent-shaped values and
 * mutations of valid .torrent files. The only failures allowed are TabswarmError subclasses, and
 * every success must be internally consistent. Deterministic (seeded), a few seconds at most.
 */
import { describe, expect, it } from 'vitest';
import { encode, type BEncodable } from '../../src/core/bencode.js';
import { TabswarmError } from '../../src/core/errors.js';
import { parseInfoDict, parseTorrent, type Metainfo } from '../../src/core/metainfo.js';
import { makeGreetingFolderTorrent, makeGreetingTorrent } from '../fixtures/greeting.js';

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const bin = (s: string): Uint8Array => new TextEncoder().encode(s);

function checkConsistent(m: Metainfo): void {
  expect(m.infoHash).toMatch(/^[0-9a-f]{40}$/);
  expect(m.pieces.length).toBe(Math.ceil(m.length / m.pieceLength));
  expect(m.pieces.every((p) => p.length === 20)).toBe(true);
  expect(m.files.reduce((sum, f) => sum + f.length, 0)).toBe(m.length);
  expect(m.length).toBeGreaterThan(0);
}

interface Tally {
  ok: number;
  rejected: number;
  bad: string[];
}

async function run(tally: Tally, label: string, p: Promise<Metainfo>): Promise<void> {
  try {
    checkConsistent(await p);
    tally.ok++;
  } catch (err) {
    if (err instanceof TabswarmError) tally.rejected++;
    else if (tally.bad.length < 5) tally.bad.push(`${label}: ${String(err)}`);
    else tally.bad.push(label);
  }
}

const KEYS = [
  'info',
  'announce',
  'announce-list',
  'url-list',
  'name',
  'name.utf-8',
  'piece length',
  'pieces',
  'length',
  'files',
  'path',
  'path.utf-8',
  'private',
  'comment',
  'creation date',
  'x',
];

function randomValue(r: (n: number) => number, depth: number): BEncodable {
  const kind = depth > 4 ? r(3) : r(6);
  switch (kind) {
    case 0:
      return [0, 1, -1, 16384, 32768, 20, 2 ** 53 - 1, -(2 ** 53 - 1), r(100000)][r(9)]!;
    case 1:
      return ['', '.', '..', 'a', 'a/b', 'a\\b', 'a\0', 'wss://t', 'x'.repeat(r(50))][r(9)]!;
    case 2:
      return Uint8Array.from({ length: [0, 1, 19, 20, 40, 41][r(6)]! }, () => r(256));
    case 3:
    case 4:
      return Array.from({ length: r(4) }, () => randomValue(r, depth + 1));
    default: {
      const out: Record<string, BEncodable> = {};
      for (let i = r(6); i > 0; i--) out[KEYS[r(KEYS.length)]!] = randomValue(r, depth + 1);
      return out;
    }
  }
}

/** A torrent-shaped value: mostly right, with random parts. */
function randomTorrent(r: (n: number) => number): BEncodable {
  const pieceLength = [16384, 32768, 8192, 0, 16385][r(5)]!;
  const length = [1, 16384, 16385, 0, 40000][r(5)]!;
  const info: Record<string, BEncodable> = {
    name: r(4) === 0 ? randomValue(r, 3) : 'n',
    'piece length': r(5) === 0 ? randomValue(r, 3) : pieceLength,
    pieces: new Uint8Array(20 * [0, 1, 2, 3][r(4)]!),
  };
  if (r(2) === 0) info['length'] = r(4) === 0 ? randomValue(r, 3) : length;
  else
    info['files'] = Array.from({ length: r(4) }, () =>
      r(3) === 0 ? randomValue(r, 2) : { length: r(3) === 0 ? randomValue(r, 4) : r(20000), path: r(3) === 0 ? randomValue(r, 4) : ['d', 'f'] },
    );
  if (r(4) === 0) info['private'] = randomValue(r, 4);
  for (let i = r(3); i > 0; i--) info[KEYS[r(KEYS.length)]!] = randomValue(r, 2);
  const top: Record<string, BEncodable> = { info: r(10) === 0 ? randomValue(r, 1) : info };
  for (let i = r(4); i > 0; i--) top[KEYS[r(KEYS.length - 1) + 1]!] = randomValue(r, 1);
  return top;
}

function mutate(r: (n: number) => number, seed: Uint8Array): Uint8Array {
  const out = Array.from(seed);
  for (let n = 1 + r(3); n > 0; n--) {
    const at = r(out.length + 1);
    switch (r(7)) {
      case 0: // bit flip
        if (at < out.length) out[at]! ^= 1 << r(8);
        break;
      case 1: // truncation
        out.length = at;
        break;
      case 2: // inserted digits
        out.splice(at, 0, ...Array.from({ length: 1 + r(3) }, () => 0x30 + r(10)));
        break;
      case 3: // deleted bytes
        out.splice(at, 1 + r(4));
        break;
      case 4: // a structural byte
        out.splice(at, r(2), 'deil:-0'.charCodeAt(r(7)));
        break;
      case 5: // a duplicated slice
        out.splice(at, 0, ...out.slice(r(out.length + 1), r(out.length + 1)));
        break;
      default: // a random byte
        if (at < out.length) out[at] = r(256);
    }
  }
  return new Uint8Array(out);
}

describe('parseTorrent fuzzing', () => {
  it('only ever throws TabswarmError on 3000+ hostile inputs', { timeout: 20_000 }, async () => {
    const r = prng(0xc0ffee);
    const seeds = [
      (await makeGreetingTorrent({ announce: ['wss://a', 'wss://b'], urlList: ['https://w/'], comment: 'c' })).torrentFile,
      (await makeGreetingFolderTorrent({ private: true })).torrentFile,
      bin('d4:infod5:filesld6:lengthi3e4:pathl1:a1:beed6:lengthi0e4:pathl1:ceee4:name1:n12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee'),
    ];
    const tally: Tally = { ok: 0, rejected: 0, bad: [] };

    for (let i = 0; i < 800; i++) {
      const bytes = Uint8Array.from({ length: r(120) }, () => r(256));
      if (bytes.length > 0 && r(2) === 0) bytes[0] = 0x64; // 'd', to get past the first check
      await run(tally, `random #${i}`, parseTorrent(bytes));
    }
    for (let i = 0; i < 800; i++) {
      const bytes = encode(randomTorrent(r));
      await run(tally, `shaped #${i}`, parseTorrent(bytes));
    }
    for (let i = 0; i < 2000; i++) {
      const seed = seeds[r(seeds.length)]!;
      const bytes = mutate(r, seed);
      await run(tally, `mutation #${i}`, parseTorrent(bytes));
      if (i % 4 === 0) await run(tally, `info mutation #${i}`, parseInfoDict(bytes.subarray(r(bytes.length))));
    }

    expect(tally.bad).toEqual([]);
    expect(tally.rejected).toBeGreaterThan(2000);
    expect(tally.ok).toBeGreaterThan(20); // some mutations (e.g. inside piece hashes) stay valid
  });

  it('stays fast on adversarial shapes', async () => {
    const depth = 100_000;
    const tail = `4:name1:n12:piece lengthi16384e6:pieces20:${'A'.repeat(20)}`;
    const huge: [string, Uint8Array, string][] = [
      ['deep nesting', bin(`d4:info${'l'.repeat(depth)}${'e'.repeat(depth)}e`), 'nesting deeper than'],
      ['a huge string length', bin('d4:info99999999999999:e'), 'longer than the input'],
      ['a huge integer', bin('d4:infod6:lengthi99999999999999999999eee'), 'safe integer range'],
      [
        'a path of 200k components',
        bin(`d4:infod5:filesl${`d6:lengthi1e4:pathl${'1:a'.repeat(200_000)}ee`.repeat(2)}e${tail}ee`),
        'two files have the same path',
      ],
      [
        '50k files',
        bin(`d4:infod5:filesl${Array.from({ length: 50_000 }, (_, i) => `d6:lengthi0e4:pathl1:d${String(i).length}:${i}ee`).join('')}e${tail}ee`),
        'total length is 0 bytes',
      ],
    ];
    for (const [label, bytes, fragment] of huge) {
      const started = performance.now();
      const err = await parseTorrent(bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, label).toBeInstanceOf(TabswarmError);
      expect(String(err), label).toContain(fragment);
      expect(performance.now() - started, label).toBeLessThan(2000);
    }
  });
});
