/**
 * The torrent `client.seed` makes of the caller's files: as they are, or, for a private share, their
 * sealed container (core/private/container.ts) under a new secret, so that the torrent describes only
 * ciphertext.
 */
import { createTorrent, type CreatedTorrent } from '../core/create.js';
import { newSecret } from '../core/private/cipher.js';
import { sealContainer, type OpenedShare, type SealedContainer } from '../core/private/container.js';
import { PRIVATE_TORRENT_NAME } from '../core/private/format.js';
import type { SeedInput, SeedOptions } from './client-types.js';

type Given = { path: string; data: Uint8Array | Blob | SealedContainer };

export interface SeedTorrent {
  created: CreatedTorrent<Given>;
  /** A private share's secret, and its container as opened by it. */
  secret?: Uint8Array | undefined;
  opened?: OpenedShare | undefined;
}

/** Makes the torrent (its hashing is the first half of `onProgress`; storing it, the caller's, the second). */
export async function seedTorrent(input: readonly SeedInput[] | FileList, opts: SeedOptions, announce: string[]): Promise<SeedTorrent> {
  let given: Given[] = Array.from(input as ArrayLike<SeedInput>).map((f) => (f instanceof File ? { path: f.webkitRelativePath || f.name, data: f } : f));
  const secret = opts.private ? newSecret() : undefined;
  let sealed: SealedContainer | undefined;
  if (secret) {
    // Bytes the caller could still change are copied first: the container is read more than once.
    sealed = await sealContainer(
      given.map((f) => ({ path: f.path, data: f.data instanceof Uint8Array ? new Blob([f.data.slice()]) : f.data })),
      secret,
      opts.name,
    );
    given = [{ path: PRIVATE_TORRENT_NAME, data: sealed }];
  }
  const created = await createTorrent(given, {
    name: secret ? undefined : opts.name,
    pieceLength: opts.pieceLength,
    version: secret ? 'v1' : opts.version,
    announce,
    urlList: opts.urlList,
    onProgress: opts.onProgress ? (done, total) => opts.onProgress!(done / 2, total) : undefined,
  });
  return { created, secret, opened: sealed?.opened };
}
