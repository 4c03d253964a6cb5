import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, serveApp } from './harness.js';

describe('the app in Chromium', () => {
  let browser: Browser;
  let app: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    [browser, app] = await Promise.all([launchChromium(), serveApp()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('loads the built page and renders the app shell without errors', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(app.url);
    await expect(page.locator('tabswarm-app h1').textContent()).resolves.toBe('tabswarm');
    expect(await page.evaluate(() => customElements.get('tabswarm-app') !== undefined)).toBe(true);
    expect(errors).toEqual([]);
  });
});
