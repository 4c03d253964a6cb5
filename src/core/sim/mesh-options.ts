/** The options of the simulator's model of who meets whom (mesh.ts), and their defaults. */

export interface MeshOptions {
  /** Offers per announce at most. */
  trackerOffers: number;
  /** Connections (with those being set up) per peer at most. */
  maxPeers: number;
  /** One-way latency of each signaling hop, ms. */
  latency: number;
  relay: boolean;
  /** ms between a peer's peer-exchange messages to each neighbour. */
  pexInterval: number;
  /** Peers added and dropped in one peer-exchange message, at most. */
  pexMax: number;
  /** Relayed offers of one peer in flight at once, at most. */
  relayInFlight: number;
  announceInterval: number;
  /** ms: where a starving peer's announce backoff starts (tracker/announce-timer.ts). */
  minInterval: number;
  offerTimeout: number;
}

export const DEFAULT_MESH: MeshOptions = {
  trackerOffers: 40,
  maxPeers: 40,
  latency: 50,
  relay: false,
  pexInterval: 5_000,
  pexMax: 50,
  relayInFlight: 8,
  announceInterval: 120_000,
  minInterval: 30_000,
  offerTimeout: 50_000,
};
