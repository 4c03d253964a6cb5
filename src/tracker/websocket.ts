/**
 * The platform side of the tracker client's socket: wraps a WHATWG-style WebSocket (the browser's
 * global one, or `ws` in Node, whose `WebSocket` has the same onopen/onmessage/onclose/onerror
 * properties) as a {@link SocketLike}.
 */
import type { SocketConnector, SocketLike } from '../core/tracker/types.js';

/** An event handler property, compared bivariantly so that DOM and `ws` event types both fit. */
type Handler<E> = { bivariant(event: E): void }['bivariant'];

/** The part of a WebSocket this adapter uses. */
export interface WebSocketInstance {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketInstance;

const OPEN = 1;

function globalWebSocket(): WebSocketConstructor {
  // Node 20 has no global WebSocket; the DOM typings say there always is one.
  if (typeof WebSocket === 'undefined') throw new Error('no WebSocket in this environment: pass a constructor (e.g. from `ws`)');
  return WebSocket;
}

function errorText(event: unknown): string {
  if (typeof event === 'object' && event !== null && 'message' in event && typeof event.message === 'string') return event.message;
  return 'WebSocket error';
}

/** Opens a socket to `url`. Throws like the WebSocket constructor does (e.g. on a malformed URL). */
export function webSocketConnector(url: string, WebSocketImpl: WebSocketConstructor = globalWebSocket()): SocketLike {
  const ws = new WebSocketImpl(url);
  let closed = false;
  const socket: SocketLike = {
    send(text) {
      if (ws.readyState !== OPEN) throw new Error('the socket is not open');
      ws.send(text);
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        ws.close();
      } catch {
        // Closing twice, or while connecting, is harmless.
      }
    },
    onopen: undefined,
    onmessage: undefined,
    onclose: undefined,
    onerror: undefined,
  };
  ws.onopen = () => socket.onopen?.();
  ws.onmessage = (event) => {
    // Text frames only: trackers speak JSON; binary frames are ignored.
    if (typeof event.data === 'string') socket.onmessage?.(event.data);
  };
  ws.onerror = (event) => socket.onerror?.(errorText(event));
  ws.onclose = () => {
    closed = true;
    socket.onclose?.();
  };
  return socket;
}

/** A {@link SocketConnector} over a given WebSocket constructor (default: the global one). */
export function webSocketConnectorFor(WebSocketImpl?: WebSocketConstructor): SocketConnector {
  return (url) => webSocketConnector(url, WebSocketImpl ?? globalWebSocket());
}
