// Makes a fresh clone ready: installs the npm dependencies when they are missing or older than the
// lock file, and (with --browser) finds or installs Chromium, coturn and Firefox (Debian's firefox-esr)
// for the browser tests, and libtorrent 2.0's Python module (Debian's python3-libtorrent), the BitTorrent v2
// reference of the metainfo tests. Node built-ins only.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { findChromium } from './chromium.mjs';
import { findTurnserver } from './turnserver.mjs';
import { findFirefox } from './firefox.mjs';
import { findLibtorrentPython } from './libtorrent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');

function stale() {
  if (!existsSync(installed)) return true;
  if (!existsSync(lock)) return false;
  return statSync(lock).mtimeMs > statSync(installed).mtimeMs;
}

if (stale()) {
  const cmd = existsSync(lock) ? 'npm ci' : 'npm install';
  console.log(`[tabswarm] installing dependencies (${cmd})…`);
  execSync(cmd, { cwd: root, stdio: 'inherit' });
}

/**
 * Installs a Debian package with apt-get (through sudo unless root) when `find` does not find what it
 * provides, and exits with `help` when it is still missing (only warns when `optional`: the tests that
 * need it are skipped). `installed` runs after it installed it.
 * @param {{ what: string, pkg: string, find: () => string | undefined, help: string, optional?: boolean, installed?: (sudo: string) => void }} need
 */
function ensureSystemPackage(need) {
  if (need.find()) return;
  const sudo = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
  if (existsSync('/usr/bin/apt-get')) {
    console.log(`[tabswarm] installing ${need.what} (apt-get install ${need.pkg})…`);
    try {
      const install = `${sudo}apt-get install -y ${need.pkg}`;
      execSync(`${install} || (${sudo}apt-get update && ${install})`, { stdio: 'inherit', shell: '/bin/bash' });
    } catch {
      // reported below
    }
  }
  if (!need.find()) {
    console.error(`[tabswarm] ${need.help}`);
    if (need.optional) return;
    process.exit(1);
  }
  need.installed?.(sudo);
}

if (process.argv.includes('--browser')) {
  ensureSystemPackage({
    what: 'Chromium for the browser tests',
    pkg: 'chromium',
    find: findChromium,
    help: 'The browser tests need Chromium. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.',
  });
  // The relayed-connection tests and the benchmark's relay row start a local TURN server (coturn).
  ensureSystemPackage({
    what: 'coturn, the TURN server of the relay tests',
    pkg: 'coturn',
    find: findTurnserver,
    help: "The relay tests need coturn's turnserver. Install it (Debian: apt-get install coturn; macOS: brew install coturn) or set TURNSERVER_PATH.",
    // On a machine run by systemd the package also starts a system-wide TURN service; the tests
    // start their own (inside the private network namespace), so the service is stopped again.
    installed: (sudo) => {
      if (!existsSync('/run/systemd/system')) return;
      console.log('[tabswarm] stopping and disabling the coturn system service (the tests run their own turnserver)…');
      try {
        execSync(`${sudo}systemctl disable --now coturn`, { stdio: 'inherit' });
      } catch {
        console.warn('[tabswarm] could not stop the coturn service: stop it with `systemctl disable --now coturn` if you do not want it');
      }
    },
  });
}

// libtorrent 2.0 (BitTorrent v2 reference): its Python module, imported by the system interpreter only.
if (process.argv.includes('--browser')) {
  ensureSystemPackage({
    what: "libtorrent's Python module, the BitTorrent v2 reference of the metainfo tests",
    pkg: 'python3-libtorrent',
    find: findLibtorrentPython,
    optional: true,
    help: 'The BitTorrent v2 reference tests need libtorrent 2.0 for Python 3 (Debian: apt-get install python3-libtorrent); without it they are skipped.',
  });
}

// Firefox, for the suites that run in it too (TABSWARM_BROWSERS=chromium leaves them out).
if (process.argv.includes('--browser') && !/^chromium$/i.test(process.env.TABSWARM_BROWSERS ?? '')) {
  ensureSystemPackage({
    what: 'Firefox for the browser tests',
    pkg: 'firefox-esr',
    find: findFirefox,
    help: 'The browser tests need Firefox. Install it (Debian: apt-get install firefox-esr), set FIREFOX_PATH, or run only the Chromium suites with TABSWARM_BROWSERS=chromium.',
  });
}
