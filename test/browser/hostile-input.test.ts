/**
 * Bad input in the app: file names that carry markup, bidi overrides and control characters are
 * shown as text, never markup; malformed .torrent files and magnet links give a readable notice and
 * leave the app working.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { appTestBed } from './app-harness.js';

const HOSTILE_NAME = '<img src=x onerror="globalThis.pwned=1">\u202Etxt.exe';

describe('bad input in the app', () => {
  const bed = appTestBed();

  async function open(): Promise<Page> {
    const page = await (await bed.browser.newContext()).newPage();
    await page.goto(bed.app.url);
    await page.locator('tabswarm-app').waitFor();
    return page;
  }

  /** All text and all element names inside the app, through its shadow roots. */
  function appDom(page: Page): Promise<{ text: string; tags: string[] }> {
    return page.evaluate(() => {
      const tags: string[] = [];
      let text = '';
      const walk = (root: Node): void => {
        for (const n of Array.from(root.childNodes)) {
          if (n.nodeType === Node.TEXT_NODE) text += n.textContent ?? '';
          if (n instanceof Element) {
            tags.push(n.localName);
            if (n.shadowRoot) walk(n.shadowRoot);
            walk(n);
          }
        }
      };
      walk(document.body);
      return { text, tags };
    });
  }

  it('shows a file name with markup and a right-to-left override as text, never as markup', async () => {
    const page = await open();
    await page
      .locator('tabswarm-app')
      .locator('input#files')
      .setInputFiles({ name: HOSTILE_NAME, mimeType: 'text/plain', buffer: Buffer.from('x') });
    await expect.poll(async () => (await appDom(page)).text, { timeout: 30_000 }).toContain('<img src=x');
    const dom = await appDom(page);
    expect(dom.tags).not.toContain('img');
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.context().close();
  }, 60_000);

  for (const [label, bytes] of [
    ['not bencode at all', Buffer.from('this is not a torrent')],
    ['an info dictionary without pieces', Buffer.from('d4:infod6:lengthi5e4:name1:a12:piece lengthi16384eee')],
    ['truncated', Buffer.from('d8:announce3:abc4:infod6:lengthi5')],
  ] as const) {
    it(`a malformed .torrent (${label}) gives a readable notice and the app keeps working`, async () => {
      const page = await open();
      const before = (await appDom(page)).text;
      await page
        .locator('tabswarm-app')
        .locator('input#torrent-file')
        .setInputFiles({ name: 'bad.torrent', mimeType: 'application/x-bittorrent', buffer: bytes });
      await expect.poll(async () => (await appDom(page)).text.length, { timeout: 10_000 }).toBeGreaterThan(before.length);
      const notice = await page.evaluate(() => {
        const find = (root: Document | ShadowRoot): string => {
          const host = root.querySelector('ts-notices');
          if (host?.shadowRoot) return host.shadowRoot.textContent ?? '';
          for (const el of Array.from(root.querySelectorAll('*')))
            if (el.shadowRoot) {
              const t = find(el.shadowRoot);
              if (t) return t;
            }
          return '';
        };
        return find(document);
      });
      // What is wrong, and what to do.
      expect(notice).toMatch(/This \.torrent file cannot be opened/);
      expect(notice).toMatch(/Not a valid \.torrent file: \S/);
      expect(notice).toMatch(/Ask the sender/);
      // Still working: a real file is shared afterwards.
      await page
        .locator('tabswarm-app')
        .locator('input#files')
        .setInputFiles({ name: 'fine.txt', mimeType: 'text/plain', buffer: Buffer.from('fine') });
      await expect.poll(async () => (await appDom(page)).text, { timeout: 30_000 }).toContain('fine.txt');
      await page.context().close();
    }, 60_000);
  }
});
