/**
 * Share links: the app's URL with the magnet link in its fragment (`…/#magnet:?xt=…`). A fragment
 * never reaches a server, so the link tells no one but its holder what is shared.
 */
export function shareLink(appUrl: string, magnetURI: string): string {
  const url = new URL(appUrl);
  url.hash = '';
  return `${url.href.replace(/#$/, '')}#${magnetURI}`;
}

/** The magnet link a page URL carries, if any: in its fragment, or as `?magnet=` (the protocol handler). */
export function magnetFromLocation(href: string): string | undefined {
  const url = new URL(href);
  const hash = url.hash.slice(1);
  if (hash.startsWith('magnet:')) return hash;
  if (hash.startsWith('magnet%3A') || hash.startsWith('magnet%3a')) {
    try {
      return decodeURIComponent(hash);
    } catch {
      return undefined;
    }
  }
  const param = url.searchParams.get('magnet');
  return param?.startsWith('magnet:') ? param : undefined;
}

/** The app's own URL from a page URL: without the fragment and without a `magnet` query parameter. */
export function appUrl(href: string): string {
  const url = new URL(href);
  url.hash = '';
  url.searchParams.delete('magnet');
  return url.href.replace(/#$/, '').replace(/\?$/, '');
}
