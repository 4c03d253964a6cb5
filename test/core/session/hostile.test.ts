/**
 * Hostile peers against a real session, in-process: a scripted peer that speaks raw bytes and
 * misbehaves on command, beside an honest seeder. In every case the session drops (or bans) the
 * hostile peer, surfaces a warning naming it, keeps its per-peer state bounded, throws nothing, and
 * finishes the download from the honest peer, byte-identical.
 */
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../../src/core/create.js';
import { encode } from '../../../src/core/bencode.js';
import { encodeHandshake, encodeMessage, encodePexMessage, encodeSignalMessage, WireDecoder, type WireEvent } from '../../../src/core/wire/index.js';
import type { Metainfo } from '../../../src/core/metainfo.js';
import { fixtureBytes } from '../../fixtures/greeting.js';
import { TestSwarm, seededStore, storedBytes, type TestNode } from './swarm-harness.js';
import { frame, u32 } from '../../fixtures/frames.js';
import { FakeSignaling } from './fake-connector.js';
import { bytesEqual } from '../../../src/core/bytes.js';
import type { SimNetwork, SimNode } from '../../../src/core/sim/network.js';

const PIECE = 16 * 1024;
const HOSTILE = 'hostile';

/** What a script can do: send raw bytes, see what the session sent, wait on the virtual clock. */
interface Hostile {
  send(bytes: Uint8Array): void;
  received: WireEvent[];
  metainfo: Metainfo;
  after(ms: number, fn: () => void): void;
}

type Script = (h: Hostile, event: WireEvent) => void;

/** The handshake the hostile peer sends first: extension protocol and Fast Extension on. */
function hello(h: Hostile, infoHash: Uint8Array): void {
  h.send(encodeHandshake({ infoHash, peerId: new Uint8Array(20).fill(0x66), extensions: { extended: true, fast: true } }));
}

async function attack(
  script: Script,
  options: { magnet?: boolean; size?: number; onConnect?: (h: Hostile) => void; signaling?: (net: SimNetwork) => FakeSignaling; seederUpload?: number } = {},
): Promise<{ leecher: TestNode; data: Uint8Array; hostileClosed: boolean; maxQueued: number }> {
  const data = fixtureBytes(options.size ?? 24 * PIECE + 99, 17);
  const { metainfo } = await createTorrent([{ path: 'f.bin', data }], { pieceLength: PIECE });
  const swarm = new TestSwarm();
  const signaling = options.signaling?.(swarm.net);
  const leecher = await swarm.add('leecher', {
    metainfo: options.magnet ? undefined : metainfo,
    infoHash: metainfo.infoHashBytes,
    ...(signaling ? { connect: (node: SimNode) => signaling.connector(node) } : {}),
  });
  // The hostile peer connects first and gets a head start; the honest seeder arrives a second later.
  const hostileNode = swarm.net.node(HOSTILE, { upload: 4 * 1024 * 1024, download: 4 * 1024 * 1024 });
  const [toHostile, fromLeecher] = swarm.net.connect(leecher.node, hostileNode);
  let hostileClosed = false;
  const decoder = new WireDecoder();
  const h: Hostile = {
    send: (bytes) => fromLeecher.send(bytes),
    received: [],
    metainfo,
    after: (ms, fn) => void swarm.clock.setTimeout(fn, ms),
  };
  fromLeecher.onClose = () => (hostileClosed = true);
  fromLeecher.onData = (chunk) => {
    for (const e of decoder.push(chunk)) {
      h.received.push(e);
      script(h, e);
    }
  };
  leecher.session.addPeer(toHostile, HOSTILE);
  hello(h, metainfo.infoHashBytes);
  options.onConnect?.(h);
  let maxQueued = 0;
  const watch = (): void => {
    const p = leecher.session.status().peers.find((x) => x.id === HOSTILE);
    if (p) maxQueued = Math.max(maxQueued, p.theirRequests, p.requests);
    if (!leecher.session.done) swarm.clock.setTimeout(watch, 100);
  };
  watch();
  swarm.clock.setTimeout(
    () =>
      void (async () => {
        const seeder = await swarm.add('seeder', {
          metainfo,
          infoHash: metainfo.infoHashBytes,
          store: await seededStore(metainfo, data),
          ...(options.seederUpload ? { upload: options.seederUpload } : {}),
        });
        swarm.connect(seeder, leecher);
      })(),
    1000,
  );
  await swarm.runUntil(() => leecher.session.done, 600_000);
  swarm.stop();
  return { leecher, data, hostileClosed, maxQueued };
}

