// `npm run sim -- --peers N [options]` (`--help` lists them; --late N: the last N leechers join at
// --late-ms instead of within --join-ms). Progress goes to stderr every 5 simulated seconds (not with
// --quiet). Runs the swarm simulator and ends by printing one JSON line with the result.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_SIM, simulate, type SimOptions } from '../src/sim/swarm.js';

const KiB = 1024;
const d = DEFAULT_SIM;
const USAGE = `usage: npm run sim -- --peers N [--file-mib ${d.fileSize / KiB / KiB}] [--piece-kib ${d.pieceLength / KiB}]
  [--seeder-up-kib ${d.seederUpload / KiB}] [--up-kib ${d.peerUpload / KiB}] [--down-kib ${d.peerDownload / KiB}] [--latency ${d.latency}]
  [--tracker-offers ${d.trackerOffers}] [--trackers ${d.trackers}] [--seeder-trackers ${d.seederTrackers}] [--bridges ${d.bridges}] [--relay] [--super-seed]
  [--max-peers ${d.maxPeers}] [--join-ms ${d.joinWindow}] [--late ${d.lateJoiners}] [--late-ms ${d.lateJoinAt}] [--seed ${d.seed}] [--quiet]
Runs one seeder and N leechers of the session code on a virtual clock and prints one JSON line with the
result (README: "The swarm simulator"). The values shown are the defaults.`;

const OPTIONS = {
  peers: { type: 'string', default: String(d.peers) },
  'file-mib': { type: 'string', default: String(d.fileSize / KiB / KiB) },
  'piece-kib': { type: 'string', default: String(d.pieceLength / KiB) },
  'seeder-up-kib': { type: 'string', default: String(d.seederUpload / KiB) },
  'up-kib': { type: 'string', default: String(d.peerUpload / KiB) },
  'down-kib': { type: 'string', default: String(d.peerDownload / KiB) },
  latency: { type: 'string', default: String(d.latency) },
  'tracker-offers': { type: 'string', default: String(d.trackerOffers) },
  trackers: { type: 'string', default: String(d.trackers) },
  'seeder-trackers': { type: 'string', default: String(d.seederTrackers) },
  bridges: { type: 'string', default: String(d.bridges) },
  relay: { type: 'boolean', default: d.relay },
  'super-seed': { type: 'boolean', default: d.superSeed },
  'max-peers': { type: 'string', default: String(d.maxPeers) },
  'join-ms': { type: 'string', default: String(d.joinWindow) },
  late: { type: 'string', default: String(d.lateJoiners) },
  'late-ms': { type: 'string', default: String(d.lateJoinAt) },
  seed: { type: 'string', default: String(d.seed) },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsConfig['options'];

// Arguments are checked before anything is built, so that a mistyped option fails at once, with the usage.
function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (e) {
    console.error(`sim: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
}
const { values } = parseOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

type Numeric = Exclude<keyof typeof values, 'relay' | 'super-seed' | 'quiet' | 'help'>;

function num(name: Numeric, min = Number.MIN_VALUE): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < min) {
    console.error(`--${name} must be a number of at least ${min === Number.MIN_VALUE ? 'more than 0' : min}, got "${values[name]}"`);
    process.exit(2);
  }
  return v;
}

const simOptions: Partial<SimOptions> = {
  peers: Math.round(num('peers', 1)),
  fileSize: Math.round(num('file-mib') * KiB * KiB),
  pieceLength: Math.round(num('piece-kib') * KiB),
  seederUpload: num('seeder-up-kib') * KiB,
  peerUpload: num('up-kib') * KiB,
  peerDownload: num('down-kib') * KiB,
  latency: num('latency', 0),
  trackerOffers: Math.round(num('tracker-offers', 0)),
  trackers: Math.round(num('trackers', 1)),
  seederTrackers: Math.round(num('seeder-trackers', 1)),
  bridges: Math.round(num('bridges', 0)),
  relay: values.relay,
  superSeed: values['super-seed'],
  maxPeers: Math.round(num('max-peers', 1)),
  joinWindow: num('join-ms', 0),
  lateJoiners: Math.round(num('late', 0)),
  lateJoinAt: num('late-ms', 0),
  seed: Math.round(num('seed', 0)),
};

// The sessions make a few short-lived objects per message, and a large swarm keeps many messages in
// flight: with V8's default young generation (16 MiB semi-spaces) they outlive it and are promoted,
// and collecting the old generation over a heap of gigabytes costs more than the messages themselves.
// The run happens in a child Node with 512 MiB semi-spaces (the flag cannot be set once the heap
// exists). Against 256: within the noise at 200 peers, 16 % less wall time at 1,000 (3 min 56 s against
// 4 min 40 s) for the same peak RSS, as less is promoted; 1,024 was slower (4 min 26 s, 3.1 GB).
// Against V8's default, 10-20 % less CPU at 200 peers. Same results either way.
// The old generation may grow to 80 % of the machine's memory (V8's default limit, about 4 GiB, stops a
// swarm of several thousand peers); the heap stays as small as the swarm needs either way.
const SEMI_SPACE = '--max-semi-space-size=512';
// The child runs one esbuild bundle of this script in plain Node rather than the TypeScript files
// through tsx's loader: the same code, and 8 % less wall time at 200 peers, about a fifth at 1,000
// (why is not established: a bundle that keeps function names, as tsx's transforms do, was not
// clearly slower). Node options given to this process (not tsx's own) go on to the child.
if (!process.execArgv.includes(SEMI_SPACE)) {
  const oldSpace = `--max-old-space-size=${Math.floor((totalmem() / 2 ** 20) * 0.8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-sim-'));
  const bundle = join(dir, 'sim.mjs');
  let status: number;
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [fileURLToPath(import.meta.url)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'warning',
      external: ['esbuild'],
    });
    const nodeOptions: string[] = [];
    const given = process.execArgv;
    const loader = (a: string | undefined): boolean => a !== undefined && /[\\/]tsx[\\/]/.test(a);
    for (let i = 0; i < given.length; i++) {
      if ((given[i] === '--require' || given[i] === '--import') && loader(given[i + 1])) i++;
      else if (!loader(given[i])) nodeOptions.push(given[i]!);
    }
    status = spawnSync(process.execPath, [SEMI_SPACE, oldSpace, ...nodeOptions, bundle, ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(status);
}

const result = await simulate(
  simOptions,
  values.quiet
    ? undefined
    : (p) => {
        // Progress on stderr, so that stdout stays one JSON line.
        process.stderr.write(
          `\r[sim] t=${p.seconds.toFixed(0)} s simulated, ${(p.fraction * 100).toFixed(1)} % of the bytes, ` +
            `${p.finished}/${p.peers} peers done, ${(p.wallMs / 1000).toFixed(0)} s wall  `,
        );
      },
);
if (!values.quiet) process.stderr.write('\n');
console.log(JSON.stringify(result));
