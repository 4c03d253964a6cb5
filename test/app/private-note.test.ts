import { describe, expect, it } from 'vitest';
import { privateNote } from '../../src/app/state/private-note.js';
import { PrivateShareError, PRIVATE_TORRENT_NAME } from '../../src/core/private/format.js';
import { WRONG_KEY } from '../../src/core/private/cipher.js';

const file = (name: string) => ({ name, path: name, pathSegments: [name], length: 1, offset: 0 });

describe('what a card says about a private share', () => {
  it('nothing for an ordinary torrent, a private share by its state, and a carrier without the key that it cannot read', () => {
    expect(privateNote({ privateShare: undefined, metainfo: { name: 'film.webm', files: [file('film.webm')] } })).toBeUndefined();
    expect(privateNote({ privateShare: undefined, metainfo: undefined })).toBeUndefined();
    expect(privateNote({ privateShare: { status: 'open', name: 'x' }, metainfo: undefined })?.kind).toBe('open');
    expect(privateNote({ privateShare: { status: 'opening' }, metainfo: undefined })?.kind).toBe('opening');
    const failed = privateNote({ privateShare: { status: 'failed', error: new PrivateShareError(WRONG_KEY) }, metainfo: undefined });
    expect(failed).toEqual({ kind: 'failed', text: `This private share cannot be opened: ${WRONG_KEY}.` });
    const carried = privateNote({ privateShare: undefined, metainfo: { name: PRIVATE_TORRENT_NAME, files: [file(PRIVATE_TORRENT_NAME)] } });
    expect(carried?.kind).toBe('no-key');
    expect(carried?.text).toMatch(/cannot read them/);
  });
});
