/**
 * The app's Content-Security-Policy: present in the built page, and nothing the app does trips it
 * (sharing a file, the share panel with its QR code, the settings dialog). The server sends it too,
 * with frame-ancestors 'none' (which a meta element cannot set): no other page can frame the app.
 */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appTestBed } from './app-harness.js';

describe('Content-Security-Policy', () => {
  const bed = appTestBed();

  it('is set, allows no inline or foreign script, and the app runs without a violation', async () => {
    const context = await bed.browser.newContext();
    await context.addInitScript({
      content: `globalThis.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => globalThis.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(bed.app.url);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    // The server sends the same policy as a header, with what only a header can set.
    expect(response?.headers()['content-security-policy']).toBe(`${policy}; frame-ancestors 'none'`);
    expect(policy).toMatch(/script-src 'self';/);
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).toMatch(/object-src 'none'/);
    // Share a file: hashing, storing, the torrent card, the share panel (QR code).
    await page
      .locator('input[type=file]:not([webkitdirectory])')
      .first()
      .setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, csp') });
    await page.getByText('hello.txt').first().waitFor({ timeout: 30_000 });
    const share = page.getByText('Share', { exact: true }).first();
    if (await share.isVisible()) await share.click();
    await page
      .getByRole('button', { name: /settings/i })
      .first()
      .click();
    await page.waitForTimeout(500);
    // An inline script injected into the page is refused.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'globalThis.inlineRan = true';
      document.head.append(s);
    });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (globalThis as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    const violations = await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);
    // The only violation is the one we provoked, reported by each of the two policies (header and meta element).
    expect(violations.filter((v) => !v.startsWith('script-src'))).toEqual([]);
    expect(violations.filter((v) => v.startsWith('script-src'))).toHaveLength(2);
    expect(new Set(violations)).toEqual(new Set(['script-src-elem inline']));
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it("another origin cannot frame the app or the Embed example (the server's frame-ancestors 'none')", async () => {
    const targets = [bed.app.url, new URL('embed.html', bed.app.url).href];
    // A stranger's page on another origin (another port of 127.0.0.1: a cross-origin framer that
    // Chromium's private network rules let frame a loopback page, so only the app's policy can refuse).
    const framer = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(targets.map((src) => `<iframe src="${src}" onload="this.dataset.loaded = 1"></iframe>`).join(''));
    });
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', r));
    const context = await bed.browser.newContext();
    try {
      const page = await context.newPage();
      const refusals: string[] = [];
      page.on('console', (m) => {
        if (/frame-ancestors/.test(m.text())) refusals.push(m.text());
      });
      await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.dataset['loaded']), undefined, { timeout: 15_000 });
      const children = page.frames().filter((f) => f !== page.mainFrame());
      expect(children).toHaveLength(2);
      for (const frame of children) expect(frame.url()).toBe('chrome-error://chromewebdata/');
      expect(refusals).toHaveLength(2);
      // The app itself, opened directly, still runs.
      const direct = await context.newPage();
      await direct.goto(bed.app.url);
      await direct.locator('tabswarm-app h1').waitFor();
    } finally {
      await context.close();
      await new Promise((r) => framer.close(r));
    }
  }, 60_000);
});
