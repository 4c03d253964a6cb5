/**
 * The first piece of a magnet link's download (issue 23). A leecher says it is interested in a peer
 * that said it has pieces (`have all`, or the `have`s of an initial seeder) before the metadata
 * comes, so the peer unchokes it meanwhile and the first requests leave with the metadata; and an
 * initial seeder reads the pieces it reveals to a new peer before that peer asks for them, so the
 * first block does not wait for a store read.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { bytesEqual } from '../../../src/core/bytes.js';
import type { PieceStore } from '../../../src/core/session/store.js';
import type { Clock } from '../../../src/core/session/clock.js';
import { TestSwarm, seededStore, storedBytes } from './swarm-harness.js';

const PIECE = 16 * 1024;
const LATENCY = 20;

/** A store whose every read takes `ms` (a busy IndexedDB, or a File read across processes). */
function slowReads(inner: PieceStore, clock: Clock, ms: number): PieceStore {
  return {
    put: (index, data) => inner.put(index, data),
    get: async (index) => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
      return inner.get(index);
    },
    stored: () => inner.stored(),
    clear: () => inner.clear(),
  };
}

/** A magnet leecher and a seeder: whether the seeder had unchoked it when the metadata came, and ms from the metadata to the first piece. */
async function firstPiece(o: { initialSeeding: boolean; readMs: number }) {
  const data = fixtureBytes(8 * PIECE + 5, 23);
  const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
  const swarm = new TestSwarm(LATENCY);
  const store = slowReads(await seededStore(metainfo, data), swarm.clock, o.readMs);
  const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store, initialSeeding: o.initialSeeding });
  const leecher = await swarm.add('leecher', { infoHash: metainfo.infoHashBytes });
  let chokedAtMetadata: boolean | undefined;
  let metadataAt = 0;
  let firstPieceAt: number | undefined;
  leecher.session.on('metadata', () => {
    metadataAt = swarm.clock.now();
    chokedAtMetadata = leecher.session.status().peers.find((p) => p.id === 'seeder')?.peerChoking;
  });
  leecher.session.on('piece', () => (firstPieceAt ??= swarm.clock.now()));
  swarm.connect(seeder, leecher);
  await swarm.runUntil(() => leecher.session.done, 30_000);
  expect(leecher.session.done).toBe(true);
  expect(bytesEqual(await storedBytes(leecher.store, metainfo), data)).toBe(true);
  swarm.stop();
  return { chokedAtMetadata, afterMetadata: firstPieceAt! - metadataAt };
}

describe('the first piece', () => {
  it.each([
    ['have-all', false],
    ['the haves of initial seeding', true],
  ])(
    'a seeder that said %s has unchoked a magnet leecher when the metadata arrives; the first piece follows within one round trip',
    async (_, initialSeeding) => {
      const { chokedAtMetadata, afterMetadata } = await firstPiece({ initialSeeding, readMs: 0 });
      expect(chokedAtMetadata).toBe(false);
      // A request and its block: one round trip (2 × 20 ms) and a 16 KiB block's few ms on the link;
      // waiting for the unchoke would add a second round trip.
      expect(afterMetadata).toBeLessThan(3 * LATENCY);
    },
  );

  it('an initial seeder whose store takes 50 ms a read has read the piece it revealed before the request comes', async () => {
    const { afterMetadata } = await firstPiece({ initialSeeding: true, readMs: 50 });
    // Read at the request, the block would leave 50 ms after it came: 2 × 20 + 50 ms.
    expect(afterMetadata).toBeLessThan(3 * LATENCY);
  });
});