async function expectSurvived(r: Awaited<ReturnType<typeof attack>>, dropped = true): Promise<void> {
  expect(r.leecher.session.done).toBe(true);
  expect(bytesEqual(await storedBytes(r.leecher.store, r.leecher.session.metainfo!), r.data)).toBe(true);
  if (dropped) {
    expect(r.hostileClosed).toBe(true);
    expect(r.leecher.warnings.some((w) => w.includes(HOSTILE))).toBe(true);
  }
  expect(r.leecher.bans).not.toContain('seeder');
}

/** After the session's handshake arrives, do `then` once. */
function onceShaken(then: (h: Hostile) => void): Script {
  let done = false;
  return (h, e) => {
    if (e.type === 'handshake' && !done) {
      done = true;
      then(h);
    }
  };
}

describe('hostile peers (in-process)', () => {
  const dropCases: [string, (h: Hostile) => void][] = [
    ['a frame length of 2^31', (h) => h.send(new Uint8Array([0x80, 0, 0, 0, 7, 1, 2, 3]))],
    ['a bitfield of the wrong length', (h) => h.send(frame(5, new Uint8Array(1)))],
    ['a bitfield with spare bits set', (h) => h.send(frame(5, new Uint8Array([0xff, 0xff, 0xff, 0xff])))],
    ['have for an index out of range', (h) => h.send(frame(4, u32(1_000_000)))],
    [
      'a request larger than 128 KiB',
      (h) => {
        h.send(encodeMessage({ type: 'haveNone' }));
        h.send(encodeMessage({ type: 'interested' }));
        h.send(frame(6, u32(0), u32(0), u32(256 * 1024)));
      },
    ],
    [
      'a block for a piece index beyond the torrent',
      (h) => {
        h.send(encodeMessage({ type: 'haveAll' }));
        h.send(frame(7, u32(9999), u32(0), new Uint8Array(PIECE)));
      },
    ],
    ['an extended handshake of garbage', (h) => h.send(frame(20, new Uint8Array([0]), new Uint8Array([0x64, 0x69, 0xff, 0x3a])))],
  ];
  for (const [label, act] of dropCases) {
    it(`drops a peer that sends ${label}, and finishes from the honest peer`, async () => {
      await expectSurvived(await attack(onceShaken(act)));
    });
  }

  it('10,000 requests at once: the peer is dropped and at most 500 are ever queued', async () => {
    const r = await attack(
      onceShaken((h) => {
        h.send(encodeMessage({ type: 'haveNone' }));
        h.send(encodeMessage({ type: 'interested' }));
        const many: Uint8Array[] = [];
        for (let i = 0; i < 10_000; i++) many.push(frame(6, u32(i % 24), u32(0), u32(PIECE)));
        h.send(new Uint8Array(Buffer.concat(many)));
      }),
    );
    await expectSurvived(r);
    expect(r.maxQueued).toBeLessThanOrEqual(500);
  });

  it('blocks never requested: counted as waste and the flooding peer dropped', async () => {
    const r = await attack(
      onceShaken((h) => {
        h.send(encodeMessage({ type: 'haveAll' }));
        for (let i = 0; i < 200; i++) h.send(encodeMessage({ type: 'piece', index: i % 24, begin: 0, block: new Uint8Array(PIECE) }));
      }),
    );
    await expectSurvived(r);
    expect(r.leecher.session.wasted).toBeGreaterThan(0);
  });

  it('a peer that sends wrong blocks for what it was asked is banned', async () => {
    const r = await attack((h, e) => {
      if (e.type === 'handshake') {
        h.send(encodeMessage({ type: 'haveAll' }));
        h.send(encodeMessage({ type: 'unchoke' }));
      }
      if (e.type === 'request') h.send(encodeMessage({ type: 'piece', index: e.index, begin: e.begin, block: new Uint8Array(e.length).fill(0x42) }));
    });
    await expectSurvived(r);
    expect(r.leecher.bans).toEqual([HOSTILE]);
  });

  it('one byte per second: its requests time out and go to the honest peer', async () => {
    const r = await attack((h, e) => {
      if (e.type === 'handshake') {
        h.send(encodeMessage({ type: 'haveAll' }));
        h.send(encodeMessage({ type: 'unchoke' }));
      }
      if (e.type === 'request' && e.index === 0 && e.begin === 0) {
        const bytes = encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(PIECE) });
        let at = 0;
        const drip = (): void => {
          if (at < bytes.length) h.send(bytes.subarray(at, ++at));
          if (at < 120) h.after(1000, drip);
        };
        drip();
      }
    });
    await expectSurvived(r, false);
  });

  describe('magnet leecher (metadata from peers)', () => {
    /** A hostile ut_metadata peer: answers the session's metadata requests with `reply`. */
    function metadataPeer(metadataSize: number, reply: (h: Hostile, piece: number) => Uint8Array): Script {
      let theirId = 0; // the id the session gave ut_metadata in its extended handshake
      return (h, e) => {
        if (e.type === 'handshake') {
          h.send(frame(20, new Uint8Array([0]), encode({ m: { ut_metadata: 3 }, metadata_size: metadataSize })));
          h.send(encodeMessage({ type: 'haveAll' }));
        }
        if (e.type === 'extended' && e.extId === 0) {
          theirId = Number(/11:ut_metadatai(\d+)e/.exec(new TextDecoder().decode(e.payload))?.[1] ?? 0);
        }
        if (e.type === 'extended' && e.extId === 3 && theirId > 0) {
          const piece = Number(/5:piecei(\d+)e/.exec(new TextDecoder().decode(e.payload))?.[1] ?? 0);
          h.send(frame(20, new Uint8Array([theirId]), reply(h, piece)));
        }
      };
    }

    it('a peer that announces a metadata size and never answers does not hold up the metadata', async () => {
      const r = await attack(
        metadataPeer(1000, () => new Uint8Array(0)),
        { magnet: true },
      );
      await expectSurvived(r, false);
    });

    it('metadata that does not hash to the info hash: dropped, the metadata comes from the honest peer', async () => {
      const r = await attack(
        metadataPeer(1000, () => new Uint8Array([...encode({ msg_type: 1, piece: 0, total_size: 1000 }), ...new Uint8Array(1000).fill(0x61)])),
        { magnet: true },
      );
      await expectSurvived(r);
    });

    it('a wrong total_size in the data message: dropped', async () => {
      const r = await attack(
        metadataPeer(1000, (h) => new Uint8Array([...encode({ msg_type: 1, piece: 0, total_size: 5_000_000 }), ...h.metainfo.infoBytes.subarray(0, 1000)])),
        { magnet: true },
      );
      await expectSurvived(r);
    });

    it('a metadata bomb (metadata_size of 1 GB): refused without allocating it', async () => {
      const before = process.memoryUsage().arrayBuffers;
      const r = await attack(
        metadataPeer(1_000_000_000, () => new Uint8Array(0)),
        { magnet: true },
      );
      await expectSurvived(r, false);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(200 * 1024 * 1024);
    });
  });
});

