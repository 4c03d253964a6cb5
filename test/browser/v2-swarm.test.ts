/**
 * BitTorrent v2 in real swarms of Chromium tabs over real WebRTC, through the real tracker (inside the
 * private network namespace of `npm test`; no ICE servers):
 * - a hybrid torrent seeded by tabswarm downloads at once in a WebTorrent 3.0.21 tab (which knows
 *   nothing of v2) and in a tabswarm tab that speaks v2 (its btmh+btih magnet link), byte-identical;
 *   then, the seeder gone, a second WebTorrent tab downloads it from the tabswarm leecher alone;
 * - in a v2-only torrent, an otherwise honest tabswarm peer that sends one corrupt block is banned for
 *   that block, named by its leaf hash, and the honest seeder is not.
 * What each tab sends is read off its data channels by wire-tap.ts; what each announced, off a tap
 * in front of the tracker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { libTestBed } from './lib-test-bed.js';
import { tapTracker } from './tracker-tap.js';
import { wireTapScript, type WireTap, type WireTapGlobals } from './wire-tap.js';
import { PAGE_BYTES } from '../fixtures/page-bytes-path.js';
import { fromBinaryString, toHex } from '../../src/core/bytes.js';

const KiB = 1024;
const pageScript = fileURLToPath(new URL('../../bench/page.js', import.meta.url));
const webtorrent3Bundle = createRequire(import.meta.url).resolve('webtorrent3/dist/webtorrent.min.js');

interface Spec {
  path: string;
  size: number;
  seed: number;
}
interface Got {
  files: { path: string; sha256: string }[];
}

/** Files larger and smaller than a piece, in a folder: a hybrid pads the first to a piece boundary. */
const HYBRID: Spec[] = [
  { path: 'hybrid/movie.bin', size: 1536 * KiB + 777, seed: 61 },
  { path: 'hybrid/sub/notes.txt', size: 20_000, seed: 62 },
  { path: 'hybrid/sub/one.bin', size: 1, seed: 63 },
];
const V2_FILE: Spec[] = [{ path: 'film.bin', size: 2048 * KiB + 555, seed: 71 }];
/** Four blocks a piece: a block is checked by its leaf hash, apart from the piece. */
const PIECE = 64 * KiB;
/** BEP 52's handshake bit: reserved byte 7, 0x10. */
const hasV2Bit = (reservedHex: string): boolean => (parseInt(reservedHex.slice(14, 16), 16) & 0x10) !== 0;
const total = (specs: Spec[]): number => specs.reduce((n, s) => n + s.size, 0);
const hex = (binary: string): string => toHex(fromBinaryString(binary) ?? new Uint8Array(0));

