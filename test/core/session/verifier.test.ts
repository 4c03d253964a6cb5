import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { PieceVerifier } from '../../../src/core/session/verifier.js';
import { MemoryBudget } from '../../../src/core/session/memory.js';
import { MemoryStore, StorageError, type PieceAssembly } from '../../../src/core/session/store.js';
import { nodeSha1 } from './swarm-harness.js';

const BLOCK = 16 * 1024;
const PIECE = 2 * BLOCK;
const good = (i: number) => new Uint8Array(PIECE).fill(i + 1);
const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());

function setup(o: { budget?: number; store?: MemoryStore } = {}) {
  const budget = new MemoryBudget(o.budget ?? 10 * PIECE);
  const store = o.store ?? new MemoryStore();
  const verifier = new PieceVerifier({ hasher: nodeSha1, store, budget, pieceSize: () => PIECE, pieceHash: (i) => sha1(good(i)) });
  /** Who sent the blocks of each piece last filled (as the picker records them). */
  const senders = new Map<number, string[]>();
  /** Both blocks of piece `i`, from `a` and `b`, the second corrupt when `bad`. */
  const fill = (i: number, a: string, b: string, bad = false) => {
    verifier.receive(i, 0, good(i).subarray(0, BLOCK));
    verifier.receive(i, BLOCK, bad ? new Uint8Array(BLOCK).fill(0xee) : good(i).subarray(BLOCK));
    senders.set(i, [a, b]);
  };
  const verify = (i: number) => verifier.verify(i, senders.get(i) ?? []);
  return { verifier, budget, store, fill, verify };
}

describe('piece verifier', () => {
  it('stores a piece that hashes right', async () => {
    const t = setup();
    t.fill(0, 'a', 'b');
    expect(t.verifier.partialPieces()).toEqual([0]);
    const v = await t.verify(0);
    expect(v.kind).toBe('verified');
    expect(await t.store.get(0)).toEqual(good(0));
    expect(t.verifier.partialPieces()).toEqual([]);
    expect(await t.verify(0)).toEqual({ kind: 'skipped' });
  });

  it("serves the store's own copy of a verified piece when it has one, and assembles the next piece in the buffer it leaves", async () => {
    class OwnCopyStore extends MemoryStore {
      readonly copies = new Map<number, Uint8Array>();
      override async put(index: number, data: Uint8Array): Promise<void> {
        this.copies.set(index, data.slice());
        return super.put(index, this.copies.get(index)!);
      }
      ownCopy(index: number): Uint8Array | undefined {
        return this.copies.get(index);
      }
    }
    const store = new OwnCopyStore();
    const t = setup({ store });
    t.fill(0, 'a', 'b');
    const first = t.verifier.held(0)!;
    const v0 = await t.verify(0);
    expect(v0.kind === 'verified' && v0.data).toBe(store.copies.get(0));
    t.verifier.receive(1, 0, good(1).subarray(0, BLOCK));
    expect(t.verifier.held(1)).toBe(first); // reused, and cleared: the block not received yet is zeros
    expect([...t.verifier.held(1)!.subarray(BLOCK)].every((x) => x === 0)).toBe(true);
    t.verifier.receive(1, BLOCK, good(1).subarray(BLOCK));
    const v1 = await t.verify(1);
    expect(v1.kind === 'verified' && v1.data).toEqual(good(1));
    expect(await t.store.get(0)).toEqual(good(0));
    // Without an own copy (MemoryStore keeps the buffer itself) nothing is reused.
    const m = setup();
    m.fill(0, 'a', 'b');
    const kept = m.verifier.held(0)!;
    const v = await m.verify(0);
    expect(v.kind === 'verified' && v.data).toBe(kept);
    m.verifier.receive(1, 0, good(1).subarray(0, BLOCK));
    expect(m.verifier.held(1)).not.toBe(kept);
  });

  it("hands each block to the store's assembly instead of copying it, and hashes what the assembly gives", async () => {
    const given: [number, number, Uint8Array][] = [];
    class AssemblingStore extends MemoryStore {
      assemble(index: number, size: number): PieceAssembly {
        const buffer = new Uint8Array(size);
        return {
          set: (block, begin) => {
            given.push([index, begin, block]);
            buffer.set(block, begin);
          },
          bytes: () => buffer,
        };
      }
    }
    const t = setup({ store: new AssemblingStore() });
    const first = good(0).subarray(0, BLOCK);
    t.verifier.receive(0, 0, first);
    expect(given).toEqual([[0, 0, first]]);
    expect(given[0]![2]).toBe(first); // the block itself, not a copy
    expect(t.verifier.held(0)!.subarray(0, BLOCK)).toEqual(first);
    t.verifier.receive(0, BLOCK, good(0).subarray(BLOCK));
    expect((await t.verify(0)).kind).toBe('verified');
    expect(await t.store.get(0)).toEqual(good(0));
    t.fill(1, 'a', 'b', true);
    expect((await t.verify(1)).kind).toBe('failed');
  });

  it('names the sender of a bad piece it sent alone; keeps a shared bad copy and names its culprit once the piece verifies', async () => {
    const t = setup();
    t.fill(0, 'x', 'x', true);
    expect(await t.verify(0)).toEqual({ kind: 'failed', culprits: new Set(['x']), suspects: new Set(), bytes: PIECE });
    expect(t.budget.used).toBe(0); // nothing kept: the culprit is known
    t.fill(1, 'a', 'b', true);
    expect(await t.verify(1)).toEqual({ kind: 'failed', culprits: new Set(), suspects: new Set(['a', 'b']), bytes: PIECE });
    expect(t.budget.used).toBe(PIECE); // the failed copy, for blame
    t.fill(1, 'c', 'c');
    const v = await t.verify(1);
    expect(v.kind === 'verified' && [...v.culprits]).toEqual(['b']);
    expect(t.budget.used).toBe(0);
  });

  it('keeps a failed copy only when the budget has room for it', async () => {
    const t = setup({ budget: PIECE });
    expect(t.budget.tryReserve(PIECE)).toBe(true); // the pieces in progress hold it all
    t.fill(0, 'a', 'b', true);
    expect((await t.verify(0)).kind).toBe('failed');
    expect(t.budget.used).toBe(PIECE);
    t.budget.release(PIECE);
    t.fill(0, 'a', 'c');
    const v = await t.verify(0);
    expect(v.kind === 'verified' && [...v.culprits]).toEqual([]);
  });

  it('reports a full store as an error that says so, and skips what was under way when closed', async () => {
    const t = setup({ store: new MemoryStore(PIECE) });
    t.fill(0, 'a', 'a');
    expect((await t.verify(0)).kind).toBe('verified');
    t.fill(1, 'a', 'a');
    const v = await t.verify(1);
    expect(v.kind).toBe('error');
    if (v.kind !== 'error') return;
    expect(v.error).toBeInstanceOf(StorageError);
    expect(v.error).toMatchObject({ quotaExceeded: true });
    expect(v.error.message).toMatch(/^storage is full: /);

    t.fill(2, 'a', 'a');
    const pending = t.verify(2);
    t.verifier.close();
    expect(await pending).toEqual({ kind: 'skipped' });
    expect(t.verifier.partialPieces()).toEqual([]);
  });
});
