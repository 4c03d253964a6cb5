/**
 * Private shares (end-to-end encrypted): the container format, pure (no crypto, no I/O), so that its
 * arithmetic and its decoders are tested in Node. The torrent of a private share has one file, named
 * {@link PRIVATE_TORRENT_NAME}, whose bytes are:
 *
 *     header   8 bytes, in the clear: "TSP1" and the manifest's sealed length M (u32, big-endian)
 *     manifest M bytes: the manifest sealed with AES-GCM (its 16-byte tag at the end); AAD: the header
 *     payload  the files one after another, AES-CTR at the payload position (see {@link counterAt}),
 *              then padding (ciphertext too) up to the container's padded length
 *
 * The manifest (bencoded, after its own length as a u32 and followed by zeros up to its padded
 * length) names the share and lists each file's path and length; offsets follow from the lengths.
 * Nothing else in the torrent tells names or sizes: its name is fixed, and both the manifest and the
 * whole container are padded (Padmé, so at most about 12 % and usually a few per cent more bytes), so
 * the length reveals only a rough size. docs/private-links.md describes the format.
 */
import { decode, encode, isBytes, isDict, isInt, isList, type BEncodable, type BValue } from '../bencode.js';
import { fromUtf8Strict, utf8 } from '../bytes.js';
import { TabswarmError } from '../errors.js';
import { findPathConflict, pathComponentProblem, quote } from '../torrent-paths.js';

/** What goes wrong with a private share: its link's key, its manifest, its files. */
export class PrivateShareError extends TabswarmError {
  override name = 'PrivateShareError';
}

/** The name of every private share's torrent (and of its one file): it tells nothing of the content. */
export const PRIVATE_TORRENT_NAME = 'private.tabswarm';
/** The header's first four bytes. */
export const MAGIC = utf8('TSP1');
export const HEADER_LENGTH = 8;
/** The AES-GCM tag at the end of the sealed manifest. */
export const TAG_LENGTH = 16;
/** The secret in a private link: 16 random bytes (AES-128 keys are derived from it). */
export const SECRET_LENGTH = 16;
/** The manifest plaintext is padded to at least this many bytes. */
export const MIN_MANIFEST_LENGTH = 512;
/** A sealed manifest longer than this is refused (room for names of some 100,000 files). */
export const MAX_MANIFEST_LENGTH = 32 * 1024 * 1024;
/** Files a manifest may list. */
export const MAX_FILES = 1_000_000;
/** AES block: the unit of the counter. */
export const BLOCK = 16;

/** One file of a private share, as its manifest lists it. */
export interface ManifestFile {
  /** Path components (at least one). */
  path: string[];
  length: number;
}

export interface Manifest {
  /** What the share is called: a single file's name, or the folder's. */
  name: string;
  files: ManifestFile[];
}

/** A file of an opened share: where its bytes lie in the container. */
export interface PlacedFile {
  /** Components joined with '/'; for a share of several files, the share's name first (as in a torrent). */
  path: string;
  pathSegments: string[];
  name: string;
  length: number;
  /** The file's first byte in the container (that is, in the torrent). */
  offset: number;
}

/**
 * Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs", 2019): `n` rounded up so that only O(log log n) bits of it remain, at most ~12 % more.
 */
export function padme(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`padme: ${n} is not a byte count`);
  if (n < 2) return n;
  const e = Math.floor(Math.log2(n));
  const s = Math.floor(Math.log2(e)) + 1;
  const unit = 2 ** (e - s);
  return Math.ceil(n / unit) * unit;
}

/** The header: magic and the sealed manifest's length. */
export function encodeHeader(sealedManifestLength: number): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH);
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(4, sealedManifestLength);
  return out;
}

/** The sealed manifest's length from a header; a {@link PrivateShareError} when it is not one. */
export function decodeHeader(header: Uint8Array, containerLength: number): number {
  if (header.length < HEADER_LENGTH || !MAGIC.every((b, i) => header[i] === b)) {
    throw new PrivateShareError('this torrent is not a tabswarm private share (its content does not start as one)');
  }
  const sealed = new DataView(header.buffer, header.byteOffset, HEADER_LENGTH).getUint32(4);
  if (sealed < MIN_MANIFEST_LENGTH + TAG_LENGTH || sealed > MAX_MANIFEST_LENGTH || HEADER_LENGTH + sealed > containerLength) {
    throw new PrivateShareError(`the private share's header gives a manifest of ${sealed} bytes, which cannot be (the share is damaged)`);
  }
  return sealed;
}

