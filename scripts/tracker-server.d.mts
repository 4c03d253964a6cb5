import type TrackerServerInstance from 'bittorrent-tracker/server';

export declare const TRACKER_LIMITS: {
  maxPayload: number;
  messagesPerSecond: number;
  burst: number;
  maxSockets: number;
  maxPeerIdsPerSocket: number;
  maxSwarmsPerSocket: number;
  maxPeersPerSwarm: number;
  maxSwarms: number;
  maxScrapeHashes: number;
  pingIntervalMs: number;
  maxBufferedBytes: number;
};

/** Why a message was refused or a socket closed or refused: the keys of `TrackerStats.refusals`. */
export declare const REFUSAL_REASONS: readonly string[];

/** What /stats and /stats.json answer: counts only, never a peer id or an info hash. */
export interface TrackerStats {
  /** Open WebSocket connections. */
  sockets: number;
  /** Swarms with at least one peer (an empty swarm is deleted). */
  swarms: number;
  /** Peers in all swarms (a peer in two swarms counts twice), of which seeders and leechers. */
  peers: number;
  seeders: number;
  leechers: number;
  /** Messages received since the start, and in the last second. */
  messages: number;
  messagesPerSecond: number;
  /** Messages refused and sockets closed or refused, by reason (every reason of REFUSAL_REASONS, 0 included). */
  refusals: Record<string, number>;
  /** Peers evicted from a full swarm, and swarms evicted at the swarm cap. */
  evicted: { peers: number; swarms: number };
  /** Socket errors (resets and the like), and anything unexpected (a bug: it is counted, not thrown). */
  errors: { socket: number; internal: number };
  /** Bytes: the V8 heap in use, and the process's resident set. */
  heapUsed: number;
  rss: number;
}

export interface RunningTracker {
  server: TrackerServerInstance;
  port: number;
  url: string;
  sockets: Set<unknown>;
  stats(): TrackerStats;
  close(): Promise<void>;
}

export declare function startTrackerServer(options?: {
  port?: number;
  host?: string;
  limits?: Partial<typeof TRACKER_LIMITS>;
  /** Prints the log: one line a minute of counts by reason, and one on close. */
  log?: (line: string) => void;
}): Promise<RunningTracker>;
