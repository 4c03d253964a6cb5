/**
 * Another device on the network, as `npm start -- --host 0.0.0.0` serves it: the real start script
 * (build, app server, tracker) inside the private network namespace, opened in Chromium from the
 * namespace's own address (10.213.0.1), not localhost.
 * - Over plain http that page is not a secure context (no SubtleCrypto, no service worker): sharing,
 *   downloading (pieces verified with the JavaScript SHA-1), saving and resuming after a reload all
 *   work, the page says in one line that files play once complete, and a complete file plays.
 * - With `--https` (a certificate made on first run, its key trusted by this Chromium as a phone
 *   would trust the installation's CA) the same address is a secure context and a file plays while
 *   it downloads, through the service worker.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './harness.js';
import { openAppPage, progressOf, type AppPage } from './app-harness.js';
import { spkiHash } from '../../scripts/tls-certificate.mjs';
import { fixtureBytes } from '../fixtures/greeting.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The namespace's address (scripts/in-netns.sh): not loopback, so not a secure context over http. */
const LAN_ADDRESS = '10.213.0.1';
const MiB = 1024 * 1024;

/** A WAV file of `seconds` of 8-bit mono noise at 44.1 kHz: plays in any browser. */
function wav(seconds: number): Buffer {
  const rate = 44_100;
  const samples = Buffer.from(fixtureBytes(rate * seconds, 7));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28); // bytes per second
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

interface Started {
  process: ChildProcess;
  output: string;
  /** The URLs it printed. */
  urls: string[];
  close(): Promise<void>;
}

/** Runs `npm start`'s script with `args`, until it prints the URLs to open. */
async function startScript(args: string[]): Promise<Started> {
  const outDir = mkdtempSync(join(tmpdir(), 'tabswarm-start-'));
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--tracker-port', '0', '--out-dir', outDir, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const started: Started = {
    process: child,
    get output() {
      return output;
    },
    urls: [],
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(outDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 120_000;
  while (!/tracker stats:/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  started.urls = [...output.matchAll(/^\s+(https?:\/\/\S+)/gm)].map((m) => m[1]!);
  return started;
}

async function shareFile(page: Page, name: string, buffer: Buffer): Promise<string> {
  await page.locator('ts-add-panel input#files').setInputFiles([{ name, mimeType: 'audio/wav', buffer }]);
  const link = page.getByRole('textbox', { name: 'Share link', exact: true });
  await link.waitFor({ timeout: 60_000 });
  return link.inputValue();
}

/** The duration of the audio element the preview shows, once it has loaded its metadata. */
function playedDuration(page: Page): Promise<number> {
  return page.locator('ts-file-preview audio').evaluate(
    (audio: HTMLAudioElement) =>
      new Promise<number>((resolve, reject) => {
        if (audio.readyState >= 1) resolve(audio.duration);
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true });
        audio.addEventListener('error', () => reject(new Error(`the audio did not load: ${audio.error?.message ?? 'no reason'}`)), { once: true });
      }),
  );
}

/** GETs `url` over https, trusting only the CA at `caPath`. */
function getTrusted(url: URL, caPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca: readFileSync(caPath) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url.href}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

