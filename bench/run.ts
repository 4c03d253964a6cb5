/**
 * `npm run bench [-- --mib 64 --rounds 3 --swarm-mib 32 --leechers 4 --stream-mib 512
 *   --only tabswarm,webtorrent,raw,raw-store,tabswarm-from-webtorrent,relay,swarm,stream]`
 *
 * Real Chromium, real WebRTC, a real bittorrent-tracker server, inside the private network namespace.
 * 1. Transfers of one file between two fresh browser contexts, alternating in each round between
 *    tabswarm, WebTorrent 2.8.5 (its browser bundle), a raw data channel (the ceiling), the raw
 *    channel doing the work any client that keeps a verified copy must add (raw-store: the sender
 *    reads a File, the receiver hashes each piece with SHA-1 and writes it to IndexedDB), and a
 *    tabswarm leecher downloading from a WebTorrent seeder, and tabswarm to tabswarm through a TURN
 *    relay (relay: coturn started in the namespace, both tabs `iceTransportPolicy: 'relay'`; the bytes
 *    coturn relayed are read from its log).
 *    Throughput is the file size over the time from add(magnet) to done (for the raw channel: first
 *    byte to last; raw-store: first byte to the last piece stored); "first piece" is the time from
 *    add(magnet) to the first verified piece.
 * 2. One seeder and four leechers, for tabswarm and for WebTorrent: the seeder's upload divided by
 *    the file size (how much of the load the origin carried).
 * 3. Streaming (bench/stream.ts): a WebM of --stream-mib played from its share link in the app while
 *    it downloads, --rounds times: time to the first frame, from a seek to playing again (medians),
 *    and the page's peak heap while the first leecher downloads the whole file.
 * Prints a table and ends with one JSON line.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../test/browser/harness.js';
import { serveLibrary, startTracker, type LibServer } from '../test/browser/lib-harness.js';
import { streamBench, type StreamResult } from './stream.js';
import { median } from './stats.js';
import { defaultPieceLength } from '../src/core/create.js';
import { startTurnServer, type TurnServer } from '../test/browser/turn-server.js';
import { PAGE_BYTES } from '../test/fixtures/page-bytes-path.js';

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    'swarm-mib': { type: 'string', default: '32' },
    leechers: { type: 'string', default: '4' },
    'stream-mib': { type: 'string', default: '512' },
    only: { type: 'string', default: 'tabswarm,webtorrent,raw,raw-store,tabswarm-from-webtorrent,relay,swarm,stream' },
  },
});
const size = Math.round(Number(values.mib) * MiB);
const rounds = Number(values.rounds);
const swarmSize = Math.round(Number(values['swarm-mib']) * MiB);
const leecherCount = Number(values.leechers);
const streamMiB = Number(values['stream-mib']);
const only = new Set(values.only.split(','));
for (const [name, v] of [
  ['mib', size],
  ['rounds', rounds],
  ['swarm-mib', swarmSize],
  ['leechers', leecherCount],
  ['stream-mib', streamMiB],
] as const) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
}

type Kind = 'tabswarm' | 'webtorrent' | 'raw' | 'raw-store' | 'tabswarm-from-webtorrent' | 'relay';
const KINDS: Kind[] = (['tabswarm', 'webtorrent', 'raw', 'raw-store', 'tabswarm-from-webtorrent', 'relay'] as const).filter((k) => only.has(k));
/** Who seeds and who downloads in a transfer of each kind (the raw channel: neither). */
const ROLES: Record<Exclude<Kind, 'raw' | 'raw-store'>, { seed: 'tabswarm' | 'webtorrent'; get: 'tabswarm' | 'webtorrent' }> = {
  tabswarm: { seed: 'tabswarm', get: 'tabswarm' },
  webtorrent: { seed: 'webtorrent', get: 'webtorrent' },
  'tabswarm-from-webtorrent': { seed: 'webtorrent', get: 'tabswarm' },
  relay: { seed: 'tabswarm', get: 'tabswarm' },
};
const RUN_TIMEOUT = 300_000;

interface Transfer {
  kind: Kind;
  round: number;
  mibps?: number;
  firstPieceMs?: number;
  /** The relay row: bytes coturn sent to peers during the transfer, over the file size. */
  relayed?: number;
  error?: string;
}

const pageScript = fileURLToPath(new URL('./page.js', import.meta.url));
const webtorrentBundle = createRequire(import.meta.url).resolve('webtorrent/dist/webtorrent.min.js');

