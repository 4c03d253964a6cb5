/**
 * Share links: the app's URL with the torrent in its fragment. A fragment never reaches a server, so
 * the link tells no one but its holder what is shared.
 *
 * The short form (what the app hands out) is `…/#<info hash>` with the hash's 20 bytes in base64url
 * (27 characters), followed by magnet parameters only where the link needs them: `&tr=` for trackers
 * the app does not already use by default (config.json), `&ws=` and `&xs=` for web seeds and exact
 * sources. The name is left out (the metadata brings it within a second of finding a peer; the
 * magnet link beside the share link keeps it). base64url is the shortest form of the hash a URL
 * carries unescaped: 27 characters against 32 in base32 and 40 in hex, so a default share is the app
 * address plus 28 characters and its QR code stays small (byte mode, 8 bits a character).
 *
 * A private share's link (end-to-end encrypted, core/private/) adds its secret after the hash:
 * `…/#<hash>.<secret>`, the secret's 16 bytes in base64url (22 characters), so the address plus 51
 * characters. The secret is in the fragment only: browsers send no fragment to the server, the app
 * gives it to no tracker or peer, and the magnet link and .torrent file carry none.
 *
 * Read: those forms; the same with the hash in base32 (32 characters) or hex (40); and the long forms
 * of earlier versions and other apps: `…/#magnet:?…` (also percent-encoded) and `…/?magnet=…`.
 */
import { MagnetError } from '../core/errors.js';
import { fromBase32, fromBase64Url, fromHex, toBase64Url, toHex } from '../core/bytes.js';
import { formatMagnet } from '../core/magnet.js';

/** A fragment that is meant as a share link but cannot be one (cut short, mistyped). */
export class ShareLinkError extends MagnetError {
  override name = 'ShareLinkError';
}

/** What a share link carries: a torrent's hash and the sources a receiver would not know of. */
export interface ShareTarget {
  /** 40 hex characters. */
  infoHash: string;
  announce: readonly string[];
  urlList?: readonly string[];
  exactSource?: readonly string[];
  /** A private share's secret (see the top of this file). */
  secret?: Uint8Array;
}

/** What a share link gives: the torrent's magnet link, and a private share's secret. */
export interface SharedTorrent {
  magnet: string;
  secret?: Uint8Array;
}

/** Characters of the hash in the short form. */
export const SHORT_HASH_LENGTH = 27;
/** Characters of a private share's secret (16 bytes in base64url). */
export const SECRET_CHARS = 22;

/**
 * The short share link of `torrent` on the app at `appUrl`: the trackers in `defaultTrackers` (the
 * app's own defaults, which every receiver of this app announces to anyway) are left out.
 */
export function shareLink(appUrl: string, torrent: ShareTarget, defaultTrackers: readonly string[]): string {
  const url = new URL(appUrl);
  url.hash = '';
  const defaults = new Set(defaultTrackers);
  const magnet = formatMagnet({
    infoHash: torrent.infoHash,
    announce: torrent.announce.filter((a) => !defaults.has(a)),
    urlList: torrent.urlList,
    exactSource: torrent.exactSource,
  });
  const params = magnet.slice(`magnet:?xt=urn:btih:${torrent.infoHash}`.length);
  const secret = torrent.secret ? `.${toBase64Url(torrent.secret)}` : '';
  return `${url.href.replace(/#$/, '')}#${toBase64Url(fromHex(torrent.infoHash)!)}${secret}${params}`;
}

/** The first part of a fragment, before any `&`, when it is shaped like an info hash. */
const HASH_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** A private share's secret from the part of a fragment after the hash's '.'. */
function secretOf(text: string): Uint8Array {
  const bytes = text.length === SECRET_CHARS ? fromBase64Url(text) : undefined;
  if (bytes === undefined) {
    throw new ShareLinkError(
      `the private share link's key has ${text.length === SECRET_CHARS ? 'a character that cannot be in it' : `${text.length} characters where ${SECRET_CHARS} are expected`}: the link was probably cut short or changed`,
    );
  }
  return bytes;
}

/** The magnet link and secret of a short fragment (`<hash>[.<secret>]&tr=…`), undefined if it is not one; see {@link shareFromLocation}. */
function shareFromFragment(fragment: string): SharedTorrent | undefined {
  const amp = fragment.indexOf('&');
  const head = amp < 0 ? fragment : fragment.slice(0, amp);
  const dot = head.indexOf('.');
  const token = dot < 0 ? head : head.slice(0, dot);
  if (!HASH_TOKEN.test(token)) return undefined;
  let bytes: Uint8Array | undefined;
  if (token.length === SHORT_HASH_LENGTH) bytes = fromBase64Url(token);
  else if (token.length === 32) bytes = fromBase32(token);
  else if (token.length === 40) bytes = fromHex(token);
  else {
    throw new ShareLinkError(
      `the share link's info hash has ${token.length} characters where ${SHORT_HASH_LENGTH} are expected (or 32 in base32, 40 in hex): the link was probably cut short or changed`,
    );
  }
  if (bytes === undefined) throw new ShareLinkError(`the share link's info hash "${token}" is not a valid info hash: a character was probably changed`);
  const magnet = `magnet:?xt=urn:btih:${toHex(bytes)}${amp < 0 ? '' : fragment.slice(amp)}`;
  return dot < 0 ? { magnet } : { magnet, secret: secretOf(head.slice(dot + 1)) };
}

/**
 * The magnet link a page URL carries, if any: a short fragment (see the top of this file), a magnet
 * link in its fragment, or `?magnet=` (the protocol handler). Undefined when it carries none (no
 * fragment, a page such as `#embed`). Throws {@link ShareLinkError} when the fragment is meant as a
 * share link (16 to 64 characters of the base64url alphabet before any `&`) but holds no info hash.
 */
export function magnetFromLocation(href: string): string | undefined {
  return shareFromLocation(href)?.magnet;
}

/** As {@link magnetFromLocation}, with a private share's secret when the link carries one. */
export function shareFromLocation(href: string): SharedTorrent | undefined {
  const url = new URL(href);
  const hash = url.hash.slice(1);
  if (hash.startsWith('magnet:')) return { magnet: hash };
  if (hash.startsWith('magnet%3A') || hash.startsWith('magnet%3a')) {
    try {
      return { magnet: decodeURIComponent(hash) };
    } catch {
      return undefined;
    }
  }
  const short = shareFromFragment(hash);
  if (short !== undefined) return short;
  const param = url.searchParams.get('magnet');
  return param?.startsWith('magnet:') ? { magnet: param } : undefined;
}

/**
 * What the person pasted or opened, as a magnet link for the client: a share link (any form) gives
 * its magnet link, anything else is returned as it is (a magnet link; or text whose error the magnet
 * parser explains). Throws {@link ShareLinkError} for a broken short share link.
 */
export function magnetFromText(text: string): string {
  return shareFromText(text).magnet;
}

/** As {@link magnetFromText}, with a private share's secret when the link carries one. */
export function shareFromText(text: string): SharedTorrent {
  const trimmed = text.trim();
  if (/^magnet:/i.test(trimmed)) return { magnet: trimmed };
  let href: string;
  try {
    href = new URL(trimmed).href;
  } catch {
    return { magnet: trimmed };
  }
  return shareFromLocation(href) ?? { magnet: trimmed };
}

/** The app's own URL from a page URL: without the fragment and without a `magnet` query parameter. */
export function appUrl(href: string): string {
  const url = new URL(href);
  url.hash = '';
  url.searchParams.delete('magnet');
  return url.href.replace(/#$/, '').replace(/\?$/, '');
}
