/**
 * Which trackers the client reaches, from its `tracker` events, to tell the person when none can be
 * reached (then no peer can be found, except those already connected).
 */

export interface TrackerStatus {
  url: string;
  connected: boolean;
  /** Failed connection attempts since the last success. */
  failures: number;
}

export type TrackerStatuses = ReadonlyMap<string, TrackerStatus>;

/** The tracker events this looks at (a subset of the client's `TrackerEvent`). */
export type TrackerConnectionEvent =
  { type: 'connected'; url: string } | { type: 'disconnected'; url: string; retryInMs: number | undefined } | { type: string; url: string };

/**
 * The statuses after one event. `disconnected` with a retry delay is a failure (the client tries
 * again); without one the client closed the connection on purpose (no torrent uses that tracker any
 * more), so the tracker is forgotten. Other events leave the statuses unchanged.
 */
export function trackerReducer(statuses: TrackerStatuses, event: TrackerConnectionEvent): TrackerStatuses {
  if (event.type === 'connected') {
    const next = new Map(statuses);
    next.set(event.url, { url: event.url, connected: true, failures: 0 });
    return next;
  }
  if (event.type === 'disconnected' && 'retryInMs' in event) {
    const next = new Map(statuses);
    if (event.retryInMs === undefined) {
      next.delete(event.url);
    } else {
      const failures = (statuses.get(event.url)?.failures ?? 0) + 1;
      next.set(event.url, { url: event.url, connected: false, failures });
    }
    return next;
  }
  return statuses;
}

/**
 * The trackers that failed, when none is connected: the person cannot be found by new peers.
 * Empty when at least one tracker is connected, or none has failed yet.
 */
export function unreachableTrackers(statuses: TrackerStatuses): string[] {
  const all = [...statuses.values()];
  if (all.some((s) => s.connected)) return [];
  return all.filter((s) => s.failures > 0).map((s) => s.url);
}
