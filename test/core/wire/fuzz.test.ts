/**
 * Fuzzing the stream decoder: random and mutated byte streams in random chunks. Whatever the
 * input, the decoder throws only WireError, refuses input after an error, keeps its buffer within
 * the frame bound, and decodes the same (or fails the same way) however the stream is split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeHandshake,
  encodeMessages,
  HANDSHAKE_LENGTH,
  MAX_FRAME,
  MessageId,
  WireDecoder,
  WireError,
  type WireEvent,
  type WireMessage,
} from '../../../src/core/wire/index.js';
import { concat, norm, prng } from './helpers.js';
import { MESSAGE_VECTORS } from './vectors.js';

const HANDSHAKE = encodeHandshake({ infoHash: new Uint8Array(20).fill(7), peerId: new Uint8Array(20).fill(9), extensions: { extended: true, fast: true } });
const VALID = concat(HANDSHAKE, encodeMessages(MESSAGE_VECTORS.map(([, m]) => m)));
const KNOWN_IDS = Object.values(MessageId) as number[];

type Outcome = { events: unknown[]; error: string | undefined };

/** Feeds `chunks` to a fresh decoder, checking the invariants; returns what came out. */
function run(chunks: readonly Uint8Array[], maxFrame = MAX_FRAME): Outcome {
  const d = new WireDecoder({ maxFrame });
  const events: WireEvent[] = [];
  for (const chunk of chunks) {
    try {
      events.push(...d.push(chunk));
    } catch (e) {
      if (!(e instanceof WireError)) throw new Error(`not a WireError: ${String(e)}`, { cause: e });
      if (d.buffered !== 0) throw new Error('a failed decoder still holds bytes', { cause: e });
      // Refused ever after, with a WireError too.
      let again: unknown;
      try {
        d.push(chunk);
      } catch (e2) {
        again = e2;
      }
      if (!(again instanceof WireError)) throw new Error('a failed decoder accepted more input', { cause: e });
      return { events: norm(events), error: e.message };
    }
    if (d.buffered > Math.max(HANDSHAKE_LENGTH, maxFrame)) throw new Error(`buffered ${d.buffered} bytes`);
  }
  return { events: norm(events), error: undefined };
}

function randomSplit(bytes: Uint8Array, rand: (n: number) => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = rand(4) === 0 ? 1 + rand(3) : 1 + rand(Math.max(1, bytes.length >> 2));
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Frames of small random lengths, mostly plausible ids, sometimes with the wrong size. */
function randomFrames(rand: (n: number) => number): Uint8Array {
  const parts: Uint8Array[] = [HANDSHAKE];
  const count = rand(20);
  for (let i = 0; i < count; i++) {
    const len = rand(10) === 0 ? rand(0x7fffffff) : rand(40);
    const frame = new Uint8Array(4 + Math.min(len, 40));
    new DataView(frame.buffer).setUint32(0, len);
    for (let j = 4; j < frame.length; j++) frame[j] = rand(256);
    if (frame.length > 4 && rand(2) === 0) frame[4] = KNOWN_IDS[rand(KNOWN_IDS.length)]!;
    parts.push(frame);
  }
  return concat(...parts);
}

function mutate(bytes: Uint8Array, rand: (n: number) => number): Uint8Array {
  let out: Uint8Array = bytes.slice();
  const edits = 1 + rand(4);
  for (let e = 0; e < edits; e++) {
    const at = rand(out.length + 1);
    switch (rand(4)) {
      case 0: // flip a byte
        if (at < out.length) out[at] = rand(256);
        break;
      case 1: // delete a few bytes
        out = concat(out.subarray(0, at), out.subarray(at + 1 + rand(8)));
        break;
      case 2: // insert random bytes
        out = concat(
          out.subarray(0, at),
          Uint8Array.from({ length: 1 + rand(8) }, () => rand(256)),
          out.subarray(at),
        );
        break;
      default: // truncate
        out = out.subarray(0, at);
    }
  }
  return out;
}

describe('WireDecoder fuzz', () => {
  it('survives thousands of random and mutated streams, identically however they are split', () => {
    const rand = prng(20240611);
    let errors = 0;
    let events = 0;
    for (let i = 0; i < 4000; i++) {
      const kind = i % 4;
      const stream =
        kind === 0
          ? Uint8Array.from({ length: rand(200) }, () => rand(256))
          : kind === 1
            ? concat(
                HANDSHAKE,
                Uint8Array.from({ length: rand(200) }, () => rand(256)),
              )
            : kind === 2
              ? randomFrames(rand)
              : mutate(VALID, rand);
      const whole = run([stream]);
      const split = run(randomSplit(stream, rand));
      if (split.error !== whole.error) expect(split.error).toBe(whole.error);
      if (whole.error === undefined && JSON.stringify(split.events) !== JSON.stringify(whole.events)) {
        expect(split.events).toEqual(whole.events);
      }
      if (whole.error !== undefined) errors++;
      events += split.events.length;
    }
    // The corpus exercises both outcomes.
    expect(errors).toBeGreaterThan(1000);
    expect(events).toBeGreaterThan(1000);
  });

  it('decodes extended payloads from random bytes with only WireError', () => {
    const rand = prng(77);
    const seeds = ['d1:md11:ut_metadatai1ee13:metadata_sizei100ee', 'd8:msg_typei1e5:piecei0e10:total_sizei3eeabc'];
    for (let i = 0; i < 3000; i++) {
      const base = Uint8Array.from(seeds[i % 2]!, (c) => c.charCodeAt(0));
      const input = i % 3 === 0 ? Uint8Array.from({ length: rand(60) }, () => rand(256)) : mutate(base, rand);
      for (const f of [decodeExtendedHandshake, decodeMetadataMessage]) {
        try {
          f(input);
        } catch (e) {
          if (!(e instanceof WireError)) throw new Error(`not a WireError: ${String(e)}`, { cause: e });
        }
      }
    }
  });
});

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const unknownId = fc.integer({ min: 0, max: 255 }).filter((id) => !KNOWN_IDS.includes(id));
const message: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.constantFrom<WireMessage>(
    { type: 'keepAlive' },
    { type: 'choke' },
    { type: 'unchoke' },
    { type: 'interested' },
    { type: 'notInterested' },
    { type: 'haveAll' },
    { type: 'haveNone' },
  ),
  fc.record({ type: fc.constantFrom('have' as const, 'suggest' as const, 'allowedFast' as const), index: u32 }),
  fc.record({ type: fc.constantFrom('request' as const, 'cancel' as const, 'reject' as const), index: u32, begin: u32, length: u32 }),
  fc.record({ type: fc.constant('piece' as const), index: u32, begin: u32, block: bytes(300) }),
  fc.record({ type: fc.constant('bitfield' as const), bits: bytes(40) }),
  fc.record({ type: fc.constant('port' as const), port: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ type: fc.constant('extended' as const), extId: fc.integer({ min: 0, max: 255 }), payload: bytes(60) }),
  fc.record({ type: fc.constant('unknown' as const), id: unknownId, payload: bytes(20) }),
);

describe('WireDecoder properties', () => {
  it('decodes any encoded message sequence, split anywhere, back to itself', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, cutSeeds) => {
        const stream = concat(HANDSHAKE, encodeMessages(msgs));
        const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const points = [0, ...cuts, stream.length];
        const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
        const out = run(chunks);
        expect(out.error).toBeUndefined();
        expect(out.events.slice(1)).toEqual(norm(msgs));
      }),
      { seed: 42, numRuns: 400 },
    );
  });
});
