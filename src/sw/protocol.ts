/**
 * Messages between the service worker and the page that holds the torrents. The swarm lives in the
 * page, so the worker asks a page for bytes: it posts {@link OpenMessage} with a `MessagePort`, and
 * the rest of the conversation happens on that port, pulled by the worker one chunk at a time:
 *
 *   worker → page (client.postMessage)   open { target, request }   + port
 *   page → worker (port)                 found { size, name } | missing { reason }
 *   worker → page (port)                 read { start, end }        (or cancel: nothing to send)
 *
 * A page starts reading a file's bytes when the open comes, at the range its request names (the
 * range the worker then asks for), rather than a round trip later with the read.
 *   worker → page (port)                 pull                       (once per chunk it wants)
 *   page → worker (port)                 chunk { data } | end | error { message }
 *   worker → page (port)                 cancel                     (the request went away)
 *
 * The page keeps the worker alive while streams are open with {@link KeepAliveMessage}s (a worker
 * with no event for a while may be stopped, which would cut the responses it is streaming).
 *
 * The worker answers only streams of torrents a page has (a site's own `stream/` URLs go to its
 * server), so each page tells it which it has, and tells again when asked:
 *
 *   page → worker (controller.postMessage)   have { infoHashes }   (+ a port to acknowledge it on)
 *   worker → page (client.postMessage)       roll-call            (a worker that (re)started)
 */
import type { StreamTarget } from './http.js';

export const OPEN = 'tabswarm-stream-open';
export const KEEP_ALIVE = 'tabswarm-keep-alive';
export const HAVE = 'tabswarm-have';
export const ROLL_CALL = 'tabswarm-roll-call';

export interface OpenMessage {
  type: typeof OPEN;
  target: StreamTarget;
  /** The request's method and `Range` header (absent from an older worker). */
  request?: { method: string; range: string | null };
}

export interface KeepAliveMessage {
  type: typeof KEEP_ALIVE;
}

/** Every torrent the page has (replacing what it said before). */
export interface HaveMessage {
  type: typeof HAVE;
  infoHashes: string[];
}

export interface RollCallMessage {
  type: typeof ROLL_CALL;
}

export type WorkerMessage = { type: 'read'; start: number; end: number | undefined } | { type: 'pull' } | { type: 'cancel' };

export type PageMessage =
  | { type: 'found'; size: number | undefined; name: string }
  /** `torrent`: whether the page has the torrent (but not the file), or has nothing of what was asked. */
  | { type: 'missing'; reason: string; torrent: boolean }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function isOpenMessage(v: unknown): v is OpenMessage {
  if (!isObject(v) || v.type !== OPEN || !isObject(v.target)) return false;
  const r = v.request;
  if (r !== undefined && !(isObject(r) && typeof r.method === 'string' && (r.range === null || typeof r.range === 'string'))) return false;
  const t = v.target;
  if (t.kind === 'file') return typeof t.infoHash === 'string' && isCount(t.fileIndex);
  return t.kind === 'offer' && typeof t.id === 'string';
}

export function isHaveMessage(v: unknown): v is HaveMessage {
  return isObject(v) && v.type === HAVE && Array.isArray(v.infoHashes) && v.infoHashes.every((h) => typeof h === 'string');
}

export function isRollCallMessage(v: unknown): v is RollCallMessage {
  return isObject(v) && v.type === ROLL_CALL;
}

export function isWorkerMessage(v: unknown): v is WorkerMessage {
  if (!isObject(v)) return false;
  if (v.type === 'read') return isCount(v.start) && (v.end === undefined || isCount(v.end));
  return v.type === 'pull' || v.type === 'cancel';
}

export function isPageMessage(v: unknown): v is PageMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'found':
      return (v.size === undefined || isCount(v.size)) && typeof v.name === 'string';
    case 'missing':
      return typeof v.reason === 'string' && typeof v.torrent === 'boolean';
    case 'chunk':
      return v.data instanceof Uint8Array;
    case 'end':
      return true;
    case 'error':
      return typeof v.message === 'string';
    default:
      return false;
  }
}
