/**
 * Moments of the page's start and of its streams, left as User Timing marks (`performance.mark`,
 * named `tabswarm:<what>`) for the benchmark's streaming timeline (bench/stream.ts) and for anyone
 * reading a page's performance entries in the browser's tools. A no-op where `performance.mark` is
 * missing.
 */
export type Moment =
  /** The app's controller started (the page's modules ran). */
  | 'app-start'
  /** The service worker controls the page and knows its torrents. */
  | 'sw-ready'
  /** The client is made and its saved torrents are back. */
  | 'client-ready'
  /** The worker asked the page for a stream's bytes (a range request reached it). */
  | 'stream-open'
  /** A stream's first bytes left for the worker. */
  | 'stream-data';

export function markMoment(moment: Moment): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(`tabswarm:${moment}`);
}
