/**
 * Relayed connections with a real TURN server: coturn, started by each test inside the private
 * network namespace on 10.213.0.1 with credentials of its own (test/browser/turn-server.ts); no other
 * ICE server is ever given. Its log's counters prove that the bytes went through the relay.
 *
 * - the library, two tabs allowed only relayed connections (`iceTransportPolicy: 'relay'`);
 * - the app, configured only through config.json (the operator's iceServers and policy);
 * - `<tab-swarm>`, configured with `configureTabSwarm({ rtcConfig })`;
 * - a tab allowed only relayed connections but given no TURN server, against a normal peer: both
 *   say within seconds that the peer could not be reached, and the app counts it and says what to
 *   configure;
 * - and, for contrast, two tabs with no ICE server at all: direct.
 *
 * `scripts/in-netns.sh npx vitest run test/browser/relay.test.ts`; coturn comes from
 * `node scripts/ensure-deps.mjs --browser` (npm test's pretest), and without it the tests fail saying so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { libTestBed } from './lib-test-bed.js';
import { serveApp } from './harness.js';
import { serveElement } from './element-harness.js';
import { makeData, openAppPage, progressOf, runAxe } from './app-harness.js';
import { Tab } from './tab.js';
import { startTurnServer, type TurnServer } from './turn-server.js';
import { turnCredentials } from '../../scripts/turn-credentials.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const mib = (n: number): string => (n / MiB).toFixed(2);

describe('relayed connections (coturn in the namespace)', () => {
  const bed = libTestBed();
  const tabs: Tab[] = [];
  const contexts: BrowserContext[] = [];
  const cleanup: (() => Promise<void>)[] = [];

  async function turnServer(): Promise<TurnServer> {
    const turn = await startTurnServer();
    cleanup.push(() => turn.close());
    return turn;
  }

  async function tab(clientOptions?: object): Promise<Tab> {
    const t = await Tab.open(bed.browser, bed.lib, undefined, clientOptions);
    tabs.push(t);
    return t;
  }

  async function app(config: Record<string, unknown>): Promise<{ url: string }> {
    const served = await serveApp({ announce: [bed.tracker.url], config });
    cleanup.push(() => served.close());
    return served;
  }

  afterEach(async () => {
    for (const t of tabs.splice(0)) await t.close().catch(() => {});
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('two tabs allowed only relayed connections move a file through the TURN server: identical bytes, both peers say relay, and coturn relayed at least the whole file', async () => {
    const turn = await turnServer();
    const rtcConfig = { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' };
    const seeder = await tab({ rtcConfig });
    const leecher = await tab({ rtcConfig });
    const size = 6 * MiB + 4321;
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, size, 21);
    const started = Date.now();
    await leecher.add(bed.tracker.url, magnet);
    await leecher.waitFor((s) => s.done, 120_000, 'the relayed download');
    const seconds = (Date.now() - started) / 1000;
    expect(await leecher.fileSha256()).toBe(sha256);
    await expect.poll(() => leecher.peers()).toEqual([{ id: expect.any(String), connection: 'relay' }]);
    await expect.poll(() => seeder.peers()).toEqual([{ id: expect.any(String), connection: 'relay' }]);

    // Closing the connections releases the allocations: coturn logs their last counters.
    await leecher.destroyClient();
    await seeder.destroyClient();
    expect(await turn.waitForSessionsClosed(20_000)).toBe(true);
    const usage = turn.usage();
    console.log(
      `${mib(size)} MiB through the relay in ${seconds.toFixed(1)} s (${(size / MiB / seconds).toFixed(1)} MiB/s): coturn sent ${usage.sentToPeers} bytes ` +
        `(${mib(usage.sentToPeers)} MiB) and received ${usage.receivedFromPeers} bytes to and from peers over ${usage.sessions} allocations`,
    );
    expect(usage.sessions).toBeGreaterThanOrEqual(2);
    expect(usage.sentToPeers).toBeGreaterThanOrEqual(size);
    expect(usage.receivedFromPeers).toBeGreaterThanOrEqual(size);
  }, 180_000);

  it('short-lived credentials made from the TURN server shared secret (npm start --turn-secret) relay a transfer; expired ones are refused', async () => {
    const secret = 'shared-secret-of-this-test';
    const turn = await startTurnServer({ secret });
    cleanup.push(() => turn.close());
    const url = turn.iceServer.urls;
    // Expired an hour ago: coturn refuses the allocation, so a relay-only tab cannot connect.
    const expired = turnCredentials({ secret, ttlSeconds: -3600 });
    const stale = await tab({
      rtcConfig: { iceServers: [{ urls: url, username: expired.username, credential: expired.credential }], iceTransportPolicy: 'relay' },
    });
    const fresh = turnCredentials({ secret });
    const rtcConfig = { iceServers: [{ urls: url, username: fresh.username, credential: fresh.credential }], iceTransportPolicy: 'relay' };
    const seeder = await tab({ rtcConfig });
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, 2 * MiB, 24);
    await stale.add(bed.tracker.url, magnet);
    await expect.poll(async () => stale.failedConnections(), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    expect((await stale.status()).progress).toBe(0);

    const leecher = await tab({ rtcConfig });
    await leecher.add(bed.tracker.url, magnet);
    await leecher.waitFor((st) => st.done, 120_000, 'the download relayed with short-lived credentials');
    expect(await leecher.fileSha256()).toBe(sha256);
    await expect.poll(() => leecher.peers()).toEqual([{ id: expect.any(String), connection: 'relay' }]);
    await leecher.destroyClient();
    await seeder.destroyClient();
    await stale.destroyClient();
    expect(await turn.waitForSessionsClosed(20_000)).toBe(true);
    expect(turn.usage().sentToPeers).toBeGreaterThanOrEqual(2 * MiB);
  }, 180_000);

  it('two tabs with no ICE server connect directly, and say so; the TURN server there carries nothing', async () => {
    const turn = await turnServer();
    const seeder = await tab();
    const leecher = await tab();
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, 1 * MiB, 22);
    await leecher.add(bed.tracker.url, magnet);
    await leecher.waitFor((s) => s.done, 60_000, 'the direct download');
    expect(await leecher.fileSha256()).toBe(sha256);
    await expect.poll(() => leecher.peers()).toEqual([{ id: expect.any(String), connection: 'direct' }]);
    await expect.poll(() => seeder.peers()).toEqual([{ id: expect.any(String), connection: 'direct' }]);
    expect(turn.usage()).toEqual({ sessions: 0, closed: 0, sentToPeers: 0, receivedFromPeers: 0 });
  }, 90_000);

  it('the app configured only through config.json (a TURN server, relay only) shares and downloads through the relay, and its peer table says Relayed', async () => {
    const turn = await turnServer();
    const served = await app({ iceServers: [turn.iceServer], iceTransportPolicy: 'relay' });
    const data = makeData(4 * MiB + 777, 5);
    const seeder = await openAppPage(bed.browser, served.url, contexts);
    await seeder.page.locator('ts-add-panel input#files').setInputFiles([{ name: 'relayed.bin', mimeType: 'application/octet-stream', buffer: data }]);
    const linkBox = seeder.page.getByRole('textbox', { name: 'Share link', exact: true });
    await linkBox.waitFor({ timeout: 30_000 });
    const link = await linkBox.inputValue();
    await expect.poll(() => progressOf(seeder.page, 'relayed.bin')).toBe(100);

    const leecher = await openAppPage(bed.browser, served.url, contexts, { hash: link.slice(served.url.length) });
    await leecher.page.getByRole('heading', { name: 'relayed.bin' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => progressOf(leecher.page, 'relayed.bin'), { timeout: 90_000 }).toBe(100);
    const [download] = await Promise.all([leecher.page.waitForEvent('download'), leecher.page.getByRole('button', { name: 'Save', exact: true }).click()]);
    expect(Buffer.compare(readFileSync(await download.path()), data)).toBe(0);

    // The peer table says how the connection goes.
    for (const p of [leecher, seeder]) {
      await p.page.locator('ts-torrent-card summary', { hasText: 'Peers' }).click();
      await p.page.locator('ts-peer-table td', { hasText: 'Relayed' }).waitFor({ timeout: 10_000 });
    }
    expect(await leecher.page.locator('ts-torrent-card dt', { hasText: 'Failed connections' }).count()).toBe(0);

    // Removing the torrents (data kept) closes the connections: coturn logs the last counters.
    for (const p of [leecher, seeder]) {
      await p.page.getByRole('button', { name: 'Remove', exact: true }).click();
      await p.page
        .getByRole('dialog', { name: /^Remove/ })
        .getByRole('button', { name: 'Remove', exact: true })
        .click();
    }
    expect(await turn.waitForSessionsClosed(20_000)).toBe(true);
    const usage = turn.usage();
    console.log(
      `app, ${mib(data.length)} MiB: coturn sent ${usage.sentToPeers} bytes (${mib(usage.sentToPeers)} MiB) to peers over ${usage.sessions} allocations`,
    );
    expect(usage.sentToPeers).toBeGreaterThanOrEqual(data.length);
    for (const p of [seeder, leecher]) expect(p.errors).toEqual([]);
  }, 180_000);

  it('<tab-swarm> configured with configureTabSwarm({ rtcConfig }) downloads through the relay: identical bytes, its peer says relay', async () => {
    const turn = await turnServer();
    const rtcConfig = { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' };
    const seeder = await tab({ rtcConfig });
    const size = 2 * MiB + 99;
    const { magnet, sha256 } = await seeder.seed(bed.tracker.url, size, 24, 'notes.bin');
    const server = await serveElement();
    cleanup.push(() => server.close());
    server.put(
      '/page.html',
      `<!doctype html><meta charset="utf-8"><title>relay</title><script type="module">
        import { configureTabSwarm, tabSwarmClient } from '/tabswarm-element.js';
        configureTabSwarm({ rtcConfig: ${JSON.stringify(rtcConfig)} });
        globalThis.client = tabSwarmClient();
        const element = document.createElement('tab-swarm');
        element.setAttribute('src', ${JSON.stringify(magnet)});
        element.addEventListener('tabswarm-done', () => (globalThis.done = true));
        document.body.append(element);
      </script>`,
    );
    const context = await bed.browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/page.html`);
    await page.waitForFunction('globalThis.done === true', undefined, { timeout: 60_000 });
    await expect.poll(() => page.evaluate<(string | undefined)[]>('globalThis.client.torrents[0].peers().map((p) => p.connection)')).toEqual(['relay']);
    const digest = await page.evaluate<string>(`(async () => {
      const blob = await globalThis.client.torrents[0].files[0].blob();
      const hash = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
      return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');
    })()`);
    expect(digest).toBe(sha256);
    await page.evaluate('globalThis.client.destroy()');
    await seeder.destroyClient();
    expect(await turn.waitForSessionsClosed(20_000)).toBe(true);
    expect(turn.usage().sentToPeers).toBeGreaterThanOrEqual(size);
  }, 120_000);

  it('a tab allowed only relayed connections without a TURN server cannot reach a normal peer: both say so within seconds, and the app counts it and says what to configure', async () => {
    const stranded = await tab({ rtcConfig: { iceServers: [], iceTransportPolicy: 'relay' } });
    const { magnet } = await stranded.seed(bed.tracker.url, 1 * MiB, 23);
    const served = await app({});
    const started = Date.now();
    const normal = await openAppPage(bed.browser, served.url, contexts, { hash: `#${magnet}` });
    await normal.page.getByRole('heading', { name: 'big.bin' }).waitFor({ timeout: 20_000 });

    // The app: a count on the torrent's card, and one line on what to configure.
    const failed = normal.page.locator('ts-torrent-card div.failed dd');
    await failed.waitFor({ timeout: 20_000 });
    const appSeconds = (Date.now() - started) / 1000;
    expect(Number(await failed.textContent())).toBeGreaterThanOrEqual(1);
    const hint = normal.page.locator('ts-torrent-card p.unreachable');
    expect(await hint.textContent()).toContain('A TURN server relays such connections: add one in Settings, or ask the operator of this site for one.');
    expect(
      await normal.page.locator('ts-activity-log li', { hasText: 'big.bin: a peer could not be reached: the peer sent no address to connect to' }).count(),
    ).toBeGreaterThan(0);
    expect(await runAxe(normal.page)).toEqual([]);
    // Nothing hangs: the page answers, its button opens Settings, and nothing was downloaded.
    await hint.getByRole('button', { name: 'Open settings' }).click();
    await normal.page.getByRole('dialog', { name: 'Settings' }).waitFor();
    expect(await progressOf(normal.page, 'big.bin')).toBe(0);

    // The stranded tab says it in plain words, and counts it.
    const expected = 'a peer could not be reached: only relayed connections are allowed here, and no TURN server is configured';
    await expect.poll(async () => (await stranded.warnings()).warnings.map((w) => w.message), { timeout: 20_000 }).toContain(expected);
    expect(await stranded.failedConnections()).toBeGreaterThanOrEqual(1);
    expect((await stranded.status()).peers).toBe(0);
    console.log(`unreachable peer: the app showed the count ${appSeconds.toFixed(1)} s after opening the link`);
    expect(appSeconds).toBeLessThan(20);
    expect(normal.errors).toEqual([]);
  }, 120_000);
});
