// Makes a fresh clone ready: installs the npm dependencies when they are missing or older than the
// lock file, and (with --browser) finds or installs a Chromium and a Firefox (Debian's firefox-esr) for
// the browser tests. Node built-ins only.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { findChromium } from './chromium.mjs';
import { findFirefox } from './firefox.mjs';

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

if (process.argv.includes('--browser') && !findChromium()) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? '' : 'sudo ';
  if (existsSync('/usr/bin/apt-get')) {
    console.log('[tabswarm] installing Chromium for the browser tests (apt-get install chromium)…');
    try {
      execSync(`${sudo}apt-get install -y chromium || (${sudo}apt-get update && ${sudo}apt-get install -y chromium)`, {
        stdio: 'inherit',
        shell: '/bin/bash',
      });
    } catch {
      // reported below
    }
  }
  if (!findChromium()) {
    console.error('[tabswarm] The browser tests need Chromium. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.');
    process.exit(1);
  }
}

// Firefox, for the suites that run in it too (TABSWARM_BROWSERS=chromium leaves them out).
if (process.argv.includes('--browser') && !/^chromium$/i.test(process.env.TABSWARM_BROWSERS ?? '') && !findFirefox()) {
  const sudo = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
  if (existsSync('/usr/bin/apt-get')) {
    console.log('[tabswarm] installing Firefox for the browser tests (apt-get install firefox-esr)…');
    try {
      execSync(`${sudo}apt-get install -y firefox-esr || (${sudo}apt-get update && ${sudo}apt-get install -y firefox-esr)`, {
        stdio: 'inherit',
        shell: '/bin/bash',
      });
    } catch {
      // reported below
    }
  }
  if (!findFirefox()) {
    console.error(
      '[tabswarm] The browser tests need Firefox. Install it (Debian: apt-get install firefox-esr), set FIREFOX_PATH, or run only the Chromium suites with TABSWARM_BROWSERS=chromium.',
    );
    process.exit(1);
  }
}
