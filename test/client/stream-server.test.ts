/**
 * The page's side of streaming (StreamServer), with a fake service worker container and real
 * MessageChannels: a file's range starts being read when the worker's `open` comes (the range its
 * request names), a page-to-worker round trip before the worker's `read`, so its pieces are fetched
 * first that much sooner (the first frame and a seek wait for them).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StreamServer, type TorrentLookup } from '../../src/client/stream-server.js';
import { OPEN, type OpenMessage, type PageMessage, type WorkerMessage } from '../../src/sw/protocol.js';
import type { Torrent } from '../../src/client/torrent.js';

const SIZE = 1000;
const HASH = 'a'.repeat(40);

function setup() {
  let onMessage: ((e: { data: unknown; ports: MessagePort[] }) => void) | undefined;
  const container = {
    controller: null,
    addEventListener: (type: string, fn: (e: { data: unknown; ports: MessagePort[] }) => void) => {
      if (type === 'message') onMessage = fn;
    },
    removeEventListener: () => {},
    startMessages: () => {},
  } as unknown as ServiceWorkerContainer;
  /** The ranges the file's streams were opened at, and those cancelled. */
  const opened: [number, number | undefined][] = [];
  const cancelled: number[] = [];
  const file = {
    name: 'film.webm',
    length: SIZE,
    stream: (start: number, end: number | undefined) => {
      opened.push([start, end]);
      return new ReadableStream<Uint8Array>({
        pull: (c) => {
          c.enqueue(new Uint8Array((end ?? SIZE) - start).fill(7));
          c.close();
        },
        cancel: () => void cancelled.push(start),
      });
    },
  };
  const torrent = { infoHash: HASH, ready: Promise.resolve(), files: [file] } as unknown as Torrent;
  const lookup: TorrentLookup = { get: (h) => (h === HASH ? torrent : undefined) };
  const server = new StreamServer(lookup, container);
  /** The worker's side of one request: its open posted, the page's messages as they come. */
  const request = (req?: OpenMessage['request']) => {
    const channel = new MessageChannel();
    const got: PageMessage[] = [];
    channel.port1.onmessage = (e: MessageEvent<PageMessage>) => void got.push(e.data);
    const open: OpenMessage = { type: OPEN, target: { kind: 'file', infoHash: HASH, fileIndex: 0 }, ...(req ? { request: req } : {}) };
    onMessage!({ data: open, ports: [channel.port2] });
    return { got, send: (m: WorkerMessage) => channel.port1.postMessage(m), close: () => channel.port1.close() };
  };
  return { server, opened, cancelled, request };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('StreamServer', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));

  it("reads a file's range as soon as the worker's open names it, and serves the worker's read of it from that reader", async () => {
    const t = setup();
    const w = t.request({ method: 'GET', range: 'bytes=100-' });
    cleanup.push(() => t.server.close(), w.close);
    await until(() => w.got.length > 0);
    expect(w.got[0]).toEqual({ type: 'found', size: SIZE, name: 'film.webm' });
    expect(t.opened).toEqual([[100, SIZE]]); // before any read
    w.send({ type: 'read', start: 100, end: SIZE });
    w.send({ type: 'pull' });
    await until(() => w.got.length > 1);
    expect(w.got[1]).toMatchObject({ type: 'chunk' });
    expect((w.got[1] as { data: Uint8Array }).data.length).toBe(SIZE - 100);
    expect(t.opened).toHaveLength(1);
  });

  it('opens again when the worker asks for another range, reads nothing ahead of a HEAD request (or of an older worker), and lets go on cancel', async () => {
    const t = setup();
    cleanup.push(() => t.server.close());
    const other = t.request({ method: 'GET', range: null });
    await until(() => other.got.length > 0);
    expect(t.opened).toEqual([[0, SIZE]]);
    other.send({ type: 'read', start: 10, end: 20 });
    await until(() => t.opened.length === 2);
    expect(t.opened[1]).toEqual([10, 20]);
    expect(t.cancelled).toEqual([0]);

    for (const req of [{ method: 'HEAD', range: null }, undefined]) {
      const w = t.request(req);
      await until(() => w.got.length > 0);
      expect(t.opened).toHaveLength(2);
      w.close();
    }

    const gone = t.request({ method: 'GET', range: 'bytes=500-599' });
    await until(() => t.opened.length === 3);
    expect(t.opened[2]).toEqual([500, 600]);
    gone.send({ type: 'cancel' });
    await until(() => t.cancelled.includes(500));
  });
});
