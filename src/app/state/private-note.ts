/**
 * What a torrent card says about a private share (end-to-end encrypted): that it is one, why it
 * cannot be opened (a wrong key, a damaged share), or that it was opened without its key, in which
 * case this tab (like a WebTorrent peer) carries its encrypted pieces and cannot read them. Pure.
 */
import { looksPrivate, type PrivateState } from '../../client/private-share.js';
import type { Metainfo } from '../../core/metainfo.js';

export interface PrivateNote {
  kind: 'open' | 'opening' | 'failed' | 'no-key';
  text: string;
}

export function privateNote(t: { privateShare: PrivateState | undefined; metainfo: Pick<Metainfo, 'name' | 'files'> | undefined }): PrivateNote | undefined {
  const state = t.privateShare;
  if (state?.status === 'open') {
    return {
      kind: 'open',
      text: 'Private share, end-to-end encrypted: only those with its share link can read it. The tracker and other peers see encrypted pieces, and no file name.',
    };
  }
  if (state?.status === 'opening') return { kind: 'opening', text: 'Private share: fetching and decrypting its list of files…' };
  if (state?.status === 'failed') return { kind: 'failed', text: `This private share cannot be opened: ${state.error.message}.` };
  if (looksPrivate(t.metainfo)) {
    return {
      kind: 'no-key',
      text: 'A private share (end-to-end encrypted), added without its key: this tab downloads and passes on its encrypted pieces, but cannot read them. Open its full share link, with the key after the “.”, to read it.',
    };
  }
  return undefined;
}