describe('npm start for a network', () => {
  it('refuses a STUN/TURN flag it cannot use, naming the flag, before building anything', async () => {
    const child = spawn(process.execPath, ['scripts/start.mjs', '--turn', 'turn:10.213.0.1:3478'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--turn turn:10\.213\.0\.1:3478: a TURN server needs a user name and a credential: add --turn-user NAME --turn-credential SECRET/);
  });

  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });

  describe('over plain http, opened from another address (not a secure context)', () => {
    let server: Started;
    let browser: Browser;
    beforeAll(async () => {
      [server, browser] = await Promise.all([startScript(['--host', '0.0.0.0']), launchChromium()]);
    }, 150_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('prints every address another device can open and the tracker those pages use', () => {
      const lan = server.urls.find((u) => new URL(u).hostname === LAN_ADDRESS);
      expect(lan, server.output).toMatch(/^http:\/\/10\.213\.0\.1:\d+\/$/);
      expect(server.urls[0]).toMatch(/^http:\/\/localhost:\d+\/$/);
      expect(server.output).toMatch(/tracker: ws:\/\/[^\s/]+:\d+/);
      expect(server.output).toMatch(/not a secure context/);
    });

    it('shares, downloads byte-identical with the JavaScript SHA-1, saves, plays a complete file and resumes after a reload', async () => {
      const url = server.urls.find((u) => new URL(u).hostname === LAN_ADDRESS)!;
      const data = wav(40); // some 1.7 MiB
      const seeder: AppPage = await openAppPage(browser, url, contexts);
      expect(await seeder.page.evaluate(() => ({ secure: isSecureContext, subtle: typeof crypto.subtle, sw: 'serviceWorker' in navigator }))).toEqual({
        secure: false,
        subtle: 'undefined',
        sw: false,
      });
      const link = await shareFile(seeder.page, 'noise.wav', data);
      // Short: the tracker is the app's default here and on every device that opens the same address.
      expect(link).toMatch(/^[^#]+#[A-Za-z0-9_-]{27}$/);
      expect(link.startsWith(`${url}#`)).toBe(true);

      const leecher = await openAppPage(browser, url, contexts, { hash: link.slice(url.length) });
      await leecher.page.getByRole('heading', { name: 'noise.wav' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => progressOf(leecher.page, 'noise.wav'), { timeout: 60_000 }).toBe(100);

      const [download] = await Promise.all([leecher.page.waitForEvent('download'), leecher.page.getByRole('button', { name: 'Save', exact: true }).click()]);
      expect(Buffer.compare(readFileSync(await download.path()), data)).toBe(0);

      // Streaming needs a service worker: the page says so, and a complete file plays from its bytes.
      await leecher.page.locator('summary', { hasText: /^Files/ }).click();
      await leecher.page.getByText(/Files play here once complete: playing while they download needs a secure page/).waitFor();
      await leecher.page.getByRole('button', { name: 'Play noise.wav' }).click();
      expect(await playedDuration(leecher.page)).toBeCloseTo(40, 0);

      // Reload: the torrent is back, complete, from IndexedDB.
      await leecher.page.reload();
      await leecher.page.getByRole('heading', { name: 'noise.wav' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => progressOf(leecher.page, 'noise.wav'), { timeout: 30_000 }).toBe(100);
      for (const p of [seeder, leecher]) expect(p.errors).toEqual([]);
    }, 180_000);

    it('a private link works there too: encrypted and decrypted with the JavaScript AES (loaded only then), saved byte-identical', async () => {
      const url = server.urls.find((u) => new URL(u).hostname === LAN_ADDRESS)!;
      const data = wav(10);
      const sharer: AppPage = await openAppPage(browser, url, contexts);
      await sharer.page.getByRole('checkbox', { name: 'Private link (end-to-end encrypted)' }).check();
      const link = await shareFile(sharer.page, 'secret.wav', data);
      expect(link).toMatch(/^[^#]+#[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{22}$/);
      await sharer.page.getByText(/Private link: the files were encrypted in this tab/).waitFor();

      const holder = await openAppPage(browser, url, contexts, { hash: link.slice(url.length) });
      await holder.page.getByText(/Private share, end-to-end encrypted/).waitFor({ timeout: 45_000 });
      await expect.poll(() => progressOf(holder.page, 'secret.wav'), { timeout: 60_000 }).toBe(100);
      const [download] = await Promise.all([holder.page.waitForEvent('download'), holder.page.getByRole('button', { name: 'Save', exact: true }).click()]);
      expect(Buffer.compare(readFileSync(await download.path()), data)).toBe(0);
      // The JavaScript cipher came as its own script, in both tabs (a secure page does not load it: app.test.ts).
      for (const p of [sharer, holder]) {
        const scripts = await p.page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
        expect(scripts.some((path) => /\/cipher-js-[^/]+\.js$/.test(path))).toBe(true);
        expect(p.errors).toEqual([]);
      }
    }, 180_000);
  });

  describe('with --https (a certificate made on first run)', () => {
    let server: Started;
    let browser: Browser;
    let data: string;
    beforeAll(async () => {
      data = mkdtempSync(join(tmpdir(), 'tabswarm-data-'));
      server = await startScript(['--host', '0.0.0.0', '--https', '--data', data]);
      // As a phone that installed the CA: this Chromium trusts the server certificate's key.
      const cert = readFileSync(join(data, 'tls', 'cert.pem'), 'utf8');
      browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spkiHash(cert)}`]);
    }, 150_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      rmSync(data, { recursive: true, force: true });
    });

    it('makes the certificate once, for the network addresses, and reuses it', async () => {
      expect(server.output).toMatch(/made a certificate for localhost, 127\.0\.0\.1, ::1, .*10\.213\.0\.1/);
      expect(server.urls).toContain(server.urls.find((u) => u.startsWith(`https://${LAN_ADDRESS}:`)));
      // Started again (with a STUN server for the pages): the same certificate, and config.json carries the server.
      const again = await startScript(['--host', '0.0.0.0', '--https', '--data', data, '--stun', `stun:${LAN_ADDRESS}:3478`]);
      try {
        expect(again.output).not.toMatch(/made a certificate/);
        expect(again.output).toContain(`STUN/TURN: stun:${LAN_ADDRESS}:3478 (in config.json)`);
        const config = await getTrusted(new URL('config.json', again.urls[0]), join(data, 'tls', 'ca.pem'));
        expect(JSON.parse(config)).toEqual({ announce: ['wss://{host}/announce'], iceServers: [{ urls: [`stun:${LAN_ADDRESS}:3478`] }] });
      } finally {
        await again.close();
      }
      // A certificate of one's own (--cert / --key), as a deployment gives it: served as it is.
      const own = await startScript(['--host', '0.0.0.0', '--cert', join(data, 'tls', 'cert.pem'), '--key', join(data, 'tls', 'key.pem')]);
      try {
        expect(own.urls[0]).toMatch(/^https:\/\/localhost:\d+\/$/);
        const config = await getTrusted(new URL('config.json', own.urls[0]), join(data, 'tls', 'ca.pem'));
        expect(JSON.parse(config)).toEqual({ announce: ['wss://{host}/announce'] });
      } finally {
        await own.close();
      }
    }, 150_000);

    it('is a secure context from the network address: the tracker over wss on the same origin, and a file plays while it downloads', async () => {
      const url = server.urls.find((u) => new URL(u).hostname === LAN_ADDRESS)!;
      const audio = wav(150); // some 6.3 MiB
      const seeder = await openAppPage(browser, url, contexts, { serviceWorker: true });
      expect(await seeder.page.evaluate(() => isSecureContext)).toBe(true);
      const link = await shareFile(seeder.page, 'long.wav', audio);
      // The leecher downloads slowly (512 KiB/s: some 12 s), so that it plays long before it has everything.
      const leecher = await openAppPage(browser, url, contexts, {
        hash: link.slice(url.length),
        serviceWorker: true,
        settings: { downloadLimit: MiB / 2 },
      });
      await leecher.page.getByRole('heading', { name: 'long.wav' }).waitFor({ timeout: 30_000 });
      await leecher.page.locator('summary', { hasText: /^Files/ }).click();
      await leecher.page.getByRole('button', { name: 'Play long.wav' }).click();
      expect(await playedDuration(leecher.page)).toBeCloseTo(150, 0);
      expect(await progressOf(leecher.page, 'long.wav')).toBeLessThan(100);
      await expect.poll(() => progressOf(leecher.page, 'long.wav'), { timeout: 90_000 }).toBe(100);
      for (const p of [seeder, leecher]) expect(p.errors).toEqual([]);
    }, 180_000);
  });
});
