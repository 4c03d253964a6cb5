/**
 * A magnet leecher says it is interested in a peer that said it has pieces (`have all`, or the
 * `have`s of an initial seeder) before the metadata comes (issue 23): the peer unchokes it meanwhile, so the first requests leave with the
 * metadata instead of an interested → unchoke round trip after it.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { bytesEqual } from '../../../src/core/bytes.js';
import { TestSwarm, seededStore, storedBytes } from './swarm-harness.js';

const PIECE = 16 * 1024;
const LATENCY = 20;

describe('interest before the metadata', () => {
  it.each([
    ['have-all', false],
    ['the haves of initial seeding', true],
  ])(
    'a seeder that said %s has unchoked a magnet leecher when the metadata arrives; the first piece follows within one round trip',
    async (_, initialSeeding) => {
      const data = fixtureBytes(8 * PIECE + 5, 23);
      const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
      const swarm = new TestSwarm(LATENCY);
      const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), initialSeeding });
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
      expect(chokedAtMetadata).toBe(false);
      // A request and its block: one round trip (2 × 20 ms) and a 16 KiB block's few ms on the link;
      // waiting for the unchoke would add a second round trip.
      expect(firstPieceAt! - metadataAt).toBeLessThan(3 * LATENCY);
      swarm.stop();
    },
  );
});
