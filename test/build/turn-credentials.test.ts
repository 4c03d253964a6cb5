import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { turnCredentials } from '../../scripts/turn-credentials.mjs';

describe('short-lived TURN credentials (TURN REST API)', () => {
  it('name the expiry and a label, signed with HMAC-SHA1 of the shared secret', () => {
    const now = Date.UTC(2026, 11, 4, 12, 0, 0);
    const c = turnCredentials({ secret: 's3cret', now, ttlSeconds: 3600 });
    expect(c.expires).toBe(now / 1000 + 3600);
    expect(c.username).toBe(`${now / 1000 + 3600}:tabswarm`);
    expect(c.credential).toBe(createHmac('sha1', 's3cret').update(c.username).digest('base64'));
    expect(turnCredentials({ secret: 'other', now, ttlSeconds: 3600 }).credential).not.toBe(c.credential);
  });

  it('need a secret', () => {
    expect(() => turnCredentials({ secret: '' })).toThrow(/--turn-secret needs the secret/);
  });
});
