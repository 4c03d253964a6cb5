/**
 * A WebSocket tap in front of a tracker: pages announce to it, it relays every message both ways
 * and keeps a copy, so a test reads everything the tracker was told and everything it sent.
 */
import WebSocket, { WebSocketServer } from 'ws';

/** WebSocket's readyState once open. */
const OPEN = 1;

export interface TrackerTap {
  url: string;
  /** Every message, in order: who sent it and its text. */
  readonly messages: { from: 'page' | 'tracker'; text: string }[];
  close(): Promise<void>;
}

/** Starts a tap on 127.0.0.1 (a free port) relaying to the tracker at `target` (a ws:// URL). */
export async function tapTracker(target: string): Promise<TrackerTap> {
  const messages: TrackerTap['messages'] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const sockets = new Set<WebSocket>();
  server.on('connection', (page: WebSocket) => {
    const tracker = new WebSocket(target);
    sockets.add(page).add(tracker);
    const waiting: string[] = [];
    tracker.on('open', () => {
      for (const text of waiting.splice(0)) tracker.send(text);
    });
    page.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      messages.push({ from: 'page', text });
      if (tracker.readyState === OPEN) tracker.send(text);
      else waiting.push(text);
    });
    tracker.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      messages.push({ from: 'tracker', text });
      if (page.readyState === OPEN) page.send(text);
    });
    const closeBoth = () => {
      page.terminate();
      tracker.terminate();
    };
    page.on('close', closeBoth);
    tracker.on('close', closeBoth);
    page.on('error', closeBoth);
    tracker.on('error', closeBoth);
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}`,
    messages,
    close: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
