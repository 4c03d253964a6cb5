import { describe, expect, it } from 'vitest';
import { torrentFileBytes } from '../../src/core/torrent-file.js';
import { createTorrent } from '../../src/core/create.js';
import { parseTorrent } from '../../src/core/metainfo.js';

const files = [
  { path: 'greeting/hello.txt', data: new TextEncoder().encode('hello\0world') },
  { path: 'greeting/sub/odd.bin', data: new Uint8Array(40_001).fill(7) },
];

describe('torrentFileBytes', () => {
  it('gives a .torrent with the same info hash, trackers and web seeds', async () => {
    const created = await createTorrent(files, { announce: ['wss://a.example', 'ws://b.example'], urlList: ['https://seed.example/'] });
    const bytes = torrentFileBytes({ announce: created.metainfo.announce, urlList: created.metainfo.urlList, infoBytes: created.metainfo.infoBytes });
    const parsed = await parseTorrent(bytes);
    expect(parsed.infoHash).toBe(created.infoHash);
    expect(parsed.announce).toEqual(['wss://a.example', 'ws://b.example']);
    expect(parsed.announceList).toEqual([['wss://a.example'], ['ws://b.example']]);
    expect(parsed.urlList).toEqual(['https://seed.example/']);
    expect(parsed.files.map((f) => f.path)).toEqual(['greeting/hello.txt', 'greeting/sub/odd.bin']);
  });

  it('works with one tracker, or none', async () => {
    const created = await createTorrent(files.slice(0, 1), {});
    const none = await parseTorrent(torrentFileBytes({ announce: [], urlList: [], infoBytes: created.metainfo.infoBytes }));
    expect(none.infoHash).toBe(created.infoHash);
    expect(none.announce).toEqual([]);
    const one = await parseTorrent(torrentFileBytes({ announce: ['wss://t'], urlList: [], infoBytes: created.metainfo.infoBytes }));
    expect(one.announce).toEqual(['wss://t']);
    // Canonical: the same bytes createTorrent would write without its optional keys.
    expect(new TextDecoder().decode(torrentFileBytes({ announce: ['wss://t'], urlList: [], infoBytes: new TextEncoder().encode('de') }))).toBe(
      'd8:announce7:wss://t4:infodee',
    );
  });
});
