/**
 * What `<tab-swarm>`'s attributes name, in Node: the file `file` picks (and the default), how a file
 * is shown, and the errors for a bad `src` (the browser test covers the same through the element).
 */
import { describe, expect, it } from 'vitest';
import type { TorrentFile } from '../../src/client/index.js';
import { SourceError, displayKindOf, looksLikeTorrentUrl, pickFile, resolveSource } from '../../src/element/source.js';

const file = (path: string, length: number, index: number) => ({ path, name: path.split('/').pop()!, length, index }) as unknown as TorrentFile;
const HASH = 'c90cbfb0ead04c130e404163bef7cae5aeed8034';

describe('pickFile', () => {
  const files = [file('trip/notes.txt', 900, 0), file('trip/photos/a.jpg', 5000, 1), file('trip/clip.mp4', 3000, 2), file('trip/song.mp3', 4000, 3)];

  it('takes by default the largest video or audio file, else the largest image, else the largest file', () => {
    expect(pickFile(files, '', 'trip').index).toBe(3);
    expect(pickFile(files.slice(0, 2), '', 'trip').index).toBe(1);
    expect(pickFile([files[0]!], '', 'trip').index).toBe(0);
  });

  it('takes an index, a path with or without the torrent name, or a unique file name', () => {
    expect(pickFile(files, '2', 'trip').index).toBe(2);
    expect(pickFile(files, 'photos/a.jpg', 'trip').index).toBe(1);
    expect(pickFile(files, 'trip/photos/a.jpg', 'trip').index).toBe(1);
    expect(pickFile(files, 'clip.mp4', 'trip').index).toBe(2);
  });

  it('says which files there are when the one asked for is missing', () => {
    expect(() => pickFile(files, '9', 'trip')).toThrow(new SourceError('this torrent has no file 9 (its files are numbered 0 to 3)'));
    expect(() => pickFile(files, 'x.mkv', 'trip')).toThrow(/no file "x\.mkv" \(it has notes\.txt, photos\/a\.jpg, clip\.mp4, song\.mp3\)/);
    expect(() => pickFile([file('t/a/x.png', 1, 0), file('t/b/x.png', 1, 1)], 'x.png', 't')).toThrow(/2 files named "x\.png": give its path/);
    expect(() => pickFile([], '', 't')).toThrow(SourceError);
  });
});

describe('displayKindOf', () => {
  it('plays video and audio, shows images, gives anything else a card', () => {
    expect(['a.webm', 'b.MP4', 'c.mp3', 'd.png', 'e.svg', 'f.pdf', 'g.txt', 'h.bin'].map(displayKindOf)).toEqual([
      'video',
      'video',
      'audio',
      'image',
      'image',
      'card',
      'card',
      'card',
    ]);
  });
});

describe('resolveSource', () => {
  const signal = new AbortController().signal;
  const base = 'https://site.example/page.html';

  it('parses magnet links and the magnet link of a share link without fetching anything', async () => {
    const magnet = `magnet:?xt=urn:btih:${HASH}&dn=x`;
    await expect(resolveSource(` ${magnet} `, base, signal)).resolves.toEqual({ infoHash: HASH, input: magnet });
    await expect(resolveSource(`https://app.example/#${magnet}`, base, signal)).resolves.toEqual({ infoHash: HASH, input: magnet });
    const short = `https://app.example/#${Buffer.from(HASH, 'hex').toString('base64url')}`;
    await expect(resolveSource(short, base, signal)).resolves.toEqual({ infoHash: HASH, input: `magnet:?xt=urn:btih:${HASH}` });
  });

  it('says a short share link that was cut short is not valid, rather than fetching it', async () => {
    const cut = `https://app.example/#${Buffer.from(HASH, 'hex').toString('base64url').slice(0, 22)}`;
    await expect(resolveSource(cut, base, signal)).rejects.toThrow(/^the share link is not valid: the share link's info hash has 22 characters/);
  });

  it('rejects an empty src, a malformed magnet link and URLs that cannot name a .torrent file, saying so', async () => {
    await expect(resolveSource('  ', base, signal)).rejects.toThrow(/^no src/);
    await expect(resolveSource('magnet:?xt=urn:btih:zz', base, signal)).rejects.toThrow(/^the magnet link is not valid: /);
    await expect(resolveSource('ftp://x.example/a.torrent', base, signal)).rejects.toThrow(/not a ftp: URL/);
  });

  it('refuses a src that looks like no magnet link, share link or .torrent URL, rather than fetching it as a relative URL', async () => {
    for (const garbage of ['hello world', 'garbage', 'c9a337562cc0e5a25d45e7a2e5b96e9a0cf2de1', 'video.mp4']) {
      await expect(resolveSource(garbage, base, signal)).rejects.toThrow(/is neither a magnet link, a share link nor the URL of a \.torrent file$/);
    }
    for (const url of ['film.torrent', 'files/film.torrent?v=2', '/api/torrent/3', './t', '../t', 'https://cdn.example/x'])
      expect(looksLikeTorrentUrl(url), url).toBe(true);
  });
});
