import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MagnetError } from '../../src/core/errors.js';
import { formatMagnet, MAX_MAGNET_LENGTH, MAX_SELECT_INDEXES, parseMagnet, type MagnetLink } from '../../src/core/magnet.js';

/** RFC 4648 base32 (no padding), written here independently of src/core/bytes.ts. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)]!;
  return out;
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** sha1("tabswarm"), a hash whose base32 form is computed here rather than pasted. */
const HASH = createHash('sha1').update('tabswarm').digest('hex');
const HASH_B32 = base32(new Uint8Array(Buffer.from(HASH, 'hex')));
const XT = `xt=urn:btih:${HASH}`;

function magnetError(uri: string): MagnetError {
  try {
    parseMagnet(uri);
  } catch (err) {
    expect(err).toBeInstanceOf(MagnetError);
    return err as MagnetError;
  }
  throw new Error(`expected parseMagnet to reject ${uri.slice(0, 80)}`);
}

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

describe('parseMagnet: info hash vectors', () => {
  it('reads a lowercase hex hash', () => {
    const m = parseMagnet(`magnet:?${XT}`);
    expect(m.infoHash).toBe(HASH);
    expect(hexOf(m.infoHashBytes)).toBe(HASH);
    expect(m.infoHashBytes).toBeInstanceOf(Uint8Array);
    expect(m.infoHashBytes.length).toBe(20);
    expect(m).toEqual({ infoHash: HASH, infoHashBytes: m.infoHashBytes, announce: [], urlList: [], exactSource: [] });
    expect('name' in m).toBe(false);
    expect('select' in m).toBe(false);
  });

  it('lowercases an uppercase hex hash', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH.toUpperCase()}`).infoHash).toBe(HASH);
  });

  it('decodes a base32 hash, upper or lower case', () => {
    expect(HASH_B32).toHaveLength(32);
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH_B32}`).infoHash).toBe(HASH);
    expect(parseMagnet(`magnet:?xt=urn:btih:${HASH_B32.toLowerCase()}`).infoHash).toBe(HASH);
  });

  it('matches the well-known base32 example (MediaWiki magnet link)', () => {
    const m = parseMagnet('magnet:?xt=urn:btih:QHQXPYWMACKDWKP47RRVIV7VOURXFE5Q&xl=10826029&dn=mediawiki-1.15.1.tar.gz');
    expect(m.infoHash).toBe('81e177e2cc00943b29fcfc635457f575237293b0');
    expect(m.name).toBe('mediawiki-1.15.1.tar.gz');
  });

  it('accepts a case-insensitive scheme, urn prefix and keys, and surrounding whitespace', () => {
    expect(parseMagnet(`  MAGNET:?XT=URN:BTIH:${HASH}\n`).infoHash).toBe(HASH);
    expect(parseMagnet(`Magnet:?xt=urn:BtIh:${HASH}`).infoHash).toBe(HASH);
  });

  it('accepts a percent-encoded xt value', () => {
    expect(parseMagnet(`magnet:?xt=urn%3Abtih%3A${HASH}`).infoHash).toBe(HASH);
  });

  it('takes the first btih of several xt, ignoring btmh (v2) hashes', () => {
    const other = 'b'.repeat(40);
    const v2 = `urn:btmh:1220${'c'.repeat(64)}`;
    expect(parseMagnet(`magnet:?xt=${v2}&${XT}&xt=urn:btih:${other}`).infoHash).toBe(HASH);
    expect(parseMagnet(`magnet:?xt.1=urn:btih:${other}&xt.2=${v2}&${XT}`).infoHash).toBe(other);
    expect(parseMagnet(`magnet:?xt=urn:ed2k:354B15E68FB8F36D7CD88FF94116CDC1&${XT}`).infoHash).toBe(HASH);
  });

  it('returns fresh hash bytes', () => {
    const a = parseMagnet(`magnet:?${XT}`);
    const b = parseMagnet(`magnet:?${XT}`);
    a.infoHashBytes[0] = a.infoHashBytes[0]! ^ 0xff;
    expect(hexOf(b.infoHashBytes)).toBe(HASH);
  });
});

