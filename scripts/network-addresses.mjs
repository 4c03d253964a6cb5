// The addresses `npm start` tells a person to open: with --host 0.0.0.0 (or ::), every address
// another device on the network can reach this machine at.
import { networkInterfaces } from 'node:os';

/**
 * This machine's addresses that other devices can reach: IPv4 and global IPv6, no loopback, no
 * link-local (an fe80:: address needs an interface name that a browser cannot take).
 * @param {ReturnType<typeof networkInterfaces>} [interfaces]
 * @returns {{ address: string, family: 'IPv4' | 'IPv6', name: string }[]}
 */
export function networkAddresses(interfaces = networkInterfaces()) {
  const out = [];
  for (const [name, list] of Object.entries(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      out.push({ address: a.address, family: a.family, name });
    }
  }
  // IPv4 first: what a person types.
  return out.sort((x, y) => (x.family === y.family ? 0 : x.family === 'IPv4' ? -1 : 1));
}

/** @param {string} host */
export const listensEverywhere = (host) => host === '0.0.0.0' || host === '::';

/**
 * The URLs to print for a server listening on `host`: this machine's own first, then (listening on
 * every address) each network address.
 * @param {{ host: string, port: number, protocol: 'http' | 'https', addresses?: { address: string }[] }} o
 * @returns {{ url: string, local: boolean }[]}
 */
export function urlsFor({ host, port, protocol, addresses = networkAddresses() }) {
  const fmt = (/** @type {string} */ h) => `${protocol}://${h.includes(':') ? `[${h}]` : h}:${port}/`;
  if (!listensEverywhere(host))
    return [{ url: fmt(host === '127.0.0.1' || host === '::1' ? 'localhost' : host), local: host === '127.0.0.1' || host === '::1' }];
  return [{ url: fmt('localhost'), local: true }, ...addresses.map((a) => ({ url: fmt(a.address), local: false }))];
}
