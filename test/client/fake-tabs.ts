/**
 * The tabs of one browser for Node tests: Web Locks and a BroadcastChannel in memory, with what the
 * browser does when a tab closes (its locks released, its channel silent).
 */
import type { Release, TabChannel, TabPlatform } from '../../src/client/tabs/platform.js';
import type { TabMessage } from '../../src/client/tabs/protocol.js';

interface Waiter {
  tab: FakeTab;
  grant: (release: Release) => void;
}

export interface FakeTab {
  platform: TabPlatform;
  /** The tab is closed (or crashed): the browser releases its locks and its channel says nothing more. */
  close(): void;
}

export interface FakeBrowser {
  tab(): FakeTab;
  /** Who holds each lock now. */
  holders(): Map<string, FakeTab>;
  /** Every message posted, as sent. */
  posted: TabMessage[];
  /** Posts raw data on the channel, as a damaged or foreign message would arrive. */
  inject(data: unknown): void;
}

export function fakeBrowser(): FakeBrowser {
  const held = new Map<string, { tab: FakeTab; token: object }>();
  const queues = new Map<string, Waiter[]>();
  const listeners = new Set<{ tab: FakeTab; handler: (data: unknown) => void }>();
  const posted: TabMessage[] = [];

  const grant = (name: string, tab: FakeTab): Release => {
    const token = {};
    held.set(name, { tab, token });
    return () => {
      if (held.get(name)?.token !== token) return;
      held.delete(name);
      handOn(name);
    };
  };

  /** The lock is free: the next waiter holds it at once (an abort from now on is too late), and hears so soon after. */
  const handOn = (name: string): void => {
    const next = queues.get(name)?.shift();
    if (!next) return;
    const release = grant(name, next.tab);
    setTimeout(() => next.grant(release));
  };

  const browser: FakeBrowser = {
    posted,
    holders: () => new Map([...held].map(([name, h]) => [name, h.tab])),
    inject: (data) => {
      for (const l of listeners) setTimeout(() => l.handler(structuredClone(data)));
    },
    tab: () => {
      let closed = false;
      const tab: FakeTab = {
        close: () => {
          closed = true;
          for (const l of [...listeners]) if (l.tab === tab) listeners.delete(l);
          for (const [name, h] of [...held]) {
            if (h.tab !== tab) continue;
            held.delete(name);
            handOn(name);
          }
          for (const q of queues.values()) for (let i = q.length - 1; i >= 0; i--) if (q[i]!.tab === tab) q.splice(i, 1);
        },
        platform: {
          locks: {
            tryHold: async (name) => (closed || held.has(name) ? undefined : grant(name, tab)),
            hold: (name, signal) =>
              new Promise<Release>((resolve, reject) => {
                if (!held.has(name)) return resolve(grant(name, tab));
                const waiter: Waiter = { tab, grant: resolve };
                const queue = queues.get(name) ?? [];
                queue.push(waiter);
                queues.set(name, queue);
                signal.addEventListener('abort', () => {
                  const i = queue.indexOf(waiter);
                  if (i < 0) return; // granted already
                  queue.splice(i, 1);
                  reject(new DOMException('aborted', 'AbortError'));
                });
              }),
          },
          openChannel: (): TabChannel => {
            const own = new Set<{ tab: FakeTab; handler: (data: unknown) => void }>();
            return {
              post: (m) => {
                if (closed) return;
                posted.push(m);
                // Delivered later, cloned, to every other channel (as a BroadcastChannel does).
                for (const l of listeners) if (!own.has(l)) setTimeout(() => l.handler(structuredClone(m)));
              },
              listen: (handler) => {
                const l = { tab, handler };
                own.add(l);
                listeners.add(l);
              },
              close: () => {
                for (const l of own) listeners.delete(l);
              },
            };
          },
        },
      };
      return tab;
    },
  };
  return browser;
}
