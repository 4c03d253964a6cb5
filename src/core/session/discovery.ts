/**
 * Peers finding peers: what our extended handshake lists, peer exchange (pex.ts) and signaling
 * relayed through peers (relay.ts), behind one face for the swarm. `ts_pex` and `ts_signal` are
 * listed only with a connector (a peer that cannot connect to anyone it hears of neither needs
 * the list nor can relay), so WebTorrent peers, which list neither, never receive either.
 */
import { REQQ, type Peer } from './peer.js';
import type { PeerChannel } from './channel.js';
import type { PeerConnector } from './connector.js';
import type { Clock } from './clock.js';
import { PeerExchange, PEX_ID } from './pex.js';
import { RelayedSignaling, SIGNAL_ID } from './relay.js';
import { UT_METADATA_ID } from './metadata.js';
import { type ExtendedHandshake, PEX_EXTENSION, SIGNAL_EXTENSION, WANT_EXTENSION } from '../wire/index.js';

export const CLIENT_VERSION = 'tabswarm 0.1.0';
/** Our extension id for incoming ts_want messages (BEP 10 `m`; ut_metadata has 1, ts_pex 3, ts_signal 4). */
export const WANT_ID = 2;

export interface DiscoveryOptions {
  peerId: Uint8Array;
  connector?: PeerConnector | undefined;
  clock: Clock;
  random: () => number;
}

/** What discovery reads and does of the swarm (swarm.ts). */
export interface DiscoverySwarm {
  all(): Iterable<Peer>;
  peer(id: string): Peer | undefined;
  readonly wantsPeers: boolean;
  readonly banned: ReadonlySet<string>;
  add(channel: PeerChannel, id: string, backup: boolean): Peer | undefined;
  drop(peer: Peer, reason: string): void;
}

export class Discovery {
  readonly pex: PeerExchange;
  readonly relay: RelayedSignaling;

  constructor(
    o: DiscoveryOptions,
    private readonly swarm: DiscoverySwarm,
  ) {
    const now = (): number => o.clock.now();
    this.pex = new PeerExchange(now);
    this.relay = new RelayedSignaling({
      peerId: o.peerId,
      connector: o.connector,
      now,
      random: o.random,
      peers: () => [...swarm.all()],
      peer: (id) => swarm.peer(id),
      wantsPeers: () => swarm.wantsPeers,
      banned: (id) => swarm.banned.has(id),
      candidates: () => this.pex.candidates(),
      add: (channel, id) => swarm.add(channel, id, false),
      drop: (peer, reason) => swarm.drop(peer, reason),
    });
  }

  /** Our extended handshake; `metadataSize` once we have the metadata. */
  extendedHandshake(metadataSize: number | undefined): ExtendedHandshake {
    const m: Record<string, number> = { ut_metadata: UT_METADATA_ID, [WANT_EXTENSION]: WANT_ID };
    if (this.relay.enabled) {
      m[PEX_EXTENSION] = PEX_ID;
      m[SIGNAL_EXTENSION] = SIGNAL_ID;
    }
    return { m, metadata_size: metadataSize, reqq: REQQ, v: CLIENT_VERSION };
  }

  /** An extension message of ours; false when it is none of discovery's. Returns a violation, if any. */
  onExtended(peer: Peer, extId: number, payload: Uint8Array): string | false | undefined {
    if (!this.relay.enabled) return false;
    if (extId === PEX_ID) return this.pex.onMessage(peer, payload);
    if (extId === SIGNAL_ID) return this.relay.onMessage(peer, payload);
    return false;
  }

  handshake(peer: Peer, peerId: Uint8Array): string | undefined {
    return this.relay.handshake(peer, peerId);
  }

  gone(peer: Peer): void {
    this.pex.gone(peer);
    this.relay.gone(peer);
  }

  /** Connected peers that can introduce others to us. */
  relayPeers(): number {
    if (!this.relay.enabled) return 0;
    let n = 0;
    for (const p of this.swarm.all()) if (p.handshaken && !p.closed && p.extensions[SIGNAL_EXTENSION]) n++;
    return n;
  }

  tick(): void {
    if (!this.relay.enabled) return;
    this.pex.tick([...this.swarm.all()]);
    this.relay.tick();
  }
}
