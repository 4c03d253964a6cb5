/**
 * The settings panel's fields as typed text, to and from `Settings`, with a message per wrong field;
 * and which changes need the client recreated. Pure, tested in Node.
 */
import { formatIceLines, parseIceLines, parseTrackerLines, type Settings, type ShareVersion, type Theme } from './settings.js';

export interface SettingsFields {
  trackers: string;
  iceServers: string;
  maxPeers: string;
  maxPeersPerTorrent: string;
  /** KiB/s; empty or 0 for no limit. */
  uploadLimit: string;
  downloadLimit: string;
  theme: Theme;
  shareVersion: ShareVersion;
  sharePrivate: boolean;
  superSeeding: boolean;
}

export type FieldErrors = Partial<Record<keyof SettingsFields, string>>;

const KiB = 1024;

/** Bytes per second as the KiB/s shown in the panel ('' for no limit). */
export function formatLimit(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? String(Math.round((bytesPerSecond / KiB) * 100) / 100) : '';
}

export function settingsToFields(s: Settings): SettingsFields {
  return {
    trackers: s.announce.join('\n'),
    iceServers: formatIceLines(s.iceServers),
    maxPeers: String(s.maxPeers),
    maxPeersPerTorrent: String(s.maxPeersPerTorrent),
    uploadLimit: formatLimit(s.uploadLimit),
    downloadLimit: formatLimit(s.downloadLimit),
    theme: s.theme,
    shareVersion: s.shareVersion,
    sharePrivate: s.sharePrivate,
    superSeeding: s.superSeeding,
  };
}

function parseCount(text: string, min: number, max: number): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= min && n <= max ? n : undefined;
}

/** KiB/s as bytes per second: '' and 0 are no limit; decimals are allowed (0.5 is 512 B/s). */
export function parseLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return 0;
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  const bytes = Math.round(Number(t) * KiB);
  return bytes <= 2 ** 40 ? bytes : undefined;
}

export function fieldsToSettings(f: SettingsFields): { ok: Settings } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const trackers = parseTrackerLines(f.trackers);
  if ('error' in trackers) errors.trackers = `${trackers.error}. Write one tracker per line, such as wss://tracker.example.com.`;
  const ice = parseIceLines(f.iceServers);
  if ('error' in ice) errors.iceServers = `${ice.error}.`;
  const maxPeers = parseCount(f.maxPeers, 1, 1000);
  if (maxPeers === undefined) errors.maxPeers = 'Enter a whole number from 1 to 1000.';
  const maxPeersPerTorrent = parseCount(f.maxPeersPerTorrent, 1, 1000);
  if (maxPeersPerTorrent === undefined) errors.maxPeersPerTorrent = 'Enter a whole number from 1 to 1000.';
  const uploadLimit = parseLimit(f.uploadLimit);
  if (uploadLimit === undefined) errors.uploadLimit = 'Enter a number of KiB/s, or leave it empty for no limit.';
  const downloadLimit = parseLimit(f.downloadLimit);
  if (downloadLimit === undefined) errors.downloadLimit = 'Enter a number of KiB/s, or leave it empty for no limit.';
  if (Object.keys(errors).length > 0 || 'error' in trackers || 'error' in ice) return { errors };
  return {
    ok: {
      announce: trackers.ok,
      iceServers: ice.ok,
      maxPeers: maxPeers!,
      maxPeersPerTorrent: maxPeersPerTorrent!,
      uploadLimit: uploadLimit!,
      downloadLimit: downloadLimit!,
      theme: f.theme,
      shareVersion: f.shareVersion,
      sharePrivate: f.sharePrivate,
      superSeeding: f.superSeeding,
    },
  };
}

/** Trackers, ICE servers, peer limits and super seeding are fixed when the client is made: changing them recreates it. */
export function needsRestart(before: Settings, after: Settings): boolean {
  return (
    JSON.stringify(before.announce) !== JSON.stringify(after.announce) ||
    JSON.stringify(before.iceServers) !== JSON.stringify(after.iceServers) ||
    before.maxPeers !== after.maxPeers ||
    before.maxPeersPerTorrent !== after.maxPeersPerTorrent ||
    before.superSeeding !== after.superSeeding
  );
}

/** The trackers the client uses: the person's, or the app's defaults when they set none. */
export function effectiveTrackers(settings: Settings, defaults: readonly string[]): string[] {
  return settings.announce.length > 0 ? [...settings.announce] : [...defaults];
}

/** What the site's operator set in config.json for peer connections. */
export interface OperatorIce {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/**
 * The RTCConfiguration the client uses: the person's ICE servers when they set any, else the
 * operator's. The operator's `iceTransportPolicy` goes with the operator's servers only: a 'relay'
 * policy names their TURN servers, and would leave the person's own STUN servers unable to connect.
 */
export function effectiveRtcConfig(settings: Settings, operator: OperatorIce): RTCConfiguration & { iceServers: RTCIceServer[] } {
  if (settings.iceServers.length > 0) return { iceServers: settings.iceServers.map((s) => ({ ...s })) };
  return {
    iceServers: operator.iceServers.map((s) => ({ ...s })),
    ...(operator.iceTransportPolicy ? { iceTransportPolicy: operator.iceTransportPolicy } : {}),
  };
}
