import { describe, expect, it } from 'vitest';
import {
  describeFiles,
  droppedItems,
  dropIntent,
  filesFromDrop,
  filesFromEntries,
  filesFromInput,
  isTorrentFile,
  type DirectoryEntryLike,
  type EntryLike,
  type FileEntryLike,
  type PickedFile,
} from '../../src/app/drop.js';

/** A fake file system entry tree, as `webkitGetAsEntry()` gives; directories read in batches of `batch`. */
type Tree = { [name: string]: string | Tree };

function entry(name: string, node: string | Tree, batch = 2): EntryLike {
  if (typeof node === 'string') {
    const file: FileEntryLike = { isFile: true, isDirectory: false, name, file: (ok) => ok(new File([node], name)) };
    return file;
  }
  const children = Object.entries(node).map(([n, c]) => entry(n, c, batch));
  const dir: DirectoryEntryLike = {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let at = 0;
      return {
        readEntries(ok) {
          const next = children.slice(at, at + batch);
          at += next.length;
          setTimeout(() => ok(next), 0);
        },
      };
    },
  };
  return dir;
}

const paths = (files: PickedFile[]): string[] => files.map((f) => f.path);

describe('filesFromEntries', () => {
  it('walks folders recursively, keeping paths relative to what was dropped, reading every batch', async () => {
    const photos = entry('photos', { 'b.jpg': 'bb', 'a.jpg': 'a', '2024': { 'c.jpg': 'ccc', '.DS_Store': 'x' }, 'd.jpg': 'dddd', 'e.jpg': 'e' });
    const files = await filesFromEntries([photos, entry('notes.txt', 'hello')]);
    expect(paths(files)).toEqual(['photos/2024/c.jpg', 'photos/a.jpg', 'photos/b.jpg', 'photos/d.jpg', 'photos/e.jpg', 'notes.txt']);
    expect(await files[0]!.data.text()).toBe('ccc');
    expect(files[0]!.data.name).toBe('c.jpg');
  });

  it('walks a folder of 150,000 files inside a dropped folder (spreading it into push() overflowed the stack)', async () => {
    const many: Tree = {};
    for (let i = 0; i < 150_000; i++) many[`f${i}`] = '';
    const files = await filesFromDrop([{ entry: entry('top', { many }, 50_000) }]);
    expect(files).toHaveLength(150_000);
    expect(files[0]!.path).toBe('top/many/f0');
  });

  it('gives nothing for an empty folder', async () => {
    expect(await filesFromEntries([entry('empty', {})])).toEqual([]);
  });

  it('rejects when a file cannot be read', async () => {
    const broken: FileEntryLike = { isFile: true, isDirectory: false, name: 'x', file: (_ok, fail) => fail?.(new DOMException('gone', 'NotFoundError')) };
    await expect(filesFromEntries([broken])).rejects.toThrow('gone');
  });
});

describe('droppedItems and filesFromDrop', () => {
  it('prefers entries, falls back to the item’s file (no entry, as for a synthetic drop), then to `files`', async () => {
    const loose = new File(['t'], 'x.torrent');
    const items = droppedItems({
      items: [
        { kind: 'file', webkitGetAsEntry: () => entry('dir', { 'f.txt': 'f' }), getAsFile: () => null },
        { kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => loose },
        { kind: 'string', getAsFile: () => null },
      ],
    });
    expect(items).toHaveLength(2);
    expect(paths(await filesFromDrop(items))).toEqual(['dir/f.txt', 'x.torrent']);
    const fromFiles = droppedItems({ items: [], files: [new File(['a'], 'a.txt')] });
    expect(paths(await filesFromDrop(fromFiles))).toEqual(['a.txt']);
  });
});

describe('filesFromInput', () => {
  it('uses webkitRelativePath for folder picks', () => {
    const plain = new File(['a'], 'a.txt');
    const inFolder = new File(['b'], 'b.txt');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'folder/sub/b.txt' });
    expect(paths(filesFromInput([plain, inFolder]))).toEqual(['a.txt', 'folder/sub/b.txt']);
  });
});

describe('dropIntent', () => {
  const f = (path: string, type = ''): PickedFile => ({ path, data: new File(['x'], path.split('/').pop()!, { type }) });

  it('adds a single dropped .torrent file instead of sharing it', () => {
    const one = f('movie.torrent');
    expect(dropIntent([one])).toEqual({ kind: 'add', file: one.data });
    expect(dropIntent([f('movie', 'application/x-bittorrent')]).kind).toBe('add');
  });

  it('shares anything else: other files, several .torrent files, a .torrent inside a folder', () => {
    expect(dropIntent([f('a.txt')]).kind).toBe('seed');
    expect(dropIntent([f('a.torrent'), f('b.torrent')]).kind).toBe('seed');
    expect(dropIntent([f('dir/a.torrent')]).kind).toBe('seed');
    expect(dropIntent([])).toEqual({ kind: 'none' });
  });

  it('isTorrentFile looks at the extension or the type', () => {
    expect(isTorrentFile({ name: 'X.TORRENT', type: '' })).toBe(true);
    expect(isTorrentFile({ name: 'torrent.txt', type: 'text/plain' })).toBe(false);
  });
});

describe('describeFiles', () => {
  const f = (path: string): PickedFile => ({ path, data: new File([], 'x') });
  it('names a folder, a file, or the first and how many more', () => {
    expect(describeFiles([f('photos/a.jpg'), f('photos/b/c.jpg')])).toBe('photos');
    expect(describeFiles([f('a.txt')])).toBe('a.txt');
    expect(describeFiles([f('a.txt'), f('b.txt'), f('dir/c.txt')])).toBe('a.txt and 2 more');
    expect(describeFiles([])).toBe('nothing');
  });
});
