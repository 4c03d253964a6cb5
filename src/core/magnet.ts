/**
 * Magnet links (BEP 9, BEP 53 `so`), read and written the way WebTorrent's magnet-uri does
 * where it matters for interoperability, but strictly: every malformed link is refused with a
 * {@link MagnetError} whose message says what to fix, and nothing else is ever thrown.
 *
 * Parsing rules (decisions documented here once):
 * - Leading/trailing whitespace is ignored (links are pasted); the scheme `magnet:` is
 *   case-insensitive and must be followed by `?`.
 * - Parameters are split on `&`, then at the first `=`, so an unencoded `=` inside a value is
 *   kept. Keys are case-insensitive and may carry a numeric index (`tr.1`, `xt.2`). Parameters
 *   without `=` and unknown keys (`xl`, `kt`, `as`, `x.pe`, ...) are ignored and not decoded.
 * - `xt`: the first `urn:btih:` value is the v1 info hash (40 hex chars of either case, or 32
 *   base32 chars); the first `urn:btmh:` value is the v2 info hash (BEP 52: a SHA-256 multihash,
 *   `1220` and 64 hex chars); later ones of each are ignored. With both, the torrent is a hybrid;
 *   with only a v2 hash, a v2-only torrent, known (`infoHash`) by the first 20 bytes of its v2 hash
 *   as on the wire and with trackers (see metainfo.ts).
 * - `dn`: `+` means a space (form encoding, as magnet-uri reads it), then percent-decoding; so
 *   a literal `+` must be written `%2B`. Unlike magnet-uri, `%2B` stays a `+`. The first
 *   non-empty `dn` wins; an empty `dn` is the same as none.
 * - `tr`, `ws`, `xs`: percent-decoded only (a `+` is kept: these are URLs), empty values
 *   skipped, duplicates removed, first-seen order kept.
 * - `so`: comma-separated indexes and inclusive ranges `a-b`, over all `so` parameters; the
 *   result is sorted and unique. At most {@link MAX_SELECT_INDEXES} indexes (counted before
 *   removing overlaps). An empty `so=` is ignored.
 * - `#` has no special meaning (magnet-uri does not strip fragments either).
 */
import { MagnetError } from './errors.js';
import { fromBase32, fromHex, toHex } from './bytes.js';

export interface MagnetLink {
  /**
   * What the torrent is known by, 40 lowercase hex characters: the v1 info hash, or for a link with
   * only a v2 hash the first 20 bytes of that.
   */
  infoHash: string;
  /** The same 20 bytes. */
  infoHashBytes: Uint8Array;
  /** Only for a link with a v2 hash (`urn:btmh:`): 'hybrid' beside a v1 hash, else 'v2'. */
  version?: 'v2' | 'hybrid';
  /** The v2 (SHA-256) info hash, 64 lowercase hex characters, when the link has one. */
  infoHashV2?: string;
  infoHashV2Bytes?: Uint8Array;
  /** The display name (`dn`), if the link has a non-empty one. */
  name?: string;
  /** Tracker URLs (`tr`), decoded, deduplicated, in order. */
  announce: string[];
  /** Web seed URLs (`ws`), decoded, deduplicated, in order. */
  urlList: string[];
  /** Exact sources (`xs`), decoded, deduplicated, in order. */
  exactSource: string[];
  /** BEP 53 file selection (`so`): sorted unique file indexes, if the link has one. */
  select?: number[];
}

export interface MagnetParts {
  /** 40 hex characters, either case (written lowercase); for a v2-only torrent, the first 40 of `infoHashV2`. */
  infoHash: string;
  /** A v2 info hash, 64 hex characters: written as `xt=urn:btmh:1220…` after the v1 one. */
  infoHashV2?: string;
  /** 'v2': the link has only the v2 hash (`infoHash` is not written). Default: a v1 hash is written. */
  version?: 'v1' | 'v2' | 'hybrid';
  name?: string;
  announce?: readonly string[];
  urlList?: readonly string[];
  exactSource?: readonly string[];
  select?: readonly number[];
}

/** Longer input is refused before any parsing (in UTF-16 code units, i.e. string length). */
export const MAX_MAGNET_LENGTH = 64 * 1024;
/** A `so` parameter may select at most this many file indexes. */
export const MAX_SELECT_INDEXES = 100_000;

function fail(message: string): never {
  throw new MagnetError(message);
}

/** A short, printable excerpt of untrusted text for an error message. */
function excerpt(text: string, max = 48): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const HEX_40 = /^[0-9a-fA-F]{40}$/;
const HEX_64 = /^[0-9a-fA-F]{64}$/;
/** The multihash prefix of a 32-byte SHA-256 digest: function code 0x12, length 0x20. */
const SHA256_MULTIHASH = '1220';
const BASE32_32 = /^[A-Za-z2-7]{32}$/;
const KEY = /^([a-z]{2})(?:\.\d{1,9})?$/;
const DIGITS = /^\d{1,15}$/;

