/**
 * The v1 half of an info dictionary (BEP 3; padding files, BEP 47): its files — the `length` of a
 * single file or the `files` list, with padding left out and every file at its offset — and its SHA-1
 * piece hashes; and the text and path-component readers metainfo.ts shares. Each failure goes through
 * the caller's checker, which makes it a TorrentError naming what is wrong.
 */
import { isBytes, isDict, isInt, isList, type BDict, type BValue } from './bencode.js';
import { fromUtf8Strict } from './bytes.js';
import type { TorrentFileEntry } from './metainfo.js';
import { readAttributes, type FileAttributes } from './metainfo-v2.js';
import type { Slicer } from './slicer.js';
import { pathComponentProblem, PathTree, quote } from './torrent-paths.js';

/** Says what is wrong, and throws. */
export interface Checker {
  fail(message: string): never;
}

/** Entries between two checks of the slicer (which lets the event loop run). */
export const CHECK_EVERY = 1024;

/** A UTF-8 text value, or undefined when `v` is not a byte string of valid UTF-8. */
export function text(v: BValue | undefined): string | undefined {
  if (!isBytes(v)) return undefined;
  if (v.length <= 64) {
    // Fast path for short ASCII (most path components): no TextDecoder call.
    let out = '';
    for (const b of v) {
      if (b >= 0x80) return fromUtf8Strict(v);
      out += String.fromCharCode(b);
    }
    return out;
  }
  return fromUtf8Strict(v);
}

/** Reads a name or path component; undefined when absent or not usable. */
export function component(v: BValue | undefined): string | undefined {
  const s = text(v);
  return s !== undefined && pathComponentProblem(s) === undefined ? s : undefined;
}

export function requireComponent(c: Checker, v: BValue | undefined, describeIt: string | (() => string)): string {
  const what = (): string => (typeof describeIt === 'string' ? describeIt : describeIt());
  if (v === undefined) c.fail(`${what()} is missing`);
  if (!isBytes(v)) c.fail(`${what()} is not a string`);
  const s = text(v);
  if (s === undefined) c.fail(`${what()} is not valid UTF-8`);
  const problem = pathComponentProblem(s);
  if (problem !== undefined) c.fail(`${what()} ${quote(s)} ${problem}`);
  return s;
}

function requireLength(c: Checker, v: BValue | undefined, what: string): number {
  if (v === undefined) c.fail(`${what} is missing`);
  if (!isInt(v)) c.fail(`${what} is not an integer`);
  if (v < 0) c.fail(`${what} is negative (${v})`);
  return v;
}

function readPath(c: Checker, file: BDict, index: number): string[] {
  const utf8Path = file['path.utf-8'];
  if (isList(utf8Path) && utf8Path.length > 0) {
    const parts = utf8Path.map(component);
    if (parts.every((p): p is string => p !== undefined)) return parts;
  }
  const path = file['path'];
  if (path === undefined) c.fail(`file ${index} has no 'path'`);
  if (!isList(path)) c.fail(`the 'path' of file ${index} is not a list`);
  if (path.length === 0) c.fail(`the 'path' of file ${index} is empty`);
  return path.map((p, j) => requireComponent(c, p, () => `component ${j} of the path of file ${index}`));
}

interface FileSpec {
  segments: string[];
  length: number;
  padding: boolean;
  attributes: FileAttributes | undefined;
}

async function readFiles(c: Checker, info: BDict, slicer: Slicer): Promise<{ files: FileSpec[]; single: boolean }> {
  const length = info['length'];
  const files = info['files'];
  if (length !== undefined && files !== undefined) c.fail("the info dictionary has both 'length' and 'files'");
  if (length !== undefined) {
    const { attributes } = readAttributes(info);
    return { files: [{ segments: [], length: requireLength(c, length, "'length'"), padding: false, attributes }], single: true };
  }
  if (files === undefined) {
    if (info['file tree'] !== undefined) c.fail("the info dictionary has a v2 'file tree' but no 'meta version' 2");
    c.fail("the info dictionary has neither 'length' nor 'files'");
  }
  if (!isList(files)) c.fail("'files' is not a list");
  if (files.length === 0) c.fail("'files' is an empty list");
  const out: FileSpec[] = [];
  for (let i = 0; i < files.length; i++) {
    if (i % CHECK_EVERY === 0) await slicer.check();
    const f = files[i];
    if (!isDict(f)) c.fail(`file ${i} is not a dictionary`);
    const fileLength = requireLength(c, f['length'], `the 'length' of file ${i}`);
    const { padding, attributes } = readAttributes(f);
    // A padding file's path is never used (libtorrent names them all '.pad/<length>', so they repeat).
    out.push({ segments: padding ? [] : readPath(c, f, i), length: fileLength, padding, attributes });
  }
  return { files: out, single: false };
}

export function entry(segments: string[], length: number, offset: number, attributes: FileAttributes | undefined, root?: Uint8Array): TorrentFileEntry {
  const file: TorrentFileEntry = { path: segments.join('/'), pathSegments: segments, name: segments[segments.length - 1]!, length, offset };
  if (root !== undefined) file.piecesRoot = root;
  if (attributes !== undefined) file.attributes = attributes;
  return file;
}

/** The v1 half: the files (padding left out, at their offsets), the total and the SHA-1 piece hashes. */
export async function readV1(c: Checker, info: BDict, name: string, pieceLength: number, slicer: Slicer) {
  const { files: specs, single } = await readFiles(c, info, slicer);
  let total = 0;
  let data = 0;
  const files: TorrentFileEntry[] = [];
  const tree = new PathTree();
  let conflict: string | undefined;
  for (let i = 0; i < specs.length; i++) {
    if (i % CHECK_EVERY === 0) await slicer.check();
    const spec = specs[i]!;
    if (!spec.padding) {
      const segments = single ? [name] : [name, ...spec.segments];
      files.push(entry(segments, spec.length, total, spec.attributes));
      data += spec.length;
      if (!single) conflict ??= tree.add(segments);
    }
    total += spec.length;
    if (!Number.isSafeInteger(total)) c.fail(`the total length passes the safe integer range at file ${i}`);
  }
  if (data === 0) c.fail('the torrent has no data (its total length is 0 bytes)');
  if (conflict !== undefined) c.fail(conflict);

  const pieces = info['pieces'];
  if (pieces === undefined) c.fail("'pieces' is missing");
  if (!isBytes(pieces)) c.fail("'pieces' is not a byte string");
  if (pieces.length % 20 !== 0) c.fail(`'pieces' holds ${pieces.length} bytes, which is not a multiple of 20`);
  const pieceCount = Math.ceil(total / pieceLength);
  if (pieces.length !== pieceCount * 20) {
    c.fail(`'pieces' holds ${pieces.length / 20} hashes, but ${total} bytes in pieces of ${pieceLength} make ${pieceCount}`);
  }
  const own = new Uint8Array(pieces); // a copy: the hashes alone, not a view into the whole file
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < pieceCount; i++) {
    if (i % CHECK_EVERY === 0) await slicer.check();
    hashes.push(own.subarray(i * 20, i * 20 + 20));
  }
  return { files, single, total, pieces: hashes };
}
