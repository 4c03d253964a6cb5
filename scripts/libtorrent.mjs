// Where a Python 3 that can import libtorrent 2.0 is: the BitTorrent v2 reference of the metainfo tests.
// Debian's python3-libtorrent is importable only by the system interpreter (a python3 earlier on PATH
// may not see it), so that one is tried first; LIBTORRENT_PYTHON names another.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/homebrew/bin/python3'];

/** @returns {string | undefined} */
export function findLibtorrentPython() {
  const fromEnv = process.env.LIBTORRENT_PYTHON;
  const candidates = fromEnv ? [fromEnv, ...CANDIDATES] : CANDIDATES;
  for (const python of candidates) {
    if (!existsSync(python)) continue;
    try {
      const version = execFileSync(python, ['-c', 'import libtorrent; print(libtorrent.__version__)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20_000,
      });
      if (/^2\./.test(version.trim())) return python;
    } catch {
      // not this one
    }
  }
  return undefined;
}
