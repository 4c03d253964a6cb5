/**
 * The app's defaults, from `/config.json` beside the page: `npm start` writes it with the address of
 * the tracker it runs, so the app announces there unless the person set other trackers.
 * `{hostname}` in a URL is replaced with the page's host name, and `{host}` with its host and port
 * (`npm start -- --https` serves the tracker on the page's own origin), so the same file works from
 * another device on the network.
 */
export interface AppConfig {
  announce: string[];
}

/** Used when the page has no config.json (the dev server, a static copy of the build). */
export const DEFAULT_TRACKER_PORT = 8000;

export function expandTemplate(url: string, location: { hostname: string; host: string; protocol: string }): string {
  const hostname = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  const expanded = url.replaceAll('{hostname}', hostname).replaceAll('{host}', location.host);
  // A page served over https may only open wss: sockets.
  return location.protocol === 'https:' ? expanded.replace(/^ws:/, 'wss:') : expanded;
}

export function parseConfig(value: unknown): AppConfig | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const announce = (value as { announce?: unknown }).announce;
  if (!Array.isArray(announce) || !announce.every((a): a is string => typeof a === 'string' && /^wss?:\/\//.test(a))) return undefined;
  return { announce };
}

export async function loadConfig(location: { hostname: string; host: string; protocol: string; href: string } = globalThis.location): Promise<AppConfig> {
  let config: AppConfig | undefined;
  try {
    const response = await fetch(new URL('config.json', location.href), { cache: 'no-store' });
    if (response.ok) config = parseConfig(await response.json());
  } catch {
    // No config: the defaults below.
  }
  config ??= { announce: [`ws://{hostname}:${DEFAULT_TRACKER_PORT}`] };
  return { announce: config.announce.map((a) => expandTemplate(a, location)) };
}
