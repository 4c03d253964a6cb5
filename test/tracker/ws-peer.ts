/** A bare WebSocket tracker client for the server tests: raw frames, no TrackerClient in between. */
import WebSocket from 'ws';
import { afterEach } from 'vitest';
import { startTrackerServer, type RunningTracker } from '../../scripts/tracker-server.mjs';

/** A 20-character binary id of one repeated byte (an info hash or a peer id). */
export const bin = (byte: number): string => String.fromCharCode(...new Array<number>(20).fill(byte));

export function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export function nextMessage(ws: WebSocket, timeoutMs = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    ws.once('message', (data: unknown) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)) as Record<string, unknown>);
    });
  });
}

/** Sends one message and resolves with the tracker's next message, parsed, and as text. */
export async function ask(ws: WebSocket, message: object): Promise<{ reply: Record<string, unknown>; text: string }> {
  const text = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 5000);
    ws.once('message', (data: unknown) => {
      clearTimeout(timer);
      resolve(String(data));
    });
  });
  ws.send(JSON.stringify(message));
  const t = await text;
  return { reply: JSON.parse(t) as Record<string, unknown>, text: t };
}

export function closed(ws: WebSocket, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still open')), timeoutMs);
    ws.once('close', (code: number) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** An announce of peer `peer` (a byte, or a 20-character id) for info hash bin(7) unless `extra` says otherwise. */
export function announce(peer: number | string, extra: Record<string, unknown> = {}): string {
  const peerId = typeof peer === 'number' ? bin(peer) : peer;
  return JSON.stringify({
    action: 'announce',
    info_hash: bin(7),
    peer_id: peerId,
    numwant: 5,
    uploaded: 0,
    downloaded: 0,
    left: 100,
    event: 'started',
    ...extra,
  });
}

/**
 * A tracker server per test (`start`, with any options) and raw WebSocket clients of it (`client`),
 * all closed after each test of the describe block that calls this.
 */
export function trackerTestBed(): { start(options?: Parameters<typeof startTrackerServer>[0]): Promise<RunningTracker>; client(): Promise<WebSocket> } {
  let tracker: RunningTracker | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await tracker?.close();
    tracker = undefined;
  });
  return {
    async start(options) {
      tracker = await startTrackerServer(options);
      return tracker;
    },
    async client() {
      if (!tracker) throw new Error('start the tracker first');
      const ws = await open(tracker.url);
      sockets.push(ws);
      return ws;
    },
  };
}

/** Every message a socket receives from now on, parsed, in order. */
export function inbox(ws: WebSocket): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data: unknown) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  return messages;
}

/** `n` well-formed offers (offer ids `first`, `first + 1`, … as bytes). */
export function offers(n: number, first = 0x90): { offer: { type: 'offer'; sdp: string }; offer_id: string }[] {
  return Array.from({ length: n }, (_, i) => ({ offer: { type: 'offer' as const, sdp: `v=0 ${i}` }, offer_id: bin(first + i) }));
}
