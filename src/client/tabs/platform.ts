/**
 * What the tabs of one browser share, as the coordinator (coordinator.ts) uses it: Web Locks (one tab
 * holds a torrent's lock while it runs it; the browser releases it when that tab closes or crashes)
 * and a BroadcastChannel. Behind small interfaces, so that tests can put two coordinators on fakes.
 */
import { TAB_CHANNEL, type TabMessage } from './protocol.js';

/** Gives back a lock this tab holds. */
export type Release = () => void;

export interface TabLocks {
  /** Takes lock `name` if no tab holds it: its release, or undefined when another tab holds it. */
  tryHold(name: string): Promise<Release | undefined>;
  /** Waits for lock `name`; resolves once this tab holds it, rejects once `signal` aborts first. */
  hold(name: string, signal: AbortSignal): Promise<Release>;
}

export interface TabChannel {
  post(message: TabMessage): void;
  /** Everything others post, unchecked (see readTabMessage). */
  listen(handler: (data: unknown) => void): void;
  close(): void;
}

export interface TabPlatform {
  locks: TabLocks;
  openChannel(): TabChannel;
  /** Calls `handler` when the page goes away (the tab closes or navigates); absent: never. */
  onLeave?(handler: () => void): () => void;
}

function request(locks: LockManager, name: string, options: LockOptions): Promise<Release | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, options, (lock) => {
        if (!lock) {
          resolve(undefined);
          return undefined;
        }
        // Held until released (or until the tab goes away, when the browser releases it).
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
  });
}

/**
 * The browser's Web Locks and BroadcastChannel; undefined where either is missing (an old browser,
 * an insecure page has no `navigator.locks`): the client then runs every torrent itself, as before.
 */
export function browserTabPlatform(): TabPlatform | undefined {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel === 'undefined') return undefined;
  return {
    locks: {
      tryHold: (name) => request(locks, name, { ifAvailable: true }),
      hold: async (name, signal) => {
        const release = await request(locks, name, { signal });
        if (!release) throw new Error(`lock ${name} was not granted`);
        return release;
      },
    },
    openChannel: () => {
      const channel = new BroadcastChannel(TAB_CHANNEL);
      return {
        post: (m) => channel.postMessage(m),
        listen: (handler) => channel.addEventListener('message', (e: MessageEvent<unknown>) => handler(e.data)),
        close: () => channel.close(),
      };
    },
    onLeave: (handler) => {
      addEventListener('pagehide', handler);
      return () => removeEventListener('pagehide', handler);
    },
  };
}
