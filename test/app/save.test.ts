import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  safeFileName,
  safeZipPath,
  saveAllAsZip,
  saveFile,
  zipStream,
  type SaveFileHandle,
  type SaveFilePickerOptions,
  type SaveHost,
  type DownloadOffer,
  type SaveSource,
} from '../../src/app/save.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const utf8Bytes = (s: string): number => utf8(s).length;

describe('safeFileName', () => {
  it('keeps ordinary names', () => {
    expect(safeFileName('holiday photo.jpg')).toBe('holiday photo.jpg');
    expect(safeFileName('Ünïcödé – 日本語.txt')).toBe('Ünïcödé – 日本語.txt');
  });

  it('replaces path separators, so a name never leaves the folder', () => {
    expect(safeFileName('a/b')).toBe('a_b');
    expect(safeFileName('a\\b')).toBe('a_b');
    expect(safeFileName('../x')).toBe('_x');
    expect(safeFileName('..\\..\\windows\\system32')).toBe('_.._windows_system32');
    expect(safeFileName('/etc/passwd')).toBe('_etc_passwd');
  });

  it('never returns ., .. or a hidden name', () => {
    expect(safeFileName('.')).toBe('file');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('name. . ')).toBe('name');
  });

  it('removes control characters, NUL included', () => {
    expect(safeFileName('a\u0000b.txt')).toBe('ab.txt');
    expect(safeFileName('line\nbreak\r\t\u001b[31m.txt')).toBe('linebreak[31m.txt');
    expect(safeFileName('c1\u0085\u009b.txt')).toBe('c1.txt');
    expect(safeFileName('\u0000')).toBe('file');
  });

  it('removes bidirectional controls that disguise the extension', () => {
    expect(safeFileName('\u202Eexe.txt')).toBe('exe.txt');
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(safeFileName('a\u2066b\u2069\u200Fc\u061C.txt')).toBe('abc.txt');
  });

  it('replaces characters Windows forbids and avoids device names', () => {
    expect(safeFileName('what? <a|b> "c": d*.txt')).toBe('what_ _a_b_ _c__ d_.txt');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('nul.txt')).toBe('_nul.txt');
    expect(safeFileName('console.txt')).toBe('console.txt');
  });

  it('never returns an empty name', () => {
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('   ')).toBe('file');
    expect(safeFileName('\u202E')).toBe('file');
  });

  it('trims long names to 255 bytes of UTF-8, keeping the extension', () => {
    const long = safeFileName(`${'a'.repeat(300)}.txt`);
    expect(utf8Bytes(long)).toBe(255);
    expect(long).toBe(`${'a'.repeat(251)}.txt`);

    const noExtension = safeFileName('b'.repeat(300));
    expect(noExtension).toBe('b'.repeat(255));

    const accented = safeFileName(`${'é'.repeat(200)}.mp4`); // 2 bytes each
    expect(accented).toBe(`${'é'.repeat(125)}.mp4`);
    expect(utf8Bytes(accented)).toBe(254);

    const emoji = safeFileName(`${'😀'.repeat(100)}.png`); // 4 bytes, 2 UTF-16 units each
    expect(emoji).toBe(`${'😀'.repeat(62)}.png`);
    expect(emoji).not.toMatch(/[\ud800-\udfff](?![\udc00-\udfff])/u);
  });

  it('does not take a long tail after the last dot for an extension', () => {
    const name = safeFileName(`v1.${'x'.repeat(300)}`);
    expect(utf8Bytes(name)).toBe(255);
    expect(name.startsWith('v1.xxx')).toBe(true);
  });

  it('replaces lone surrogates', () => {
    expect(safeFileName('a\ud800b.txt')).toBe('a\ufffdb.txt');
  });
});

