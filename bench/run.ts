/**
 * `npm run bench [-- --mib 64 --rounds 3 --swarm-mib 32 --leechers 4 --stream-mib 512 --swarms tabswarm,webtorrent3,webtorrent,mixed
 *   --only tabswarm,webtorrent3,webtorrent,raw,raw-store,tabswarm-from-webtorrent,relay,
 *          firefox-tabswarm,firefox-webtorrent3,chromium-firefox-tabswarm,chromium-firefox-webtorrent3,swarm,stream,first-byte
 *   --timeline]`
 *
 * Real Chromium and Firefox, real WebRTC, a real bittorrent-tracker server, inside the private network
 * namespace (TABSWARM_BROWSERS=chromium leaves the Firefox rows out).
 * 1. Transfers of one file between two fresh browser contexts, alternating in each round between
 *    tabswarm, WebTorrent 3.0.21 (the yardstick) and 2.8.5 (their browser bundles), the same in
 *    Firefox (Firefox→Firefox, Chromium→Firefox: tabswarm and WebTorrent 3.0.21), a raw data channel (the ceiling), the raw
 *    channel doing the work any client that keeps a verified copy must add (raw-store: the sender
 *    reads a File, the receiver hashes each piece with SHA-1 and writes it to IndexedDB), and a
 *    tabswarm leecher downloading from a WebTorrent seeder, and tabswarm to tabswarm through a TURN
 *    relay (relay: coturn started in the namespace, both tabs `iceTransportPolicy: 'relay'`; the bytes
 *    coturn relayed are read from its log).
 *    Throughput is the file size over the time from add(magnet) to done (for the raw channel: first
 *    byte to last; raw-store: first byte to the last piece stored); "first piece" is the time from
 *    add(magnet) to the first verified piece.
 * 2. One seeder and four leechers, for tabswarm and for both WebTorrents, --rounds times (medians): the seeder's upload divided
 *    by the file size (how much of the load the origin carried); and the mixed swarm, tabswarm in a
 *    Firefox seeder and three leechers (Chromium, Firefox, Chromium); tabswarm and the mixed swarm
 *    again with the seeder super seeding (ClientOptions.superSeeding).
 * 3. Streaming (bench/stream.ts): a WebM of --stream-mib played from its share link in the app while
 *    it downloads, --rounds times: time to the first frame, from a seek to playing again (medians),
 *    and the page's peak heap while the first leecher downloads the whole file; and where the first
 *    frame's and the seek's time went (bench/stream.ts START_PHASES, SEEK_PHASES; BENCH_PIECES=1 in
 *    the environment also prints the first pieces verified and every mark after the seek).
 * 4. First verified byte, v1 against v2 (bench/first-byte.ts, `--only first-byte`): one tab seeds the
 *    same file of --mib as a v1 and as a v2-only torrent, both in 4 MiB pieces; a fresh tab per
 *    measurement adds one magnet link and reads the first chunk of `files[0].stream()`: the time from
 *    add() to that chunk (and to the metadata), medians of --rounds, the version that goes first
 *    alternating. v1 must wait for the whole first piece and its SHA-1; v2 hands out each 16 KiB
 *    block once its leaf hash proves it.
 * 5. `--timeline` (bench/timeline.ts): for the transfers, the leecher's phases (tracker answer, data
 *    channel, handshake, metadata, first request, block and verified piece, done), channel messages
 *    and bytes per MiB at both ends, and CPU per MiB of each Chromium process type and of the driver.
 * Prints a table and ends with one JSON line.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launchChromium } from '../test/browser/harness.js';
import {
  browsersEnabled,
  chromiumBrowser,
  launchBrowser,
  type BrowserName,
  type TestBrowser,
  type TestContext,
  type TestPage,
} from '../test/browser/browsers.js';
import { serveLibrary, startTracker, type LibServer } from '../test/browser/lib-harness.js';
import { SEEK_PHASES, START_PHASES, streamBench, type StreamResult } from './stream.js';
import { firstByteBench, type FirstByteResult } from './first-byte.js';
import { median } from './stats.js';
import { cpuMeter, printTimeline, type TimedTransfer } from './timeline.js';
import { defaultPieceLength } from '../src/core/create.js';
import { startTurnServer, type TurnServer } from '../test/browser/turn-server.js';
import { PAGE_BYTES } from '../test/fixtures/page-bytes-path.js';
import { saveProfiles } from './profile.js';

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    'swarm-mib': { type: 'string', default: '32' },
    leechers: { type: 'string', default: '4' },
    'stream-mib': { type: 'string', default: '512' },
    timeline: { type: 'boolean', default: false },
    swarms: { type: 'string', default: 'tabswarm,tabswarm-super,webtorrent3,webtorrent,mixed,mixed-super' },
    only: {
      type: 'string',
      default:
        'tabswarm,webtorrent3,webtorrent,raw,raw-store,tabswarm-from-webtorrent,relay,firefox-tabswarm,firefox-webtorrent3,chromium-firefox-tabswarm,chromium-firefox-webtorrent3,swarm,stream,first-byte',
    },
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

const FIREFOX = browsersEnabled('firefox');
/** `BENCH_PROFILE=<dir>`: the transfers' seeder and leecher CPU profiles (Chromium) go there (bench/profile.ts). */
const PROFILE_DIR = process.env.BENCH_PROFILE;
function startProfiles(pages: TestPage[]): Promise<((() => Promise<unknown>) | undefined)[]> {
  return Promise.all(pages.map(async (page) => (PROFILE_DIR && page.cpuProfile ? page.cpuProfile() : undefined)));
}
type Client = 'tabswarm' | 'webtorrent' | 'webtorrent3';
interface Roles {
  seed: Client;
  get: Client;
  /** The browsers of the seeder and of the leecher. */
  from: BrowserName;
  to: BrowserName;
}
const C = 'chromium';
const F = 'firefox';
/** Who seeds and who downloads, in which browser, in a transfer of each kind (the raw channel: neither). */
const ROLES = {
  tabswarm: { seed: 'tabswarm', get: 'tabswarm', from: C, to: C },
  webtorrent3: { seed: 'webtorrent3', get: 'webtorrent3', from: C, to: C },
  webtorrent: { seed: 'webtorrent', get: 'webtorrent', from: C, to: C },
  'tabswarm-from-webtorrent': { seed: 'webtorrent', get: 'tabswarm', from: C, to: C },
  relay: { seed: 'tabswarm', get: 'tabswarm', from: C, to: C },
  'firefox-tabswarm': { seed: 'tabswarm', get: 'tabswarm', from: F, to: F },
  'firefox-webtorrent3': { seed: 'webtorrent3', get: 'webtorrent3', from: F, to: F },
  'chromium-firefox-tabswarm': { seed: 'tabswarm', get: 'tabswarm', from: C, to: F },
  'chromium-firefox-webtorrent3': { seed: 'webtorrent3', get: 'webtorrent3', from: C, to: F },
} as const satisfies Record<string, Roles>;
type Kind = keyof typeof ROLES | 'raw' | 'raw-store';
const ALL_KINDS: Kind[] = [
  'tabswarm',
  'webtorrent3',
  'webtorrent',
  'raw',
  'raw-store',
  'tabswarm-from-webtorrent',
  'relay',
  'firefox-tabswarm',
  'firefox-webtorrent3',
  'chromium-firefox-tabswarm',
  'chromium-firefox-webtorrent3',
];
const inFirefox = (k: Kind): boolean => k !== 'raw' && k !== 'raw-store' && (ROLES[k].from === F || ROLES[k].to === F);
const KINDS: Kind[] = ALL_KINDS.filter((k) => only.has(k) && (FIREFOX || !inFirefox(k)));
/** Labels of the table. */
const LABEL: Record<Kind, string> = {
  tabswarm: 'tabswarm',
  webtorrent3: 'WebTorrent 3.0.21',
  webtorrent: 'WebTorrent 2.8.5',
  raw: 'raw channel',
  'raw-store': 'raw-store',
  'tabswarm-from-webtorrent': 'tabswarm ← WebTorrent 2.8.5',
  relay: 'tabswarm via TURN',
  'firefox-tabswarm': 'tabswarm F→F',
  'firefox-webtorrent3': 'WebTorrent 3.0.21 F→F',
  'chromium-firefox-tabswarm': 'tabswarm C→F',
  'chromium-firefox-webtorrent3': 'WebTorrent 3.0.21 C→F',
};
const RUN_TIMEOUT = 300_000;

