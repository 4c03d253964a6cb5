// `npm start`: builds the app, serves it, and runs a WebSocket tracker beside it; prints the URLs to open.
// Options: --port N (or PORT, default 8080), --tracker-port N (or TRACKER_PORT, default 8000),
//          --host H (or HOST, default 127.0.0.1; 0.0.0.0 for other devices on the network),
//          --https (serve over https, the tracker over wss on the same origin, with a certificate made
//          on first run under --data, default .tabswarm/), --cert FILE --key FILE (your own certificate),
//          --stun URL, --turn URL --turn-user U --turn-credential C (repeatable: STUN/TURN servers the
//          pages use, written into config.json), --turn-secret S (instead of --turn-user/--turn-credential:
//          short-lived credentials for a TURN server with that shared secret, renewed every hour),
//          --out-dir DIR (where to build, default dist/app).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { startAppServer, TRACKER_PATH } from './app-server.mjs';
import { startTrackerServer } from './tracker-server.mjs';
import { listensEverywhere, networkAddresses, urlsFor } from './network-addresses.mjs';
import { ensureCertificate, readCertificate } from './tls-certificate.mjs';
import { iceServersFromFlags } from './ice-flags.mjs';
import { turnCredentials } from './turn-credentials.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    'tracker-port': { type: 'string', default: process.env.TRACKER_PORT ?? '8000' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    https: { type: 'boolean', default: false },
    cert: { type: 'string' },
    key: { type: 'string' },
    data: { type: 'string', default: '.tabswarm' },
    'out-dir': { type: 'string' },
    stun: { type: 'string', multiple: true, default: [] },
    turn: { type: 'string', multiple: true, default: [] },
    'turn-user': { type: 'string' },
    'turn-credential': { type: 'string' },
    'turn-secret': { type: 'string' },
  },
});

/** @param {string} message */
function fail(message) {
  console.error(`[tabswarm] ${message}`);
  process.exit(2);
}

/** @param {'port' | 'tracker-port'} name */
function port(name) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${name} must be a port number, got "${values[name]}"`);
  return n;
}
const appPort = port('port');
const host = values.host;
const everywhere = listensEverywhere(host);
if ((values.cert === undefined) !== (values.key === undefined)) fail('--cert and --key go together');
const https = values.https || values.cert !== undefined;
const turnSecret = values['turn-secret'];
if (turnSecret !== undefined && (values['turn-user'] !== undefined || values['turn-credential'] !== undefined)) {
  fail('--turn-secret makes the TURN user name and credential: leave out --turn-user and --turn-credential');
}
/** The ICE servers for config.json; with --turn-secret, with credentials valid for a day from now. */
function currentIceServers() {
  const made = turnSecret !== undefined && values.turn.length > 0 ? turnCredentials({ secret: turnSecret }) : undefined;
  return iceServersFromFlags({
    stun: values.stun,
    turn: values.turn,
    turnUser: made?.username ?? values['turn-user'],
    turnCredential: made?.credential ?? values['turn-credential'],
  });
}
/** @type {ReturnType<typeof iceServersFromFlags>} */
let iceServers = [];
try {
  iceServers = currentIceServers();
} catch (e) {
  fail(/** @type {Error} */ (e).message);
}

/** @type {{ key: string, cert: string } | undefined} */
let tls;
let caNote = '';
if (values.cert !== undefined && values.key !== undefined) {
  try {
    tls = readCertificate(values.cert, values.key);
  } catch (e) {
    fail(/** @type {Error} */ (e).message);
  }
} else if (https) {
  const names = ['localhost', '127.0.0.1', '::1', ...(everywhere ? networkAddresses().map((a) => a.address) : host === '127.0.0.1' ? [] : [host])];
  const made = await ensureCertificate({ dir: join(values.data, 'tls'), names });
  tls = made;
  if (made.created) console.log(`[tabswarm] made a certificate for ${names.join(', ')}`);
  caNote =
    `  To play files while they download on another device, trust this installation's certificate authority there once:\n` +
    `  ${made.caPath} (Android: Settings > Security > Install a certificate > CA certificate;\n` +
    `  iPhone: open it, install the profile, then trust it in Settings > General > About > Certificate Trust Settings).\n` +
    `  Accepting the browser's warning instead gives downloads and sharing, but browsers allow no service worker\n` +
    `  (streaming) on a certificate they do not trust.\n`;
}

// Over https the tracker listens on loopback only: pages reach it through the app's origin.
const tracker = await startTrackerServer({
  port: https ? 0 : port('tracker-port'),
  host: https ? '127.0.0.1' : host,
  // Refusals, closes and evictions, counted by reason: one line a minute at most, and one on exit.
  log: (line) => console.warn(line),
}).catch((err) => {
  console.error(`[tracker] cannot listen on ${host}:${values['tracker-port']}: ${err.message}`);
  process.exit(1);
});

console.log('[tabswarm] building the app…');
// The app announces to this tracker by default (config.json).
const app = await startAppServer({ port: appPort, host, trackerPort: tracker.port, outDir: values['out-dir'], https: tls, iceServers }).catch((err) => {
  console.error(`[tabswarm] cannot serve the app on ${host}:${appPort}: ${err.message}`);
  process.exit(1);
});

const protocol = https ? 'https' : 'http';
const urls = urlsFor({ host, port: app.port, protocol });
console.log(`\n  tabswarm is running: open`);
for (const u of urls) console.log(`    ${u.url.padEnd(32)} ${u.local ? '(this computer)' : '(another device on your network)'}`);
if (everywhere && urls.length === 1) console.log('    (no network address found: only this computer can open it)');
// Pages announce to the host they were opened from (config.json's {hostname} / {host}).
const shown = new URL((urls[1] ?? urls[0]).url);
const trackerUrl = https ? `wss://${shown.host}${TRACKER_PATH}` : `ws://${shown.hostname}:${tracker.port}`;
console.log(`  tracker: ${trackerUrl}${urls.length > 1 ? ' (each page uses the address it was opened from)' : ''}`);
if (iceServers.length > 0) console.log(`  STUN/TURN: ${iceServers.flatMap((s) => s.urls).join(', ')} (in config.json)`);
console.log(`  tracker stats: http://127.0.0.1:${tracker.port}/stats${https ? '' : ` (or any address above, port ${tracker.port})`}`);
if (everywhere && !https) {
  console.log(
    '\n  Another device opening an http:// address above gets a page that is not a secure context: downloading\n' +
      '  and sharing work, files play once complete. To play files while they download there, use --https.',
  );
}
if (caNote) console.log(`\n${caNote}`);
// Short-lived TURN credentials are renewed long before they expire.
const renewal = turnSecret !== undefined ? setInterval(() => app.setIceServers(currentIceServers()), 60 * 60 * 1000) : undefined;
if (renewal) console.log('  TURN credentials: valid for a day, renewed in config.json every hour');
console.log('');

async function shutdown() {
  clearInterval(renewal);
  void app.close();
  await tracker.close(); // at most 2 s; prints the last summary line
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
