import type TrackerServerInstance from 'bittorrent-tracker/server';

export declare const TRACKER_LIMITS: {
  maxPayload: number;
  messagesPerSecond: number;
  burst: number;
  maxSockets: number;
};

/** What /stats and /stats.json answer: counts only, never a peer id or an info hash. */
export interface TrackerStats {
  /** Open WebSocket connections. */
  sockets: number;
  /** Info hashes the tracker has seen announced (it keeps a swarm once created). */
  swarms: number;
  /** Peers in all swarms (a peer in two swarms counts twice), of which seeders and leechers. */
  peers: number;
  seeders: number;
  leechers: number;
  /** Sockets closed for sending faster than the rate limit, and refused for being over the cap. */
  closedForRate: number;
  refused: number;
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
  onWarning?: (error: Error) => void;
}): Promise<RunningTracker>;
