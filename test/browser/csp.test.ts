/**
 * The app's Content-Security-Policy: present in the built page, and nothing the app does trips it
 * (sharing a file, the share panel with its QR code, the settings dialog).
 */
import { describe, expect, it } from 'vitest';
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
    await page.goto(bed.app.url);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toMatch(/script-src 'self';/);
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).toMatch(/object-src 'none'/);
    // Share a file: hashing, storing, the torrent card, the share panel (QR code).
    await page.locator('input[type=file]:not([webkitdirectory])').first().setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, csp') });
    await page.getByText('hello.txt').first().waitFor({ timeout: 30_000 });
    const share = page.getByText('Share', { exact: true }).first();
    if (await share.isVisible()) await share.click();
    await page.getByRole('button', { name: /settings/i }).first().click();
    await page.waitForTimeout(500);
    // An inline script injected into the page is refused.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'globalThis.inlineRan = true';
      document.head.append(s);
    });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (globalThis as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    const violations = (await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations)) as string[];
    // The only violation is the one we provoked.
    expect(violations.filter((v) => !v.startsWith('script-src'))).toEqual([]);
    expect(violations.filter((v) => v.startsWith('script-src'))).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
