/**
 * Bencode (BEP 3): a strict decoder and a canonical encoder over Uint8Array.
 *
 * Decoded values: integers are `number` (safe integers only), byte strings are `Uint8Array`,
 * lists are arrays, dictionaries are `BDict` objects with a null prototype whose keys are
 * "binary strings" (one char per byte; plain ASCII keys read as themselves).
 */
import { BencodeError } from './errors.js';
import { compareBytes, fromBinaryString, toBinaryString, utf8 } from './bytes.js';
import type { Slicer } from './slicer.js';

export type BValue = number | Uint8Array | BValue[] | BDict;
export interface BDict {
  [key: string]: BValue;
}

/** What the encoder accepts: decoded values, plus strings (UTF-8), bigints, Maps and plain objects. */
export type BEncodable =
  | number
  | bigint
  | string
  | boolean
  | Uint8Array
  | ArrayBuffer
  | readonly BEncodable[]
  | ReadonlyMap<string, BEncodable | undefined>
  | { readonly [key: string]: BEncodable | undefined };

/** Nesting deeper than this is refused: a hostile input cannot exhaust the stack. */
export const MAX_DEPTH = 64;

export interface Span {
  start: number;
  end: number;
}

export interface DecodeResult {
  value: BValue;
  /** For a top-level dictionary: the byte span of each value, by key (for the info hash). */
  spans: Map<string, Span>;
}

const C_0 = 0x30;
const C_9 = 0x39;
const C_COLON = 0x3a;
const C_MINUS = 0x2d;
const C_D = 0x64;
const C_E = 0x65;
const C_I = 0x69;
const C_L = 0x6c;

/** An open list or dictionary while decoding; a dictionary frame holds the key whose value comes next. */
type Frame = { readonly list: BValue[] } | { readonly dict: BDict; key: string | undefined; valueStart: number };

/**
 * The decoder walks the input with an explicit stack of open lists and dictionaries, not by
 * recursion: nesting cannot exhaust the call stack, and the walk can stop after any number of
 * values and go on later (see {@link decodeWithSpansSliced}).
 */
class Decoder {
  pos = 0;
  readonly spans = new Map<string, Span>();
  private readonly stack: Frame[] = [];
  private result: { value: BValue } | undefined;
  constructor(readonly bytes: Uint8Array) {}

  fail(message: string, at = this.pos): never {
    throw new BencodeError(message, at);
  }

  /** The decoded value; only once {@link run} has returned true. */
  get value(): BValue {
    return this.result!.value;
  }

  /** Decodes up to `steps` more values (or ends of lists and dictionaries); true once the whole value is read. */
  run(steps: number): boolean {
    const bytes = this.bytes;
    for (let n = 0; n < steps; n++) {
      if (this.result) return true;
      const top = this.stack[this.stack.length - 1];
      if (top !== undefined && 'list' in top) {
        if (this.pos >= bytes.length) this.fail('unexpected end of input in a list');
        if (bytes[this.pos] === C_E) {
          this.pos++;
          this.stack.pop();
          this.finish(top.list);
          continue;
        }
      } else if (top !== undefined && top.key === undefined) {
        if (this.pos >= bytes.length) this.fail('unexpected end of input in a dictionary');
        const c = bytes[this.pos]!;
        if (c === C_E) {
          this.pos++;
          this.stack.pop();
          this.finish(top.dict);
          continue;
        }
        if (c < C_0 || c > C_9) this.fail('dictionary key is not a string');
        const keyAt = this.pos;
        const key = toBinaryString(this.string());
        if (Object.prototype.hasOwnProperty.call(top.dict, key)) this.fail('duplicate dictionary key', keyAt);
        top.key = key;
        top.valueStart = this.pos;
      }
      this.startValue();
    }
    return this.result !== undefined;
  }

