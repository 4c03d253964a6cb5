/** Reconnection delays: jittered exponential backoff, capped. */

export interface BackoffOptions {
  /** First delay, ms. */
  base: number;
  factor: number;
  /** No delay is ever longer than this, jitter included, ms. */
  cap: number;
  /** Relative: 0.25 spreads each delay over ±25% of its nominal value. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { base: 250, factor: 2, cap: 10_000, jitter: 0.25 };

/**
 * The delay before reconnection attempt `attempt` (0 for the first retry). `random` returns a
 * number in [0, 1). The nominal delay is base·factor^attempt, capped; the jittered delay is
 * capped again, so at the cap delays spread over [cap·(1 − jitter), cap].
 */
export function backoffDelay(attempt: number, random: () => number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const nominal = Math.min(o.cap, o.base * Math.pow(o.factor, Math.max(0, Math.min(attempt, 64))));
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = nominal * (1 + o.jitter * (2 * r - 1));
  return Math.max(0, Math.min(o.cap, Math.round(jittered)));
}

/** A random 20-char binary string (offer ids). */
export function randomBinaryId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}
