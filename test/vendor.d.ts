/**
 * Minimal typings for the two untyped packages the tracker tests use (no @types/ws is installed).
 * Only what the tests touch is declared.
 */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';

  type Handler<E> = { bivariant(event: E): void }['bivariant'];

  export class WebSocket extends EventEmitter {
    constructor(url: string, options?: { autoPong?: boolean });
    readonly readyState: number;
    send(data: string | Uint8Array, options?: { binary?: boolean }): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    onopen: Handler<unknown> | null;
    onmessage: Handler<{ data: unknown }> | null;
    onclose: Handler<unknown> | null;
    onerror: Handler<unknown> | null;
  }
  export default WebSocket;

  /** The server side (a tap between the app and the tracker in the private-share test). */
  export class WebSocketServer extends EventEmitter {
    constructor(options: { host?: string; port?: number });
    address(): import('node:net').AddressInfo;
    close(cb?: (err?: Error) => void): void;
  }
}

declare module 'bittorrent-tracker/server' {
  import type { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface ServerOptions {
    udp?: boolean;
    http?: boolean;
    ws?: boolean | { maxPayload?: number };
    stats?: boolean;
    interval?: number;
    filter?: (infoHash: string, params: unknown, cb: (err?: Error | null) => void) => void;
  }

  export default class Server extends EventEmitter {
    constructor(opts?: ServerOptions);
    readonly http: HttpServer | null;
    readonly ws: (EventEmitter & { address(): AddressInfo }) | null;
    readonly torrents: Record<string, unknown>;
    listen(port: number, hostname: string, onListening?: () => void): void;
    close(cb?: (err?: Error | null) => void): void;
  }
}
