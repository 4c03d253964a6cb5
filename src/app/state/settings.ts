/**
 * The person's settings, kept in localStorage: trackers, ICE servers, peer limits, rate limits, theme,
 * and the kind of torrent shared files become.
 * Anything unreadable falls back to the default for that field (a damaged entry never breaks the app).
 */
export type Theme = 'system' | 'light' | 'dark';

/**
 * The kind of torrent shared files become: 'v1' (every BitTorrent client, WebTorrent among them),
 * 'hybrid' (v1 and BitTorrent v2 at once) or 'v2' (BitTorrent v2 only: tabswarm and libtorrent 2, not WebTorrent).
 */
export type ShareVersion = 'v1' | 'hybrid' | 'v2';

export interface Settings {
  /** Tracker URLs (ws: or wss:); empty means the app's default (from config.json). */
  announce: string[];
  iceServers: RTCIceServer[];
  maxPeers: number;
  maxPeersPerTorrent: number;
  /** Bytes per second; 0 for no limit. */
  uploadLimit: number;
  downloadLimit: number;
  theme: Theme;
  shareVersion: ShareVersion;
  /** Files shared become private shares (end-to-end encrypted, readable only with their link). */
  sharePrivate: boolean;
  /** Torrents seeded from the start are super seeded (ClientOptions.superSeeding). */
  superSeeding: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  announce: [],
  iceServers: [],
  maxPeers: 100,
  maxPeersPerTorrent: 40,
  uploadLimit: 0,
  downloadLimit: 0,
  theme: 'system',
  shareVersion: 'v1',
  sharePrivate: false,
  superSeeding: false,
};

const KEY = 'tabswarm-settings';

function isUrlList(v: unknown, schemes: RegExp): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && schemes.test(s));
}

/**
 * An RTCIceServer with stun:/turn: URLs and, if any, string credentials (settings and config.json);
 * a TURN server has both (browsers refuse a TURN URL without them).
 */
export function isIceServer(v: unknown): v is RTCIceServer {
  if (typeof v !== 'object' || v === null) return false;
  const { urls, username, credential } = v as Record<string, unknown>;
  const list = typeof urls === 'string' ? [urls] : urls;
  return (
    isUrlList(list, /^(stun|stuns|turn|turns):\S+$/) &&
    list.length > 0 &&
    (username === undefined || typeof username === 'string') &&
    (credential === undefined || typeof credential === 'string') &&
    (!list.some((u) => /^turns?:/.test(u)) || (typeof username === 'string' && typeof credential === 'string'))
  );
}

function count(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Takes what is valid of a stored value, field by field. */
export function parseSettings(value: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS };
  if (typeof value !== 'object' || value === null) return out;
  const v = value as Record<string, unknown>;
  if (isUrlList(v.announce, /^wss?:\/\/\S+$/)) out.announce = [...v.announce];
  if (Array.isArray(v.iceServers) && v.iceServers.every(isIceServer)) out.iceServers = v.iceServers;
  if (count(v.maxPeers, 1, 1000)) out.maxPeers = v.maxPeers;
  if (count(v.maxPeersPerTorrent, 1, 1000)) out.maxPeersPerTorrent = v.maxPeersPerTorrent;
  if (count(v.uploadLimit, 0, 2 ** 40)) out.uploadLimit = v.uploadLimit;
  if (count(v.downloadLimit, 0, 2 ** 40)) out.downloadLimit = v.downloadLimit;
  if (v.theme === 'light' || v.theme === 'dark' || v.theme === 'system') out.theme = v.theme;
  if (v.shareVersion === 'v1' || v.shareVersion === 'hybrid' || v.shareVersion === 'v2') out.shareVersion = v.shareVersion;
  if (typeof v.sharePrivate === 'boolean') out.sharePrivate = v.sharePrivate;
  if (typeof v.superSeeding === 'boolean') out.superSeeding = v.superSeeding;
  return out;
}

/** lib.dom declares localStorage everywhere; Node has none. */
function localStorageIfAny(): Storage | undefined {
  return globalThis.localStorage;
}

export function loadSettings(storage: Pick<Storage, 'getItem'> | undefined = localStorageIfAny()): Settings {
  try {
    const raw = storage?.getItem(KEY);
    return parseSettings(raw ? JSON.parse(raw) : undefined);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(settings: Settings, storage: Pick<Storage, 'setItem'> | undefined = localStorageIfAny()): void {
  storage?.setItem(KEY, JSON.stringify(settings));
}

/**
 * One line per entry, as typed in a text area: trackers as URLs; ICE servers as
 * `url [username credential]`. Returns the parsed list, or the first line that is wrong.
 */
export function parseTrackerLines(text: string): { ok: string[] } | { error: string } {
  const out: string[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    if (!/^wss?:\/\/[^\s/]+/.test(line)) return { error: `"${line}" is not a ws:// or wss:// URL` };
    out.push(line);
  }
  return { ok: out };
}

export function parseIceLines(text: string): { ok: RTCIceServer[] } | { error: string } {
  const out: RTCIceServer[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const [url, username, credential, ...rest] = line.split(/\s+/);
    if (!url || !/^(stun|stuns|turn|turns):\S+$/.test(url) || rest.length > 0 || (username !== undefined) !== (credential !== undefined)) {
      return { error: `"${line}" is not "stun:host:port" or "turn:host:port username credential"` };
    }
    if (/^turns?:/.test(url) && username === undefined)
      return { error: `"${line}" needs a username and a credential after the URL (a TURN server asks for them)` };
    out.push(username !== undefined ? { urls: url, username, credential } : { urls: url });
  }
  return { ok: out };
}

export function formatIceLines(servers: readonly RTCIceServer[]): string {
  return servers
    .flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls).map((u) => [u, s.username, s.credential].filter((x) => x !== undefined).join(' ')))
    .join('\n');
}
