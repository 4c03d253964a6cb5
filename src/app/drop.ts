/**
 * Files dropped on the page or picked: folders walked recursively through the entries API
 * (`DataTransferItem.webkitGetAsEntry()`), each file keeping its path relative to what was dropped.
 * Written against small structural types so the walk is tested in Node with fake entries.
 */

/** A file to seed, with its `/`-separated path (its name when dropped alone). */
export interface PickedFile {
  path: string;
  data: File;
}

/** The parts of `FileSystemEntry` (and its file and directory subtypes) used here. */
export interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, error?: (error: DOMException) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(success: (entries: EntryLike[]) => void, error?: (error: DOMException) => void): void };
}

/** Files an operating system leaves in folders, never worth sharing. */
const JUNK = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);

function readFile(entry: FileEntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a directory: `readEntries` returns them in batches until an empty one. */
async function readAll(entry: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = entry.createReader();
  const out: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    for (const e of batch) out.push(e);
  }
}

/**
 * The files under `entries`, depth first, in name order within each folder, with paths relative to
 * the dropped items: dropping folder `photos` gives `photos/a.jpg`, `photos/2024/b.jpg`.
 */
export async function filesFromEntries(entries: readonly EntryLike[], parent = '', out: PickedFile[] = []): Promise<PickedFile[]> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of parent ? sorted : entries) {
    const path = parent ? `${parent}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      // Into `out` itself: spreading a folder of 150,000 files into push() overflows the call stack.
      await filesFromEntries(await readAll(entry as DirectoryEntryLike), path, out);
    } else if (entry.isFile) {
      if (parent && JUNK.has(entry.name.toLowerCase())) continue;
      out.push({ path, data: await readFile(entry as FileEntryLike) });
    }
  }
  return out;
}

/** What one dropped item gives, read synchronously inside the drop event (items expire after it). */
export type DroppedItem = { entry: EntryLike } | { file: File };

/** The parts of `DataTransfer` read at drop time. */
export interface DataTransferLike {
  readonly items?: ArrayLike<{ kind: string; webkitGetAsEntry?(): EntryLike | null; getAsFile(): File | null }>;
  readonly files?: ArrayLike<File>;
}

/** Must run synchronously in the `drop` handler. Prefers entries (they keep folders), else files. */
export function droppedItems(dt: DataTransferLike): DroppedItem[] {
  const out: DroppedItem[] = [];
  const items = dt.items ? Array.from(dt.items) : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) {
      out.push({ entry });
      continue;
    }
    const file = item.getAsFile();
    if (file) out.push({ file });
  }
  if (out.length === 0 && dt.files) for (const file of Array.from(dt.files)) out.push({ file });
  return out;
}

/** The files of dropped items, folders walked. */
export async function filesFromDrop(items: readonly DroppedItem[]): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  for (const item of items) {
    if ('file' in item) out.push({ path: item.file.name, data: item.file });
    else await filesFromEntries([item.entry], '', out);
  }
  return out;
}

/** Files from an `<input type=file>`: folder picks carry `webkitRelativePath`. */
export function filesFromInput(files: ArrayLike<File>): PickedFile[] {
  return Array.from(files, (f) => ({ path: f.webkitRelativePath || f.name, data: f }));
}

export function isTorrentFile(file: { name: string; type: string }): boolean {
  return /\.torrent$/i.test(file.name) || file.type === 'application/x-bittorrent';
}

/** A drop of one .torrent file adds it; anything else is shared. */
export type DropIntent = { kind: 'add'; file: File } | { kind: 'seed'; files: PickedFile[] } | { kind: 'none' };

export function dropIntent(files: readonly PickedFile[]): DropIntent {
  if (files.length === 0) return { kind: 'none' };
  const only = files[0]!;
  if (files.length === 1 && !only.path.includes('/') && isTorrentFile(only.data)) return { kind: 'add', file: only.data };
  return { kind: 'seed', files: [...files] };
}

/** A name for files being prepared: the folder, the file, or the first file and how many more. */
export function describeFiles(files: readonly PickedFile[]): string {
  if (files.length === 0) return 'nothing';
  const tops = new Set(files.map((f) => f.path.split('/')[0]!));
  if (tops.size === 1) return [...tops][0]!;
  const first = files[0]!.path.split('/')[0]!;
  return `${first} and ${tops.size - 1} more`;
}
