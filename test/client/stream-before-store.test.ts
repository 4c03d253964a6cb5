/**
 * A stream reads a piece as soon as it hashed right, without waiting for the store to write it: in
 * a browser the IndexedDB commit takes tens of ms (more while writes are batched), and the first
 * frame and a seek wait for it otherwise. The leecher's store here never finishes a write until told.
 */
import { describe, expect, it } from 'vitest';
import { BaseClient } from '../../src/client/client.js';
import { MemoryStore } from '../../src/core/session/store.js';
import { fixtureBytes } from '../fixtures/greeting.js';
import { clientBed, sha } from './client-bed.js';
import { fakeWorld } from './fake-env.js';

/** A store whose writes wait until `release()`. */
class HeldStore extends MemoryStore {
  private readonly held: (() => void)[] = [];
  writes = 0;
  override async put(index: number, data: Uint8Array): Promise<void> {
    this.writes++;
    await new Promise<void>((resolve) => this.held.push(resolve));
    return super.put(index, data);
  }
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

describe('a stream reads a verified piece before it is stored', () => {
  const { cleanup, tracker } = clientBed();

  it('the first chunk comes while the store still writes its piece', async () => {
    const t = await tracker();
    const a = new BaseClient(fakeWorld().env(), { announce: [t.url] });
    const store = new HeldStore();
    const env = fakeWorld().env();
    const b = new BaseClient({ ...env, openStore: async () => ({ store, kind: 'memory' as const }) }, { announce: [t.url] });
    cleanup.push(
      async () => {
        store.release();
        await a.destroy();
      },
      () => b.destroy(),
    );
    const data = fixtureBytes(4 * 64 * 1024, 23);
    const seeded = await a.seed([{ path: 'clip.webm', data }], { pieceLength: 64 * 1024 });
    const got = await b.add(seeded.magnetURI);
    await got.ready;
    const reader = got.files[0]!.stream().getReader();
    // Without reads from memory the chunk waits for the write, here for ever: give up after 5 s.
    const first = await Promise.race([reader.read(), new Promise<undefined>((resolve) => setTimeout(resolve, 5_000))]);
    const stored = got.pieceStates()[0] === 2;
    const writes = store.writes;
    store.release();
    await reader.cancel();
    expect(first?.value).toBeDefined();
    expect(sha(first!.value!)).toBe(sha(data.subarray(0, 64 * 1024)));
    expect(writes).toBeGreaterThan(0); // its write had begun, and was held
    expect(stored).toBe(false);
  });
});
