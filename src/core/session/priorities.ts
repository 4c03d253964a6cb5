/**
 * What the torrent wants first: the file selection (deselected files' pieces are skipped), the
 * streaming windows (critical pieces before everything, in order; read-ahead pieces at high
 * priority), and the `ts_want` messages that tell a tabswarm seeder which critical pieces we wait
 * for. It keeps them while the metadata is unknown and applies them to the picker once it exists;
 * the session reacts to a change (interest, requests, `done`).
 */
import type { PiecePicker } from '../picker/index.js';
import { PRIORITY } from '../picker/index.js';
import type { PieceGeometry } from '../geometry.js';
import { MAX_WANT_PIECES, WANT_EXTENSION, encodeWantMessage } from '../wire/index.js';
import type { Peer } from './peer.js';

export class Priorities {
  /** Whether a file is selected; undefined: every file is. */
  private selection: ((file: number) => boolean) | undefined;
  private critical: readonly number[] = [];
  private raised = new Set<number>();
  /** Per peer, the pieces last named in a ts_want message to it. */
  private readonly wantsSent = new WeakMap<object, string>();
  private picker: PiecePicker | undefined;
  private geometry: PieceGeometry | undefined;
  /** See `hold`. */
  private held = false;

  /** Critical pieces, in the order a reader needs them. */
  get criticalPieces(): readonly number[] {
    return this.critical;
  }

  isCritical(index: number): boolean {
    return this.critical.includes(index);
  }

  /**
   * Runs `fn` (the session telling its listeners the metadata came) with what they select or raise
   * applied to the picker but reported as no change (`select` false, `setStream` undefined): the
   * swarm is not ready to act on it yet (its peers' pieces are counted after), and acts on it with
   * the metadata, just after. Acting on it before made the leecher tell its peers it wanted nothing.
   */
  hold(fn: () => void): void {
    this.held = true;
    try {
      fn();
    } finally {
      this.held = false;
    }
  }

  /** The metadata is known: what was asked before applies now. True if anything was applied. */
  attach(picker: PiecePicker, geometry: PieceGeometry): boolean {
    this.picker = picker;
    this.geometry = geometry;
    // Pieces named before the metadata were not checked: those past the torrent's end are dropped.
    const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < geometry.pieceCount;
    this.critical = this.critical.filter(inRange);
    this.raised = new Set([...this.raised].filter(inRange));
    const selected = this.applySelection();
    return (this.raised.size > 0 && this.setStream(this.critical, [...this.raised]) !== undefined) || selected;
  }

  /**
   * File selection: `selected[f] === false` leaves file f out (its pieces are not fetched, except
   * those it shares with a selected file); or a function that says whether file f is selected (read
   * again whenever priorities are worked out: call again after it changes). True when the picker's
   * priorities were set.
   */
  select(selected: readonly boolean[] | ((file: number) => boolean)): boolean {
    if (typeof selected === 'function') {
      this.selection = selected;
    } else {
      const flags = [...selected];
      this.selection = (f) => flags[f] !== false;
    }
    return this.applySelection() && !this.held;
  }

  /**
   * Streaming: `critical` pieces before all others, strictly in this order, `raised` ones at high
   * priority; replaces the previous call, and pieces no longer raised go back to their file's
   * priority. Returns whether priorities changed in a way the session must react to (undefined
   * while the metadata is unknown). Throws a RangeError, changing nothing, for a piece out of range.
   */
  setStream(critical: readonly number[], raised: readonly number[]): boolean | undefined {
    const picker = this.picker;
    const next = new Set([...critical, ...raised]);
    if (picker) for (const i of next) picker.geometry.checkPiece(i);
    const before = this.raised;
    this.critical = [...critical];
    this.raised = next;
    if (!picker) return undefined;
    let changed = false;
    for (const i of before) {
      if (next.has(i)) continue;
      const base = this.basePriority(i);
      if (picker.priority(i) !== base) {
        picker.setPriority(i, base);
        changed = true;
      }
    }
    for (const i of next) {
      if (picker.priority(i) !== PRIORITY.high) {
        picker.setPriority(i, PRIORITY.high);
        changed = true;
      }
    }
    picker.setCritical(this.critical);
    return this.held ? undefined : changed || this.critical.length > 0;
  }

  /** Tells a tabswarm peer (one that lists ts_want) which critical pieces we wait for that it has not announced. */
  sendWants(peer: Peer): void {
    const id = peer.extensions[WANT_EXTENSION];
    if (!id || peer.closed || !peer.handshaken) return;
    const pieces = this.wantsFor(peer, (i) => peer.hasPiece(i));
    if (pieces && pieces.length > 0) peer.send({ type: 'extended', extId: id, payload: encodeWantMessage(pieces) });
  }

  /**
   * The critical pieces to name in a ts_want message to a peer that has not announced them, or
   * undefined when the peer was last told the same (nothing to send).
   */
  wantsFor(peer: object, peerHas: (index: number) => boolean): number[] | undefined {
    // Before the metadata, critical pieces given then (the head of a torrent a player is about to
    // read) are named as they are: a seeder revealing its pieces one by one shows them before the
    // metadata arrives, and they are asked for with it.
    const picker = this.picker;
    const pieces = this.critical.filter((i) => !picker?.have(i) && !peerHas(i)).slice(0, MAX_WANT_PIECES);
    const key = pieces.join(',');
    if (key === (this.wantsSent.get(peer) ?? '')) return undefined;
    this.wantsSent.set(peer, key);
    return pieces;
  }

  private applySelection(): boolean {
    const picker = this.picker;
    const geometry = this.geometry;
    if (!picker || !geometry || !this.selection) return false;
    const ranges: { first: number; last: number; priority: number }[] = [];
    for (let f = 0; f < geometry.fileCount; f++) {
      const range = geometry.filePieceRange(f);
      if (range) ranges.push({ ...range, priority: this.selection(f) ? PRIORITY.normal : PRIORITY.skip });
    }
    picker.setFilePriorities(ranges);
    for (const i of this.raised) picker.setPriority(i, PRIORITY.high);
    return true;
  }

  /** A piece's priority from the file selection alone: the highest of the files it lies in. */
  private basePriority(index: number): number {
    const selection = this.selection;
    if (!selection || !this.geometry) return PRIORITY.normal;
    return this.geometry.pieceFiles(index).some((f) => selection(f.fileIndex)) ? PRIORITY.normal : PRIORITY.skip;
  }
}
