/**
 * Super seeding, in the swarm simulator (real sessions on a virtual clock): a seeder eight times as
 * fast as each of three leechers uploads 2.2 times the file when the swarm finishes as fast as it can
 * (3·8 / (8 + 3)); super seeding, which reveals only what no other leecher can give, brings that down
 * to about once, and everyone still completes.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM, simulate } from '../../../src/sim/swarm.js';

const KiB = 1024;

async function run(superSeed: boolean) {
  return simulate({
    ...DEFAULT_SIM,
    peers: 3,
    fileSize: 16 * KiB * KiB,
    pieceLength: 256 * KiB,
    seederUpload: 8 * KiB * KiB,
    peerUpload: KiB * KiB,
    peerDownload: 16 * KiB * KiB,
    latency: 5,
    joinWindow: 0,
    superSeed,
  });
}

describe('super seeding', () => {
  it('a fast seeder of three slow leechers uploads the file about once instead of twice, and all complete', async () => {
    const plain = await run(false);
    const spared = await run(true);
    expect(plain.finished).toBe(3);
    expect(spared.finished).toBe(3);
    expect(plain.seederUploadRatio).toBeGreaterThan(1.9);
    expect(spared.seederUploadRatio).toBeLessThan(1.35);
    // The price: time, bounded by what the leechers upload among themselves.
    expect(spared.completionTime).toBeGreaterThan(plain.completionTime);
  }, 60_000);
});