  /** Reads one value, or opens a list or dictionary, at the current nesting depth. */
  private startValue(): void {
    if (this.stack.length > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (this.pos >= this.bytes.length) this.fail('unexpected end of input');
    const c = this.bytes[this.pos]!;
    if (c === C_I) {
      this.pos++; // 'i'
      this.finish(this.digits(C_E, true));
    } else if (c === C_L) {
      this.pos++;
      this.stack.push({ list: [] });
    } else if (c === C_D) {
      this.pos++;
      this.stack.push({ dict: Object.create(null) as BDict, key: undefined, valueStart: 0 });
    } else if (c >= C_0 && c <= C_9) {
      this.finish(this.string());
    } else {
      this.fail(`unexpected byte 0x${c.toString(16).padStart(2, '0')}`);
    }
  }

  /** A complete value: into the open list or dictionary, or the result. */
  private finish(value: BValue): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.result = { value };
    } else if ('list' in top) {
      top.list.push(value);
    } else {
      const key = top.key!;
      top.dict[key] = value;
      if (this.stack.length === 1) this.spans.set(key, { start: top.valueStart, end: this.pos });
      top.key = undefined;
    }
  }

  /** Reads digits up to `terminator`; returns the number. Rejects leading zeros and -0. */
  private digits(terminator: number, allowNegative: boolean): number {
    const start = this.pos;
    let negative = false;
    if (allowNegative && this.bytes[this.pos] === C_MINUS) {
      negative = true;
      this.pos++;
    }
    const first = this.pos;
    while (this.pos < this.bytes.length && this.bytes[this.pos] !== terminator) {
      const c = this.bytes[this.pos]!;
      if (c < C_0 || c > C_9) this.fail(`unexpected byte 0x${c.toString(16).padStart(2, '0')} in a number`);
      this.pos++;
    }
    if (this.pos >= this.bytes.length) this.fail('unexpected end of input in a number', start);
    const count = this.pos - first;
    if (count === 0) this.fail('empty number', start);
    if (this.bytes[first] === C_0 && count > 1) this.fail('leading zero in a number', start);
    if (negative && this.bytes[first] === C_0) this.fail('negative zero', start);
    if (count > 16) this.fail('number out of the safe integer range', start);
    let n = 0;
    for (let i = first; i < this.pos; i++) n = n * 10 + (this.bytes[i]! - C_0);
    if (!Number.isSafeInteger(n)) this.fail('number out of the safe integer range', start);
    this.pos++; // terminator
    return negative ? -n : n;
  }

  private string(): Uint8Array {
    const start = this.pos;
    const length = this.digits(C_COLON, false);
    if (length > this.bytes.length - this.pos) this.fail(`string of ${length} bytes is longer than the input`, start);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

/** Decodes one bencoded value that must span the whole input, with top-level spans. */
export function decodeWithSpans(bytes: Uint8Array): DecodeResult {
  const d = new Decoder(bytes);
  d.run(Infinity);
  return finished(d, bytes);
}

/** Values decoded between two looks at the clock in {@link decodeWithSpansSliced}. */
const SLICE_STEPS = 4096;

/**
 * {@link decodeWithSpans} in slices: whenever `slicer` says its time is up, the decoder stops and
 * gives the event loop a turn, so a large input (a .torrent of 100,000 files) never holds a page's
 * main thread for long. Same result and same errors.
 */
export async function decodeWithSpansSliced(bytes: Uint8Array, slicer: Slicer): Promise<DecodeResult> {
  const d = new Decoder(bytes);
  while (!d.run(SLICE_STEPS)) await slicer.check();
  return finished(d, bytes);
}

function finished(d: Decoder, bytes: Uint8Array): DecodeResult {
  if (d.pos !== bytes.length) d.fail(`${bytes.length - d.pos} trailing bytes after the value`);
  return { value: d.value, spans: d.spans };
}

/**
 * Decodes one bencoded value from the start of `bytes`, which may go on after it (a BEP 9 data
 * message is a dictionary followed by raw bytes). Returns the value and how many bytes it used.
 */
export function decodePrefix(bytes: Uint8Array): { value: BValue; length: number } {
  const d = new Decoder(bytes);
  d.run(Infinity);
  return { value: d.value, length: d.pos };
}

/** Decodes one bencoded value that must span the whole input. Throws BencodeError. */
export function decode(bytes: Uint8Array): BValue {
  return decodeWithSpans(bytes).value;
}

/** Encodes canonically: dictionary keys sorted by raw bytes, `undefined` entries left out. */
export function encode(value: BEncodable): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    size += b.length;
  };
  // The tokens and lengths written between values are ASCII: copied a char a byte, which costs less
  // than a TextEncoder call each (a handshake's dictionary has a dozen of them).
  const ascii = (s: string): void => push(fromBinaryString(s)!);
  const bytesOf = (s: string): Uint8Array => utf8(s);
  // A key is a byte string given a char a byte, or ordinary text (a char above 0xff): then UTF-8.
  const keyBytes = (key: string): Uint8Array => fromBinaryString(key) ?? utf8(key);
  const walk = (v: BEncodable, depth: number): void => {
    if (depth > MAX_DEPTH) throw new TypeError(`bencode: nesting deeper than ${MAX_DEPTH} levels`);
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new TypeError(`bencode: ${v} is not a safe integer`);
      ascii(`i${v}e`);
    } else if (typeof v === 'bigint') {
      ascii(`i${v}e`);
    } else if (typeof v === 'boolean') {
      ascii(v ? 'i1e' : 'i0e');
    } else if (typeof v === 'string') {
      const b = bytesOf(v);
      ascii(`${b.length}:`);
      push(b);
    } else if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
      const b = v instanceof Uint8Array ? v : new Uint8Array(v);
      ascii(`${b.length}:`);
      push(b);
    } else if (Array.isArray(v)) {
      ascii('l');
      for (const item of v as readonly BEncodable[]) walk(item, depth + 1);
      ascii('e');
    } else {
      const entries: [Uint8Array, BEncodable][] = [];
      const source: Iterable<[string, BEncodable | undefined]> = v instanceof Map ? v.entries() : Object.entries(v as Record<string, BEncodable | undefined>);
      for (const [k, item] of source) if (item !== undefined) entries.push([keyBytes(k), item]);
      entries.sort((a, b) => compareBytes(a[0], b[0]));
      ascii('d');
      for (let i = 0; i < entries.length; i++) {
        const [k, item] = entries[i]!;
        if (i > 0 && compareBytes(entries[i - 1]![0], k) === 0) throw new TypeError('bencode: duplicate dictionary key');
        ascii(`${k.length}:`);
        push(k);
        walk(item, depth + 1);
      }
      ascii('e');
    }
  };
  walk(value, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Type guards for reading decoded values. */
export function isDict(v: BValue | undefined): v is BDict {
  return typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v);
}
export function isBytes(v: BValue | undefined): v is Uint8Array {
  return v instanceof Uint8Array;
}
export function isInt(v: BValue | undefined): v is number {
  return typeof v === 'number';
}
export function isList(v: BValue | undefined): v is BValue[] {
  return Array.isArray(v);
}
