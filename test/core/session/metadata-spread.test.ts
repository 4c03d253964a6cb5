/**
 * Metadata that spreads (issue 19, item 1): magnet leechers met before either had the metadata get
 * it from each other once one has it, and peers that reject metadata requests are asked again,
 * later each time.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { encode } from '../../../src/core/bencode.js';
import { decodeMetadataMessage, encodeHandshake, encodeMessage, WireDecoder } from '../../../src/core/wire/index.js';
import { METADATA_RETRY } from '../../../src/core/session/metadata.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { bytesEqual } from '../../../src/core/bytes.js';
import { frame } from '../../fixtures/frames.js';
import { TestSwarm, seededStore, storedBytes, type TestNode } from './swarm-harness.js';

const PIECE = 16 * 1024;

async function fixture(size = 40 * PIECE + 7) {
  const data = fixtureBytes(size, 41);
  const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
  return { metainfo, data };
}

describe('metadata that spreads', () => {
  it('two magnet leechers connected before either had the metadata: the one that gets it from a seeder passes it on (regression: the other sat at 0 %)', async () => {
    const { metainfo, data } = await fixture();
    const swarm = new TestSwarm();
    const a = await swarm.add('a', { infoHash: metainfo.infoHashBytes });
    const b = await swarm.add('b', { infoHash: metainfo.infoHashBytes });
    const metadataAt = new Map<string, number>();
    for (const n of [a, b]) n.session.on('metadata', () => metadataAt.set(n.name, swarm.clock.now()));
    swarm.connect(a, b);
    // Long enough for b's probes of a to be far apart (the next one is due at about 62 s).
    await swarm.runUntil(() => false, 40_000);
    expect(a.session.metainfo).toBeUndefined();
    expect(b.session.metainfo).toBeUndefined();
    // The seeder meets a only: b reaches the data through a alone.
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    swarm.connect(seeder, a);
    await swarm.runUntil(() => a.session.done && b.session.done, 120_000);
    for (const n of [a, b]) {
      expect(n.session.done).toBe(true);
      expect(bytesEqual(await storedBytes(n.store, metainfo), data)).toBe(true);
    }
    expect(b.session.hasPeer('seeder')).toBe(false);
    // a told b at once (a second extended handshake with metadata_size), before b's next probe.
    expect(metadataAt.get('b')! - metadataAt.get('a')!).toBeLessThan(5_000);
    expect(b.warnings.filter((w) => w.includes('dropped'))).toEqual([]);
    swarm.stop();
  });

  it('a chain of magnet leechers, each met only its neighbours before the seeder came: all complete', async () => {
    const { metainfo, data } = await fixture(12 * PIECE + 1);
    const swarm = new TestSwarm();
    const chain: TestNode[] = [];
    for (let i = 0; i < 4; i++) chain.push(await swarm.add(`l${i}`, { infoHash: metainfo.infoHashBytes }));
    for (let i = 0; i + 1 < chain.length; i++) swarm.connect(chain[i]!, chain[i + 1]!);
    await swarm.runUntil(() => false, 3_000);
    const seeder = await swarm.add('seeder', { metainfo, infoHash: metainfo.infoHashBytes, store: await seededStore(metainfo, data) });
    swarm.connect(seeder, chain[0]!);
    await swarm.runUntil(() => chain.every((n) => n.session.done), 300_000);
    for (const n of chain) expect(bytesEqual(await storedBytes(n.store, metainfo), data)).toBe(true);
    swarm.stop();
  });

  it('a peer that never re-announces its size (as WebTorrent) is probed, with backoff while it rejects, and gives the metadata once it has it', async () => {
    const { metainfo } = await fixture();
    const swarm = new TestSwarm();
    const leecher = await swarm.add('leecher', { infoHash: metainfo.infoHashBytes });
    const node = swarm.net.node('late', { upload: 4 * 1024 * 1024, download: 4 * 1024 * 1024 });
    const [toLate, fromLeecher] = swarm.net.connect(leecher.node, node);
    const HAS_IT_AT = 20_000;
    const requests: number[] = [];
    let theirId = 0;
    const decoder = new WireDecoder();
    fromLeecher.onData = (chunk) => {
      for (const e of decoder.push(chunk)) {
        if (e.type !== 'extended') continue;
        if (e.extId === 0) {
          theirId = Number(/11:ut_metadatai(\d+)e/.exec(new TextDecoder().decode(e.payload))?.[1] ?? 0);
          continue;
        }
        const m = decodeMetadataMessage(e.payload);
        if (m.msgType !== 0) continue;
        requests.push(swarm.clock.now());
        const info = metainfo.infoBytes;
        const reply =
          swarm.clock.now() < HAS_IT_AT
            ? encode({ msg_type: 2, piece: m.piece })
            : new Uint8Array([
                ...encode({ msg_type: 1, piece: m.piece, total_size: info.length }),
                ...info.subarray(m.piece * PIECE, Math.min((m.piece + 1) * PIECE, info.length)),
              ]);
        fromLeecher.send(frame(20, new Uint8Array([theirId]), reply));
      }
    };
    leecher.session.addPeer(toLate, 'late');
    fromLeecher.send(encodeHandshake({ infoHash: metainfo.infoHashBytes, peerId: new Uint8Array(20).fill(0x77), extensions: { extended: true, fast: true } }));
    // An extended handshake without metadata_size: it has no metadata yet, and never says when it has.
    fromLeecher.send(frame(20, new Uint8Array([0]), encode({ m: { ut_metadata: 3 } })));
    fromLeecher.send(encodeMessage({ type: 'haveNone' }));
    await swarm.runUntil(() => leecher.session.metainfo !== undefined, 120_000);
    expect(leecher.session.metainfo?.infoHash).toBe(metainfo.infoHash);
    const before = requests.filter((t) => t < HAS_IT_AT);
    // Asked at once, then after 2, 4, 8 s…: a handful of requests, not one a second.
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThanOrEqual(5);
    for (let i = 2; i < before.length; i++) expect(before[i]! - before[i - 1]!).toBeGreaterThanOrEqual(2 * (before[i - 1]! - before[i - 2]!) - 1000);
    expect(before[1]! - before[0]!).toBeGreaterThanOrEqual(METADATA_RETRY);
    expect(leecher.session.hasPeer('late')).toBe(true);
    swarm.stop();
  });
});
