/**
 * What the tabs of one browser tell each other about the torrents they run (issue 22, item 5): one
 * tab runs a torrent (it holds the torrent's Web Lock, see coordinator.ts) and broadcasts its state;
 * the others show that state and send their commands to it. Messages travel over a
 * BroadcastChannel, and anything on that channel may come from an older or newer version of the
 * app, or be damaged: {@link readTabMessage} checks every field and keeps only what it knows.
 *
 * Pure data and checks: no DOM, no channel (tested in Node).
 */
import type { TorrentPeer } from '../torrent-types.js';

/** The BroadcastChannel of every tab of an origin. */
export const TAB_CHANNEL = 'tabswarm-tabs';
/** The version of these messages; a message of another version is ignored. */
export const TAB_PROTOCOL_VERSION = 1;
/** The Web Lock a tab holds while it runs the torrent (the info hash follows). */
export const TORRENT_LOCK_PREFIX = 'tabswarm-torrent-';

/** A torrent as the tab that runs it shows it, for the other tabs to show the same. */
export interface TorrentSnapshot {
  infoHash: string;
  name: string;
  /** The tab running it has the metadata (the others read it from the saved torrent list). */
  hasMetadata: boolean;
  paused: boolean;
  /** Why it stopped, when it stopped on an error. */
  error?: string;
  done: boolean;
  progress: number;
  downloaded: number;
  uploaded: number;
  downloadSpeed: number;
  uploadSpeed: number;
  numPeers: number;
  failedConnections: number;
  /** Bytes still wanted, once the metadata is known. */
  left?: number;
  /** Each piece's state (0 missing, 1 downloading, 2 verified); empty before the metadata. */
  pieces: Uint8Array;
  peers: TorrentPeer[];
  /** The selected files; absent when every file is. */
  selection?: number[];
}

/** What another tab may ask of the tab that runs a torrent. */
export type TabCommand =
  | { kind: 'pause' }
  | { kind: 'resume' }
  /** The files to download from now on: those listed, or every file when `selection` is absent. */
  | { kind: 'select'; selection?: number[] | undefined }
  /** Stop it, forget it and (with `deleteData`) delete its pieces; the runner then says `removed`. */
  | { kind: 'remove'; deleteData: boolean };

interface Base {
  v: typeof TAB_PROTOCOL_VERSION;
  /** The sender's peer id (40 hex characters): each tab's client has its own. */
  from: string;
}

export type TabMessage =
  /** A tab started (`hello`) or answers one (`here`): its peer id is another tab's, not a peer's. */
  | (Base & { type: 'hello' | 'here' })
  /** A tab is closing. */
  | (Base & { type: 'bye' })
  | (Base & { type: 'state'; torrent: TorrentSnapshot })
  /** The torrent is stopped, forgotten and (if asked) its data deleted; it runs nowhere now. */
  | (Base & { type: 'removed'; infoHash: string })
  | (Base & { type: 'command'; infoHash: string; command: TabCommand });

/** Bounds on what a message may hold, so that a damaged one cannot make a tab allocate without end. */
export const LIMITS = {
  name: 64 * 1024,
  pieces: 1 << 24,
  peers: 1000,
  selection: 1 << 20,
  text: 1024,
} as const;

const HEX_40 = /^[0-9a-f]{40}$/;

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hex40(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HEX_40.test(value)) fail(`${field} is not 40 lowercase hex characters`);
  return value;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) fail(`${field} is not a string of at most ${max} characters`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') fail(`${field} is not a boolean`);
  return value;
}

/** A finite number from 0 up (bytes, rates, counts); `integer` for counts. */
function amount(value: unknown, field: string, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isSafeInteger(value))) {
    fail(`${field} is not a ${integer ? 'count' : 'non-negative number'}`);
  }
  return value;
}

function indexList(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length > LIMITS.selection) fail(`${field} is not a list of file indexes`);
  return value.map((n, i) => amount(n, `${field}[${i}]`, true));
}

function pieceStates(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length > LIMITS.pieces) fail('pieces is not a list of piece states');
  for (const s of value) if (s > 2) fail('pieces holds a state that is not 0, 1 or 2');
  return value.slice();
}

