// Short-lived TURN credentials (the "TURN REST API" of draft-uberti-behave-turn-rest, which coturn
// implements with --use-auth-secret --static-auth-secret=SECRET): the user name is the expiry time
// (Unix seconds) and a label, the credential the base64 HMAC-SHA1 of the user name under the secret
// the TURN server shares. Anyone may read them in config.json; they stop working when they expire.
import { createHmac } from 'node:crypto';

/**
 * @param {{ secret: string, label?: string, ttlSeconds?: number, now?: number }} o
 *   `now`: milliseconds since the epoch (default: the clock).
 * @returns {{ username: string, credential: string, expires: number }} `expires`: Unix seconds.
 */
export function turnCredentials({ secret, label = 'tabswarm', ttlSeconds = 24 * 60 * 60, now = Date.now() }) {
  if (!secret) throw new Error('--turn-secret needs the secret the TURN server was given (coturn: --static-auth-secret)');
  const expires = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expires}:${label}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expires };
}
