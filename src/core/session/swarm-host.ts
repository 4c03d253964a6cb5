/** What a swarm (swarm.ts) is given by its session: options with their defaults, a host to ask, and shared parts. */
import type { MetadataExchange } from './metadata.js';
import type { Priorities } from './priorities.js';
import type { Totals } from './downloads.js';
import type { SessionEvents, SessionOptions } from './types.js';
import type { Emitter } from '../emitter.js';

/** Session options that may stay unset. */
type Unset = 'uploadLimit' | 'downloadLimit' | 'connector' | 'refusePeer' | 'infoHashV2' | 'sha256' | 'timeline';
/** The session's options with their defaults filled in. */
export type SwarmOptions = Required<Omit<SessionOptions, 'metainfo' | 'memory' | Unset>> & Pick<SessionOptions, Unset>;

/** What the swarm asks of its session. */
export interface SwarmHost {
  state(): 'running' | 'paused' | 'stopped';
  /** Every wanted piece is verified (the choker then favours the fastest uploads). */
  done(): boolean;
  /** The metadata pieces from peers are complete: check them. */
  metadataComplete(): void;
  /** Whether this info hash names the torrent (a hybrid has two), and whether we speak v2 (BEP 52). */
  acceptsInfoHash(infoHash: Uint8Array): boolean;
  v2(): boolean;
}

export interface SwarmParts {
  totals: Totals;
  events: Emitter<SessionEvents>;
  metadata: MetadataExchange;
  priorities: Priorities;
}
