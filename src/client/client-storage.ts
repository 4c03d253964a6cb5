/**
 * Where a client keeps pieces: IndexedDB as asked, or memory once IndexedDB turned out unusable (a
 * private window, blocked storage). The fall back is said once, as a warning, and from then on every
 * torrent opens in memory at once (no second wait for an IndexedDB that does not answer).
 */
import { errorMessage } from '../core/errors.js';
import type { PieceStore } from '../core/session/store.js';
import type { ClientEnvironment, StorageStatus, StoreKind } from './client-types.js';

export class ClientStorage {
  status: StorageStatus;

  constructor(
    kind: StoreKind,
    private readonly env: Pick<ClientEnvironment, 'openStore' | 'checkStore'>,
    private readonly warn: (message: string) => void,
  ) {
    this.status = { kind };
  }

  /** Whether what is stored outlives the page (and another tab of the browser sees it). */
  get lasting(): boolean {
    return this.status.kind !== 'memory';
  }

  async open(infoHash: string): Promise<{ store: PieceStore }> {
    const opened = await this.env.openStore(infoHash, this.status.kind);
    if (opened.fallbackReason) this.fellBack(opened.fallbackReason);
    return opened;
  }

  /** Checks at start that the storage asked for works here. */
  async check(): Promise<void> {
    if (!this.env.checkStore || !this.lasting) return;
    let reason: string | undefined;
    try {
      reason = (await this.env.checkStore(this.status.kind)).fallbackReason;
    } catch (e) {
      reason = `storage could not be checked (${errorMessage(e)}); pieces are kept in memory only`;
    }
    if (reason) this.fellBack(reason);
  }

  private fellBack(reason: string): void {
    if (!this.lasting) return;
    this.status = { kind: 'memory', fallbackReason: reason };
    this.warn(reason);
  }
}