describe('BitTorrent v2 swarms in Chromium', () => {
  const bed = libTestBed({ '/webtorrent3.min.js': webtorrent3Bundle });
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** A fresh context running bench/page.js's clients; `corruptNth`: its Nth piece message goes out corrupt. */
  async function page(client: 'tabswarm' | 'webtorrent3' = 'tabswarm', corruptNth = 0): Promise<Page> {
    const context = await bed.browser.newContext();
    contexts.push(context);
    await context.addInitScript({ content: wireTapScript(corruptNth) });
    await context.addInitScript({ path: PAGE_BYTES });
    await context.addInitScript({ path: pageScript });
    const p = await context.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.stack ?? e.message));
    await p.goto(`${bed.lib.url}/blank.html`);
    if (client === 'webtorrent3') await call(p, 'useWebTorrent', '/webtorrent3.min.js');
    return p;
  }
  const call = <T>(p: Page, fn: string, ...args: unknown[]): Promise<T> => p.evaluate<T>(`bench.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
  const wireOf = (p: Page): Promise<WireTap> => p.evaluate(() => (globalThis as unknown as WireTapGlobals).wireTap);
  /** The peer id (hex) of the page's tabswarm or WebTorrent client. */
  const peerIdOf = (p: Page): Promise<string> =>
    p.evaluate<string>(`bench.ts ? [...bench.ts.peerId].map((b) => b.toString(16).padStart(2, '0')).join('') : bench.wt.peerId`);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  it('a hybrid torrent seeded by tabswarm: WebTorrent 3.0.21 and a v2-speaking tabswarm tab download it together, then WebTorrent from the tabswarm leecher alone, byte-identical', async () => {
    const tap = await tapTracker(bed.tracker.url);
    try {
      const seeder = await page();
      const want = await call(seeder, 'digests', HYBRID);
      const magnet = await call<string>(seeder, 'tabswarmSeedFiles', tap.url, HYBRID, { version: 'hybrid', pieceLength: PIECE });
      const [, v1, v2] = /^magnet:\?xt=urn:btih:([0-9a-f]{40})&xt=urn:btmh:1220([0-9a-f]{64})&/.exec(magnet) ?? [];
      expect(v1 && v2, magnet).toBeTruthy();

      const wt = await page('webtorrent3');
      const ts = await page();
      const started = Date.now();
      const [wtGot, tsGot] = await Promise.all([call<Got>(wt, 'webtorrentGet', tap.url, magnet), call<Got>(ts, 'tabswarmGet', tap.url, magnet)]);
      const together = Date.now() - started;
      // WebTorrent knows no BEP 47: it lists the padding files as files, all zeros.
      const zeros = (path: string): { path: string; sha256: string } => ({
        path,
        sha256: createHash('sha256')
          .update(new Uint8Array(Number(path.split('/').pop())))
          .digest('hex'),
      });
      expect(wtGot.files.filter((f) => !f.path.includes('/.pad/'))).toEqual(want);
      expect(wtGot.files.filter((f) => f.path.includes('/.pad/'))).toEqual(wtGot.files.filter((f) => f.path.includes('/.pad/')).map((f) => zeros(f.path)));
      expect(tsGot.files).toEqual(want);

      // On the wire: tabswarm offers v2 on every connection and fetched the piece layers with hash
      // requests (id 21), which only v2 peers answer; WebTorrent offers no v2.
      const tsWire = await wireOf(ts);
      expect(tsWire.handshakes.length).toBeGreaterThan(0);
      expect(tsWire.handshakes.every(hasV2Bit), JSON.stringify(tsWire.handshakes)).toBe(true);
      expect(tsWire.sent['21'] ?? 0).toBeGreaterThan(0);
      const wtWire = await wireOf(wt);
      expect(wtWire.handshakes.length).toBeGreaterThan(0);
      expect(wtWire.handshakes.some(hasV2Bit), JSON.stringify(wtWire.handshakes)).toBe(false);
      expect(wtWire.sent['21'] ?? 0).toBe(0);

      // All three announced under the v1 hash, where they meet; the tabswarm tabs also under the v2
      // hash's first 20 bytes, where v2-only clients look (as libtorrent announces a hybrid).
      const ids = new Map([
        [await peerIdOf(seeder), 'seeder'],
        [await peerIdOf(wt), 'webtorrent'],
        [await peerIdOf(ts), 'tabswarm'],
      ]);
      const announced: Record<string, string[]> = {};
      for (const m of tap.messages) {
        if (m.from !== 'page') continue;
        const msg = JSON.parse(m.text) as { action?: string; info_hash?: string; peer_id?: string };
        if (msg.action !== 'announce' || !msg.info_hash || !msg.peer_id) continue;
        const who = ids.get(hex(msg.peer_id)) ?? hex(msg.peer_id);
        announced[who] = [...new Set([...(announced[who] ?? []), hex(msg.info_hash)])].sort();
      }
      console.log(`hybrid: announced ${JSON.stringify(announced)} (v1 ${v1}, v2 ${v2!.slice(0, 40)}…)`);
      const both = [v1, v2!.slice(0, 40)].sort();
      expect(announced).toEqual({ seeder: both, webtorrent: [v1], tabswarm: both });

      const fromTabswarm = await call<number>(ts, 'tabswarmUploaded');
      const fromWebTorrent = await call<number>(wt, 'webtorrentUploaded');
      console.log(`hybrid, together: ${together} ms; the tabswarm leecher uploaded ${fromTabswarm} bytes, the WebTorrent one ${fromWebTorrent}`);

      // The seeder and the first WebTorrent leave: a second WebTorrent has only the tabswarm leecher.
      await seeder.context().close();
      await wt.context().close();
      const uploadedBefore = fromTabswarm;
      const wt2 = await page('webtorrent3');
      expect((await call<Got>(wt2, 'webtorrentGet', tap.url, magnet)).files.filter((f) => !f.path.includes('/.pad/'))).toEqual(want);
      expect((await call<number>(ts, 'tabswarmUploaded')) - uploadedBefore).toBeGreaterThanOrEqual(total(HYBRID));
      expect((await call<string[]>(ts, 'tabswarmWarnings')).filter((w) => w.includes('banned'))).toEqual([]);
    } finally {
      await tap.close();
    }
  }, 180_000);

  it('v2: a peer that sends one corrupt block is banned for that block alone (its leaf hash), no honest peer is, and the download completes byte-identical', async () => {
    // The liar seeds first, alone: its third block goes out corrupt, every other one right.
    const liar = await page('tabswarm', 3);
    const want = await call(liar, 'digests', V2_FILE);
    const magnet = await call<string>(liar, 'tabswarmSeedFiles', bed.tracker.url, V2_FILE, { version: 'v2', pieceLength: PIECE });
    expect(magnet).toMatch(/^magnet:\?xt=urn:btmh:1220[0-9a-f]{64}&/);
    expect(magnet).not.toContain('btih');
    const liarId = await peerIdOf(liar);

    const victim = await page();
    const download = call<Got>(victim, 'tabswarmGet', bed.tracker.url, magnet);
    await expect.poll(async () => (await wireOf(liar)).corrupted, { timeout: 30_000 }).not.toBeNull();
    // Then the honest seeder, with the same torrent.
    const honest = await page();
    expect(await call<string>(honest, 'tabswarmSeedFiles', bed.tracker.url, V2_FILE, { version: 'v2', pieceLength: PIECE })).toBe(magnet);
    const got = await download;
    expect(got.files).toEqual(want);

    const lie = (await wireOf(liar)).corrupted!;
    const warnings = await call<string[]>(victim, 'tabswarmWarnings');
    expect(warnings.filter((w) => w.includes('banned'))).toEqual([
      `peer ${liarId} dropped: banned: sent a corrupt block (piece ${lie.index}, offset ${lie.begin})`,
    ]);
    // Found by the block's leaf hash: no piece failed as a whole.
    expect(warnings.filter((w) => w.includes('failed its hash check'))).toEqual([]);
    // The honest seeder served the rest, and nobody banned it.
    expect(await call<number>(honest, 'tabswarmUploaded')).toBeGreaterThan(0);
    expect((await call<string[]>(honest, 'tabswarmWarnings')).filter((w) => w.includes('banned'))).toEqual([]);
    const honestId = await peerIdOf(honest);
    expect(warnings.filter((w) => w.includes(honestId))).toEqual([]);
  }, 120_000);
});
