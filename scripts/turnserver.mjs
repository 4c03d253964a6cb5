// Where coturn's `turnserver` is: the TURN relay the browser tests and the benchmark start inside the
// private network namespace (never a public one). Found like Chromium: TURNSERVER_PATH, then the usual places.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const CANDIDATES = ['/usr/bin/turnserver', '/usr/local/bin/turnserver', '/opt/homebrew/bin/turnserver', '/usr/sbin/turnserver'];

/** @returns {string | undefined} */
export function findTurnserver() {
  const fromEnv = process.env.TURNSERVER_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'turnserver'));
  return [...CANDIDATES, ...onPath].find((p) => existsSync(p));
}