describe('parseMagnet: parameters', () => {
  it('decodes the Leaves of Grass example like magnet-uri', () => {
    const uri =
      'magnet:?xt=urn:btih:d2474e86c95b19b8bcfdb92bc12c9d44667cfa36&dn=Leaves+of+Grass+by+Walt+Whitman.epub' +
      '&tr=udp%3A%2F%2Ftracker.example4.com%3A80&tr=udp%3A%2F%2Ftracker.example5.com%3A80' +
      '&tr=udp%3A%2F%2Ftracker.example3.com%3A6969&tr=udp%3A%2F%2Ftracker.example2.com%3A80' +
      '&tr=udp%3A%2F%2Ftracker.example1.com%3A1337';
    const m = parseMagnet(uri);
    expect(m.infoHash).toBe('d2474e86c95b19b8bcfdb92bc12c9d44667cfa36');
    expect(m.name).toBe('Leaves of Grass by Walt Whitman.epub');
    expect(m.announce).toEqual([
      'udp://tracker.example4.com:80',
      'udp://tracker.example5.com:80',
      'udp://tracker.example3.com:6969',
      'udp://tracker.example2.com:80',
      'udp://tracker.example1.com:1337',
    ]);
  });

  it('reads dn: "+" and %20 are spaces, %2B is a plus, UTF-8 escapes decode', () => {
    expect(parseMagnet(`magnet:?${XT}&dn=a+b%20c%2Bd`).name).toBe('a b c+d');
    expect(parseMagnet(`magnet:?${XT}&dn=%E6%97%A5%E6%9C%AC%F0%9F%90%B1`).name).toBe('日本🐱');
    expect(parseMagnet(`magnet:?${XT}&dn=raw日本`).name).toBe('raw日本');
    expect(parseMagnet(`magnet:?${XT}&dn=a%3Db=c`).name).toBe('a=b=c');
  });

  it('takes the first non-empty dn; an empty dn is no name', () => {
    expect(parseMagnet(`magnet:?${XT}&dn=&dn=second&dn=third`).name).toBe('second');
    expect('name' in parseMagnet(`magnet:?${XT}&dn=`)).toBe(false);
  });

  it('decodes trackers with encoded characters, keeps "+", dedupes in order, skips empty', () => {
    const m = parseMagnet(
      `magnet:?${XT}&tr=wss%3A%2F%2Ft.example%2Fannounce%3Fkey%3Da%26b%3Dc&tr=udp://plain.example:80` +
        `&tr.1=wss%3A%2F%2Ft.example%2Fannounce%3Fkey%3Da%26b%3Dc&tr=&TR=http://x.example/a+b&tr=https://y.example/?p=1=2`,
    );
    expect(m.announce).toEqual(['wss://t.example/announce?key=a&b=c', 'udp://plain.example:80', 'http://x.example/a+b', 'https://y.example/?p=1=2']);
  });

  it('reads ws into urlList and xs into exactSource, deduplicated', () => {
    const m = parseMagnet(
      `magnet:?${XT}&ws=https%3A%2F%2Fseed.example%2Ff%20ile&xs=https%3A%2F%2Fx.example%2Fa.torrent` +
        '&ws=https%3A%2F%2Fseed.example%2Ff%20ile&ws.2=https://other.example/&xs=urn:btpk:abc',
    );
    expect(m.urlList).toEqual(['https://seed.example/f ile', 'https://other.example/']);
    expect(m.exactSource).toEqual(['https://x.example/a.torrent', 'urn:btpk:abc']);
  });

  it('ignores unknown keys, parameters without "=", and empty parameters (without decoding them)', () => {
    const m = parseMagnet(`magnet:?&&${XT}&xl=5&kt=a+b&as=http%3A%2F%2Fa&x.pe=1.2.3.4:5&junk&zz=%ZZ&tr.=%ZZ&=x&`);
    expect(m).toEqual({ infoHash: HASH, infoHashBytes: m.infoHashBytes, announce: [], urlList: [], exactSource: [] });
  });

  it('accepts a magnet link with both v1 and v2 hashes: a hybrid, known by its v1 hash', () => {
    const m = parseMagnet(`magnet:?xt=urn:btmh:1220${'D'.repeat(64)}&${XT}&dn=hybrid`);
    expect(m.infoHash).toBe(HASH);
    expect(m.version).toBe('hybrid');
    expect(m.infoHashV2).toBe('d'.repeat(64));
    expect(m.infoHashV2Bytes).toEqual(new Uint8Array(32).fill(0xdd));
    expect(m.name).toBe('hybrid');
  });

  it('reads a link with only a v2 hash: v2-only, known by the first 20 bytes of its v2 hash', () => {
    const v2 = '0123456789abcdef'.repeat(4);
    const m = parseMagnet(`magnet:?xt=urn:btmh:1220${v2}&xt=urn:btmh:1220${'e'.repeat(64)}&dn=v2`);
    expect(m.version).toBe('v2');
    expect(m.infoHashV2).toBe(v2);
    expect(m.infoHash).toBe(v2.slice(0, 40));
    expect(hexOf(m.infoHashBytes)).toBe(v2.slice(0, 40));
  });

  it('writes v2 hashes after the v1 one, and v2-only links with the btmh alone; both read back', () => {
    const v2 = 'ab'.repeat(32);
    const hybrid = formatMagnet({ infoHash: HASH, infoHashV2: v2, name: 'n' });
    expect(hybrid).toBe(`magnet:?xt=urn:btih:${HASH}&xt=urn:btmh:1220${v2}&dn=n`);
    expect(parseMagnet(hybrid)).toMatchObject({ infoHash: HASH, infoHashV2: v2, version: 'hybrid', name: 'n' });
    const only = formatMagnet({ infoHash: v2.slice(0, 40), infoHashV2: v2, version: 'v2' });
    expect(only).toBe(`magnet:?xt=urn:btmh:1220${v2}`);
    expect(parseMagnet(only)).toMatchObject({ infoHash: v2.slice(0, 40), infoHashV2: v2, version: 'v2' });
    expect(() => formatMagnet({ infoHash: HASH, infoHashV2: v2, version: 'v2' })).toThrow(/first 40 characters/);
    expect(() => formatMagnet({ infoHash: HASH, infoHashV2: 'ab' })).toThrow(/64 hex characters/);
  });
});