function percentDecode(key: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return fail(
      `the "${key}" parameter has malformed percent-encoding (${excerpt(raw)}): ` + 'each % must be followed by two hex digits that form valid UTF-8',
    );
  }
}

function decodeHash(raw: string): Uint8Array {
  const hash = raw.slice('urn:btih:'.length);
  if (hash.length === 40) {
    if (!HEX_40.test(hash)) fail(`the info hash ${excerpt(hash)} is not hexadecimal (expected 40 characters 0-9, a-f)`);
    return fromHex(hash)!;
  }
  if (hash.length === 32) {
    if (!BASE32_32.test(hash)) fail(`the info hash ${excerpt(hash)} is not base32 (expected 32 characters A-Z, 2-7)`);
    return fromBase32(hash)!;
  }
  return fail(`the info hash ${excerpt(hash)} has ${hash.length} characters; ` + 'expected 40 hex or 32 base32 characters after "xt=urn:btih:"');
}

function decodeV2Hash(raw: string): Uint8Array {
  const hash = raw.slice('urn:btmh:'.length);
  if (hash.slice(0, 4).toLowerCase() !== SHA256_MULTIHASH || !HEX_64.test(hash.slice(4))) {
    fail(`the v2 info hash ${excerpt(hash)} is not a SHA-256 multihash: expected "${SHA256_MULTIHASH}" and 64 hex characters after "xt=urn:btmh:"`);
  }
  return fromHex(hash.slice(4))!;
}

function parseIndex(text: string, item: string): number {
  if (!DIGITS.test(text)) fail(`the file selection "so" has an entry ${excerpt(item)} that is not a number or a range like 4-6`);
  return Number(text);
}

/** Expands BEP 53 `so` values (`0,2,4-6`) into sorted unique indexes. */
function parseSelect(values: readonly string[]): number[] | undefined {
  const ranges: [number, number][] = [];
  let total = 0;
  for (const value of values) {
    if (value === '') continue;
    for (const item of value.split(',')) {
      const dash = item.indexOf('-');
      const from = parseIndex(dash < 0 ? item : item.slice(0, dash), item);
      const to = dash < 0 ? from : parseIndex(item.slice(dash + 1), item);
      if (to < from) fail(`the file selection "so" has a reversed range ${excerpt(item)}; write it as ${to}-${from}`);
      total += to - from + 1;
      if (total > MAX_SELECT_INDEXES) fail(`the file selection "so" selects more than ${MAX_SELECT_INDEXES} files`);
      ranges.push([from, to]);
    }
  }
  if (ranges.length === 0) return undefined;
  const all: number[] = [];
  for (const [from, to] of ranges) for (let i = from; i <= to; i++) all.push(i);
  all.sort((a, b) => a - b);
  return all.filter((n, i) => i === 0 || all[i - 1] !== n);
}

function addUnique(list: string[], seen: Set<string>, value: string): void {
  if (value === '' || seen.has(value)) return;
  seen.add(value);
  list.push(value);
}

/** Parses a magnet link. Throws {@link MagnetError} (and nothing else) when it is malformed. */
export function parseMagnet(uri: string): MagnetLink {
  if (typeof uri !== 'string') fail('a magnet link must be a string');
  if (uri.length > MAX_MAGNET_LENGTH) {
    fail(`the magnet link is ${uri.length} characters long; at most ${MAX_MAGNET_LENGTH} are accepted`);
  }
  const text = uri.trim();
  if (!/^magnet:\?/i.test(text)) {
    if (HEX_40.test(text) || BASE32_32.test(text)) {
      fail(`this looks like a bare info hash; a magnet link looks like magnet:?xt=urn:btih:${text}`);
    }
    fail(`not a magnet link: it must start with "magnet:?" (got ${excerpt(text, 24)})`);
  }
  if (UNPAIRED_SURROGATE.test(text)) fail('the magnet link contains broken text (an unpaired UTF-16 surrogate)');

  let hash: Uint8Array | undefined;
  let v2: Uint8Array | undefined;
  let name: string | undefined;
  const announce: string[] = [];
  const urlList: string[] = [];
  const exactSource: string[] = [];
  const seen = { tr: new Set<string>(), ws: new Set<string>(), xs: new Set<string>() };
  const so: string[] = [];

  for (const param of text.slice('magnet:?'.length).split('&')) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const key = KEY.exec(param.slice(0, eq).toLowerCase())?.[1];
    const raw = param.slice(eq + 1);
    switch (key) {
      case 'xt': {
        const value = percentDecode('xt', raw);
        const lower = value.slice(0, 9).toLowerCase();
        if (lower === 'urn:btih:') {
          if (hash === undefined) hash = decodeHash(value);
        } else if (lower === 'urn:btmh:') {
          if (v2 === undefined) v2 = decodeV2Hash(value);
        }
        break;
      }
      case 'dn': {
        const value = percentDecode('dn', raw.replace(/\+/g, ' '));
        if (name === undefined && value !== '') name = value;
        break;
      }
      case 'tr':
        addUnique(announce, seen.tr, percentDecode('tr', raw));
        break;
      case 'ws':
        addUnique(urlList, seen.ws, percentDecode('ws', raw));
        break;
      case 'xs':
        addUnique(exactSource, seen.xs, percentDecode('xs', raw));
        break;
      case 'so':
        so.push(percentDecode('so', raw));
        break;
      default:
        break;
    }
  }

  const known = hash ?? v2?.slice(0, 20);
  if (known === undefined) return fail('the magnet link has no info hash: add an "xt=urn:btih:<40 hex characters>" parameter');
  const link: MagnetLink = { infoHash: toHex(known), infoHashBytes: known, announce, urlList, exactSource };
  if (v2 !== undefined) {
    link.version = hash === undefined ? 'v2' : 'hybrid';
    link.infoHashV2 = toHex(v2);
    link.infoHashV2Bytes = v2;
  }
  if (name !== undefined) link.name = name;
  const select = parseSelect(so);
  if (select !== undefined) link.select = select;
  return link;
}

