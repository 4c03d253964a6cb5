// `npm run tracker`: the WebSocket tracker alone, for a deployment whose app is static files.
// Options: --port N (or PORT, default 8000), --host H (or HOST, default 127.0.0.1: put a proxy that
// terminates TLS in front, so that https pages reach it as wss://).
import { parseArgs } from 'node:util';
import { startTrackerServer } from './tracker-server.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8000' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[tracker] --port must be a port number, got "${values.port}"`);
  process.exit(2);
}
const tracker = await startTrackerServer({ port, host: values.host, log: (line) => console.warn(line) }).catch((err) => {
  console.error(`[tracker] cannot listen on ${values.host}:${port}: ${err.message}`);
  process.exit(1);
});
const shown = values.host.includes(':') ? `[${values.host}]` : values.host;
console.log(`[tracker] listening: ws://${shown}:${tracker.port} (stats: http://${shown}:${tracker.port}/stats)`);

async function shutdown() {
  await tracker.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