describe('safeZipPath', () => {
  it('keeps folders but drops ., .. and empty segments', () => {
    expect(safeZipPath('album/01 intro.flac')).toBe('album/01 intro.flac');
    expect(safeZipPath('../../etc/passwd')).toBe('etc/passwd');
    expect(safeZipPath('/abs//./x\\y')).toBe('abs/x/y');
    expect(safeZipPath('..')).toBe('file');
    expect(safeZipPath('a/\u202Egpj.exe')).toBe('a/gpj.exe');
  });
});

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** A source that records when its stream is opened. */
function source(path: string, data: Uint8Array, opened: string[] = [], chunk = 3): SaveSource {
  return {
    name: path.split('/').pop() ?? path,
    path,
    length: data.length,
    stream() {
      opened.push(path);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < data.length; i += chunk) chunks.push(data.subarray(i, i + chunk));
      return streamOf(...chunks);
    },
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface ZipEntry {
  name: string;
  size: number;
  crc: number;
  data: Uint8Array;
}

/** Reads a zip through its central directory (no Zip64: the test files are small). */
function readZip(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  expect(eocd).toBeGreaterThanOrEqual(0);
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50);
    expect(view.getUint16(at + 10, true)).toBe(0); // stored
    const crc = view.getUint32(at + 16, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    // the local file header names the same file
    expect(view.getUint32(local, true)).toBe(0x04034b50);
    const localNameLength = view.getUint16(local + 26, true);
    const localExtraLength = view.getUint16(local + 28, true);
    expect(new TextDecoder().decode(zip.subarray(local + 30, local + 30 + localNameLength))).toBe(name);
    const start = local + 30 + localNameLength + localExtraLength;
    expect(compressed).toBe(size);
    entries.push({ name, size, crc, data: zip.slice(start, start + compressed) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('zipStream', () => {
  const hello = utf8('Hello, swarm!\n');
  const binary = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);

  it('builds a zip of every file with its path, size and contents', async () => {
    const zip = await readAll(zipStream([source('greeting/hello.txt', hello), source('greeting/data.bin', binary)]));
    const entries = readZip(zip);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['greeting/hello.txt', hello.length],
      ['greeting/data.bin', 1000],
    ]);
    expect(entries[0]?.data).toEqual(hello);
    expect(entries[1]?.data).toEqual(binary);
    for (const e of entries) expect(e.crc).toBe(crc32(e.data));
  });

  it('produces a zip that Python’s zipfile accepts', async (ctx) => {
    const zip = await readAll(zipStream([source('greeting/hello.txt', hello), source('greeting/data.bin', binary)]));
    if (spawnSync('python3', ['--version']).status !== 0) ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'tabswarm-zip-'));
    try {
      const file = join(dir, 'test.zip');
      writeFileSync(file, zip);
      const test = spawnSync('python3', ['-m', 'zipfile', '-t', file], { encoding: 'utf8' });
      expect(test.status, test.stderr).toBe(0);
      const list = spawnSync('python3', ['-m', 'zipfile', '-l', file], { encoding: 'utf8' });
      expect(list.stdout).toMatch(/greeting\/hello\.txt .* 14\n/);
      expect(list.stdout).toMatch(/greeting\/data\.bin .* 1000\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens each stream lazily, once, in order', async () => {
    const opened: string[] = [];
    const zip = zipStream([source('a.txt', hello, opened), source('b.txt', binary, opened)]);
    expect(opened).toEqual([]);
    await readAll(zip);
    expect(opened).toEqual(['a.txt', 'b.txt']);
  });

  it('accepts an async iterable of sources', async () => {
    async function* sources() {
      yield source('one.txt', hello);
      yield source('two.txt', hello);
    }
    expect(readZip(await readAll(zipStream(sources()))).map((e) => e.name)).toEqual(['one.txt', 'two.txt']);
  });

  it('makes paths safe and unique', async () => {
    const zip = await readAll(
      zipStream([source('../../evil.sh', hello), source('dir/a.txt', hello), source('dir/A.txt', hello), source('dir//./a.txt', hello), source('', hello)]),
    );
    expect(readZip(zip).map((e) => e.name)).toEqual(['evil.sh', 'dir/a.txt', 'dir/A (2).txt', 'dir/a (3).txt', 'file']);
  });

  it('shortens paths too long for a zip or for unzip (a hostile torrent’s deep path), keeping them unique, whole characters and the extension', async (ctx) => {
    // 300 folders of 250 bytes: 75,300 bytes, more than the 65,535 a zip entry's name can have. Some
    // are of two-, three- and four-byte characters, so a cut in the wrong place would split one.
    const folders = Array.from({ length: 300 }, (_, i) => ['d'.repeat(250), 'é'.repeat(125), '日'.repeat(83), '😀'.repeat(62)][i % 4]! + String(i));
    const deep = folders.join('/');
    expect(utf8Bytes(deep)).toBeGreaterThan(65_535);
    const longName = `${'n'.repeat(251)}.txt`; // 255 bytes: no room for " (2)" without shortening it
    const sources = [
      source(`${deep}/movie.mkv`, hello),
      // The same folders but the last: identical once shortened.
      source(`${folders.slice(0, -1).join('/')}/other/movie.mkv`, binary),
      source(`${deep}/${longName}`, hello),
      source(`${folders.slice(0, -1).join('/')}/again/${longName}`, hello),
      source('top/short.txt', hello),
    ];
    const zip = await readAll(zipStream(sources));
    const names = readZip(zip).map((e) => e.name);
    expect(names).toHaveLength(sources.length);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect(names[4]).toBe('top/short.txt');
    for (const name of names) {
      // At most 4,095 bytes (what unzip and a Linux path take), each part at most 255, whole UTF-8.
      expect(utf8Bytes(name)).toBeLessThanOrEqual(4095);
      for (const part of name.split('/')) expect(utf8Bytes(part), part).toBeLessThanOrEqual(255);
      expect(new TextDecoder('utf-8', { fatal: true }).decode(utf8(name))).toBe(name);
      expect(name).not.toContain('\ufffd');
    }
    expect(names[0]).toMatch(/^d{250}0\/é{125}1\/.*\/movie\.mkv$/);
    expect(names[1]).toMatch(/\/movie \(2\)\.mkv$/);
    expect(names[2]).toMatch(/\/n+\.txt$/);
    expect(names[3]).toMatch(/\/n+ \(2\)\.txt$/);

    if (spawnSync('python3', ['--version']).status !== 0) ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'tabswarm-zip-'));
    try {
      const file = join(dir, 'deep.zip');
      writeFileSync(file, zip);
      const script = 'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({"bad": z.testzip(), "names": z.namelist()}))';
      const python = spawnSync('python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
      expect(python.status, python.stderr).toBe(0);
      expect(JSON.parse(python.stdout)).toEqual({ bad: null, names });
      if (spawnSync('unzip', ['-v']).status === 0) {
        const unzip = spawnSync('unzip', ['-t', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
        expect(unzip.status, unzip.stdout.slice(-500) + unzip.stderr).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when a file stream fails', async () => {
    const failing: SaveSource = {
      name: 'bad',
      path: 'bad',
      length: 10,
      stream: () =>
        new ReadableStream({
          pull(controller) {
            controller.error(new Error('piece 3 failed'));
          },
        }),
    };
    await expect(readAll(zipStream([source('ok.txt', hello), failing]))).rejects.toThrow('piece 3 failed');
  });
});

/**
 * A fake window: a file picker that collects what is written, a document for the fallbacks (the
 * frames it shows and the links it clicks), and with `worker` a service worker taking offers.
 */
function fakeHost(picker: 'write' | 'cancel' | 'deny' | 'none', worker = false) {
  const written: Uint8Array[] = [];
  const pickerCalls: SaveFilePickerOptions[] = [];
  const clicked: { href: string; download: string }[] = [];
  let closed = false;
  const handle: SaveFileHandle = {
    createWritable: async () =>
      new WritableStream<Uint8Array>({
        write(chunk) {
          written.push(chunk.slice());
        },
        close() {
          closed = true;
        },
      }),
  };
  const anchor = { href: '', download: '', rel: '', style: { display: '' }, click() {}, remove() {} };
  anchor.click = () => clicked.push({ href: anchor.href, download: anchor.download });
  const frames: { src: string; hidden: boolean }[] = [];
  const offers: DownloadOffer[] = [];
  function createElement(tag: 'a'): HTMLAnchorElement;
  function createElement(tag: 'iframe'): HTMLIFrameElement;
  function createElement(tag: 'a' | 'iframe'): HTMLAnchorElement | HTMLIFrameElement {
    if (tag === 'a') return anchor as unknown as HTMLAnchorElement;
    const frame = { src: '', hidden: false, title: '', remove() {} };
    frames.push(frame);
    return frame as unknown as HTMLIFrameElement;
  }
  const host: SaveHost = { document: { createElement, body: { append() {} } } };
  if (worker) {
    host.offer = (offer) => {
      offers.push(offer);
      return `https://app.example/stream/offer/${offers.length}/${offer.name}`;
    };
  }
  if (picker !== 'none') {
    host.showSaveFilePicker = async (options) => {
      pickerCalls.push(options ?? {});
      if (picker === 'cancel') throw new DOMException('The user aborted a request.', 'AbortError');
      if (picker === 'deny') throw new DOMException('Must be handling a user gesture.', 'SecurityError');
      return handle;
    };
  }
  return {
    host,
    pickerCalls,
    clicked,
    frames,
    offers,
    written: () => new Uint8Array(written.flatMap((c) => [...c])),
    closed: () => closed,
  };
}

describe('saveFile', () => {
  const data = Uint8Array.from({ length: 100 }, (_, i) => i);

  it('streams the file into the file the user picked, under a safe suggested name', async () => {
    const fake = fakeHost('write');
    const outcome = await saveFile({ ...source('x', data), name: '\u202Egnp.exe' }, fake.host);
    expect(outcome).toBe('saved');
    expect(fake.pickerCalls).toEqual([{ suggestedName: 'gnp.exe' }]);
    expect(fake.written()).toEqual(data);
    expect(fake.closed()).toBe(true);
  });

  it('reads nothing when the user cancels the picker', async () => {
    const fake = fakeHost('cancel');
    const opened: string[] = [];
    expect(await saveFile(source('x.bin', data, opened), fake.host)).toBe('cancelled');
    expect(opened).toEqual([]);
    expect(fake.clicked).toEqual([]);
  });

  it('without a file picker, streams the download through the service worker: the file’s own URL when it has one', async () => {
    for (const mode of ['none', 'deny'] as const) {
      const fake = fakeHost(mode, true);
      const opened: string[] = [];
      const url = 'https://app.example/stream/abc/0/x.bin?download';
      expect(await saveFile({ ...source('dir/x.bin', data, opened), downloadUrl: url }, fake.host)).toBe('downloaded');
      expect(fake.frames).toEqual([{ src: url, hidden: true, title: 'download', remove: expect.any(Function) }]);
      expect(fake.offers).toEqual([]);
      expect(fake.clicked).toEqual([]);
      // The worker reads the file, not the page.
      expect(opened).toEqual([]);
    }
  });

  it('without a file picker nor a URL of its own, offers the stream to the service worker, opened only when it reads', async () => {
    const fake = fakeHost('none', true);
    const opened: string[] = [];
    expect(await saveFile(source('dir/\u202Ex.bin', data, opened), fake.host)).toBe('downloaded');
    expect(fake.offers.map((o) => [o.name, o.size])).toEqual([['x.bin', 100]]);
    expect(fake.frames.map((f) => f.src)).toEqual(['https://app.example/stream/offer/1/x.bin']);
    expect(opened).toEqual([]);
    expect(await readAll(fake.offers[0]!.open())).toEqual(data);
    expect(fake.clicked).toEqual([]);
  });

  it('downloads a Blob when there is no file picker (or it is refused) and no service worker', async () => {
    for (const mode of ['none', 'deny'] as const) {
      const fake = fakeHost(mode);
      expect(await saveFile(source('dir/x.bin', data), fake.host)).toBe('downloaded');
      expect(fake.clicked).toHaveLength(1);
      const [click] = fake.clicked;
      expect(click?.download).toBe('x.bin');
      const blob = await (await fetch(click?.href ?? '')).arrayBuffer();
      expect(new Uint8Array(blob)).toEqual(data);
    }
  });

  it('gives the Blob of that download no type a browser would open as a page (an SVG or HTML file runs its script there)', async () => {
    for (const name of ['cat.svg', 'page.html', 'x.bin']) {
      const fake = fakeHost('none');
      await saveFile(source(`dir/${name}`, data), fake.host);
      const response = await fetch(fake.clicked[0]?.href ?? '');
      expect(response.headers.get('content-type'), name).toBe('application/octet-stream');
    }
  });

  it('does not close the file when the stream fails', async () => {
    const fake = fakeHost('write');
    const failing: SaveSource = { ...source('x', data), stream: () => new ReadableStream({ pull: (c) => c.error(new Error('gone')) }) };
    await expect(saveFile(failing, fake.host)).rejects.toThrow('gone');
    expect(fake.closed()).toBe(false);
  });
});

describe('saveAllAsZip', () => {
  it('streams a zip into the picked file, offering a .zip name and type', async () => {
    const fake = fakeHost('write');
    const outcome = await saveAllAsZip('My album', [source('My album/1.txt', utf8('one')), source('My album/2.txt', utf8('two'))], fake.host);
    expect(outcome).toBe('saved');
    expect(fake.pickerCalls).toEqual([{ suggestedName: 'My album.zip', types: [{ description: 'Zip archive', accept: { 'application/zip': ['.zip'] } }] }]);
    const entries = readZip(fake.written());
    expect(entries.map((e) => [e.name, new TextDecoder().decode(e.data)])).toEqual([
      ['My album/1.txt', 'one'],
      ['My album/2.txt', 'two'],
    ]);
  });

  it('does not add a second .zip and falls back to a download', async () => {
    const fake = fakeHost('none');
    expect(await saveAllAsZip('photos.ZIP', [source('a.txt', utf8('a'))], fake.host)).toBe('downloaded');
    expect(fake.clicked[0]?.download).toBe('photos.ZIP');
    expect((await fetch(fake.clicked[0]?.href ?? '')).headers.get('content-type')).toBe('application/zip');
  });

  it('without a file picker, the service worker streams the zip (of unknown length)', async () => {
    const fake = fakeHost('none', true);
    expect(await saveAllAsZip('My album', [source('My album/1.txt', utf8('one'))], fake.host)).toBe('downloaded');
    expect(fake.offers.map((o) => [o.name, o.size])).toEqual([['My album.zip', undefined]]);
    expect(fake.frames).toHaveLength(1);
    const entries = readZip(await readAll(fake.offers[0]!.open()));
    expect(entries.map((e) => e.name)).toEqual(['My album/1.txt']);
  });
});