function encode(what: string, value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return fail(`${what} ${excerpt(value)} contains broken text (an unpaired UTF-16 surrogate)`);
  }
}

/** Writes sorted unique indexes as BEP 53 ranges: [0, 2, 4, 5, 6] → "0,2,4-6". */
function formatSelect(select: readonly number[]): string {
  for (const n of select) {
    if (!Number.isSafeInteger(n) || n < 0) fail(`a selected file index must be a non-negative integer, not ${String(n)}`);
  }
  const sorted = [...new Set(select)].sort((a, b) => a - b);
  if (sorted.length > MAX_SELECT_INDEXES) fail(`at most ${MAX_SELECT_INDEXES} files can be selected`);
  const items: string[] = [];
  for (let i = 0; i < sorted.length;) {
    const from = sorted[i]!;
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    items.push(j === i ? `${from}` : `${from}-${sorted[j]!}`);
    i = j + 1;
  }
  return items.join(',');
}

/**
 * Writes a magnet link: `magnet:?xt=urn:btih:<hex>[&xt=urn:btmh:1220<hex>]&dn=..&tr=..&ws=..&xs=..&so=..`
 * (a v2-only link has only the btmh), every value
 * with encodeURIComponent. Empty and repeated URLs are left out, an empty name is left out, and
 * `select` is written as compressed ranges. Throws {@link MagnetError} for a bad info hash, a
 * bad index or unencodable text. `parseMagnet(formatMagnet(x))` gives back `x`.
 */
export function formatMagnet(parts: MagnetParts): string {
  const infoHash: unknown = parts.infoHash; // from any caller: a string only by its type
  if (typeof infoHash !== 'string' || !HEX_40.test(infoHash)) {
    fail(`the info hash must be 40 hex characters, not ${excerpt(String(infoHash))}`);
  }
  const v2: unknown = parts.infoHashV2;
  if (v2 !== undefined && (typeof v2 !== 'string' || !HEX_64.test(v2)))
    fail(`the v2 info hash must be 64 hex characters, not ${excerpt(typeof v2 === 'string' ? v2 : typeof v2)}`);
  const v2Only = parts.version === 'v2';
  if (v2Only && (v2 === undefined || v2.slice(0, 40).toLowerCase() !== infoHash.toLowerCase())) {
    fail('a v2-only link needs its v2 info hash, whose first 40 characters are its info hash');
  }
  const xt = [...(v2Only ? [] : [`urn:btih:${infoHash.toLowerCase()}`]), ...(v2 === undefined ? [] : [`urn:btmh:${SHA256_MULTIHASH}${v2.toLowerCase()}`])];
  let uri = `magnet:?${xt.map((x) => `xt=${x}`).join('&')}`;
  if (parts.name !== undefined && parts.name !== '') uri += `&dn=${encode('the name', parts.name)}`;
  const list = (key: string, what: string, values: readonly string[] | undefined): void => {
    const seen = new Set<string>();
    for (const v of values ?? []) {
      if (v === '' || seen.has(v)) continue;
      seen.add(v);
      uri += `&${key}=${encode(what, v)}`;
    }
  };
  list('tr', 'the tracker', parts.announce);
  list('ws', 'the web seed', parts.urlList);
  list('xs', 'the exact source', parts.exactSource);
  if (parts.select !== undefined && parts.select.length > 0) uri += `&so=${formatSelect(parts.select)}`;
  return uri;
}
