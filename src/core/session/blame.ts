/**
 * Bad-data defence: who sent the blocks of a piece that failed its hash check.
 *
 * When every block of a failed piece came from one peer, that peer is the culprit. When several
 * peers contributed, the failed attempt is kept; once the piece later verifies, each block of the
 * failed attempt is compared with the good piece, and the senders of the blocks that differ are the
 * culprits. An honest peer's blocks always match, so an honest peer is never blamed.
 */
import { bytesEqual } from '../bytes.js';

export interface FailedAttempt {
  data: Uint8Array;
  /** Sender of each block (by block number), undefined where the block was not received. */
  senders: (string | undefined)[];
}

export interface BlameVerdict {
  /** Peers known to have sent bad data. */
  culprits: Set<string>;
  /** Peers that contributed to a failed piece but cannot be told apart yet. */
  suspects: Set<string>;
}

/** Called when a piece fails its hash check. */
export function blameFailure(senders: readonly (string | undefined)[]): BlameVerdict {
  const distinct = new Set(senders.filter((s): s is string => s !== undefined));
  if (distinct.size === 1) return { culprits: distinct, suspects: new Set() };
  return { culprits: new Set(), suspects: distinct };
}

/** Called when a piece that failed before has verified: compares each earlier block with the good one. */
export function blameOnVerified(good: Uint8Array, attempts: readonly FailedAttempt[], blockSize: number): Set<string> {
  const culprits = new Set<string>();
  for (const attempt of attempts) {
    attempt.senders.forEach((sender, block) => {
      if (sender === undefined) return;
      const begin = block * blockSize;
      const end = Math.min(begin + blockSize, good.length);
      if (!bytesEqual(good.subarray(begin, end), attempt.data.subarray(begin, end))) culprits.add(sender);
    });
  }
  return culprits;
}
