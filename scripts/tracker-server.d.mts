import type TrackerServerInstance from 'bittorrent-tracker/server';

export declare const TRACKER_LIMITS: {
  maxPayload: number;
  messagesPerSecond: number;
  burst: number;
  maxSockets: number;
};

export interface RunningTracker {
  server: TrackerServerInstance;
  port: number;
  url: string;
  sockets: Set<unknown>;
  stats(): { sockets: number; closedForRate: number; refused: number };
  close(): Promise<void>;
}

export declare function startTrackerServer(options?: {
  port?: number;
  host?: string;
  limits?: Partial<typeof TRACKER_LIMITS>;
  onWarning?: (error: Error) => void;
}): Promise<RunningTracker>;
