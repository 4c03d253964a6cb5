/**
 * Which files of a torrent are downloaded, as the torrent sees it: kept by the tab that runs the
 * torrent (applied to its session and saved), or, in a tab that follows another (tabs/coordinator.ts),
 * the running tab's, changed by sending it a command. A private share's files cannot be left out.
 */
import { FileSelection } from './file-selection.js';
import { PrivateShareError } from '../core/private/format.js';
import type { RemoteReadout } from './torrent-readout.js';

export interface SelectionHost {
  /** The torrent's number of files; undefined before the metadata is known. */
  fileCount(): number | undefined;
  /** The selection of this tab changed: tell the session (`filter` undefined: every file) and save the torrent. */
  changed(filter: ((index: number) => boolean) | undefined): void;
  /** The tab that runs the torrent, while this one follows it. */
  remote(): RemoteReadout | undefined;
  /** Whether the torrent is a private share. */
  isPrivate(): boolean;
}

export class TorrentSelection {
  private own: FileSelection;

  constructor(
    private readonly host: SelectionHost,
    initial: readonly number[] | undefined,
  ) {
    this.own = this.create(initial);
  }

  /** Indexes of the selected files; undefined when every file is. */
  get indexes(): number[] | undefined {
    const remote = this.host.remote();
    return remote ? remote.snapshot?.selection : this.own.indexes;
  }

  /** Whether file `index` is downloaded (every file is, unless deselected). */
  has(index: number): boolean {
    return this.host.remote() ? (this.indexes?.includes(index) ?? true) : this.own.has(index);
  }

  select(index: number, selected: boolean): void {
    this.target().select(index, selected);
  }

  selectOnly(indexes: readonly number[] | undefined): void {
    this.target().selectOnly(indexes);
  }

  /** This tab's selection as a filter for a new session; undefined when every file is selected. */
  filter(): ((index: number) => boolean) | undefined {
    return this.own.filter();
  }

  /** Starts again from a saved selection (a tab taking the torrent over). */
  reset(initial: readonly number[] | undefined): void {
    this.own = this.create(initial);
  }

  private create(initial: readonly number[] | undefined): FileSelection {
    return new FileSelection(
      initial,
      () => this.host.fileCount(),
      () => this.host.changed(this.own.filter()),
    );
  }

  /** Where a change goes: this tab's selection, or a draft sent as a command to the tab running the torrent. */
  private target(): Pick<FileSelection, 'select' | 'selectOnly'> {
    if (this.host.isPrivate()) throw new PrivateShareError('the files of a private share cannot be left out: the whole share is downloaded');
    const remote = this.host.remote();
    if (!remote) return this.own;
    const draft: FileSelection = new FileSelection(
      this.indexes,
      () => this.host.fileCount(),
      () => remote.send({ kind: 'select', selection: draft.indexes }),
    );
    return draft;
  }
}
