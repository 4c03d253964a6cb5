/**
 * The set-up the client tests share: things to undo after each test (newest first), and a real
 * tracker that is closed with them.
 */
import { createHash } from 'node:crypto';
import { afterEach } from 'vitest';
import { startTracker, type TrackerServer } from '../browser/lib-harness.js';

export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface ClientBed {
  /** Undone after the test, newest first. */
  cleanup: (() => Promise<void>)[];
  tracker(): Promise<TrackerServer>;
}

/** Call inside a describe block. */
export function clientBed(): ClientBed {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  return {
    cleanup,
    tracker: async () => {
      const t = await startTracker();
      cleanup.push(() => t.close());
      return t;
    },
  };
}
