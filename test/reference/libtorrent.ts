/**
 * libtorrent 2.0 as the BitTorrent v2 reference (test/reference/libtorrent-ref.py, run with a Python
 * that imports it: Debian's python3-libtorrent, which `node scripts/ensure-deps.mjs --browser`
 * installs). Tests skip themselves, saying why, only where no such Python is found.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findLibtorrentPython } from '../../scripts/libtorrent.mjs';

const SCRIPT = fileURLToPath(new URL('./libtorrent-ref.py', import.meta.url));

/** The Python that imports libtorrent 2.0, or undefined. */
export const libtorrentPython: string | undefined = findLibtorrentPython();

export const SKIP_REASON =
  'libtorrent 2.0 for Python is not installed, so the BitTorrent v2 reference tests are skipped: ' +
  'install it with `node scripts/ensure-deps.mjs --browser` (Debian: apt-get install python3-libtorrent)';

export type TorrentVersion = 'v1' | 'v2' | 'hybrid';

export type LibtorrentJob =
  { op: 'create'; path: string; version: TorrentVersion; pieceLength: number } | { op: 'parse'; torrent: string } | { op: 'magnet'; magnet: string };

export interface LibtorrentFile {
  /** '/'-joined, starting with the torrent name for a multi-file torrent. */
  path: string;
  size: number;
  offset: number;
  pad: boolean;
}

export interface LibtorrentTorrent {
  /** The .torrent (without a creation date), base64. */
  torrent: string;
  /** The bencoded info dictionary, base64. */
  info: string;
  v1: string | null;
  v2: string | null;
  magnet: string;
  name: string;
  numPieces: number;
  files: LibtorrentFile[];
  /** Hex pieces root to hex piece layer. */
  pieceLayers: Record<string, string>;
}

export interface LibtorrentMagnet {
  v1: string | null;
  v2: string | null;
  name: string;
}

export type LibtorrentResult = LibtorrentTorrent | LibtorrentMagnet | { error: string };

/** Runs the jobs in one Python process; throws when the script itself fails. */
export function runLibtorrent(jobs: readonly LibtorrentJob[]): LibtorrentResult[] {
  if (libtorrentPython === undefined) throw new Error(SKIP_REASON);
  const out = execFileSync(libtorrentPython, [SCRIPT], {
    input: JSON.stringify(jobs),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as LibtorrentResult[];
}

/** The one result of a job that must succeed. */
export function expectTorrent(result: LibtorrentResult | undefined): LibtorrentTorrent {
  if (result === undefined || 'error' in result || !('torrent' in result)) {
    throw new Error(`libtorrent: ${result && 'error' in result ? result.error : 'no torrent'}`);
  }
  return result;
}

export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
