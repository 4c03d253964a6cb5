/**
 * Which files of a torrent are downloaded: every file, or the indexes listed (saved with the torrent).
 */
import { TabswarmError } from '../core/errors.js';

export class FileSelection {
  /** The selected files; undefined when every file is. */
  private selected: Set<number> | undefined;

  /**
   * @param fileCount the torrent's number of files; undefined before the metadata is known
   * @param onChange called after every change (to tell the session and save the torrent)
   */
  constructor(
    initial: readonly number[] | undefined,
    private readonly fileCount: () => number | undefined,
    private readonly onChange: () => void,
  ) {
    if (initial) this.selected = new Set(initial);
  }

  /** Indexes of the selected files; undefined when every file is. */
  get indexes(): number[] | undefined {
    return this.selected ? [...this.selected].sort((a, b) => a - b) : undefined;
  }

  /** Whether file `index` is downloaded (every file is, unless deselected). */
  has(index: number): boolean {
    return this.selected?.has(index) ?? true;
  }

  /** Selects or deselects one file. */
  select(index: number, selected: boolean): void {
    const count = this.fileCountOrThrow();
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`no file ${index}`);
    if (this.has(index) === selected) return;
    const set = this.selected ?? new Set(Array.from({ length: count }, (_, i) => i));
    if (selected) set.add(index);
    else set.delete(index);
    this.set(set.size === count ? undefined : set);
  }

  /** Selects exactly the files listed (every file when `indexes` is undefined), in one step. */
  selectOnly(indexes: readonly number[] | undefined): void {
    const count = this.fileCountOrThrow();
    for (const i of indexes ?? []) if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`no file ${i}`);
    const set = indexes === undefined ? undefined : new Set(indexes);
    const same =
      set === undefined
        ? this.selected === undefined
        : this.selected !== undefined && set.size === this.selected.size && [...set].every((i) => this.selected!.has(i));
    if (same) return;
    this.set(set === undefined || set.size === count ? undefined : set);
  }

  /**
   * The selection as the session reads it, undefined when every file is selected: only the listed
   * files (BEP 53: a magnet link's `so=0` selects file 0 alone, however many files the metadata turns
   * out to list), with no array as long as the highest index (a link's `so=99999999` is one index,
   * not a hundred million flags).
   */
  filter(): ((file: number) => boolean) | undefined {
    const set = this.selected;
    return set ? (f) => set.has(f) : undefined;
  }

  private fileCountOrThrow(): number {
    const count = this.fileCount();
    if (count === undefined) throw new TabswarmError('the file list is not known yet: wait for `ready`');
    return count;
  }

  private set(selected: Set<number> | undefined): void {
    this.selected = selected;
    this.onChange();
  }
}
