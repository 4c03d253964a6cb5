// `npm start`: builds the app and serves it, printing the URL to open.
// Options: --port N (or PORT), --host H (or HOST; default 127.0.0.1).
import { build, preview } from 'vite';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`[tabswarm] --port must be a port number, got "${values.port}"`);
  process.exit(2);
}

console.log('[tabswarm] building the app…');
await build({ logLevel: 'warn' });
const server = await preview({ preview: { port, host: values.host, strictPort: true }, logLevel: 'warn' });
const address = server.resolvedUrls?.local[0] ?? `http://${values.host}:${port}/`;
console.log(`\n  tabswarm is running: open ${address}\n`);
