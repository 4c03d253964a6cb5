/**
 * A private share's container (format.ts), made and opened. Made: from the files being shared, as a
 * Blob-like object whose bytes are encrypted when read, so the torrent is created, stored and seeded
 * from ciphertext without the ciphertext of the whole share ever being held at once. Opened: from the
 * torrent's first bytes (header and manifest) with the link's secret, giving the files and a
 * decryption of any range of the torrent's bytes.
 */
import type { BlobLike } from '../create-v2.js';
import { concatBytes } from '../bytes.js';
import { shareCipher, type ShareCipher } from './cipher.js';
import {
  checkLayout,
  decodeHeader,
  decodeManifest,
  encodeHeader,
  encodeManifest,
  HEADER_LENGTH,
  layOut,
  payloadSpan,
  PrivateShareError,
  TAG_LENGTH,
  type Layout,
  type Manifest,
} from './format.js';

/** A file to share privately: a '/'-separated path and its bytes. */
export interface PrivateInputFile {
  path: string;
  data: Uint8Array | BlobLike;
}

/** The container as a Blob-like source: `slice(a, b).arrayBuffer()` reads the files and encrypts. */
export interface SealedContainer extends BlobLike {
  readonly manifest: Manifest;
  readonly layout: Layout;
  /** The share as its link holders open it (the sharer's own page needs to read nothing). */
  readonly opened: OpenedShare;
}

/** The manifest of the files given: paths split, a common first directory stripped and naming the share (as torrents do). */
export function manifestOf(files: readonly PrivateInputFile[], name?: string): Manifest {
  if (files.length === 0) throw new PrivateShareError('a private share needs at least one file');
  const split = files.map((f) => {
    const segments = f.path.split('/');
    if (segments[0] === '') segments.shift();
    return segments;
  });
  const first = split[0]!;
  const sizes = files.map((f) => (f.data instanceof Uint8Array ? f.data.length : f.data.size));
  if (split.length === 1 && first.length === 1) return { name: name ?? first[0]!, files: [{ path: first, length: sizes[0]! }] };
  const prefix = first.length >= 2 ? first[0]! : undefined;
  const common = prefix !== undefined && split.every((s) => s.length >= 2 && s[0] === prefix);
  const paths = common ? split.map((s) => s.slice(1)) : split;
  return { name: name ?? (common ? prefix : first[first.length - 1]!), files: paths.map((path, i) => ({ path, length: sizes[i]! })) };
}

async function readSource(data: Uint8Array | BlobLike, from: number, to: number): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data.subarray(from, to);
  const bytes = new Uint8Array(await data.slice(from, to).arrayBuffer());
  if (bytes.length !== to - from) throw new PrivateShareError('a shared file changed or could not be read while it was being encrypted');
  return bytes;
}

/**
 * The container of `files` under `secret`: its header and sealed manifest are made now, the payload
 * is read and encrypted range by range as it is sliced (AES-CTR is addressable by position).
 */
export async function sealContainer(files: readonly PrivateInputFile[], secret: Uint8Array, name?: string): Promise<SealedContainer> {
  const cipher = await shareCipher(secret);
  const manifest = manifestOf(files, name);
  const plain = encodeManifest(manifest);
  const header = encodeHeader(plain.length + TAG_LENGTH);
  const prefix = concatBytes([header, await cipher.seal(plain, header)]);
  const layout = layOut(manifest, plain.length + TAG_LENGTH);

  const read = async (start: number, end: number): Promise<Uint8Array<ArrayBuffer>> => {
    const out = new Uint8Array(end - start);
    if (start < prefix.length) out.set(prefix.subarray(start, Math.min(end, prefix.length)));
    const span = payloadSpan(layout.payloadStart, start, end - start);
    if (!span) return out;
    // The files' plaintext where they overlap the range; padding after the last file stays zeros.
    await Promise.all(
      layout.files.map(async (f, i) => {
        const from = Math.max(start, f.offset);
        const to = Math.min(end, f.offset + f.length);
        if (to > from) out.set(await readSource(files[i]!.data, from - f.offset, to - f.offset), from - start);
      }),
    );
    out.set(await cipher.ctr(out.subarray(span.at, span.at + span.length), span.position), span.at);
    return out;
  };

  const slice = (start = 0, end = layout.length) => {
    const a = Math.max(0, Math.min(start, layout.length));
    const b = Math.max(a, Math.min(end, layout.length));
    return { arrayBuffer: async () => (await read(a, b)).buffer };
  };
  const opened: OpenedShare = { manifest, layout, decrypt: (bytes, at) => decryptRange(cipher, layout, bytes, at) };
  return { size: layout.length, manifest, layout, opened, slice };
}

/** Reads `[start, end)` of the torrent's bytes (waiting for the pieces). */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>;

/** A private share opened with its secret. */
export interface OpenedShare {
  readonly manifest: Manifest;
  readonly layout: Layout;
  /** The plaintext of torrent bytes that start at `start`; bytes before the payload are returned as they are. */
  decrypt(bytes: Uint8Array, start: number): Promise<Uint8Array>;
}

/** The decryption of a range of an opened share's container. */
export async function decryptRange(cipher: ShareCipher, layout: Layout, bytes: Uint8Array, start: number): Promise<Uint8Array> {
  const span = payloadSpan(layout.payloadStart, start, bytes.length);
  if (!span) return bytes;
  const out = bytes.slice();
  out.set(await cipher.ctr(bytes.subarray(span.at, span.at + span.length), span.position), span.at);
  return out;
}

/**
 * Opens the container of `length` bytes with `secret`: reads its header and manifest, opens the
 * manifest (a {@link PrivateShareError} for a wrong key or a damaged share), and checks its layout.
 */
export async function openContainer(read: ReadRange, length: number, secret: Uint8Array): Promise<OpenedShare> {
  const cipher = await shareCipher(secret);
  if (length < HEADER_LENGTH) throw new PrivateShareError('this torrent is too short to be a tabswarm private share');
  const header = await read(0, HEADER_LENGTH);
  const sealedLength = decodeHeader(header, length);
  const sealed = await read(HEADER_LENGTH, HEADER_LENGTH + sealedLength);
  const manifest = decodeManifest(await cipher.open(sealed, header));
  const layout = layOut(manifest, sealedLength);
  checkLayout(layout, length);
  return { manifest, layout, decrypt: (bytes, start) => decryptRange(cipher, layout, bytes, start) };
}
