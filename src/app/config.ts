/**
 * The app's defaults, from `/config.json` beside the page: `npm start` writes it with the address of
 * the tracker it runs (and the STUN/TURN servers it was given), and a static deployment writes it by
 * hand. The person's own settings win over it (see settings-form.ts). `{hostname}` in a URL is
 * replaced with the page's host name, and `{host}` with its host and port (`npm start -- --https`
 * serves the tracker on the page's own origin), so the same file works from another device on the network.
 *
 *   {
 *     "announce": ["wss://tracker.example/announce"],
 *     "iceServers": [{ "urls": "turn:turn.example:3478", "username": "u", "credential": "p" }],
 *     "iceTransportPolicy": "relay"
 *   }
 */
import { isIceServer } from './state/settings.js';

export interface AppConfig {
  /** Trackers, used when the person set none. */
  announce: string[];
  /** STUN/TURN servers (RTCIceServer[]), used when the person set none. */
  iceServers: RTCIceServer[];
  /** 'relay': connect only through the TURN servers above (applies while they are the ones in use). */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** Used when the page has no config.json (the dev server, a static copy of the build). */
export const DEFAULT_TRACKER_PORT = 8000;

export function defaultConfig(): AppConfig {
  return { announce: [`ws://{hostname}:${DEFAULT_TRACKER_PORT}`], iceServers: [] };
}

export function expandTemplate(url: string, location: { hostname: string; host: string; protocol: string }): string {
  const hostname = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  const expanded = url.replaceAll('{hostname}', hostname).replaceAll('{host}', location.host);
  // A page served over https may only open wss: sockets.
  return location.protocol === 'https:' ? expanded.replace(/^ws:/, 'wss:') : expanded;
}

/**
 * Reads a config.json: each field that is there and right is taken; each that is wrong is left at
 * its default and named in `problems` (shown in the app's log, so an operator sees what to fix).
 * Undefined when the file is not a JSON object at all.
 */
export function parseConfig(value: unknown): { config: AppConfig; problems: string[] } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const config = defaultConfig();
  const problems: string[] = [];
  if (v.announce !== undefined) {
    if (Array.isArray(v.announce) && v.announce.every((a): a is string => typeof a === 'string' && /^wss?:\/\/\S+$/.test(a))) config.announce = [...v.announce];
    else problems.push('"announce" must be a list of ws:// or wss:// URLs');
  }
  if (v.iceServers !== undefined) {
    if (Array.isArray(v.iceServers) && v.iceServers.every(isIceServer)) config.iceServers = v.iceServers.map((s) => ({ ...s }));
    else problems.push('"iceServers" must be a list of {"urls": "stun:…" or "turn:…", "username"?, "credential"?}');
  }
  if (v.iceTransportPolicy !== undefined) {
    if (v.iceTransportPolicy === 'all' || v.iceTransportPolicy === 'relay') config.iceTransportPolicy = v.iceTransportPolicy;
    else problems.push('"iceTransportPolicy" must be "all" or "relay"');
  }
  return { config, problems };
}

/** The app's config.json, its URLs' `{hostname}` and `{host}` filled in; `problems` as parseConfig says. */
export async function loadConfig(
  location: { hostname: string; host: string; protocol: string; href: string } = globalThis.location,
): Promise<AppConfig & { problems: string[] }> {
  let parsed: ReturnType<typeof parseConfig>;
  let response: Response | undefined;
  try {
    response = await fetch(new URL('config.json', location.href), { cache: 'no-store' });
  } catch {
    // No config: the defaults below.
  }
  // A server without the file may answer with the page itself (a dev server's fallback): not a
  // config. Any other type is read (a static host may serve .json as text/plain or octet-stream).
  if (response?.ok && !/html/i.test(response.headers.get('content-type') ?? '')) {
    try {
      parsed = parseConfig(await response.json()) ?? { config: defaultConfig(), problems: ['it is not a JSON object'] };
    } catch {
      parsed = { config: defaultConfig(), problems: ['it is not valid JSON'] };
    }
  }
  const { config, problems } = parsed ?? { config: defaultConfig(), problems: [] };
  return {
    announce: config.announce.map((a) => expandTemplate(a, location)),
    iceServers: config.iceServers.map((s) => ({
      ...s,
      urls: typeof s.urls === 'string' ? expandTemplate(s.urls, location) : s.urls.map((u) => expandTemplate(u, location)),
    })),
    ...(config.iceTransportPolicy ? { iceTransportPolicy: config.iceTransportPolicy } : {}),
    problems,
  };
}