interface Transfer extends TimedTransfer {
  kind: Kind;
  round: number;
  mibps?: number;
  firstPieceMs?: number;
  /** The relay row: bytes coturn sent to peers during the transfer, over the file size. */
  relayed?: number;
  error?: string;
}

const pageScript = fileURLToPath(new URL('./page.js', import.meta.url));
const require = createRequire(import.meta.url);
const webtorrentBundle = require.resolve('webtorrent/dist/webtorrent.min.js');
const webtorrent3Bundle = require.resolve('webtorrent3/dist/webtorrent.min.js');

/** Calls `bench.<fn>(...args)` in the page (a string: nothing of this file's compiled code goes in). */
function call<T>(page: TestPage, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate<T>(`bench.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
}
/** The prefix of bench/page.js's functions for `client`. */
const prefix = (client: Client): string => (client === 'tabswarm' ? 'tabswarm' : 'webtorrent');

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

class Pages {
  private contexts: TestContext[] = [];
  constructor(
    private readonly browsers: Partial<Record<BrowserName, TestBrowser>>,
    private readonly lib: LibServer,
  ) {}
  /** A page in a fresh context (its own IndexedDB and OPFS) of `browser`, running `client`'s code. */
  async open(browser: BrowserName = 'chromium', client: Client = 'tabswarm'): Promise<TestPage> {
    const b = this.browsers[browser];
    if (!b) throw new Error(`${browser} is not running`);
    const context = await b.newContext();
    this.contexts.push(context);
    await context.addInitScript({ path: PAGE_BYTES });
    await context.addInitScript({ path: pageScript });
    const page = await context.newPage();
    await page.goto(`${this.lib.url}/blank.html`);
    if (client === 'webtorrent3') await call(page, 'useWebTorrent', '/webtorrent3.min.js');
    return page;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  }
}

async function transfer(pages: Pages, tracker: string, kind: Kind, seed: number, turn: TurnServer | undefined): Promise<Omit<Transfer, 'kind' | 'round'>> {
  const roles: Roles | undefined = kind === 'raw' || kind === 'raw-store' ? undefined : ROLES[kind];
  const a = await pages.open(roles?.from, roles?.seed);
  const b = await pages.open(roles?.to, roles?.get);
  if (kind === 'relay') {
    if (!turn) throw new Error('no TURN server');
    const rtcConfig = { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' };
    for (const page of [a, b]) await page.evaluate(`bench.rtcConfig = ${JSON.stringify(rtcConfig)}`);
  }
  const relayedBefore = turn?.usage().sentToPeers ?? 0;
  if (!roles) {
    const cpu = values.timeline ? cpuMeter() : undefined;
    const offer = await call<string>(a, 'rawOffer');
    const answer = await call<string>(b, 'rawAnswer', offer);
    await call(a, 'rawAccept', answer);
    let rawMessages: number;
    const profiles = await startProfiles([a, b]);
    if (kind === 'raw') {
      await call(b, 'rawArm', size);
      rawMessages = await call<number>(a, 'rawSend', size);
    } else {
      await call(b, 'rawArmStore', size, defaultPieceLength(size));
      rawMessages = await call<number>(a, 'rawSendFile', size, seed);
    }
    const ms = await b.evaluate<number>('bench.rawDone');
    if (PROFILE_DIR) await saveProfiles(PROFILE_DIR, `${kind}-${seed}`, ['sender', 'receiver'], profiles);
    return { mibps: size / MiB / (ms / 1000), ...(cpu ? { cpu: cpu(), rawMessages } : {}) };
  }
  const expected = await a.evaluate(`bench.digest(bench.makeData(${size}, ${seed}))`);
  const magnet = await call<string>(a, `${prefix(roles.seed)}Seed`, tracker, size, seed);
  const cpu = values.timeline ? cpuMeter() : undefined;
  const profiles = await startProfiles([a, b]);
  // The download's digest is taken after the CPU meter and the profiles stop: reading the file back
  // is not part of the transfer (the raw rows do not read theirs back either).
  const got = await call<{ ms: number; firstPieceMs?: number; timeline?: TimedTransfer['timeline'] }>(b, `${prefix(roles.get)}Get`, tracker, magnet, false);
  const timed: TimedTransfer = cpu ? { cpu: cpu(), timeline: got.timeline } : {};
  if (PROFILE_DIR) await saveProfiles(PROFILE_DIR, `${kind}-${seed}`, ['seeder', 'leecher'], profiles);
  if (cpu && roles.seed === 'tabswarm' && roles.get === 'tabswarm')
    timed.seederChannels = (await call<NonNullable<TimedTransfer['timeline']>>(a, 'tabswarmTimeline')).channels;
  if ((await call<string>(b, 'torrentDigest')) !== expected) throw new Error('the downloaded bytes differ from the seeded ones');
  const result = { mibps: size / MiB / (got.ms / 1000), firstPieceMs: got.firstPieceMs, ...timed };
  if (kind !== 'relay' || !turn) return result;
  const connections = await call<(string | undefined)[]>(b, 'tabswarmConnections');
  if (!connections.every((c) => c === 'relay')) throw new Error(`the connections were not relayed: ${JSON.stringify(connections)}`);
  // Closing the connections releases the allocations: coturn logs their last counters.
  await Promise.all([call(a, 'tabswarmDestroy'), call(b, 'tabswarmDestroy')]);
  if (!(await turn.waitForSessionsClosed(15_000))) throw new Error('coturn did not log the end of every allocation within 15 s');
  return { ...result, relayed: (turn.usage().sentToPeers - relayedBefore) / size };
}

const SWARM_KINDS = ['tabswarm', 'tabswarm-super', 'webtorrent3', 'webtorrent', 'mixed', 'mixed-super'] as const;
type SwarmKind = (typeof SWARM_KINDS)[number];
const SWARM_LABEL: Record<SwarmKind, string> = {
  tabswarm: 'tabswarm',
  'tabswarm-super': 'tabswarm, super seeding',
  webtorrent3: 'WebTorrent 3.0.21',
  webtorrent: 'WebTorrent 2.8.5',
  mixed: 'tabswarm, Firefox seeder, leechers C/F/C',
  'mixed-super': 'the same, super seeding',
};

interface SwarmResult {
  kind: SwarmKind;
  seederUpload?: number;
  seconds?: number;
  error?: string;
}

async function swarm(pages: Pages, tracker: string, kind: SwarmKind, seed: number): Promise<SwarmResult> {
  const mixed = kind === 'mixed' || kind === 'mixed-super';
  const client: Client = kind === 'webtorrent' || kind === 'webtorrent3' ? kind : 'tabswarm';
  const seeder = await pages.open(mixed ? 'firefox' : 'chromium', client);
  if (kind.endsWith('-super')) await seeder.evaluate('bench.superSeeding = true');
  const leecherBrowsers: BrowserName[] = mixed ? ['chromium', 'firefox', 'chromium'] : Array.from({ length: leecherCount }, () => 'chromium');
  const leechers = await Promise.all(leecherBrowsers.map((b) => pages.open(b, client)));
  const expected = await seeder.evaluate(`bench.digest(bench.makeData(${swarmSize}, ${seed}))`);
  const magnet = await call<string>(seeder, `${prefix(client)}Seed`, tracker, swarmSize, seed);
  const t0 = Date.now();
  const results = await Promise.all(leechers.map((l) => call<{ sha256: string }>(l, `${prefix(client)}Get`, tracker, magnet)));
  const seconds = (Date.now() - t0) / 1000;
  if (results.some((r) => r.sha256 !== expected)) throw new Error('a leecher got bytes that differ from the seeded ones');
  const uploaded = await call<number>(seeder, `${prefix(client)}Uploaded`);
  return { kind, seederUpload: uploaded / swarmSize, seconds };
}

const fmt = (x: number | undefined, digits = 1): string => (x === undefined ? '—' : x.toFixed(digits));
const round3 = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 1000) / 1000);

const [browser, firefox, lib, tracker] = await Promise.all([
  launchChromium(),
  FIREFOX && (KINDS.some(inFirefox) || only.has('swarm')) ? launchBrowser('firefox') : undefined,
  serveLibrary({ '/webtorrent.min.js': webtorrentBundle, '/webtorrent3.min.js': webtorrent3Bundle }),
  startTracker(),
]);
const pages = new Pages({ chromium: chromiumBrowser(browser), firefox }, lib);
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
const swarmRuns: SwarmResult[] = [];
let stream: StreamResult | undefined;
let firstByte: FirstByteResult | undefined;
try {
  if (KINDS.length > 0) console.log(`transfers of ${size / MiB} MiB between two browser contexts, ${rounds} rounds, alternating ${KINDS.join(' / ')}`);
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
        `  round ${round}  ${LABEL[kind].padEnd(28)}  ${result.error ? `failed: ${result.error}` : `${fmt(result.mibps)} MiB/s` + (result.firstPieceMs !== undefined ? `, first piece ${fmt(result.firstPieceMs, 0)} ms` : '') + (result.relayed !== undefined ? `, coturn relayed ${fmt(result.relayed, 2)} × the file` : '')}`,
      );
    }
  }
  if (only.has('swarm')) {
    console.log(`one seeder and ${leecherCount} leechers (the mixed swarm: 3), ${swarmSize / MiB} MiB`);
    const wanted = new Set(values.swarms.split(','));
    const swarmKinds = SWARM_KINDS.filter((k) => wanted.has(k) && (FIREFOX || !k.startsWith('mixed')));
    for (let round = 1; round <= rounds; round++) {
      for (const kind of swarmKinds) {
        let result: SwarmResult;
        try {
          result = await withTimeout(swarm(pages, tracker.url, kind, 77 + round), RUN_TIMEOUT, `${kind} swarm`);
        } catch (e) {
          result = { kind, error: e instanceof Error ? e.message : String(e) };
        } finally {
          await pages.closeAll();
        }
        swarmRuns.push(result);
        console.log(
          `  round ${round}  ${SWARM_LABEL[kind].padEnd(40)}  ${result.error ? `failed: ${result.error}` : `seeder upload ${fmt(result.seederUpload, 2)} × file size, all done in ${fmt(result.seconds)} s`}`,
        );
      }
    }
  }
  if (only.has('stream')) {
    console.log(`streaming a ${streamMiB} MiB WebM from its share link in the app (recording, seeding and hashing it first)`);
    const streamed = await streamBench(browser, tracker.url, streamMiB, rounds);
    stream = streamed;
    stream.rounds.forEach((r, i) =>
      console.log(
        `  round ${i + 1}  first frame ${fmt(r.firstFrameMs, 0)} ms after opening the link (Play pressed at ${fmt(r.playClickedMs, 0)} ms; ${r.progressAtFirstFrame} % downloaded), ` +
          `seek to 3/4 playing again in ${fmt(r.seekMs, 0)} ms (${r.progressAtSeek} % downloaded)\n` +
          `           start: ${START_PHASES.map((p) => `${p} ${fmt(r.start[p], 0)}`).join(', ')}\n` +
          `           seek: ${SEEK_PHASES.map((p) => `${p} ${fmt(r.seek[p], 0)}`).join(', ')}`,
      ),
    );
    console.log(
      `  where the first frame's time went (ms after opening the link, medians): ${START_PHASES.map((p) => `${p} ${fmt(streamed.start?.[p], 0)}`).join(' → ')}`,
    );
    console.log(`  and the seek's (ms after setting currentTime, medians): ${SEEK_PHASES.map((p) => `${p} ${fmt(streamed.seek?.[p], 0)}`).join(' → ')}`);
    if (stream.error) console.log(`  failed: ${stream.error}`);
    if (stream.downloadSeconds !== undefined) {
      console.log(
        `  round 1: all ${fmt(stream.fileMiB, 0)} MiB downloaded while playing in ${fmt(stream.downloadSeconds)} s; page heap at most ${fmt(stream.peakRetainedMiB)} MiB held ` +
          `(after a forced GC, array buffers included); ${fmt(stream.peakHeapWithBuffersMiB)} MiB with uncollected garbage; V8 heap alone ${fmt(stream.peakHeapMiB)} MiB`,
      );
    }
  }
  if (only.has('first-byte')) {
    console.log(`first verified byte of a streamed ${size / MiB} MiB file, v1 and v2 in 4 MiB pieces, ${rounds} rounds`);
    firstByte = await withTimeout(
      firstByteBench(browser, lib.url, tracker.url, size, rounds, (line) => console.log(line)),
      RUN_TIMEOUT,
      'first-byte',
    );
    if (firstByte.error) console.log(`  failed: ${firstByte.error}`);
  }
} finally {
  await browser.close();
  await firefox?.close();
  await lib.close();
  await tracker.close();
  await turn?.close();
}