describe('hostile relays (peer exchange and relayed signaling, in-process)', () => {
  const ts = (bytes: Uint8Array): string => new TextDecoder('latin1').decode(bytes);
  /** A hostile tabswarm-like peer: lists ts_pex (3) and ts_signal (4), and learns the session's ids for them. */
  function relayPeer(then: (h: Hostile, ids: { pex: number; signal: number }) => void, onSignal?: (h: Hostile, payload: string) => void): Script {
    return (h, e) => {
      if (e.type === 'extended' && e.extId === 4) onSignal?.(h, ts(e.payload));
      if (e.type === 'handshake') {
        h.send(frame(20, new Uint8Array([0]), encode({ m: { ts_pex: 3, ts_signal: 4 } })));
        h.send(encodeMessage({ type: 'haveNone' }));
      }
      if (e.type === 'extended' && e.extId === 0) {
        const text = ts(e.payload);
        then(h, { pex: Number(/6:ts_pexi(\d+)e/.exec(text)?.[1] ?? 0), signal: Number(/9:ts_signali(\d+)e/.exec(text)?.[1] ?? 0) });
      }
    };
  }
  /** The session's id for ts_signal (relay.ts SIGNAL_ID). */
  const SIGNAL = 4;
  const fakeId = (n: number): Uint8Array => {
    const id = new Uint8Array(20).fill(0xf0);
    new DataView(id.buffer).setUint32(16, n);
    return id;
  };
  const pex = (h: Hostile, ext: number, from: number, count: number): void =>
    h.send(frame(20, new Uint8Array([ext]), encodePexMessage({ added: Array.from({ length: count }, (_, i) => fakeId(from + i)), dropped: [] })));

  it('a relay that forwards garbage offers is dropped after three', async () => {
    let signaling: FakeSignaling | undefined;
    const r = await attack(
      relayPeer((h, ids) => {
        for (let i = 0; i < 3; i++)
          h.send(frame(20, new Uint8Array([ids.signal]), encodeSignalMessage({ type: 'offer', id: i, from: fakeId(i), sdp: `garbage ${i}` })));
      }),
      { signaling: (net) => (signaling = new FakeSignaling(net)) },
    );
    await expectSurvived(r);
    expect(r.leecher.warnings.some((w) => w.includes('offers that could not be answered'))).toBe(true);
    expect(signaling?.accepted).toBe(0);
  });

  it('a relay that answers for another peer than the one offered to is dropped', async () => {
    const r = await attack(
      relayPeer(
        (h, ids) => pex(h, ids.pex, 0, 3),
        (h, offer) => {
          const id = Number(/2:idi(\d+)e/.exec(offer)?.[1]);
          h.send(frame(20, new Uint8Array([SIGNAL]), encodeSignalMessage({ type: 'answer', id, from: fakeId(999), sdp: 'an answer' })));
        },
      ),
      { signaling: (net) => new FakeSignaling(net) },
    );
    await expectSurvived(r);
    expect(r.leecher.warnings.some((w) => w.includes('answer from another peer'))).toBe(true);
  });

  it('a relay that advertises peers it does not hold (and refuses every offer to them) is dropped after six', async () => {
    let signaling: FakeSignaling | undefined;
    const r = await attack(
      relayPeer(
        (h, ids) => pex(h, ids.pex, 0, 20),
        (h, offer) => {
          const id = Number(/2:idi(\d+)e/.exec(offer)?.[1]);
          const at = offer.indexOf('2:to20:') + 7;
          const to = Uint8Array.from(offer.slice(at, at + 20), (c) => c.charCodeAt(0));
          h.send(frame(20, new Uint8Array([SIGNAL]), encodeSignalMessage({ type: 'reject', id, from: to, reason: 'not connected' })));
        },
      ),
      { signaling: (net) => (signaling = new FakeSignaling(net)), seederUpload: 32 * 1024 },
    );
    await expectSurvived(r);
    expect(r.leecher.warnings.some((w) => w.includes('went unanswered or to peers it does not hold'))).toBe(true);
    expect(signaling?.made).toBeLessThanOrEqual(8);
  });

  it('a relay that advertises thousands of fake peers is dropped at the bound, having cost a handful of offers', async () => {
    let signaling: FakeSignaling | undefined;
    const r = await attack(
      relayPeer((h, ids) => {
        for (let i = 0; i < 3; i++) pex(h, ids.pex, i * 50, 50);
        h.after(5_100, () => pex(h, ids.pex, 150, 50));
        h.after(10_200, () => pex(h, ids.pex, 200, 50));
      }),
      { signaling: (net) => (signaling = new FakeSignaling(net)), seederUpload: 32 * 1024 },
    );
    await expectSurvived(r);
    expect(r.leecher.warnings.some((w) => w.includes('more than 200 peers'))).toBe(true);
    expect(signaling?.made).toBeLessThanOrEqual(8);
  });

  it('a relay that floods ts_signal or ts_pex messages is dropped', async () => {
    for (const which of ['signal', 'pex'] as const) {
      const r = await attack(
        relayPeer((h, ids) => {
          for (let i = 0; i < 100; i++) {
            if (which === 'pex') pex(h, ids.pex, i, 1);
            else h.send(frame(20, new Uint8Array([ids.signal]), encodeSignalMessage({ type: 'offer', id: i, to: fakeId(i), sdp: 'x' })));
          }
        }),
        { signaling: (net) => new FakeSignaling(net) },
      );
      await expectSurvived(r);
      expect(r.leecher.warnings.some((w) => w.includes(`ts_${which} messages too often`) || w.includes('offers in flight through us'))).toBe(true);
    }
  });
});
