// The app half of `npm start`: builds the app, writes the config.json that makes it announce to the
// tracker beside it (and use the STUN/TURN servers it is given), and serves the build with Vite's
// preview server.
import { build, preview } from 'vite';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkIceServers } from './ice-flags.mjs';

/**
 * The tracker URL the app announces to by default: `{hostname}` (the host the page was opened from)
 * when the server listens on every address.
 * @param {string} host
 * @param {number} trackerPort
 */
export function defaultAnnounce(host, trackerPort) {
  const announceHost = host === '0.0.0.0' || host === '::' ? '{hostname}' : host.includes(':') ? `[${host}]` : host;
  return `ws://${announceHost}:${trackerPort}`;
}

/** Over https the tracker is reached through the app's own origin at this path (one certificate to trust). */
export const TRACKER_PATH = '/announce';

/**
 * The config.json of the app: its default trackers and, when given, the STUN/TURN servers (an
 * RTCIceServer[], such as iceServersFromFlags in ./ice-flags.mjs makes) and ICE transport policy.
 * Throws an IceFlagError for servers the app would ignore.
 * @param {{ announce: string[], iceServers?: unknown, iceTransportPolicy?: 'all' | 'relay' }} o
 */
export function appConfig(o) {
  /** @type {{ announce: string[], iceServers?: unknown[], iceTransportPolicy?: 'all' | 'relay' }} */
  const config = { announce: o.announce };
  if (o.iceServers !== undefined && checkIceServers(o.iceServers).length > 0) config.iceServers = o.iceServers;
  if (o.iceTransportPolicy !== undefined) {
    if (o.iceTransportPolicy !== 'all' && o.iceTransportPolicy !== 'relay') throw new TypeError('iceTransportPolicy must be "all" or "relay"');
    config.iceTransportPolicy = o.iceTransportPolicy;
  }
  return config;
}

/**
 * @param {{ port: number, host: string, trackerPort: number, iceServers?: { urls: string | string[], username?: string, credential?: string }[],
 *   iceTransportPolicy?: 'all' | 'relay', outDir?: string, https?: { key: string, cert: string },
 *   logLevel?: 'info' | 'warn' | 'error' | 'silent' }} options
 *   `iceServers` / `iceTransportPolicy`: written into config.json (the app uses them while the person
 *   set no ICE servers of their own). `outDir`: where to build (default: vite.config.ts's, dist/app).
 *   `https`: serve the app over https, and the tracker (listening on loopback at `trackerPort`) over
 *   wss at `TRACKER_PATH` of the same origin.
 */
export async function startAppServer(options) {
  const logLevel = options.logLevel ?? 'warn';
  // Checked before the build: a wrong server is an error at once, not after a minute of building.
  const config = appConfig({
    announce: [options.https ? `wss://{host}${TRACKER_PATH}` : defaultAnnounce(options.host, options.trackerPort)],
    iceServers: options.iceServers,
    iceTransportPolicy: options.iceTransportPolicy,
  });
  const buildOptions = options.outDir === undefined ? {} : { build: { outDir: options.outDir, emptyOutDir: true } };
  await build({ logLevel, ...buildOptions });
  const outDir = options.outDir ?? 'dist/app';
  const tls = options.https
    ? {
        https: { key: options.https.key, cert: options.https.cert },
        proxy: { [TRACKER_PATH]: { target: `ws://127.0.0.1:${options.trackerPort}`, ws: true } },
      }
    : {};
  const writeConfig = (/** @type {typeof config} */ c) => writeFileSync(join(outDir, 'config.json'), JSON.stringify(c) + '\n');
  writeConfig(config);
  const server = await preview({ preview: { port: options.port, host: options.host, strictPort: true, ...tls }, logLevel, ...buildOptions });
  const port = /** @type {import('node:net').AddressInfo} */ (server.httpServer.address()).port;
  return {
    server,
    url: server.resolvedUrls?.local[0] ?? `${options.https ? 'https' : 'http'}://${options.host}:${port}/`,
    port,
    config,
    /** Writes config.json again (new short-lived TURN credentials): the same trackers, these ICE servers. */
    setIceServers: (/** @type {unknown} */ iceServers) => writeConfig(appConfig({ ...config, iceServers })),
    close: () => server.close(),
  };
}
