import { describe, expect, it } from 'vitest';
import {
  addErrorNotice,
  memoryStorageNotice,
  noWebRtcNotice,
  seedErrorNotice,
  sentence,
  torrentErrorNotice,
  trackerNotice,
  waitingForPeersNotice,
} from '../../src/app/state/notices.js';
import { MagnetError, TorrentError } from '../../src/core/errors.js';
import { parseMagnet } from '../../src/core/magnet.js';
import { parseTorrent } from '../../src/core/metainfo.js';
import { StorageError } from '../../src/core/session/store.js';

const thrown = async (f: () => unknown): Promise<unknown> => {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('sentence', () => {
  it('capitalises and ends with a full stop', () => {
    expect(sentence('not a magnet link')).toBe('Not a magnet link.');
    expect(sentence('Done!')).toBe('Done!');
    expect(sentence('  ')).toBe('');
  });
});

describe('addErrorNotice', () => {
  it('explains a broken magnet link with the parser’s reason and what to do', async () => {
    const e = await thrown(() => parseMagnet('magnet:?xt=urn:btih:xyz'));
    expect(e).toBeInstanceOf(MagnetError);
    const n = addErrorNotice(e, 'link');
    expect(n.level).toBe('error');
    expect(n.title).toBe('This link does not work');
    expect(n.message).toMatch(/^The info hash "xyz" .*\. Check that you copied the whole link, or ask the sender for it again\.$/);
    expect(n.dismissible).toBe(true);
  });

  it('explains a broken .torrent file', async () => {
    const e = await thrown(() => parseTorrent(new TextEncoder().encode('d4:infoi3ee')));
    expect(e).toBeInstanceOf(TorrentError);
    const n = addErrorNotice(e, 'torrent-file');
    expect(n.title).toBe('This .torrent file cannot be opened');
    expect(n.message).toContain('Ask the sender for the file again');
  });

  it('tells full storage apart, and anything else with a way on', () => {
    expect(addErrorNotice(new StorageError('quota', true), 'link').title).toMatch(/storage is full$/);
    const other = addErrorNotice(new Error('boom'), 'torrent-file');
    expect(other.title).toBe('The .torrent file could not be added');
    expect(other.message).toBe('Boom. Try again in a moment; if it keeps failing, reload the page.');
  });
});

describe('torrent notices', () => {
  const t = { infoHash: 'ab'.repeat(20), name: 'film.mkv' };

  it('a torrent stopped on full storage says so and offers to resume', () => {
    const n = torrentErrorNotice(t, new StorageError('QuotaExceededError', true));
    expect(n.id).toBe(`torrent-error:${t.infoHash}`);
    expect(n.title).toBe('“film.mkv” stopped: storage is full');
    expect(n.message).toMatch(/Remove torrents you no longer need/);
    expect(n.action).toEqual({ kind: 'resume', label: 'Resume', infoHash: t.infoHash });
    expect(n.dismissible).toBe(false);
  });

  it('another error is told with its message', () => {
    const n = torrentErrorNotice(t, new StorageError('the database closed'));
    expect(n.title).toBe('“film.mkv” stopped');
    expect(n.message).toBe('The database closed. Resume to try again.');
  });

  it('waiting for peers: keep the tab open, share the link', () => {
    const n = waitingForPeersNotice({ ...t, hasMetadata: true });
    expect(n.title).toBe('“film.mkv”: waiting for peers');
    expect(n.message).toContain('Keep this tab open');
    expect(n.action).toEqual({ kind: 'copy-link', label: 'Copy share link', infoHash: t.infoHash });
    expect(waitingForPeersNotice({ ...t, hasMetadata: false }).message).toContain('file list is still unknown');
  });

  it('seeding failures', () => {
    expect(seedErrorNotice(new TorrentError('Cannot create the torrent: no files were given')).message).toMatch(
      /^Cannot create the torrent: no files were given\. Check that the files/,
    );
    expect(seedErrorNotice(new StorageError('q', true)).title).toBe('The files could not be shared: storage is full');
    const unreadable = new Error('The requested file could not be read');
    unreadable.name = 'NotReadableError';
    expect(seedErrorNotice(unreadable).message).toMatch(/Check that the files are still there/);
    // A failure of the page is not blamed on the files.
    expect(seedErrorNotice(new Error('hashing failed')).message).toBe('Hashing failed. Your files are not the cause: reload the page and try again.');
  });
});

describe('app notices', () => {
  it('no tracker reachable points to the settings', () => {
    expect(trackerNotice([])).toBeUndefined();
    const one = trackerNotice(['wss://t.example'])!;
    expect(one.message).toContain('cannot reach the tracker wss://t.example');
    expect(one.action?.kind).toBe('open-settings');
    expect(trackerNotice(['ws://a', 'ws://b'])!.message).toContain('any of the 2 trackers');
  });

  it('no WebRTC cannot be dismissed', () => {
    const n = noWebRtcNotice();
    expect(n.dismissible).toBe(false);
    expect(n.message).toMatch(/WebRTC/);
  });
});

describe('memoryStorageNotice', () => {
  it('says downloads will not survive a reload, why, and what to do', () => {
    const n = memoryStorageNotice(
      'IndexedDB could not be opened (InvalidStateError: A mutation operation was attempted on a database that did not allow mutations.). Downloaded pieces are kept in memory only and will be lost when this tab closes or reloads.',
    );
    expect(n).toMatchObject({ id: 'storage-memory', level: 'warning', title: 'Downloads will not survive a reload', dismissible: true });
    expect(n.message).toMatch(
      /^IndexedDB could not be opened \(InvalidStateError: .*will be lost when this tab closes or reloads\. Save what you download before you close or reload this tab\./,
    );
  });
});
