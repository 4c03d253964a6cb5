import { describe, expect, it } from 'vitest';
import { connectionLabel, peerName } from '../../src/app/components/peer-table.js';

describe('peer table', () => {
  it('names how each connection goes: direct, relayed, or not known yet', () => {
    expect(connectionLabel('direct')).toBe('Direct');
    expect(connectionLabel('relay')).toBe('Relayed');
    expect(connectionLabel(undefined)).toBe('—');
  });

  it("names a peer by its client, or by its id's start", () => {
    expect(peerName({ client: ' tabswarm 0.1 ', id: 'abcdef0123456789' })).toBe('tabswarm 0.1');
    expect(peerName({ client: undefined, id: 'abcdef0123456789' })).toBe('Peer abcdef01');
  });
});
