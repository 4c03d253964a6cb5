/** Starts scripts/tracker-process.mjs (a tracker in a child process, with --expose-gc) and talks to it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TrackerStats, TRACKER_LIMITS } from '../../scripts/tracker-server.mjs';

const SCRIPT = fileURLToPath(new URL('../../scripts/tracker-process.mjs', import.meta.url));

export interface Measure {
  /** Bytes, after a full garbage collection. */
  heapUsed: number;
  rss: number;
  /** CPU time of the process since it started. */
  cpuMs: number;
  /** Ours: its /stats; plain bittorrent-tracker: swarms and peers only. */
  stats: Partial<TrackerStats> & { swarms: number; peers: number };
}

export interface TrackerProcess {
  port: number;
  url: string;
  measure(): Promise<Measure>;
  close(): Promise<void>;
}

export async function startTrackerProcess(options: { plain?: boolean; limits?: Partial<typeof TRACKER_LIMITS>; cpu?: number } = {}): Promise<TrackerProcess> {
  const args = [
    '--expose-gc',
    ...(process.env['TRACKER_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['TRACKER_PROFILE']}`] : []),
    SCRIPT,
    ...(options.plain ? ['--plain'] : []),
    '--limits',
    JSON.stringify(options.limits ?? {}),
  ];
  // Pinned to one core where taskset is there (the benchmark's "one core").
  const pin = options.cpu !== undefined && existsSync('/usr/bin/taskset');
  const child = pin
    ? spawn('/usr/bin/taskset', ['-c', String(options.cpu), process.execPath, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the tracker process did not start')), 15_000);
    child.once('exit', (code) => reject(new Error(`the tracker process exited (${code})`)));
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      resolve(m.port!);
    });
  });
  let next = 0;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    measure: () =>
      new Promise<Measure>((resolve, reject) => {
        const id = ++next;
        const timer = setTimeout(() => reject(new Error('no measure from the tracker process')), 30_000);
        const onMessage = (m: Measure & { type?: string; id?: number }): void => {
          if (m.type !== 'measure' || m.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(m);
        };
        child.on('message', onMessage);
        child.send({ type: 'measure', id });
      }),
    close: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}