/** Calls `bench.<fn>(...args)` in the page (a string: nothing of this file's compiled code goes in). */
function call<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate<T>(`bench.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

class Pages {
  private contexts: BrowserContext[] = [];
  constructor(
    private readonly browser: Browser,
    private readonly lib: LibServer,
  ) {}
  /** A page in a fresh context (its own IndexedDB and OPFS). */
  async open(): Promise<Page> {
    const context = await this.browser.newContext();
    this.contexts.push(context);
    await context.addInitScript({ path: PAGE_BYTES });
    await context.addInitScript({ path: pageScript });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(`${this.lib.url}/blank.html`);
    return page;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  }
}

async function transfer(pages: Pages, tracker: string, kind: Kind, seed: number, turn: TurnServer | undefined): Promise<Omit<Transfer, 'kind' | 'round'>> {
  const a = await pages.open();
  const b = await pages.open();
  if (kind === 'relay') {
    if (!turn) throw new Error('no TURN server');
    const rtcConfig = { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' };
    for (const page of [a, b]) await page.evaluate(`bench.rtcConfig = ${JSON.stringify(rtcConfig)}`);
  }
  const relayedBefore = turn?.usage().sentToPeers ?? 0;
  if (kind === 'raw' || kind === 'raw-store') {
    const offer = await call<string>(a, 'rawOffer');
    const answer = await call<string>(b, 'rawAnswer', offer);
    await call(a, 'rawAccept', answer);
    if (kind === 'raw') {
      await call(b, 'rawArm', size);
      await call(a, 'rawSend', size);
    } else {
      await call(b, 'rawArmStore', size, defaultPieceLength(size));
      await call(a, 'rawSendFile', size, seed);
    }
    const ms = await b.evaluate<number>('bench.rawDone');
    return { mibps: size / MiB / (ms / 1000) };
  }
  const expected = await a.evaluate(`bench.digest(bench.makeData(${size}, ${seed}))`);
  const roles = ROLES[kind];
  const magnet = await call<string>(a, `${roles.seed}Seed`, tracker, size, seed);
  const got = await call<{ ms: number; firstPieceMs?: number; sha256: string }>(b, `${roles.get}Get`, tracker, magnet);
  if (got.sha256 !== expected) throw new Error('the downloaded bytes differ from the seeded ones');
  const result = { mibps: size / MiB / (got.ms / 1000), firstPieceMs: got.firstPieceMs };
  if (kind !== 'relay' || !turn) return result;
  const connections = await call<(string | undefined)[]>(b, 'tabswarmConnections');
  if (!connections.every((c) => c === 'relay')) throw new Error(`the connections were not relayed: ${JSON.stringify(connections)}`);
  // Closing the connections releases the allocations: coturn logs their last counters.
  await Promise.all([call(a, 'tabswarmDestroy'), call(b, 'tabswarmDestroy')]);
  if (!(await turn.waitForSessionsClosed(15_000))) throw new Error('coturn did not log the end of every allocation within 15 s');
  return { ...result, relayed: (turn.usage().sentToPeers - relayedBefore) / size };
}

interface SwarmResult {
  kind: Kind;
  seederUpload?: number;
  seconds?: number;
  error?: string;
}

async function swarm(pages: Pages, tracker: string, kind: 'tabswarm' | 'webtorrent', seed: number): Promise<SwarmResult> {
  const seeder = await pages.open();
  const leechers = await Promise.all(Array.from({ length: leecherCount }, () => pages.open()));
  const expected = await seeder.evaluate(`bench.digest(bench.makeData(${swarmSize}, ${seed}))`);
  const magnet = await call<string>(seeder, `${kind}Seed`, tracker, swarmSize, seed);
  const t0 = Date.now();
  const results = await Promise.all(leechers.map((l) => call<{ sha256: string }>(l, `${kind}Get`, tracker, magnet)));
  const seconds = (Date.now() - t0) / 1000;
  if (results.some((r) => r.sha256 !== expected)) throw new Error('a leecher got bytes that differ from the seeded ones');
  const uploaded = await call<number>(seeder, `${kind}Uploaded`);
  return { kind, seederUpload: uploaded / swarmSize, seconds };
}

const fmt = (x: number | undefined, digits = 1): string => (x === undefined ? '—' : x.toFixed(digits));
const round3 = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 1000) / 1000);

const [browser, lib, tracker] = await Promise.all([launchChromium(), serveLibrary({ '/webtorrent.min.js': webtorrentBundle }), startTracker()]);
const pages = new Pages(browser, lib);
// The relay row's TURN server; without coturn that row fails, saying why, and the others run.
let turn: TurnServer | undefined;
let turnError: string | undefined;
if (KINDS.includes('relay')) {
  try {
    turn = await startTurnServer();
  } catch (e) {
    turnError = e instanceof Error ? e.message : String(e);
  }
}
const transfers: Transfer[] = [];
const swarms: SwarmResult[] = [];
let stream: StreamResult | undefined;
try {
  console.log(`transfers of ${size / MiB} MiB between two Chromium contexts, ${rounds} rounds, alternating ${KINDS.join(' / ')}`);
  for (let round = 1; round <= rounds; round++) {
    for (const kind of KINDS) {
      let result: Transfer;
      try {
        if (kind === 'relay' && turnError) throw new Error(turnError);
        result = { kind, round, ...(await withTimeout(transfer(pages, tracker.url, kind, 1000 * round + KINDS.indexOf(kind), turn), RUN_TIMEOUT, kind)) };
      } catch (e) {
        result = { kind, round, error: e instanceof Error ? e.message : String(e) };
      } finally {
        await pages.closeAll();
      }
      transfers.push(result);
      console.log(
        `  round ${round}  ${kind.padEnd(24)}  ${result.error ? `failed: ${result.error}` : `${fmt(result.mibps)} MiB/s` + (result.firstPieceMs !== undefined ? `, first piece ${fmt(result.firstPieceMs, 0)} ms` : '') + (result.relayed !== undefined ? `, coturn relayed ${fmt(result.relayed, 2)} × the file` : '')}`,
      );
    }
  }
  if (only.has('swarm')) {
    console.log(`one seeder and ${leecherCount} leechers, ${swarmSize / MiB} MiB`);
    for (const kind of ['tabswarm', 'webtorrent'] as const) {
      let result: SwarmResult;
      try {
        result = await withTimeout(swarm(pages, tracker.url, kind, 77), RUN_TIMEOUT, `${kind} swarm`);
      } catch (e) {
        result = { kind, error: e instanceof Error ? e.message : String(e) };
      } finally {
        await pages.closeAll();
      }
      swarms.push(result);
      console.log(
        `  ${kind.padEnd(10)}  ${result.error ? `failed: ${result.error}` : `seeder upload ${fmt(result.seederUpload, 2)} × file size, all done in ${fmt(result.seconds)} s`}`,
      );
    }
  }
  if (only.has('stream')) {
    console.log(`streaming a ${streamMiB} MiB WebM from its share link in the app (recording, seeding and hashing it first)`);
    stream = await streamBench(browser, tracker.url, streamMiB, rounds);
    stream.rounds.forEach((r, i) =>
      console.log(
        `  round ${i + 1}  first frame ${fmt(r.firstFrameMs, 0)} ms after opening the link (Play pressed at ${fmt(r.playClickedMs, 0)} ms; ${r.progressAtFirstFrame} % downloaded), ` +
          `seek to 3/4 playing again in ${fmt(r.seekMs, 0)} ms (${r.progressAtSeek} % downloaded)`,
      ),
    );
    if (stream.error) console.log(`  failed: ${stream.error}`);
    if (stream.downloadSeconds !== undefined) {
      console.log(
        `  round 1: all ${fmt(stream.fileMiB, 0)} MiB downloaded while playing in ${fmt(stream.downloadSeconds)} s; page heap at most ${fmt(stream.peakRetainedMiB)} MiB held ` +
          `(after a forced GC, array buffers included); ${fmt(stream.peakHeapWithBuffersMiB)} MiB with uncollected garbage; V8 heap alone ${fmt(stream.peakHeapMiB)} MiB`,
      );
    }
  }
} finally {
  await browser.close();
  await lib.close();
  await tracker.close();
  await turn?.close();
}

const med = (kind: Kind, key: 'mibps' | 'firstPieceMs' | 'relayed'): number | undefined =>
  median(transfers.filter((t) => t.kind === kind && t[key] !== undefined).map((t) => t[key]!));
const ts = med('tabswarm', 'mibps');
const wt = med('webtorrent', 'mibps');
const raw = med('raw', 'mibps');
const rawStore = med('raw-store', 'mibps');
const firstPiece = med('tabswarm', 'firstPieceMs');
const vsWebTorrent = ts !== undefined && wt !== undefined ? ts / wt : undefined;
const vsRaw = ts !== undefined && raw !== undefined ? ts / raw : undefined;
const vsRawStore = ts !== undefined && rawStore !== undefined ? ts / rawStore : undefined;
const rawStoreVsRaw = rawStore !== undefined && raw !== undefined ? rawStore / raw : undefined;
const seederUpload = swarms.find((s) => s.kind === 'tabswarm')?.seederUpload;

console.log('');
console.log('| client                   | MiB/s (median) | first piece (ms) | seeder upload / file, 1+4 |');
console.log('|--------------------------|----------------|------------------|---------------------------|');
for (const kind of KINDS) {
  const s = swarms.find((x) => x.kind === kind);
  console.log(
    `| ${kind.padEnd(24)} | ${fmt(med(kind, 'mibps')).padStart(14)} | ${fmt(med(kind, 'firstPieceMs'), 0).padStart(16)} | ${fmt(s?.seederUpload, 2).padStart(25)} |`,
  );
}
console.log(
  `tabswarm / WebTorrent ${fmt(vsWebTorrent, 2)} (target ≥ 1.25); tabswarm / raw ${fmt(vsRaw, 2)} (target ≥ 0.90); ` +
    `seeder upload ${fmt(seederUpload, 2)} (target ≤ 1.5); first piece ${fmt(firstPiece, 0)} ms (target ≤ 1000)`,
);
if (rawStore !== undefined) {
  console.log(
    `the raw channel with the file read, hashed and stored (raw-store) runs at ${fmt(rawStoreVsRaw, 2)} × the raw channel; tabswarm at ${fmt(vsRawStore, 2)} × raw-store`,
  );
}
if (KINDS.includes('relay')) {
  const relay = med('relay', 'mibps');
  console.log(
    `through the local TURN relay (coturn, relay only): ${fmt(relay)} MiB/s, ${fmt(relay !== undefined && ts !== undefined ? relay / ts : undefined, 2)} × direct tabswarm; ` +
      `coturn sent ${fmt(med('relay', 'relayed'), 2)} × the file to peers (median)`,
  );
}
if (stream && stream.rounds.length > 0) {
  console.log(
    `streaming ${fmt(stream.fileMiB, 0)} MiB, medians of ${stream.rounds.length}: first frame ${fmt(stream.firstFrameMs, 0)} ms (target ≤ 1500); seek ${fmt(stream.seekMs, 0)} ms (target ≤ 1000); ` +
      `peak heap held (after GC, array buffers included) ${fmt(stream.peakRetainedMiB)} MiB (target: about 64 MiB at most); before GC ${fmt(stream.peakHeapWithBuffersMiB)} MiB`,
  );
}
console.log(
  JSON.stringify({
    fileMiB: size / MiB,
    rounds,
    tabswarmMiBps: round3(ts),
    webtorrentMiBps: round3(wt),
    rawMiBps: round3(raw),
    rawStoreMiBps: round3(rawStore),
    rawStoreVsRaw: round3(rawStoreVsRaw),
    tabswarmVsRawStore: round3(vsRawStore),
    tabswarmVsWebTorrent: round3(vsWebTorrent),
    tabswarmVsRaw: round3(vsRaw),
    firstPieceMs: round3(firstPiece),
    webtorrentFirstPieceMs: round3(med('webtorrent', 'firstPieceMs')),
    tabswarmFromWebTorrentMiBps: round3(med('tabswarm-from-webtorrent', 'mibps')),
    relayMiBps: round3(med('relay', 'mibps')),
    relayFirstPieceMs: round3(med('relay', 'firstPieceMs')),
    relayedPerFile: round3(med('relay', 'relayed')),
    swarm: Object.fromEntries(swarms.map((s) => [s.kind, { seederUpload: round3(s.seederUpload), seconds: round3(s.seconds), error: s.error }])),
    stream: stream && {
      fileMiB: round3(stream.fileMiB),
      videoSeconds: round3(stream.videoSeconds),
      firstFrameMs: round3(stream.firstFrameMs),
      playClickedMs: round3(stream.playClickedMs),
      seekMs: round3(stream.seekMs),
      downloadSeconds: round3(stream.downloadSeconds),
      peakHeapMiB: round3(stream.peakHeapMiB),
      peakHeapWithBuffersMiB: round3(stream.peakHeapWithBuffersMiB),
      peakRetainedMiB: round3(stream.peakRetainedMiB),
      error: stream.error,
    },
    failures: transfers.filter((t) => t.error).map((t) => `${t.kind} round ${t.round}: ${t.error}`),
    targets: {
      vsWebTorrent: vsWebTorrent !== undefined && vsWebTorrent >= 1.25,
      vsRaw: vsRaw !== undefined && vsRaw >= 0.9,
      seederUpload: seederUpload !== undefined && seederUpload <= 1.5,
      firstPiece: firstPiece !== undefined && firstPiece <= 1000,
      firstFrame: stream?.firstFrameMs !== undefined ? stream.firstFrameMs <= 1500 : null,
      seek: stream?.seekMs !== undefined ? stream.seekMs <= 1000 : null,
      streamMemory: stream?.peakRetainedMiB !== undefined ? stream.peakRetainedMiB <= 64 : null,
    },
  }),
);
