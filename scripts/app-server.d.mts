import type { PreviewServer } from 'vite';
import type { IceServerConfig } from './ice-flags.mjs';

export declare const TRACKER_PATH: string;

export declare function defaultAnnounce(host: string, trackerPort: number): string;

export declare function appConfig(o: { announce: string[]; iceServers?: unknown; iceTransportPolicy?: 'all' | 'relay' }): {
  announce: string[];
  iceServers?: IceServerConfig[];
  iceTransportPolicy?: 'all' | 'relay';
};

export declare function startAppServer(options: {
  port: number;
  host: string;
  trackerPort: number;
  /** STUN/TURN servers written into config.json (see iceServersFromFlags in ice-flags.mjs). */
  iceServers?: IceServerConfig[];
  /** Written into config.json: 'relay' connects only through the TURN servers. */
  iceTransportPolicy?: 'all' | 'relay';
  outDir?: string;
  https?: { key: string; cert: string };
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}): Promise<{
  server: PreviewServer;
  url: string;
  port: number;
  config: { announce: string[]; iceServers?: IceServerConfig[]; iceTransportPolicy?: 'all' | 'relay' };
  setIceServers(iceServers: IceServerConfig[]): void;
  close(): Promise<void>;
}>;
