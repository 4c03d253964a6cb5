import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeWithSpans, decodeWithSpansSliced, encode, MAX_DEPTH, type BDict, type BEncodable, type BValue } from '../../src/core/bencode.js';
import { BencodeError } from '../../src/core/errors.js';
import { Slicer } from '../../src/core/slicer.js';

/** Bytes of a string written one char per byte (so "\xff" is the byte 0xff). */
const bin = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
/** The inverse: each byte as one char. */
const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function dict(entries: [string, BValue][]): BDict {
  const out = Object.create(null) as BDict;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

function bencodeError(input: string | Uint8Array): BencodeError {
  try {
    decode(typeof input === 'string' ? bin(input) : input);
  } catch (err) {
    expect(err).toBeInstanceOf(BencodeError);
    return err as BencodeError;
  }
  throw new Error(`expected decode to reject ${JSON.stringify(typeof input === 'string' ? input.slice(0, 40) : '<bytes>')}`);
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

describe('encode: byte-exact vectors', () => {
  it.each<[string, BEncodable, string]>([
    ['zero', 0, 'i0e'],
    ['negative zero as zero', -0, 'i0e'],
    ['a positive int', 42, 'i42e'],
    ['a negative int', -42, 'i-42e'],
    ['the largest safe int', Number.MAX_SAFE_INTEGER, 'i9007199254740991e'],
    ['the smallest safe int', -Number.MAX_SAFE_INTEGER, 'i-9007199254740991e'],
    ['a bigint beyond 2^53', 2n ** 64n, 'i18446744073709551616e'],
    ['a negative bigint', -5n, 'i-5e'],
    ['true', true, 'i1e'],
    ['false', false, 'i0e'],
    ['the empty string', '', '0:'],
    ['a string', 'spam', '4:spam'],
    ['a non-ASCII string as UTF-8', 'é€', '5:\xc3\xa9\xe2\x82\xac'],
    ['bytes', new Uint8Array([0, 0xff, 0x3a]), '3:\x00\xff:'],
    ['empty bytes', new Uint8Array(0), '0:'],
    ['a subarray view', new Uint8Array([9, 1, 2, 9]).subarray(1, 3), '2:\x01\x02'],
    ['an ArrayBuffer', new Uint8Array([0x61, 0x62]).buffer, '2:ab'],
    ['the empty list', [], 'le'],
    ['a list (BEP 3)', ['spam', 'eggs'], 'l4:spam4:eggse'],
    ['a nested list', [[], [1, [2]], 'x'], 'lleli1eli2eee1:xe'],
    ['the empty dict', {}, 'de'],
    ['a dict (BEP 3)', { cow: 'moo', spam: 'eggs' }, 'd3:cow3:moo4:spam4:eggse'],
    ['a dict holding a list (BEP 3)', { spam: ['a', 'b'] }, 'd4:spaml1:a1:bee'],
    ['nested dicts', { z: { b: 1, a: [{}] }, a: 'x' }, 'd1:a1:x1:zd1:aldee1:bi1eee'],
  ])('%s', (_label, value, expected) => {
    expect(str(encode(value))).toBe(expected);
  });

  it('sorts keys by raw bytes, not by insertion or numeric order', () => {
    expect(str(encode({ b: 1, a: 2, aa: 3, B: 4 }))).toBe('d1:Bi4e1:ai2e2:aai3e1:bi1ee');
    expect(str(encode({ '10': 1, '2': 2, '1': 3 }))).toBe('d1:1i3e2:10i1e1:2i2ee');
    expect(str(encode({ 'a\x00': 1, a: 2 }))).toBe('d1:ai2e2:a\x00i1ee');
  });

  it('sorts non-ASCII keys by raw bytes: binary-string keys are one byte per char', () => {
    // Keys with every char <= 0xff are binary strings (as decode produces them).
    expect(str(encode({ '\xff': 1, '\x80': 2, '\x7f': 3 }))).toBe('d1:\x7fi3e1:\x80i2e1:\xffi1ee');
    // A key with a char above 0xff is ordinary text, written as UTF-8 (E2 82 AC sorts before E9).
    expect(str(encode({ é: 1, '€': 2, z: 3 }))).toBe('d1:zi3e3:\xe2\x82\xaci2e1:\xe9i1ee');
  });

  it('leaves out undefined values', () => {
    expect(str(encode({ a: undefined, b: 1, c: undefined }))).toBe('d1:bi1ee');
    expect(str(encode({ a: undefined }))).toBe('de');
  });

  it('accepts a Map, sorted and without undefined values', () => {
    const m = new Map<string, BEncodable | undefined>([
      ['b', 1],
      ['a', 'x'],
      ['c', undefined],
      ['d', new Map([['y', [1]]])],
    ]);
    expect(str(encode(m))).toBe('d1:a1:x1:bi1e1:dd1:yli1eeee');
  });

  it('encodes a decoded value (null-prototype dicts, binary keys) back to the same bytes', () => {
    const input = bin('d9:__proto__l0:e3:\xff\x00\xfei1ee');
    expect(sameBytes(encode(decode(input)), input)).toBe(true);
  });

  it('throws TypeError for values bencode cannot hold', () => {
    expect(() => encode(1.5)).toThrow(TypeError);
    expect(() => encode(Number.NaN)).toThrow(TypeError);
    expect(() => encode(Infinity)).toThrow(TypeError);
    expect(() => encode(2 ** 53)).toThrow(TypeError);
    // Two distinct JS keys that are the same bytes: "é\u0100" as UTF-8 is C3 A9 C4 80.
    expect(() =>
      encode(
        new Map([
          ['é\u0100', 1],
          ['\xc3\xa9\xc4\x80', 2],
        ]),
      ),
    ).toThrow(/duplicate dictionary key/);
  });

  it('refuses nesting deeper than MAX_DEPTH, like the decoder', () => {
    let ok: BEncodable = [];
    for (let i = 0; i < MAX_DEPTH; i++) ok = [ok];
    expect(encode(ok)).toHaveLength(2 * (MAX_DEPTH + 1));
    expect(() => encode([ok])).toThrow(TypeError);
  });
});

describe('decode: byte-exact vectors', () => {
  it('reads integers', () => {
    expect(decode(bin('i0e'))).toBe(0);
    expect(decode(bin('i42e'))).toBe(42);
    expect(decode(bin('i-42e'))).toBe(-42);
    expect(decode(bin('i9007199254740991e'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decode(bin('i-9007199254740991e'))).toBe(-Number.MAX_SAFE_INTEGER);
  });

  it('reads byte strings as views of the input', () => {
    const input = bin('4:sp\xffm');
    const v = decode(input);
    expect(v).toBeInstanceOf(Uint8Array);
    expect(Array.from(v as Uint8Array)).toEqual([0x73, 0x70, 0xff, 0x6d]);
    expect(decode(bin('0:'))).toEqual(new Uint8Array(0));
    expect(decode(bin('3:a:b'))).toEqual(bin('a:b'));
  });

  it('reads lists and dicts', () => {
    expect(decode(bin('le'))).toEqual([]);
    expect(decode(bin('l4:spami42ee'))).toEqual([bin('spam'), 42]);
    expect(decode(bin('llelleee'))).toEqual([[], [[]]]);
    const d = decode(bin('d3:cow3:moo4:spaml1:a1:bee'));
    expect(Object.getPrototypeOf(d)).toBe(null);
    expect(d).toEqual(
      dict([
        ['cow', bin('moo')],
        ['spam', [bin('a'), bin('b')]],
      ]),
    );
    expect(Object.getPrototypeOf(decode(bin('de')))).toBe(null);
  });

  it('reads non-ASCII keys as binary strings, and "__proto__" as an ordinary key', () => {
    const d = decode(bin('d2:\xc3\xa9i1e9:__proto__i2ee')) as BDict;
    expect(Object.keys(d)).toEqual(['\xc3\xa9', '__proto__']);
    expect(d['\xc3\xa9']).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(d, '__proto__')).toBe(true);
    expect(d['__proto__']).toBe(2);
  });

  it('accepts unsorted keys (lenient: real .torrent files have them; the info hash uses raw spans)', () => {
    expect(decode(bin('d1:bi1e1:ai2ee'))).toEqual(
      dict([
        ['b', 1],
        ['a', 2],
      ]),
    );
  });

  it('accepts nesting of exactly MAX_DEPTH + 1 levels', () => {
    const n = MAX_DEPTH + 1;
    let v = decode(bin('l'.repeat(n) + 'e'.repeat(n)));
    for (let i = 1; i < n; i++) v = (v as BValue[])[0]!;
    expect(v).toEqual([]);
  });
});

describe('decode: rejections with the offset of what was rejected', () => {
  const deep = MAX_DEPTH + 2;
  it.each<[string, string, number, string]>([
    ['empty input', '', 0, 'unexpected end of input'],
    ['an unknown type byte', 'x', 0, 'unexpected byte 0x78'],
    ['a stray "e"', 'e', 0, 'unexpected byte 0x65'],
    ['trailing bytes after an int', 'i1ei2e', 3, '3 trailing bytes after the value'],
    ['trailing bytes after a list', 'lee', 2, '1 trailing bytes'],
    ['a leading zero in an int', 'i03e', 1, 'leading zero'],
    ['a leading zero in a negative int', 'i-03e', 1, 'leading zero'],
    ['a leading zero in a string length', '03:abc', 0, 'leading zero'],
    ['a zero-padded empty string', '00:', 0, 'leading zero'],
    ['negative zero', 'i-0e', 1, 'negative zero'],
    ['an empty int', 'ie', 1, 'empty number'],
    ['a lone minus', 'i-e', 1, 'empty number'],
    ['a plus sign', 'i+1e', 1, 'unexpected byte 0x2b in a number'],
    ['a decimal point', 'i1.5e', 2, 'unexpected byte 0x2e in a number'],
    ['a negative string length', '-1:a', 0, 'unexpected byte 0x2d'],
    ['a letter in a string length', '1a:x', 1, 'unexpected byte 0x61 in a number'],
    ['an int past 2^53 - 1', 'i9007199254740992e', 1, 'out of the safe integer range'],
    ['a 17-digit int', 'i-99999999999999999e', 1, 'out of the safe integer range'],
    ['a string longer than the input', '5:abc', 0, 'string of 5 bytes is longer than the input'],
    ['a string one byte short', '1:', 0, 'string of 1 bytes is longer'],
    ['a string longer than the input, inside a list', 'l1:a9:abce', 4, 'string of 9 bytes'],
    ['nesting deeper than MAX_DEPTH', 'l'.repeat(deep) + 'e'.repeat(deep), MAX_DEPTH + 1, `nesting deeper than ${MAX_DEPTH} levels`],
    ['deep nesting of dicts', 'd1:a'.repeat(deep) + 'i1e' + 'e'.repeat(deep), 4 * (MAX_DEPTH + 1), 'nesting deeper'],
    ['a duplicate key', 'd1:ai1e1:ai2ee', 7, 'duplicate dictionary key'],
    ['a duplicate key after others', 'd1:ai1e1:bi2e1:ai3ee', 13, 'duplicate dictionary key'],
    ['an int key', 'di1ei2ee', 1, 'dictionary key is not a string'],
    ['a list key', 'd1:ai1elei2ee', 7, 'dictionary key is not a string'],
    ['a key without a value', 'd1:ae', 4, 'unexpected byte 0x65'],
    ['an unterminated int', 'i12', 1, 'unexpected end of input in a number'],
    ['a lone "i"', 'i', 1, 'unexpected end of input in a number'],
    ['an unterminated string length', '12', 0, 'unexpected end of input in a number'],
    ['an unterminated list', 'l', 1, 'unexpected end of input in a list'],
    ['an unterminated list with items', 'li1e', 4, 'unexpected end of input in a list'],
    ['an unterminated dict', 'd', 1, 'unexpected end of input in a dictionary'],
    ['an unterminated dict after a value', 'd1:ai1e', 7, 'unexpected end of input in a dictionary'],
    ['a dict cut after a key', 'd1:a', 4, 'unexpected end of input'],
    ['an unterminated nested list', 'lli1ee', 6, 'unexpected end of input in a list'],
  ])('%s', (_label, input, offset, fragment) => {
    const err = bencodeError(input);
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(fragment);
    expect(err.message).toContain(`(at byte ${offset})`);
  });

  it('is not fooled by huge declared lengths (clear error, no allocation)', () => {
    const started = Date.now();
    for (const [input, offset, fragment] of [
      ['99999999999:', 0, 'string of 99999999999 bytes is longer than the input'],
      ['99999999999:abc', 0, 'string of 99999999999 bytes is longer than the input'],
      ['4294967296:abc', 0, 'string of 4294967296 bytes'],
      ['9007199254740991:x', 0, 'string of 9007199254740991 bytes'],
      ['9007199254740992:x', 0, 'out of the safe integer range'],
      ['99999999999999999999:', 0, 'out of the safe integer range'],
      ['l99999999999:e', 1, 'string of 99999999999 bytes'],
      ['d99999999999:ae', 1, 'string of 99999999999 bytes'],
      ['d1:a99999999999:e', 4, 'string of 99999999999 bytes'],
    ] as const) {
      const err = bencodeError(input);
      expect(err.offset).toBe(offset);
      expect(err.message).toContain(fragment);
    }
    // A megabyte of digits with no colon: a linear scan and a clear error.
    const err = bencodeError('9'.repeat(1 << 20));
    expect(err.message).toContain('unexpected end of input in a number');
    expect(err.offset).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects every proper prefix of a valid encoding (bencode is prefix-free)', () => {
    const full = encode({ a: [1, -2, 'xyz', { b: new Uint8Array(12) }], c: '', d: 1234567 });
    for (let n = 0; n < full.length; n++) bencodeError(full.subarray(0, n));
    expect(decode(full)).toBeTruthy();
  });

  it('refuses very deep nesting without overflowing the stack', () => {
    const err = bencodeError('l'.repeat(200_000));
    expect(err.offset).toBe(MAX_DEPTH + 1);
  });
});

describe('decodeWithSpans', () => {
  const pieces = 'A'.repeat(20);
  // Keys in the info dict are deliberately unsorted: the span must be the raw bytes, not a re-encoding.
  const info = `d4:name5:a.txt6:lengthi5e12:piece lengthi16384e6:pieces20:${pieces}e`;
  const announce = 'wss://tracker.test';
  const torrent = `d8:announce${announce.length}:${announce}4:info${info}8:url-listl19:https://seed.test/aee`;

  it('returns the exact raw span of each top-level value', () => {
    const bytes = bin(torrent);
    const { value, spans } = decodeWithSpans(bytes);
    const infoSpan = spans.get('info')!;
    expect(infoSpan).toEqual({ start: torrent.indexOf('d4:name'), end: torrent.indexOf('8:url-list') });
    expect(str(bytes.subarray(infoSpan.start, infoSpan.end))).toBe(info);
    expect(sameBytes(bytes.subarray(infoSpan.start, infoSpan.end), bin(info))).toBe(true);
    // Re-encoding sorts the keys, so it would give other bytes (and another info hash).
    const reencoded = encode((value as BDict)['info']!);
    expect(sameBytes(reencoded, bin(info))).toBe(false);
    expect(reencoded.length).toBe(info.length);

    const a = spans.get('announce')!;
    expect(str(bytes.subarray(a.start, a.end))).toBe(`${announce.length}:${announce}`);
    const u = spans.get('url-list')!;
    expect(str(bytes.subarray(u.start, u.end))).toBe('l19:https://seed.test/ae');
    expect(u.end).toBe(bytes.length - 1);
  });

  it('has spans for top-level keys only', () => {
    const { spans } = decodeWithSpans(bin(torrent));
    expect([...spans.keys()]).toEqual(['announce', 'info', 'url-list']);
    expect(decodeWithSpans(bin('ld1:ai1eee')).spans.size).toBe(0);
    expect(decodeWithSpans(bin('i1e')).spans.size).toBe(0);
  });

  it('matches the bytes of each value re-encoded, for canonical input', () => {
    const bytes = encode({ info: { length: 5, name: 'x', 'piece length': 16384, pieces: new Uint8Array(20) }, z: [1, 'y'] });
    const { value, spans } = decodeWithSpans(bytes);
    for (const [key, span] of spans) {
      expect(sameBytes(bytes.subarray(span.start, span.end), encode((value as BDict)[key]!))).toBe(true);
    }
  });

  it('rejects trailing bytes like decode does', () => {
    let caught: unknown;
    try {
      decodeWithSpans(bin(`${torrent}x`));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BencodeError);
    expect((caught as BencodeError).offset).toBe(torrent.length);
  });
});

describe('decodeWithSpansSliced', () => {
  /** A slicer whose time is always up: it pauses at every chance it gets. */
  const eager = (): Slicer => new Slicer(0);

  it('decodes what decodeWithSpans decodes, with the same spans, pausing as it goes', async () => {
    const big = encode({ files: Array.from({ length: 10_000 }, (_, i) => ({ length: i, path: ['d', `f${i}`] })), name: 'x' });
    let turns = 0;
    let running = true;
    const count = (): void => {
      turns++;
      if (running) setTimeout(count, 0);
    };
    setTimeout(count, 0);
    const sliced = await decodeWithSpansSliced(big, eager());
    running = false;
    const whole = decodeWithSpans(big);
    expect(sameBytes(encode(sliced.value), encode(whole.value))).toBe(true);
    expect([...sliced.spans]).toEqual([...whole.spans]);
    // Some 70,000 steps (values, ends of lists and dicts) in runs of 4096, each run followed by a turn of the event loop.
    expect(turns).toBeGreaterThanOrEqual(10);
  });
});

/** Arbitrary decoded values: safe ints, byte strings, lists, null-prototype dicts with binary keys. */
const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ value: BValue; list: BValue[]; dict: BDict }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 5, depthSize: 'small' },
    fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.uint8Array({ maxLength: 40 }),
    tie('list'),
    tie('dict'),
  ),
  list: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 8 }), tie('value')), { selector: (e) => e[0], maxLength: 5 }).map(dict),
})).value;

