// `npm run sim -- --peers N [--file-mib 64] [--piece-kib 256] [--seeder-up-kib 1024] [--up-kib 1024]
//   [--down-kib 4096] [--latency 50] [--neighbours 40] [--max-peers 40] [--seed 1] [--quiet]`
// Progress goes to stderr every 5 simulated seconds (not with --quiet).
// Runs the swarm simulator and ends by printing one JSON line with the result.
import { parseArgs } from 'node:util';
import { DEFAULT_SIM, simulate } from '../src/sim/swarm.js';

const KiB = 1024;
const d = DEFAULT_SIM;
const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: String(d.peers) },
    'file-mib': { type: 'string', default: String(d.fileSize / KiB / KiB) },
    'piece-kib': { type: 'string', default: String(d.pieceLength / KiB) },
    'seeder-up-kib': { type: 'string', default: String(d.seederUpload / KiB) },
    'up-kib': { type: 'string', default: String(d.peerUpload / KiB) },
    'down-kib': { type: 'string', default: String(d.peerDownload / KiB) },
    latency: { type: 'string', default: String(d.latency) },
    neighbours: { type: 'string', default: String(d.neighbours) },
    'max-peers': { type: 'string', default: String(d.maxPeers) },
    seed: { type: 'string', default: String(d.seed) },
    quiet: { type: 'boolean', default: false },
  },
});

function num(name: keyof typeof values): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} must be a positive number, got "${values[name]}"`);
    process.exit(2);
  }
  return v;
}

const result = await simulate(
  {
    peers: Math.round(num('peers')),
    fileSize: Math.round(num('file-mib') * KiB * KiB),
    pieceLength: Math.round(num('piece-kib') * KiB),
    seederUpload: num('seeder-up-kib') * KiB,
    peerUpload: num('up-kib') * KiB,
    peerDownload: num('down-kib') * KiB,
    latency: num('latency'),
    neighbours: Math.round(num('neighbours')),
    maxPeers: Math.round(num('max-peers')),
    seed: Math.round(num('seed')),
  },
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
