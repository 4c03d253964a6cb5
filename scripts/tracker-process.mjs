// A tracker in a process of its own, for measurements (the memory tests in test/tracker and
// `npm run bench:tracker`): ours (scripts/tracker-server.mjs) or, with --plain, bittorrent-tracker's
// server as shipped (WebSocket only). Started with an IPC channel (and --expose-gc to measure the live
// heap), it sends { type: 'ready', port }, and answers { type: 'measure', id } with the heap and RSS
// after a full garbage collection, its CPU time so far and the tracker's counts.
//   node --expose-gc scripts/tracker-process.mjs [--plain] [--limits '{"messagesPerSecond":1e9}']
import { parseArgs } from 'node:util';
import Server from 'bittorrent-tracker/server';
import { startTrackerServer } from './tracker-server.mjs';

const { values } = parseArgs({ options: { plain: { type: 'boolean', default: false }, limits: { type: 'string', default: '{}' } } });
if (typeof process.send !== 'function') {
  console.error('tracker-process.mjs talks over IPC: start it with child_process.fork (or spawn with an ipc stdio)');
  process.exit(2);
}

async function startPlain() {
  const server = new Server({ udp: false, http: false, stats: false });
  server.on('warning', () => undefined);
  server.on('error', () => undefined);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.ws.address().port,
    stats() {
      const swarms = Object.values(server.torrents);
      return { swarms: swarms.length, peers: swarms.reduce((n, s) => n + s.peers.length, 0) };
    },
  };
}

async function startOurs() {
  const tracker = await startTrackerServer({ limits: JSON.parse(values.limits) });
  return { port: tracker.port, stats: () => tracker.stats() };
}

const tracker = values.plain ? await startPlain() : await startOurs();

process.on('message', (message) => {
  if (message?.type !== 'measure') return;
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const { heapUsed, rss } = process.memoryUsage();
  const cpu = process.cpuUsage();
  process.send({ type: 'measure', id: message.id, heapUsed, rss, cpuMs: (cpu.user + cpu.system) / 1000, stats: tracker.stats() });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // an orderly exit (a --cpu-prof profile is written)
process.send({ type: 'ready', port: tracker.port });
