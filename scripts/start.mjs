// `npm start`: builds the app, serves it, and runs a WebSocket tracker beside it; prints the URL to open.
// Options: --port N (or PORT, default 8080), --tracker-port N (or TRACKER_PORT, default 8000),
//          --host H (or HOST, default 127.0.0.1).
import { parseArgs } from 'node:util';
import { startAppServer } from './app-server.mjs';
import { startTrackerServer } from './tracker-server.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    'tracker-port': { type: 'string', default: process.env.TRACKER_PORT ?? '8000' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
  },
});

function port(name) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`[tabswarm] --${name} must be a port number, got "${values[name]}"`);
    process.exit(2);
  }
  return n;
}
const appPort = port('port');
const trackerPort = port('tracker-port');
const host = values.host;

const tracker = await startTrackerServer({
  port: trackerPort,
  host,
  // Refusals, closes and evictions, counted by reason: one line a minute at most, and one on exit.
  log: (line) => console.warn(line),
}).catch((err) => {
  console.error(`[tracker] cannot listen on ${host}:${trackerPort}: ${err.message}`);
  process.exit(1);
});
const trackerUrl = `ws://${host}:${trackerPort}`;

console.log('[tabswarm] building the app…');
// The app announces to this tracker by default.
const app = await startAppServer({ port: appPort, host, trackerPort });
console.log(`\n  tabswarm is running: open ${app.url}`);
console.log(`  tracker: ${trackerUrl} (stats: http://${host}:${trackerPort}/stats)\n`);

async function shutdown() {
  void app.close();
  await tracker.close(); // at most 2 s; prints the last summary line
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
