import Server from 'bittorrent-tracker/server';

/** The library methods tracker-engine.mjs overrides or calls. */
export declare const ASSUMED: { server: readonly string[]; swarm: readonly string[] };
export declare function isOpen(socket: unknown): boolean;

/** A peer entry of a swarm, as the library makes it. */
export interface EnginePeer {
  type: string;
  peerId: string;
  complete: boolean;
  socket: unknown;
}

export declare class EngineSwarm {
  constructor(infoHash: string, server: EngineServer);
  readonly infoHash: string;
  readonly complete: number;
  readonly incomplete: number;
  readonly list: EnginePeer[];
  readonly size: number;
  readonly peers: { readonly length: number; readonly max: number; peek(id: string): EnginePeer | undefined };
  announce(params: object, cb: (err: { message: string } | null, response?: { complete: number; incomplete: number; peers: EnginePeer[] }) => void): void;
  remove(peer: EnginePeer): void;
}

export declare class EngineServer extends Server {
  constructor(options: { maxPayload: number; maxPeersPerSwarm: number; maxSwarms: number; interval?: number });
  readonly swarms: Map<string, EngineSwarm>;
  static held(socket: unknown): number;
}
