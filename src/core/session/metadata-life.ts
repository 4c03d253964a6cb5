/**
 * The metadata's life cycle in a session: the info dictionary, given at the start, assembled from peers
 * (the metadata exchange, metadata.ts) or provided from elsewhere (a magnet link's `xs=`), is checked and
 * becomes the downloads (downloads.ts); then the swarm, the priorities and the client learn of it.
 */
import type { MetadataExchange } from './metadata.js';
import type { SessionEvents } from './types.js';
import { Downloads, type Totals } from './downloads.js';
import type { Priorities } from './priorities.js';
import { checkPieceLength, type MemoryBudget } from './memory.js';
import type { Swarm, SwarmOptions } from './swarm.js';
import { parseInfoDict, type Metainfo } from '../metainfo.js';
import { TabswarmError } from '../errors.js';
import type { Emitter } from '../emitter.js';

/** The session's options that the downloads and the parsing of the info dictionary use. */
export type MetadataLifeOptions = Pick<SwarmOptions, 'hasher' | 'sha256' | 'clock' | 'store' | 'random'>;

/** What the metadata life cycle asks of its session. */
export interface MetadataHost {
  started(): boolean;
  stopped(): boolean;
  /** Pieces the store already holds are counted as verified (resume). */
  loadStored(downloads: Downloads): Promise<void>;
  /** `done` fires if every wanted piece is here. */
  checkDone(): void;
  /** The torrent cannot go on: an `error`, and the session pauses. */
  fail(error: Error): void;
  warn(message: string): void;
}

/** The session's parts it works with. */
export interface MetadataParts {
  swarm: Pick<Swarm, 'requester' | 'all' | 'peer' | 'ban' | 'drop' | 'pieceVerified' | 'attach' | 'metadataFailed' | 'metadataKnown' | 'sendWantsToAll'>;
  exchange: Pick<MetadataExchange, 'settle'>;
  priorities: Pick<Priorities, 'hold' | 'attach'>;
  budget: MemoryBudget;
  totals: Totals;
  events: Emitter<SessionEvents>;
}

export class MetadataLife {
  private current: Downloads | undefined;

  /** `metadataHash`: what metadata from elsewhere must hash to (see TorrentSession's constructor). */
  constructor(
    private readonly o: MetadataLifeOptions,
    private readonly metadataHash: Uint8Array,
    private readonly host: MetadataHost,
    private readonly parts: MetadataParts,
  ) {}

  /** Geometry, picker and verifier: once the metadata is known. */
  get downloads(): Downloads | undefined {
    return this.current;
  }

  /** The metadata pieces from peers are complete: check them. */
  async check(): Promise<void> {
    const result = await this.parts.exchange.settle();
    if (this.host.stopped() || this.current) return;
    if (result.kind === 'failed') {
      this.host.warn('metadata from peers did not match the info hash; fetching it again');
      this.parts.swarm.metadataFailed(result.culprits);
    } else if (result.kind === 'broken') this.host.fail(result.error);
    else if (result.kind === 'metainfo') await this.accept(result.metainfo);
  }

  /** See `TorrentSession.provideMetadata`. */
  async provide(infoBytes: Uint8Array): Promise<void> {
    if (this.current || this.host.stopped()) return;
    await this.accept(await parseInfoDict(infoBytes, this.metadataHash, this.o.hasher, this.o.sha256));
  }

  private async accept(metainfo: Metainfo): Promise<void> {
    if (this.current || this.host.stopped()) return;
    let downloads: Downloads;
    try {
      downloads = this.set(metainfo);
    } catch (e) {
      this.host.fail(e instanceof Error ? e : new TabswarmError(String(e)));
      return;
    }
    const { swarm, priorities, events } = this.parts;
    if (this.host.started()) await this.host.loadStored(downloads);
    priorities.hold(() => events.emit('metadata', metainfo));
    swarm.metadataKnown(downloads);
    if (this.host.started()) swarm.sendWantsToAll();
    this.host.checkDone();
  }

  /** Throws a TorrentError, changing nothing, when a piece is longer than the torrent may hold. */
  set(metainfo: Metainfo): Downloads {
    const { swarm, events, budget } = this.parts;
    checkPieceLength(metainfo.pieceLength, budget.ceiling);
    const host = this.host;
    const downloads = (this.current = new Downloads(metainfo, {
      ...this.o,
      budget,
      requester: swarm.requester,
      totals: this.parts.totals,
      host: {
        peers: () => swarm.all(),
        peer: (id) => swarm.peer(id),
        ban: (peer, reason) => swarm.ban(peer, reason),
        drop: (peer, reason) => swarm.drop(peer, reason),
        verified: (index, data) => {
          swarm.pieceVerified(index, data);
          events.emit('piece', index);
          host.checkDone();
        },
        blockVerified: (index, begin) => events.emit('block', { index, begin }),
        pieceHashed: (index) => events.emit('hashed', { index }),
        fail: (error) => host.fail(error),
        warn: (message) => host.warn(message),
      },
    }));
    swarm.attach(downloads);
    // What was asked before the metadata (only possible when it came from peers) is acted on by
    // `accept` once the peers' pieces are counted: acted on here, the leecher would tell its
    // peers it wanted nothing, then that it did.
    this.parts.priorities.attach(downloads.picker, downloads.geometry);
    return downloads;
  }
}
