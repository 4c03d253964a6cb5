/**
 * BitTorrent v2 swarms for tests: a v2 torrent's pieces laid out as BEP 52 places its files (each
 * non-empty one at a piece boundary, zeros between), stores holding them, files read back, and a
 * channel wrapper that corrupts one block on its way.
 */
import { createHash } from 'node:crypto';
import { MemoryStore, type Hasher, type PieceStore } from '../../../src/core/session/store.js';
import type { PeerChannel } from '../../../src/core/session/channel.js';
import type { Metainfo } from '../../../src/core/metainfo.js';
import { readU32 } from '../../../src/core/wire/messages.js';
import { withSend } from './swarm-harness.js';

export const nodeSha256: Hasher = async (data) => new Uint8Array(createHash('sha256').update(data).digest());

/** The torrent's bytes: each file at its offset, zeros elsewhere. `files` by path (as `meta.files` names them). */
export function layout(meta: Metainfo, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const out = new Uint8Array(meta.length);
  for (const f of meta.files) if (f.length > 0) out.set(files.get(f.path)!, f.offset);
  return out;
}

export function pieceCount(meta: Metainfo): number {
  return Math.ceil(meta.length / meta.pieceLength);
}

/** A store holding every piece, as a seeder's would. */
export async function fullStore(meta: Metainfo, bytes: Uint8Array): Promise<PieceStore> {
  const store = new MemoryStore();
  for (let i = 0; i < pieceCount(meta); i++) await store.put(i, bytes.slice(i * meta.pieceLength, Math.min((i + 1) * meta.pieceLength, meta.length)));
  return store;
}

/** Each file's bytes, read back from a store, by path. */
export async function filesOf(store: PieceStore, meta: Metainfo): Promise<Map<string, Uint8Array>> {
  const all = new Uint8Array(meta.length);
  for (let i = 0; i < pieceCount(meta); i++) {
    const piece = await store.get(i);
    if (!piece) throw new Error(`piece ${i} missing`);
    all.set(piece, i * meta.pieceLength);
  }
  return new Map(meta.files.map((f) => [f.path, all.slice(f.offset, f.offset + f.length)]));
}

/**
 * A channel that flips a byte of the first `piece` message that passes (whole frames go through, in
 * order, everything else as it is). `corrupted()` says which block it was.
 */
export function corruptingFirstBlock(): { wrap: (c: PeerChannel) => PeerChannel; corrupted: () => { index: number; begin: number } | undefined } {
  let count = 0;
  let which: { index: number; begin: number } | undefined;
  const wrap = (inner: PeerChannel): PeerChannel => {
    let pending = new Uint8Array(0);
    let handshakeDone = false;
    return withSend(inner, (data) => {
      const joined = new Uint8Array(pending.length + data.length);
      joined.set(pending);
      joined.set(data, pending.length);
      let at = 0;
      if (!handshakeDone) {
        if (joined.length < 68) {
          pending = joined;
          return;
        }
        handshakeDone = true;
        at = 68;
      }
      while (joined.length - at >= 4) {
        const size = readU32(joined, at);
        if (joined.length - at - 4 < size) break;
        const frame = joined.subarray(at + 4, at + 4 + size);
        if (count === 0 && size > 9 && frame[0] === 7) {
          frame[9] = frame[9]! ^ 0xff;
          which = { index: readU32(frame, 1), begin: readU32(frame, 5) };
          count++;
        }
        at += 4 + size;
      }
      inner.send(joined.slice(0, at));
      pending = joined.slice(at);
    });
  };
  return { wrap, corrupted: () => which };
}