const med = (kind: Kind, key: 'mibps' | 'firstPieceMs' | 'relayed'): number | undefined =>
  median(transfers.filter((t) => t.kind === kind && t[key] !== undefined).map((t) => t[key]!));
const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a !== undefined && b !== undefined ? a / b : undefined);
const ts = med('tabswarm', 'mibps');
const wt = med('webtorrent', 'mibps');
const wt3 = med('webtorrent3', 'mibps');
const raw = med('raw', 'mibps');
const rawStore = med('raw-store', 'mibps');
const firstPiece = med('tabswarm', 'firstPieceMs');
const firefoxFirstPiece = med('firefox-tabswarm', 'firstPieceMs');
const vsWebTorrent = ratio(ts, wt);
const vsWebTorrent3 = ratio(ts, wt3);
const firefoxVsWebTorrent3 = ratio(med('firefox-tabswarm', 'mibps'), med('firefox-webtorrent3', 'mibps'));
const chromiumFirefoxVsWebTorrent3 = ratio(med('chromium-firefox-tabswarm', 'mibps'), med('chromium-firefox-webtorrent3', 'mibps'));
const vsRaw = ratio(ts, raw);
const vsRawStore = ratio(ts, rawStore);
const rawStoreVsRaw = ratio(rawStore, raw);
// Each swarm kind's medians over its rounds (an error when no round completed).
const swarms: SwarmResult[] = SWARM_KINDS.flatMap((kind): SwarmResult[] => {
  const runs = swarmRuns.filter((r) => r.kind === kind);
  const done = runs.filter((r) => !r.error);
  if (runs.length === 0) return [];
  if (done.length === 0) return [{ kind, error: runs[0]!.error }];
  return [{ kind, seederUpload: median(done.map((r) => r.seederUpload!)), seconds: median(done.map((r) => r.seconds!)) }];
});
const seederUpload = swarms.find((s) => s.kind === 'tabswarm')?.seederUpload;
const mixedSeederUpload = swarms.find((s) => s.kind === 'mixed')?.seederUpload;
const superSeederUpload = swarms.find((s) => s.kind === 'tabswarm-super')?.seederUpload;
const mixedSuperSeederUpload = swarms.find((s) => s.kind === 'mixed-super')?.seederUpload;

