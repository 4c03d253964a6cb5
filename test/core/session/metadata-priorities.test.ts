/**
 * What a `metadata` listener raises (a video's first pieces, as the app does the moment a share
 * link's metadata comes) is acted on with the metadata: the leecher stays interested in its peers and
 * asks for the raised pieces first. Acted on before the session had counted its peers' `have`s, it
 * once told the seeder it wanted nothing, and in a browser the download did not start.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, seededStore } from './swarm-harness.js';

const PIECE = 16 * 1024;

describe('priorities raised when the metadata comes', () => {
  it.each([
    ['the haves of initial seeding', true],
    ['have-all', false],
  ])('leave the leecher interested in a seeder that said %s, asking for the raised pieces first', async (_, initialSeeding) => {
    const data = fixtureBytes(32 * PIECE, 5);
    const { metainfo } = await createTorrent([{ path: 'film.webm', data }], { pieceLength: PIECE });
    const swarm = new TestSwarm(20);
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data), initialSeeding });
    const leecher = await swarm.add('leecher', { infoHash: metainfo.infoHashBytes });
    const interest: boolean[] = [];
    leecher.session.on('metadata', () => {
      leecher.session.setStreamPriority([0, 1, 2], []);
      interest.push(leecher.session.status().peers.every((p) => p.amInterested));
    });
    const pieces: number[] = [];
    leecher.session.on('piece', (i) => pieces.push(i));
    swarm.connect(seeder, leecher);
    await swarm.runUntil(() => pieces.length >= 3, 10_000);
    swarm.stop();
    expect(interest).toEqual([true]);
    expect(pieces.slice(0, 3).sort()).toEqual([0, 1, 2]);
  });
});
