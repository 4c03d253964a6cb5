/** The small simulated swarms of the room tests: five slots a peer, 5 offers an announce, slow links. */
import { DEFAULT_SIM, type SimOptions } from '../../../src/sim/swarm.js';

export const KiB = 1024;

export const FIVE_SLOTS: SimOptions = {
  ...DEFAULT_SIM,
  maxPeers: 5,
  pieceLength: 64 * KiB,
  seederUpload: 512 * KiB,
  peerUpload: 256 * KiB,
  peerDownload: 1024 * KiB,
  trackerOffers: 5,
  limit: 100_000,
  stallAfter: 60_000,
};