if (KINDS.length > 0) {
  console.log('');
  console.log('| client                        | MiB/s (median) | first piece (ms) |');
  console.log('|-------------------------------|----------------|------------------|');
  for (const kind of KINDS) {
    console.log(`| ${LABEL[kind].padEnd(29)} | ${fmt(med(kind, 'mibps')).padStart(14)} | ${fmt(med(kind, 'firstPieceMs'), 0).padStart(16)} |`);
  }
}
if (values.timeline) {
  printTimeline(
    KINDS.map((kind) => ({ label: LABEL[kind], runs: transfers.filter((t) => t.kind === kind && !t.error) })),
    size,
  );
}
if (swarms.length > 0) {
  console.log('');
  console.log('| swarm of 1 seeder + leechers             | seeder upload / file | all done (s) |');
  console.log('|------------------------------------------|----------------------|--------------|');
  for (const s of swarms)
    console.log(`| ${SWARM_LABEL[s.kind].padEnd(40)} | ${(s.error ? 'failed' : fmt(s.seederUpload, 2)).padStart(20)} | ${fmt(s.seconds).padStart(12)} |`);
}
console.log(
  `tabswarm / WebTorrent 3.0.21: Chromium ${fmt(vsWebTorrent3, 2)}, Firefox→Firefox ${fmt(firefoxVsWebTorrent3, 2)}, Chromium→Firefox ${fmt(chromiumFirefoxVsWebTorrent3, 2)} (target ≥ 1.5); ` +
    `tabswarm / WebTorrent 2.8.5 ${fmt(vsWebTorrent, 2)}; tabswarm / raw ${fmt(vsRaw, 2)} (target ≥ 0.90); ` +
    `first piece ${fmt(firstPiece, 0)} ms, in Firefox ${fmt(firefoxFirstPiece, 0)} ms (target ≤ 1000); seeder upload ${fmt(seederUpload, 2)}, mixed swarm ${fmt(mixedSeederUpload, 2)}; ` +
    `super seeding: ${fmt(superSeederUpload, 2)}, mixed swarm ${fmt(mixedSuperSeederUpload, 2)} (target ≤ 1.5)`,
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
if (firstByte) {
  const { v1, v2 } = firstByte.medians;
  console.log(
    `first verified byte, medians of ${rounds}: v1 ${fmt(v1?.ms, 0)} ms (metadata ${fmt(v1?.metadataMs, 0)} ms, first chunk ${fmt(v1 && v1.bytes / 1024, 0)} KiB), ` +
      `v2 ${fmt(v2?.ms, 0)} ms (metadata ${fmt(v2?.metadataMs, 0)} ms, first chunk ${fmt(v2 && v2.bytes / 1024, 0)} KiB); v2 / v1 ${fmt(ratio(v2?.ms, v1?.ms), 2)}`,
  );
}
console.log(
  JSON.stringify({
    fileMiB: size / MiB,
    rounds,
    tabswarmMiBps: round3(ts),
    webtorrentMiBps: round3(wt),
    webtorrent3MiBps: round3(wt3),
    firefox: Object.fromEntries(
      (['firefox-tabswarm', 'firefox-webtorrent3', 'chromium-firefox-tabswarm', 'chromium-firefox-webtorrent3'] as const).map((k) => [
        k,
        { mibps: round3(med(k, 'mibps')), firstPieceMs: round3(med(k, 'firstPieceMs')) },
      ]),
    ),
    rawMiBps: round3(raw),
    rawStoreMiBps: round3(rawStore),
    rawStoreVsRaw: round3(rawStoreVsRaw),
    tabswarmVsRawStore: round3(vsRawStore),
    tabswarmVsWebTorrent: round3(vsWebTorrent),
    tabswarmVsWebTorrent3: round3(vsWebTorrent3),
    firefoxVsWebTorrent3: round3(firefoxVsWebTorrent3),
    chromiumFirefoxVsWebTorrent3: round3(chromiumFirefoxVsWebTorrent3),
    firefoxFirstPieceMs: round3(firefoxFirstPiece),
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
      start: stream.start,
      seek: stream.seek,
      downloadSeconds: round3(stream.downloadSeconds),
      peakHeapMiB: round3(stream.peakHeapMiB),
      peakHeapWithBuffersMiB: round3(stream.peakHeapWithBuffersMiB),
      peakRetainedMiB: round3(stream.peakRetainedMiB),
      error: stream.error,
    },
    firstByte: firstByte && {
      fileMiB: firstByte.fileMiB,
      pieceLength: firstByte.pieceLength,
      v1Ms: round3(firstByte.medians.v1?.ms),
      v2Ms: round3(firstByte.medians.v2?.ms),
      v1MetadataMs: round3(firstByte.medians.v1?.metadataMs),
      v2MetadataMs: round3(firstByte.medians.v2?.metadataMs),
      v1FirstChunk: firstByte.medians.v1?.bytes ?? null,
      v2FirstChunk: firstByte.medians.v2?.bytes ?? null,
      error: firstByte.error,
    },
    failures: transfers.filter((t) => t.error).map((t) => `${t.kind} round ${t.round}: ${t.error}`),
    targets: {
      vsWebTorrent3: vsWebTorrent3 !== undefined && vsWebTorrent3 >= 1.5,
      firefoxVsWebTorrent3: firefoxVsWebTorrent3 !== undefined ? firefoxVsWebTorrent3 >= 1.5 : null,
      chromiumFirefoxVsWebTorrent3: chromiumFirefoxVsWebTorrent3 !== undefined ? chromiumFirefoxVsWebTorrent3 >= 1.5 : null,
      firefoxFirstPiece: firefoxFirstPiece !== undefined ? firefoxFirstPiece <= 1000 : null,
      mixedSeederUpload: mixedSeederUpload !== undefined ? mixedSeederUpload <= 1.5 : null,
      mixedSuperSeederUpload: mixedSuperSeederUpload !== undefined ? mixedSuperSeederUpload <= 1.5 : null,
      vsRaw: vsRaw !== undefined && vsRaw >= 0.9,
      seederUpload: seederUpload !== undefined && seederUpload <= 1.5,
      firstPiece: firstPiece !== undefined && firstPiece <= 1000,
      firstFrame: stream?.firstFrameMs !== undefined ? stream.firstFrameMs <= 1500 : null,
      seek: stream?.seekMs !== undefined ? stream.seekMs <= 1000 : null,
      streamMemory: stream?.peakRetainedMiB !== undefined ? stream.peakRetainedMiB <= 64 : null,
    },
  }),
);
