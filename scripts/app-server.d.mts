import type { PreviewServer } from 'vite';

export declare const TRACKER_PATH: string;

export declare function defaultAnnounce(host: string, trackerPort: number): string;

export declare function startAppServer(options: {
  port: number;
  host: string;
  trackerPort: number;
  outDir?: string;
  https?: { key: string; cert: string };
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}): Promise<{ server: PreviewServer; url: string; port: number; close(): Promise<void> }>;
