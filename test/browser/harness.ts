/**
 * Browser test harness: the system Chromium driven by playwright-core (never a downloaded browser),
 * and the real app build served on loopback.
 */
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../../scripts/chromium.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Chromium with the test bed's flags, and `extraArgs` (e.g. a certificate to trust). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: run `npm test` (it installs it) or set CHROMIUM_PATH');
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

/**
 * Builds the app into a temporary folder and serves it on 127.0.0.1 (a free port). With `announce`,
 * writes the config.json `npm start` writes, so the app announces to those trackers by default;
 * `config` adds fields to it (such as `iceServers` and `iceTransportPolicy`).
 */
export async function serveApp(options: { announce?: string[]; config?: Record<string, unknown> } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'tabswarm-app-'));
  await build({ logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  if (options.announce || options.config) writeFileSync(join(outDir, 'config.json'), JSON.stringify({ announce: options.announce, ...options.config }));
  const server: PreviewServer = await preview({
    logLevel: 'silent',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1' },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server has no local URL');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
