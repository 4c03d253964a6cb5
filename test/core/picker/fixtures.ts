/**
 * Compact string fixtures for picker tests, in the style of libtorrent's piece picker tests:
 * one character per piece.
 *   availability "2223333"   peers having each piece (digit)
 *   have         "x..x.."    pieces we have ('x', '*' or '1'; anything else: not)
 *   priority     "1110000"   priority digit per piece
 *   peer bits    "x.x.xx."   pieces a peer has
 */
import { mulberry32 } from '../../../src/core/random.js';
import { PiecePicker, type BlockRequest, type PickerPeer, type PieceBudget } from '../../../src/core/picker/index.js';

export const BLOCK = 16384;

/** A seeded PRNG so that tie-breaking is deterministic. */
export const rng = mulberry32;

function marked(c: string): boolean {
  return c === 'x' || c === '*' || c === '1';
}

/** Indexes marked in a have/bitfield string. */
export function indexes(pattern: string): number[] {
  return pattern.split('').flatMap((c, i) => (marked(c) ? [i] : []));
}

export function peer(id: string, pattern: string, extra: { choked?: boolean; allowedFast?: number[] } = {}): PickerPeer<string> {
  const set = new Set(indexes(pattern));
  return {
    id,
    has: (i) => set.has(i),
    choked: extra.choked ?? false,
    ...(extra.allowedFast ? { allowedFast: new Set(extra.allowedFast) } : {}),
  };
}

/** A peer that has every piece. */
export function seed(id: string): PickerPeer<string> {
  return { id, has: () => true };
}

export interface Setup {
  /** Sets the piece count (with `have` or `priority` if this is absent). */
  availability?: string;
  have?: string;
  priority?: string;
  critical?: number[];
  /** Blocks per piece; default 4. */
  blocksPerPiece?: number;
  /** Total bytes; default every piece full. */
  totalLength?: number;
  random?: () => number;
  maxDuplicates?: number;
  budget?: PieceBudget;
}

export function setup(s: Setup): PiecePicker {
  const pattern = s.availability ?? s.have ?? s.priority;
  if (pattern === undefined) throw new Error('setup needs a string to size the torrent');
  const pieceCount = pattern.length;
  const pieceLength = (s.blocksPerPiece ?? 4) * BLOCK;
  const picker = new PiecePicker<string>({
    pieceCount,
    pieceLength,
    totalLength: s.totalLength ?? pieceCount * pieceLength,
    random: s.random ?? rng(1),
    ...(s.maxDuplicates !== undefined ? { maxDuplicates: s.maxDuplicates } : {}),
    ...(s.budget !== undefined ? { budget: s.budget } : {}),
    ...(s.have !== undefined ? { have: new Set(indexes(s.have)) } : {}),
  });
  (s.availability ?? '').split('').forEach((c, i) => {
    for (let n = 0; n < Number(c); n++) picker.incrementAvailability(i);
  });
  (s.priority ?? '').split('').forEach((c, i) => picker.setPriority(i, Number(c)));
  if (s.critical) picker.setCritical(s.critical);
  return picker;
}

/** Distinct piece indexes of some requests, in first-seen order. */
export function piecesOf(requests: readonly BlockRequest[]): number[] {
  return [...new Set(requests.map((r) => r.index))];
}

/** "index:begin" keys, for compact equality checks. */
export function keys(requests: readonly BlockRequest[]): string[] {
  return requests.map((r) => `${r.index}:${r.begin / BLOCK}`);
}

/** Delivers every request from `from` and verifies the pieces that complete. */
export function deliver(picker: PiecePicker, from: string, requests: readonly BlockRequest[]): void {
  for (const r of requests) {
    if (picker.blockReceived(from, r.index, r.begin).pieceComplete) picker.pieceVerified(r.index);
  }
}