describe('parseMagnet: BEP 53 file selection (so)', () => {
  const so = (value: string): number[] | undefined => parseMagnet(`magnet:?${XT}&so=${value}`).select;

  it('expands indexes and ranges, sorted and unique', () => {
    expect(so('0,2,4-6')).toEqual([0, 2, 4, 5, 6]);
    expect(so('6-8,0,2,4')).toEqual([0, 2, 4, 6, 7, 8]);
    expect(so('3,1-4,2,3-3')).toEqual([1, 2, 3, 4]);
    expect(so('7')).toEqual([7]);
    expect(so('0%2C1')).toEqual([0, 1]);
  });

  it('merges several so parameters', () => {
    expect(parseMagnet(`magnet:?${XT}&so=5&so.1=1-2`).select).toEqual([1, 2, 5]);
  });

  it('treats an empty so as no selection', () => {
    expect(so('')).toBeUndefined();
  });

  it('accepts exactly the cap, and large indexes', () => {
    const all = so(`0-${MAX_SELECT_INDEXES - 1}`)!;
    expect(all).toHaveLength(MAX_SELECT_INDEXES);
    expect(all[MAX_SELECT_INDEXES - 1]).toBe(MAX_SELECT_INDEXES - 1);
    expect(so('123456789012345')).toEqual([123456789012345]);
  });

  it.each([
    ['5-3', 'reversed range "5-3"; write it as 3-5'],
    ['a', 'entry "a" that is not a number'],
    ['1,,2', 'entry "" that is not a number'],
    ['1,', 'entry "" that is not a number'],
    ['-3', 'entry "-3"'],
    ['3-', 'entry "3-"'],
    ['1-2-3', 'entry "1-2-3"'],
    ['1.5', 'entry "1.5"'],
    [' 1', 'entry " 1"'],
    ['1e3', 'entry "1e3"'],
    ['1234567890123456', 'not a number'],
    [`0-${MAX_SELECT_INDEXES}`, `selects more than ${MAX_SELECT_INDEXES} files`],
    ['0-60000,0-60000', `selects more than ${MAX_SELECT_INDEXES} files`],
    ['0-999999999999999', `selects more than ${MAX_SELECT_INDEXES} files`],
  ])('rejects so=%s', (value, fragment) => {
    expect(magnetError(`magnet:?${XT}&so=${value}`).message).toContain(fragment);
  });
});