describe('round trip', () => {
  it('decode(encode(x)) equals x, and re-encoding is byte-identical', () => {
    fc.assert(
      fc.property(bvalue, (x) => {
        const bytes = encode(x);
        const back = decode(bytes);
        expect(back).toEqual(x);
        expect(sameBytes(encode(back), bytes)).toBe(true);
      }),
      { seed: 0xbe2c0de, numRuns: 1000 },
    );
  });

  it('top-level spans of a generated dict are the encodings of its values', () => {
    fc.assert(
      fc.property(bvalue, (x) => {
        const bytes = encode({ k: x, a: 1 });
        const { spans } = decodeWithSpans(bytes);
        const s = spans.get('k')!;
        expect(sameBytes(bytes.subarray(s.start, s.end), encode(x))).toBe(true);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('fuzz: the only failure is BencodeError', () => {
  const ALPHABET = bin('ilde0123456789:-e0:1:');

  function randomValue(r: (n: number) => number, depth: number): BEncodable {
    switch (depth > 4 ? r(2) : r(4)) {
      case 0:
        return [0, 1, -1, 42, 2 ** 53 - 1, -(2 ** 53 - 1), r(1_000_000)][r(7)]!;
      case 1: {
        const b = new Uint8Array(r(12));
        for (let i = 0; i < b.length; i++) b[i] = r(256);
        return b;
      }
      case 2:
        return Array.from({ length: r(4) }, () => randomValue(r, depth + 1));
      default: {
        const out: Record<string, BEncodable> = {};
        for (let i = r(4); i > 0; i--) out[['a', 'b', 'info', 'x\xff', ''][r(5)]!] = randomValue(r, depth + 1);
        return out;
      }
    }
  }

  function mutate(r: (n: number) => number, input: Uint8Array): Uint8Array {
    let b = Array.from(input);
    for (let e = 1 + r(3); e > 0; e--) {
      const at = r(b.length + 1);
      switch (r(6)) {
        case 0: // flip a byte
          if (at < b.length) b[at] = r(256);
          break;
        case 1: // a bencode-ish byte
          if (at < b.length) b[at] = ALPHABET[r(ALPHABET.length)]!;
          break;
        case 2: // insert
          b.splice(at, 0, ALPHABET[r(ALPHABET.length)]!);
          break;
        case 3: // delete a stretch
          b.splice(at, 1 + r(4));
          break;
        case 4: // truncate
          b = b.slice(0, at);
          break;
        default: // duplicate a stretch (duplicate keys, repeated structure)
          b.splice(at, 0, ...b.slice(r(b.length), r(b.length) + r(10)));
      }
    }
    return new Uint8Array(b);
  }

  function attempt(input: Uint8Array, bad: string[]): boolean {
    let value: BValue;
    try {
      value = decode(input);
    } catch (err) {
      if (!(err instanceof BencodeError)) {
        if (bad.length < 5) bad.push(`${JSON.stringify(str(input).slice(0, 60))}: ${String(err)}`);
      } else if (!(err.offset >= 0 && err.offset <= input.length) && bad.length < 5) {
        bad.push(`offset ${err.offset} outside ${input.length} bytes`);
      }
      return false;
    }
    // Accepted: re-encoding must be canonical and decode to the same bytes again.
    const once = encode(value);
    if (!sameBytes(encode(decode(once)), once) && bad.length < 5) bad.push(`not stable: ${JSON.stringify(str(input))}`);
    return true;
  }

  it('random byte strings and mutations of valid encodings', () => {
    const started = Date.now();
    const r = prng(0xb3c0de);
    const bad: string[] = [];
    let accepted = 0;
    const N = 5000;
    for (let i = 0; i < N; i++) {
      const b = new Uint8Array(r(40));
      const bencodeish = r(3) !== 0;
      for (let j = 0; j < b.length; j++) b[j] = bencodeish ? ALPHABET[r(ALPHABET.length)]! : r(256);
      if (attempt(b, bad)) accepted++;
    }
    for (let i = 0; i < N; i++) {
      if (attempt(mutate(r, encode(randomValue(r, 0))), bad)) accepted++;
    }
    expect(bad).toEqual([]);
    expect(accepted).toBeGreaterThan(500);
    expect(2 * N - accepted).toBeGreaterThan(500);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fast-check: arbitrary bytes never throw anything but BencodeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.array(fc.constantFrom(...ALPHABET), { maxLength: 64 }).map((a) => new Uint8Array(a)),
        ),
        (b) => {
          try {
            decode(b);
          } catch (err) {
            expect(err).toBeInstanceOf(BencodeError);
          }
        },
      ),
      { seed: 99, numRuns: 3000 },
    );
  });

  it('decodeWithSpansSliced rejects what decodeWithSpans rejects, at the same offset', async () => {
    const r = prng(0x51ced);
    for (let i = 0; i < 2000; i++) {
      const input = i % 2 === 0 ? mutate(r, encode(randomValue(r, 0))) : new Uint8Array(Array.from({ length: r(30) }, () => ALPHABET[r(ALPHABET.length)]!));
      let expected: unknown;
      try {
        decodeWithSpans(input);
      } catch (err) {
        expected = err;
      }
      let got: unknown;
      try {
        await decodeWithSpansSliced(input, new Slicer(0));
      } catch (err) {
        got = err;
      }
      expect(got instanceof BencodeError ? [got.message, got.offset] : got).toEqual(
        expected instanceof BencodeError ? [expected.message, expected.offset] : expected,
      );
    }
    // Deep nesting too, and a cut in the middle of a long list.
    const deep = bin('l'.repeat(MAX_DEPTH + 2) + 'e'.repeat(MAX_DEPTH + 2));
    await expect(decodeWithSpansSliced(deep, new Slicer(0))).rejects.toMatchObject({ offset: MAX_DEPTH + 1 });
    const long = encode(Array.from({ length: 10_000 }, (_, i) => i));
    await expect(decodeWithSpansSliced(long.subarray(0, long.length - 1), new Slicer(0))).rejects.toThrow('unexpected end of input in a list');
  });
});
