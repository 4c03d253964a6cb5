/**
 * The set-up the client tests share: things to undo after each test (newest first), and a real
 * tracker that is closed with them.
 */
import { createHash } from 'node:crypto';
import { afterEach } from 'vitest';
import { startTracker, type TrackerServer } from '../browser/lib-harness.js';
import { BaseClient } from '../../src/client/client.js';
import { fakeWorld } from './fake-env.js';

export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface ClientBed {
  /** Undone after the test, newest first. */
  cleanup: (() => Promise<void>)[];
  tracker(): Promise<TrackerServer>;
  /** A tracker and `n` clients announcing to it, each in a world of its own; destroyed after the test. */
  clients(n: number): Promise<BaseClient[]>;
}

/** Call inside a describe block. */
export function clientBed(): ClientBed {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const tracker = async (): Promise<TrackerServer> => {
    const t = await startTracker();
    cleanup.push(() => t.close());
    return t;
  };
  return {
    cleanup,
    tracker,
    clients: async (n) => {
      const t = await tracker();
      const clients = Array.from({ length: n }, () => new BaseClient(fakeWorld().env(), { announce: [t.url] }));
      cleanup.push(...clients.map((c) => () => c.destroy()));
      return clients;
    },
  };
}