describe('parseMagnet: errors', () => {
  it.each([
    ['', 'must start with "magnet:?"'],
    ['http://example.com/a.torrent', 'not a magnet link: it must start with "magnet:?"'],
    [`magnet:${XT}`, 'must start with "magnet:?"'],
    [`stream-magnet:?${XT}`, 'must start with "magnet:?"'],
    [HASH, 'looks like a bare info hash; a magnet link looks like magnet:?xt=urn:btih:'],
    [HASH_B32, 'looks like a bare info hash'],
    ['magnet:?', 'has no info hash: add an "xt=urn:btih:'],
    ['magnet:?dn=a&tr=udp%3A%2F%2Ft', 'has no info hash'],
    [`magnet:?xt=urn:sha1:${HASH}`, 'has no info hash'],
    [`magnet:?xt=urn:btmh:1220${'a'.repeat(63)}`, 'is not a SHA-256 multihash: expected "1220" and 64 hex characters'],
    [`magnet:?xt=urn:btmh:1220${'a'.repeat(65)}`, 'is not a SHA-256 multihash'],
    [`magnet:?xt=urn:btmh:1120${'a'.repeat(64)}`, 'is not a SHA-256 multihash'],
    [`magnet:?xt=urn:btmh:1220${'g'.repeat(64)}`, 'is not a SHA-256 multihash'],
    [`magnet:?${XT}&xt=urn:btmh:${'a'.repeat(68)}`, 'is not a SHA-256 multihash'],
    [`magnet:?xt=urn:btih:${HASH.slice(1)}`, 'has 39 characters; expected 40 hex or 32 base32'],
    [`magnet:?xt=urn:btih:${HASH}0`, 'has 41 characters'],
    ['magnet:?xt=urn:btih:', 'has 0 characters'],
    [`magnet:?xt=urn:btih:${'g'.repeat(40)}`, 'is not hexadecimal'],
    [`magnet:?xt=urn:btih:${'A'.repeat(31)}1`, 'is not base32'],
    [`magnet:?xt=urn:btih:${'A'.repeat(31)}8`, 'is not base32'],
    [`magnet:?xt=urn:btih:zz&${XT}`, 'has 2 characters'],
    [`magnet:?${XT}&dn=%`, 'the "dn" parameter has malformed percent-encoding'],
    [`magnet:?${XT}&dn=%zz`, 'the "dn" parameter has malformed percent-encoding ("%zz")'],
    [`magnet:?${XT}&dn=%E0%A4%A`, 'each % must be followed by two hex digits'],
    [`magnet:?${XT}&dn=%C3`, 'the "dn" parameter has malformed percent-encoding'],
    [`magnet:?${XT}&dn=%ED%A0%80`, 'the "dn" parameter has malformed percent-encoding'],
    [`magnet:?${XT}&tr=udp%3A%2F%2Ft%`, 'the "tr" parameter has malformed percent-encoding'],
    [`magnet:?${XT}&tr.3=%G0`, 'the "tr" parameter'],
    [`magnet:?${XT}&ws=%FF`, 'the "ws" parameter'],
    [`magnet:?${XT}&xs=%2`, 'the "xs" parameter'],
    [`magnet:?${XT}&so=%`, 'the "so" parameter'],
    [`magnet:?xt=urn%3Abtih%3A%`, 'the "xt" parameter'],
    [`magnet:?${XT}&dn=a\uD800b`, 'unpaired UTF-16 surrogate'],
    [`magnet:?${XT}&dn=\uDC00`, 'unpaired UTF-16 surrogate'],
  ])('rejects %j', (uri, fragment) => {
    const err = magnetError(uri);
    expect(err.message).toContain(fragment);
    expect(err.name).toBe('MagnetError');
  });

  it('accepts a later bad btih after a good one (only the first is read)', () => {
    expect(parseMagnet(`magnet:?${XT}&xt=urn:btih:zz`).infoHash).toBe(HASH);
  });

  it('rejects oversize input before parsing it', () => {
    const long = `magnet:?${XT}&dn=${'a'.repeat(MAX_MAGNET_LENGTH)}`;
    expect(magnetError(long).message).toContain(`at most ${MAX_MAGNET_LENGTH} are accepted`);
    const justFits = `magnet:?${XT}&dn=`;
    const fits = justFits + 'a'.repeat(MAX_MAGNET_LENGTH - justFits.length);
    expect(parseMagnet(fits).name).toHaveLength(MAX_MAGNET_LENGTH - justFits.length);
  });

  it('rejects a non-string at run time with MagnetError', () => {
    for (const v of [undefined, null, 42, {}, ['magnet:?']]) {
      expect(() => parseMagnet(v as string)).toThrow(MagnetError);
    }
  });

  it('keeps long untrusted text out of error messages', () => {
    const err = magnetError(`magnet:?xt=urn:btih:${'x'.repeat(5000)}`);
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('formatMagnet', () => {
  it('writes every part in order with encodeURIComponent', () => {
    const uri = formatMagnet({
      infoHash: HASH.toUpperCase(),
      name: 'a b+c/日',
      announce: ['wss://t.example/announce?x=1&y=2', 'udp://u.example:80', 'wss://t.example/announce?x=1&y=2', ''],
      urlList: ['https://seed.example/a b'],
      exactSource: ['https://x.example/a.torrent'],
      select: [6, 0, 2, 4, 5, 2],
    });
    expect(uri).toBe(
      `magnet:?xt=urn:btih:${HASH}&dn=a%20b%2Bc%2F%E6%97%A5` +
        '&tr=wss%3A%2F%2Ft.example%2Fannounce%3Fx%3D1%26y%3D2&tr=udp%3A%2F%2Fu.example%3A80' +
        '&ws=https%3A%2F%2Fseed.example%2Fa%20b&xs=https%3A%2F%2Fx.example%2Fa.torrent&so=0,2,4-6',
    );
  });

  it('writes only the hash when nothing else is given; leaves out empty name and selection', () => {
    expect(formatMagnet({ infoHash: HASH })).toBe(`magnet:?${XT}`);
    expect(formatMagnet({ infoHash: HASH, name: '', announce: [], select: [] })).toBe(`magnet:?${XT}`);
  });

  it('compresses selections into ranges', () => {
    const f = (select: number[]): string => formatMagnet({ infoHash: HASH, select }).split('&so=')[1]!;
    expect(f([0])).toBe('0');
    expect(f([0, 1])).toBe('0-1');
    expect(f([3, 2, 1, 9, 10, 12])).toBe('1-3,9-10,12');
    expect(f([-0, 0])).toBe('0');
  });

  it.each([
    [{ infoHash: 'abc' }, 'the info hash must be 40 hex characters'],
    [{ infoHash: HASH_B32 }, 'the info hash must be 40 hex characters'],
    [{ infoHash: 'z'.repeat(40) }, 'the info hash must be 40 hex characters'],
    [{ infoHash: HASH, select: [-1] }, 'non-negative integer, not -1'],
    [{ infoHash: HASH, select: [1.5] }, 'not 1.5'],
    [{ infoHash: HASH, select: [Number.NaN] }, 'not NaN'],
    [{ infoHash: HASH, select: [2 ** 53] }, 'non-negative integer'],
    [{ infoHash: HASH, name: 'a\uD800' }, 'the name "a\\ud800" contains broken text'],
    [{ infoHash: HASH, announce: ['\uDC00'] }, 'the tracker'],
  ])('rejects %j', (parts, fragment) => {
    let caught: unknown;
    try {
      formatMagnet(parts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MagnetError);
    expect((caught as Error).message).toContain(fragment);
  });

  it('rejects a selection over the cap', () => {
    const select = Array.from({ length: MAX_SELECT_INDEXES + 1 }, (_, i) => i * 2);
    expect(() => formatMagnet({ infoHash: HASH, select })).toThrow(MagnetError);
  });
});

describe('round trips', () => {
  const hex = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hexOf);
  const text = fc.oneof(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ minLength: 1 }), fc.constantFrom('+', '%', '%20', ' a+b ', '&=?#'));
  const urls = fc.uniqueArray(fc.oneof(text, fc.webUrl({ withQueryParameters: true, withFragments: true })), { maxLength: 5 });
  /** Selections made of runs, so that ranges get exercised. */
  const select = fc
    .array(fc.tuple(fc.nat({ max: 1_000_000 }), fc.nat({ max: 20 })), { maxLength: 8 })
    .map((runs) => [...new Set(runs.flatMap(([from, len]) => Array.from({ length: len + 1 }, (_, i) => from + i)))].sort((a, b) => a - b));

  it('parseMagnet(formatMagnet(x)) gives back x', () => {
    fc.assert(
      fc.property(hex, fc.option(text, { nil: undefined }), urls, urls, urls, select, (infoHash, name, announce, urlList, exactSource, sel) => {
        const uri = formatMagnet({ infoHash, name, announce, urlList, exactSource, select: sel });
        const expected: MagnetLink = { infoHash, infoHashBytes: new Uint8Array(Buffer.from(infoHash, 'hex')), announce, urlList, exactSource };
        if (name !== undefined) expected.name = name;
        if (sel.length > 0) expected.select = sel;
        expect(parseMagnet(uri)).toStrictEqual(expected);
      }),
      { seed: 0x5eed, numRuns: 500 },
    );
  });

  it('formatMagnet(parseMagnet(u)) is a fixed point for links parseMagnet accepts', () => {
    const uri = `  magnet:?xt=urn:btih:${HASH_B32}&dn=a+b&tr=udp://t:1&tr=udp%3A%2F%2Ft%3A1&ws=http://w/+&xs=x&so=4,1-2,2&xl=9  `;
    const once = formatMagnet(parseMagnet(uri));
    expect(formatMagnet(parseMagnet(once))).toBe(once);
    expect(once).toBe(`magnet:?${XT}&dn=a%20b&tr=udp%3A%2F%2Ft%3A1&ws=http%3A%2F%2Fw%2F%2B&xs=x&so=1-2,4`);
  });
});

describe('fuzz: only MagnetError, and accepted links survive a round trip', () => {
  const PIECES = [
    'magnet:?',
    'MAGNET:?',
    'magnet:',
    '&',
    '=',
    '%',
    '%2',
    '%20',
    '%2B',
    '%E6%97%A5',
    '%C3',
    '%ED%A0%80',
    '+',
    '#',
    '?',
    'xt=',
    'xt.1=',
    'urn:btih:',
    'urn:btmh:',
    '1220',
    `1220${'ab'.repeat(32)}`,
    HASH,
    HASH_B32,
    HASH.slice(0, 20),
    'dn=',
    'tr=',
    'tr.2=',
    'ws=',
    'xs=',
    'so=',
    '0',
    '1',
    '9',
    ',',
    '-',
    '0-3',
    '99999999999',
    '4-2',
    'udp://t:80',
    'wss%3A%2F%2Ft',
    '\uD800',
    '\uDC00',
    '🐱',
    ' ',
    '\n',
    '\0',
  ];
  const VALID = [
    `magnet:?${XT}&dn=name+here&tr=udp%3A%2F%2Ft.example%3A80&ws=https%3A%2F%2Fs%2Fa&so=0,2,4-6`,
    `magnet:?xt=urn:btih:${HASH_B32}&xs=https%3A%2F%2Fx%2Fa.torrent&tr.1=wss://t&tr.2=wss://u`,
    `magnet:?xt=urn:btmh:1220${'a'.repeat(64)}&${XT}&dn=%E6%97%A5%E6%9C%AC`,
    `magnet:?xt=urn:btmh:1220${'0f'.repeat(32)}&tr=wss%3A%2F%2Ft&so=1`,
  ];

  function check(uri: string, bad: string[]): boolean {
    let m: MagnetLink;
    try {
      m = parseMagnet(uri);
    } catch (err) {
      if (!(err instanceof MagnetError) && bad.length < 5) bad.push(`${JSON.stringify(uri)}: ${String(err)}`);
      return false;
    }
    try {
      expect(m.infoHash).toMatch(/^[0-9a-f]{40}$/);
      expect(hexOf(m.infoHashBytes)).toBe(m.infoHash);
      const again = parseMagnet(formatMagnet(m));
      expect(again).toStrictEqual(m);
    } catch (err) {
      if (bad.length < 5) bad.push(`round trip of ${JSON.stringify(uri)}: ${String(err)}`);
    }
    return true;
  }

  it('random strings and mutations of valid links', () => {
    const started = Date.now();
    const r = prng(0xc0ffee);
    const bad: string[] = [];
    let accepted = 0;
    let total = 0;
    for (let i = 0; i < 4000; i++) {
      let s = '';
      const n = 1 + r(12);
      for (let j = 0; j < n; j++) s += r(4) === 0 ? String.fromCharCode(r(0x10000)) : PIECES[r(PIECES.length)]!;
      if (r(2) === 0) s = `magnet:?${s}`;
      if (check(s, bad)) accepted++;
      total++;
    }
    for (let i = 0; i < 4000; i++) {
      let s = VALID[r(VALID.length)]!;
      const edits = 1 + r(4);
      for (let e = 0; e < edits; e++) {
        const at = r(s.length + 1);
        switch (r(5)) {
          case 0: // delete a stretch
            s = s.slice(0, at) + s.slice(at + 1 + r(8));
            break;
          case 1: // insert a piece
            s = s.slice(0, at) + PIECES[r(PIECES.length)]! + s.slice(at);
            break;
          case 2: // replace one char with a random code unit
            s = s.slice(0, at) + String.fromCharCode(r(0x10000)) + s.slice(at + 1);
            break;
          case 3: // truncate
            s = s.slice(0, at);
            break;
          default: // duplicate a stretch
            s = s.slice(0, at) + s.slice(r(s.length), r(s.length)) + s.slice(at);
        }
      }
      if (check(s, bad)) accepted++;
      total++;
    }
    expect(bad).toEqual([]);
    expect(total).toBe(8000);
    // Both outcomes must be exercised, or the fuzzer is not testing much.
    expect(accepted).toBeGreaterThan(500);
    expect(total - accepted).toBeGreaterThan(500);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fast-check: any string is accepted or rejected with MagnetError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary-ascii' }),
          fc.string().map((s) => `magnet:?${s}`),
          fc.string({ unit: fc.constantFrom(...PIECES) }),
        ),
        (s) => {
          try {
            parseMagnet(s);
          } catch (err) {
            expect(err).toBeInstanceOf(MagnetError);
          }
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
  });
});