/** The manifest's plaintext: its bencoding's length (u32), the bencoding, zeros up to the padded length. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  checkManifest(manifest);
  const value: BEncodable = {
    files: manifest.files.map((f) => ({ length: f.length, path: f.path })),
    name: manifest.name,
  };
  const body = encode(value);
  const size = Math.max(MIN_MANIFEST_LENGTH, padme(4 + body.length));
  if (size + TAG_LENGTH > MAX_MANIFEST_LENGTH) throw new PrivateShareError(`the list of files is too long for a private share (${body.length} bytes)`);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

function fail(message: string): never {
  throw new PrivateShareError(`the private share's list of files is damaged: ${message}`);
}

function text(v: BValue | undefined, what: string): string {
  const s = isBytes(v) ? fromUtf8Strict(v) : undefined;
  if (s === undefined) fail(`${what} is not UTF-8 text`);
  return s;
}

/** Decodes and checks a manifest's plaintext (after it was opened, so any failure here is a damaged share). */
export function decodeManifest(plain: Uint8Array): Manifest {
  if (plain.length < 4) fail('it is shorter than its length');
  const size = new DataView(plain.buffer, plain.byteOffset, plain.length).getUint32(0);
  if (size > plain.length - 4) fail(`it says ${size} bytes where ${plain.length - 4} are left`);
  let value: BValue;
  try {
    value = decode(plain.subarray(4, 4 + size));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (plain.subarray(4 + size).some((b) => b !== 0)) fail('its padding is not zeros');
  if (!isDict(value)) fail('it is not a dictionary');
  const name = text(value.name, 'the name');
  const list = value.files;
  if (!isList(list) || list.length === 0) fail('it lists no files');
  if (list.length > MAX_FILES) fail(`it lists ${list.length} files, more than ${MAX_FILES}`);
  const files = list.map((entry, i): ManifestFile => {
    if (!isDict(entry)) fail(`file ${i} is not a dictionary`);
    const length = entry.length;
    if (!isInt(length) || length < 0) fail(`file ${i} has no valid length`);
    const path = entry.path;
    if (!isList(path) || path.length === 0) fail(`file ${i} has no path`);
    return { length, path: path.map((c) => text(c, `a component of file ${i}'s path`)) };
  });
  const manifest = { name, files };
  try {
    checkManifest(manifest);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  return manifest;
}

/** Throws a PrivateShareError for names that no torrent could carry (empty, '..', '/', clashing paths). */
function checkManifest(m: Manifest): void {
  const problem = pathComponentProblem(m.name);
  if (problem !== undefined) throw new PrivateShareError(`the name ${quote(m.name)} ${problem}`);
  if (m.files.length === 0) throw new PrivateShareError('a private share needs at least one file');
  let total = 0;
  for (const f of m.files) {
    if (!Number.isSafeInteger(f.length) || f.length < 0) throw new PrivateShareError(`the length of ${quote(f.path.join('/'))} is not a byte count`);
    total += f.length;
    if (!Number.isSafeInteger(total)) throw new PrivateShareError('the files are too large together');
    for (const c of f.path) {
      const p = pathComponentProblem(c);
      if (p !== undefined) throw new PrivateShareError(`a component of the path ${quote(f.path.join('/'))} ${p}`);
    }
  }
  const conflict = findPathConflict(m.files.map((f) => f.path));
  if (conflict !== undefined) throw new PrivateShareError(conflict);
}

/** The bytes of the files together. */
export function payloadLength(m: Manifest): number {
  return m.files.reduce((n, f) => n + f.length, 0);
}

/** Where everything lies in a container: the payload's start, the files, the padded length. */
export interface Layout {
  payloadStart: number;
  /** The container's length (the torrent's): header, manifest, payload, padding. */
  length: number;
  files: PlacedFile[];
}

/** The layout of a container whose sealed manifest is `sealedManifestLength` bytes. */
export function layOut(m: Manifest, sealedManifestLength: number): Layout {
  const payloadStart = HEADER_LENGTH + sealedManifestLength;
  const single = m.files.length === 1 && m.files[0]!.path.length === 1;
  let at = payloadStart;
  const files = m.files.map((f): PlacedFile => {
    const pathSegments = single ? [m.name] : [m.name, ...f.path];
    const placed = { path: pathSegments.join('/'), pathSegments, name: pathSegments[pathSegments.length - 1]!, length: f.length, offset: at };
    at += f.length;
    return placed;
  });
  return { payloadStart, length: padme(at), files };
}

/**
 * Checks an opened manifest against the torrent it came in: its files must end within the
 * container, and the container must be exactly the padded length (a share of another layout, or cut
 * short, is refused rather than read wrong).
 */
export function checkLayout(layout: Layout, containerLength: number): void {
  const end = layout.files.reduce((n, f) => Math.max(n, f.offset + f.length), layout.payloadStart);
  if (end > containerLength || layout.length !== containerLength) {
    throw new PrivateShareError(`the private share's list of files does not fit its ${containerLength} bytes (the share is damaged)`);
  }
}

/**
 * The AES-CTR counter block for the payload byte at `position` (bytes from the payload's start), and
 * how many bytes of that block's keystream come before it: the counter is the 128-bit big-endian
 * block number, so any range is encrypted or decrypted on its own (seeking, streaming, one piece).
 */
export function counterAt(position: number): { counter: Uint8Array<ArrayBuffer>; skip: number } {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`counterAt: ${position} is not a position`);
  const block = Math.floor(position / BLOCK);
  const counter = new Uint8Array(BLOCK);
  const view = new DataView(counter.buffer);
  view.setUint32(8, Math.floor(block / 2 ** 32));
  view.setUint32(12, block >>> 0);
  return { counter, skip: position % BLOCK };
}

/**
 * The part of `[start, start + length)` (container positions) that lies in the payload, as the
 * payload position it starts at and its offset within the range; undefined when none does.
 */
export function payloadSpan(payloadStart: number, start: number, length: number): { position: number; at: number; length: number } | undefined {
  const from = Math.max(start, payloadStart);
  const to = start + length;
  if (to <= from) return undefined;
  return { position: from - payloadStart, at: from - start, length: to - from };
}
