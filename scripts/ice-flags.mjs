// STUN and TURN servers for config.json from command-line flags (`--stun URL`, repeatable;
// `--turn URL`, repeatable, with `--turn-user U --turn-credential C`), checked so that a typo is an
// error that names the flag and the fix, rather than a config.json the app ignores.
// Node built-ins only; used by the start command (scripts/start.mjs) and scripts/app-server.mjs.

/** A flag value that cannot become an ICE server. */
export class IceFlagError extends Error {
  name = 'IceFlagError';
}

// scheme:host[:port][?transport=udp|tcp]; the host a name, an IPv4 address, [IPv6], or {hostname}
// (which the app replaces with the host its page was opened from).
const SERVER_URL =
  /^(stun|stuns|turn|turns):(\{hostname\}|\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?(\?transport=(?:udp|tcp))?$/;

/**
 * Checks one STUN or TURN URL (RFC 7064 / 7065) and returns it; throws an IceFlagError naming `flag`.
 * @param {string} url
 * @param {'stun' | 'turn'} kind
 * @param {string} flag
 */
export function checkIceUrl(url, kind, flag) {
  const u = url.trim();
  if (u === '') throw new IceFlagError(`${flag} needs a URL, such as ${kind === 'stun' ? 'stun:stun.example.org:3478' : 'turn:turn.example.org:3478'}`);
  const m = SERVER_URL.exec(u);
  const schemes = kind === 'stun' ? ['stun', 'stuns'] : ['turn', 'turns'];
  if (!m) {
    const hint = /^[a-z]+:\/\//i.test(u) ? ' (no "//" after the scheme)' : /^[a-z]+:/i.test(u) ? '' : ` (did you mean ${kind}:${u}?)`;
    throw new IceFlagError(`${flag} ${u}: not a ${kind.toUpperCase()} URL${hint}; write ${kind}:host:port, such as ${kind}:${kind}.example.org:3478`);
  }
  if (!schemes.includes(m[1])) throw new IceFlagError(`${flag} ${u}: a ${kind.toUpperCase()} URL starts with ${schemes.map((s) => `${s}:`).join(' or ')}`);
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) throw new IceFlagError(`${flag} ${u}: the port must be from 1 to 65535`);
  if (kind === 'stun' && m[4]) throw new IceFlagError(`${flag} ${u}: ?transport= belongs to TURN URLs only`);
  return u;
}

/**
 * The RTCIceServer[] the flags describe: one entry with every --stun URL, one with every --turn URL
 * and the TURN credentials. Throws an IceFlagError, whose message names the flag, when a URL is not a
 * STUN/TURN URL, when --turn comes without both credentials, or credentials come without --turn.
 * @param {{ stun?: string[], turn?: string[], turnUser?: string, turnCredential?: string }} flags
 * @returns {{ urls: string[], username?: string, credential?: string }[]}
 */
export function iceServersFromFlags(flags) {
  const stun = (flags.stun ?? []).map((u) => checkIceUrl(u, 'stun', '--stun'));
  const turn = (flags.turn ?? []).map((u) => checkIceUrl(u, 'turn', '--turn'));
  const user = flags.turnUser;
  const credential = flags.turnCredential;
  if (turn.length === 0 && (user !== undefined || credential !== undefined)) {
    throw new IceFlagError(`${user !== undefined ? '--turn-user' : '--turn-credential'} is for a TURN server: give its URL with --turn turn:host:port`);
  }
  if (turn.length > 0 && (!user || !credential)) {
    throw new IceFlagError(
      `--turn ${turn[0]}: a TURN server needs a user name and a credential: add ${!user ? '--turn-user NAME' : ''}${!user && !credential ? ' ' : ''}${!credential ? '--turn-credential SECRET' : ''}`,
    );
  }
  /** @type {{ urls: string[], username?: string, credential?: string }[]} */
  const servers = [];
  if (stun.length > 0) servers.push({ urls: stun });
  if (turn.length > 0) servers.push({ urls: turn, username: user, credential });
  return servers;
}

/**
 * Checks a list of ICE servers given in code (startAppServer's `iceServers`) the way the app reads
 * config.json: each an object with STUN/TURN `urls` (a string or a list) and, if any, string
 * credentials; a TURN server needs both. Returns it; throws an IceFlagError.
 * @param {unknown} servers
 * @returns {{ urls: string | string[], username?: string, credential?: string }[]}
 */
export function checkIceServers(servers) {
  if (!Array.isArray(servers)) throw new IceFlagError('iceServers must be a list of { urls, username?, credential? }');
  for (const [i, s] of servers.entries()) {
    if (typeof s !== 'object' || s === null) throw new IceFlagError(`iceServers[${i}] is not an object`);
    const urls = typeof s.urls === 'string' ? [s.urls] : s.urls;
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => typeof u === 'string'))
      throw new IceFlagError(`iceServers[${i}].urls must be a URL or a list of URLs`);
    for (const u of urls) checkIceUrl(u, /^turns?:/i.test(u) ? 'turn' : 'stun', `iceServers[${i}]`);
    for (const key of ['username', 'credential']) {
      if (s[key] !== undefined && typeof s[key] !== 'string') throw new IceFlagError(`iceServers[${i}].${key} must be a string`);
    }
    if (urls.some((u) => /^turns?:/i.test(u)) && (!s.username || !s.credential))
      throw new IceFlagError(`iceServers[${i}]: a TURN server needs a username and a credential`);
  }
  return servers;
}
