// The HTTP headers the app's files are served with (vite.config.ts's preview.headers, so `npm start`
// and `vite preview` send them; a deployment should send the same, see README "Deploying"):
// - Content-Security-Policy: the policy of index.html's meta element, plus frame-ancestors 'none',
//   which only a header can carry (no other page may frame the app and trick a click in it);
// - X-Content-Type-Options: nosniff (a file is only ever what its Content-Type says);
// - Referrer-Policy: no-referrer (nothing of the app's URL goes to the servers it fetches from).
import { readFileSync } from 'node:fs';

/**
 * The policy in a page's `<meta http-equiv="Content-Security-Policy" content="…">`.
 * @param {string} html
 */
export function metaContentSecurityPolicy(html) {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (!meta?.[1]) throw new Error('the page has no Content-Security-Policy meta element');
  return meta[1].trim().replace(/;$/, '');
}

/**
 * @param {string | URL} indexHtml the app's index.html (the source of its policy)
 * @returns {Record<string, string>}
 */
export function securityHeaders(indexHtml) {
  return {
    'Content-Security-Policy': `${metaContentSecurityPolicy(readFileSync(indexHtml, 'utf8'))}; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