function peer(value: unknown, i: number): TorrentPeer {
  const at = `peers[${i}]`;
  if (!isObject(value)) fail(`${at} is not an object`);
  const { id, connection, client, downloadSpeed, uploadSpeed, progress, unchokedUs, unchokedByUs } = value;
  if (connection !== undefined && connection !== 'direct' && connection !== 'relay') fail(`${at}.connection is not direct or relay`);
  const p = amount(progress, `${at}.progress`);
  if (p > 1) fail(`${at}.progress is over 1`);
  return {
    id: text(id, `${at}.id`, LIMITS.text),
    connection,
    client: client === undefined ? undefined : text(client, `${at}.client`, LIMITS.text),
    downloadSpeed: amount(downloadSpeed, `${at}.downloadSpeed`),
    uploadSpeed: amount(uploadSpeed, `${at}.uploadSpeed`),
    progress: p,
    unchokedUs: flag(unchokedUs, `${at}.unchokedUs`),
    unchokedByUs: flag(unchokedByUs, `${at}.unchokedByUs`),
  };
}

function snapshot(value: unknown): TorrentSnapshot {
  if (!isObject(value)) fail('torrent is not an object');
  const v = value;
  const progress = amount(v.progress, 'progress');
  if (progress > 1) fail('progress is over 1');
  if (!Array.isArray(v.peers) || v.peers.length > LIMITS.peers) fail(`peers is not a list of at most ${LIMITS.peers}`);
  const s: TorrentSnapshot = {
    infoHash: hex40(v.infoHash, 'infoHash'),
    name: text(v.name, 'name', LIMITS.name),
    hasMetadata: flag(v.hasMetadata, 'hasMetadata'),
    paused: flag(v.paused, 'paused'),
    done: flag(v.done, 'done'),
    progress,
    downloaded: amount(v.downloaded, 'downloaded'),
    uploaded: amount(v.uploaded, 'uploaded'),
    downloadSpeed: amount(v.downloadSpeed, 'downloadSpeed'),
    uploadSpeed: amount(v.uploadSpeed, 'uploadSpeed'),
    numPeers: amount(v.numPeers, 'numPeers', true),
    failedConnections: amount(v.failedConnections, 'failedConnections', true),
    pieces: pieceStates(v.pieces),
    peers: v.peers.map(peer),
  };
  if (v.error !== undefined) s.error = text(v.error, 'error', LIMITS.name);
  if (v.left !== undefined) s.left = amount(v.left, 'left');
  if (v.selection !== undefined) s.selection = indexList(v.selection, 'selection');
  return s;
}

function command(value: unknown): TabCommand {
  if (!isObject(value)) fail('command is not an object');
  switch (value.kind) {
    case 'pause':
    case 'resume':
      return { kind: value.kind };
    case 'select':
      return value.selection === undefined ? { kind: 'select' } : { kind: 'select', selection: indexList(value.selection, 'command.selection') };
    case 'remove':
      return { kind: 'remove', deleteData: flag(value.deleteData, 'command.deleteData') };
    default:
      return fail('command.kind is not pause, resume, select or remove');
  }
}

/**
 * A message from the channel, checked field by field (only the known fields are kept, copied), or
 * the reason it is not one this version understands.
 */
export function readTabMessage(data: unknown): TabMessage | string {
  try {
    if (!isObject(data)) fail('not an object');
    if (data.v !== TAB_PROTOCOL_VERSION) fail(`version ${String(data.v)} is not ${TAB_PROTOCOL_VERSION}`);
    const base: Base = { v: TAB_PROTOCOL_VERSION, from: hex40(data.from, 'from') };
    switch (data.type) {
      case 'hello':
      case 'here':
      case 'bye':
        return { ...base, type: data.type };
      case 'state':
        return { ...base, type: 'state', torrent: snapshot(data.torrent) };
      case 'removed':
        return { ...base, type: 'removed', infoHash: hex40(data.infoHash, 'infoHash') };
      case 'command':
        return { ...base, type: 'command', infoHash: hex40(data.infoHash, 'infoHash'), command: command(data.command) };
      default:
        return fail(`type ${JSON.stringify(String(data.type)).slice(0, 40)} is not known`);
    }
  } catch (e) {
    if (e instanceof Invalid) return e.message;
    throw e;
  }
}
