/**
 * The first-byte row of `npm run bench`: time to the first verified byte of a streamed file, v1
 * against v2 (BEP 52). One tab seeds the same file as a v1 and as a v2-only torrent with the same
 * piece length (4 MiB: a v1 stream waits for a whole piece and its SHA-1, a v2 one hands out each
 * 16 KiB block once its leaf hash proves it); for each measurement a fresh tab adds one of the two
 * magnet links and reads the first chunk of `files[0].stream()`. Times run from add() to that chunk
 * (the metadata's share, by ut_metadata, is given apart); the rounds alternate which version goes
 * first, and the figures are medians.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { PAGE_BYTES } from '../test/fixtures/page-bytes-path.js';
import { median } from './stats.js';

const MiB = 1024 * 1024;
export const FIRST_BYTE_PIECE = 4 * MiB;
const pageScript = fileURLToPath(new URL('./page.js', import.meta.url));

export type Version = 'v1' | 'v2';

export interface FirstByteSample {
  version: Version;
  round: number;
  /** From add(magnet) to the first chunk of the stream, and to the metadata (ms). */
  ms: number;
  metadataMs: number;
  /** The first chunk's size (bytes). */
  bytes: number;
}

export interface FirstByteResult {
  fileMiB: number;
  pieceLength: number;
  samples: FirstByteSample[];
  /** Medians per version. */
  medians: Partial<Record<Version, { ms: number; metadataMs: number; bytes: number }>>;
  error?: string;
}

/** Calls `bench.<fn>(...args)` in the page. */
function call<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate<T>(`bench.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
}

export async function firstByteBench(
  browser: Browser,
  libUrl: string,
  tracker: string,
  size: number,
  rounds: number,
  log: (line: string) => void,
): Promise<FirstByteResult> {
  const contexts: BrowserContext[] = [];
  const open = async (): Promise<{ page: Page; context: BrowserContext }> => {
    const context = await browser.newContext();
    contexts.push(context);
    await context.addInitScript({ path: PAGE_BYTES });
    await context.addInitScript({ path: pageScript });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(`${libUrl}/blank.html`);
    return { page, context };
  };
  const seed = 4242;
  const result: FirstByteResult = { fileMiB: size / MiB, pieceLength: FIRST_BYTE_PIECE, samples: [], medians: {} };
  try {
    const seeder = await open();
    const magnets = await call<Record<Version, string>>(seeder.page, 'tabswarmSeedVersions', tracker, size, seed, FIRST_BYTE_PIECE);
    for (let round = 1; round <= rounds; round++) {
      const order: Version[] = round % 2 === 1 ? ['v1', 'v2'] : ['v2', 'v1'];
      for (const version of order) {
        const leecher = await open();
        try {
          const got = await call<{ ms: number; metadataMs: number; bytes: number; right: boolean }>(
            leecher.page,
            'tabswarmFirstByte',
            tracker,
            magnets[version],
            seed,
          );
          if (!got.right) throw new Error(`${version}: the first chunk's bytes are not the file's`);
          result.samples.push({ version, round, ms: got.ms, metadataMs: got.metadataMs, bytes: got.bytes });
          log(
            `  round ${round}  ${version}  first byte ${got.ms.toFixed(0)} ms after add() (metadata at ${got.metadataMs.toFixed(0)} ms), first chunk ${(got.bytes / 1024).toFixed(0)} KiB`,
          );
        } finally {
          await call(leecher.page, 'tabswarmDestroy').catch(() => undefined);
          await leecher.context.close().catch(() => undefined);
          contexts.splice(contexts.indexOf(leecher.context), 1);
        }
      }
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined);
  }
  for (const version of ['v1', 'v2'] as const) {
    const of = result.samples.filter((s) => s.version === version);
    const ms = median(of.map((s) => s.ms));
    if (ms === undefined) continue;
    result.medians[version] = { ms, metadataMs: median(of.map((s) => s.metadataMs))!, bytes: median(of.map((s) => s.bytes))! };
  }
  return result;
}
