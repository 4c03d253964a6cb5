/**
 * The app server `npm start` runs (scripts/app-server.mjs, on a free port, building into a temporary
 * folder): its pages come with the security headers a meta element cannot give (frame-ancestors), and
 * the service worker, the element and config.json are still served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppServer } from '../../scripts/app-server.mjs';
import { iceServersFromFlags } from '../../scripts/ice-flags.mjs';
import { HOSTNAME } from '../fixtures/host-template.js';

/** What the start command passes for `--turn` with the page's host name as a template, `--turn-user u --turn-credential p`. */
const ICE = iceServersFromFlags({ turn: [`turn:${HOSTNAME}:3478`], turnUser: 'u', turnCredential: 'p' });

/** The policy of a page's `<meta http-equiv="Content-Security-Policy">`. */
function metaPolicy(html: string): string {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (!m) throw new Error('no Content-Security-Policy meta element');
  return m[1]!;
}

describe('the app server of npm start', () => {
  let app: Awaited<ReturnType<typeof startAppServer>>;
  let outDir: string;
  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'tabswarm-start-'));
    app = await startAppServer({ port: 0, host: '127.0.0.1', trackerPort: 8000, iceServers: ICE, iceTransportPolicy: 'relay', outDir, logLevel: 'silent' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("sends the app's Content-Security-Policy with frame-ancestors 'none', nosniff and no-referrer on its pages", async () => {
    const appPolicy = metaPolicy(readFileSync('index.html', 'utf8'));
    for (const path of ['/', '/index.html', '/some/deep/link?magnet=x']) {
      const res = await fetch(new URL(path, app.url));
      const html = await res.text();
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(metaPolicy(html), path).toBe(appPolicy);
      expect(res.headers.get('content-security-policy'), path).toBe(`${appPolicy}; frame-ancestors 'none'`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('serves the Embed example, the element, the service worker and config.json (with the ICE servers it was given), with the same headers', async () => {
    const embed = await fetch(new URL('/embed.html', app.url));
    expect(embed.status).toBe(200);
    const html = await embed.text();
    expect(html).toContain('<tab-swarm');
    // Its own meta policy is the app's but for frame-src: enforced together, neither takes from the other what it needs.
    expect(metaPolicy(html).replace(/ frame-src [^;]*;/, '')).toBe(metaPolicy(readFileSync('index.html', 'utf8')).replace(/ frame-src [^;]*;/, ''));
    expect(embed.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    for (const [path, type] of [
      ['/tabswarm-sw.js', /javascript/],
      ['/tabswarm-element.js', /javascript/],
      ['/embed.js', /javascript/],
    ] as const) {
      const res = await fetch(new URL(path, app.url));
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect((await res.text()).length, path).toBeGreaterThan(100);
    }
    const config = await fetch(new URL('/config.json', app.url));
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toMatch(/^application\/json/);
    expect(config.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await config.json()).toEqual({
      announce: ['ws://127.0.0.1:8000'],
      iceServers: [{ urls: [`turn:${HOSTNAME}:3478`], username: 'u', credential: 'p' }],
      iceTransportPolicy: 'relay',
    });
  });
});
