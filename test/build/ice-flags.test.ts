/**
 * The STUN/TURN flags of the start command turned into config.json's iceServers
 * (scripts/ice-flags.mjs), and config.json as scripts/app-server.mjs writes it.
 */
import { describe, expect, it } from 'vitest';
import { IceFlagError, checkIceServers, iceServersFromFlags } from '../../scripts/ice-flags.mjs';
import { appConfig } from '../../scripts/app-server.mjs';
import { HOSTNAME } from '../fixtures/host-template.js';

describe('iceServersFromFlags', () => {
  it('makes one entry of every --stun URL and one of every --turn URL with the credentials', () => {
    expect(iceServersFromFlags({})).toEqual([]);
    expect(
      iceServersFromFlags({
        stun: ['stun:10.213.0.1:3478', 'stuns:[::1]:5349'],
        turn: ['turn:10.213.0.1:3478?transport=udp', `turns:${HOSTNAME}:5349?transport=tcp`],
        turnUser: 'alice',
        turnCredential: 's3cret',
      }),
    ).toEqual([
      { urls: ['stun:10.213.0.1:3478', 'stuns:[::1]:5349'] },
      { urls: ['turn:10.213.0.1:3478?transport=udp', `turns:${HOSTNAME}:5349?transport=tcp`], username: 'alice', credential: 's3cret' },
    ]);
    expect(iceServersFromFlags({ stun: [' stun:10.213.0.1 '] })).toEqual([{ urls: ['stun:10.213.0.1'] }]);
  });

  it('refuses what a browser would, naming the flag and the fix', () => {
    const cases: [Parameters<typeof iceServersFromFlags>[0], RegExp][] = [
      [{ stun: ['10.213.0.1:3478'] }, /^--stun 10\.213\.0\.1:3478: not a STUN URL \(did you mean stun:10\.213\.0\.1:3478\?\)/],
      [{ stun: ['stun://10.213.0.1'] }, /no "\/\/" after the scheme/],
      [{ stun: ['turn:10.213.0.1'] }, /^--stun turn:10\.213\.0\.1: a STUN URL starts with stun: or stuns:$/],
      [{ stun: ['stun:10.213.0.1:99999'] }, /the port must be from 1 to 65535/],
      [{ stun: ['stun:10.213.0.1?transport=udp'] }, /\?transport= belongs to TURN URLs only/],
      [{ stun: [''] }, /^--stun needs a URL/],
      [
        { turn: ['turn:10.213.0.2:3478'] },
        /^--turn turn:10\.213\.0\.2:3478: a TURN server needs a user name and a credential: add --turn-user NAME --turn-credential SECRET/,
      ],
      [{ turn: ['turn:10.213.0.2:3478'], turnUser: 'u' }, /add --turn-credential SECRET$/],
      [{ turn: ['turn:10.213.0.2:3478?transport=sctp'], turnUser: 'u', turnCredential: 'p' }, /not a TURN URL/],
      [{ turnUser: 'u', turnCredential: 'p' }, /^--turn-user is for a TURN server: give its URL with --turn turn:host:port/],
    ];
    for (const [flags, message] of cases) {
      expect(() => iceServersFromFlags(flags), JSON.stringify(flags)).toThrow(IceFlagError);
      expect(() => iceServersFromFlags(flags), JSON.stringify(flags)).toThrow(message);
    }
  });
});

describe("config.json's fields", () => {
  const TURN = { urls: 'turn:10.213.0.1:3478', username: 'u', credential: 'p' };

  it('carries the trackers, and the ICE servers and policy only when given', () => {
    expect(appConfig({ announce: ['ws://127.0.0.1:8000'] })).toEqual({ announce: ['ws://127.0.0.1:8000'] });
    expect(appConfig({ announce: ['ws://127.0.0.1:8000'], iceServers: [] })).toEqual({ announce: ['ws://127.0.0.1:8000'] });
    expect(appConfig({ announce: ['ws://127.0.0.1:8000'], iceServers: iceServersFromFlags({ stun: ['stun:10.213.0.1'] }), iceTransportPolicy: 'all' })).toEqual(
      {
        announce: ['ws://127.0.0.1:8000'],
        iceServers: [{ urls: ['stun:10.213.0.1'] }],
        iceTransportPolicy: 'all',
      },
    );
    expect(appConfig({ announce: [], iceServers: [TURN], iceTransportPolicy: 'relay' })).toEqual({
      announce: [],
      iceServers: [TURN],
      iceTransportPolicy: 'relay',
    });
  });

  it('refuses servers the app would ignore', () => {
    expect(() => checkIceServers({ urls: 'stun:127.0.0.1' })).toThrow(/must be a list/);
    expect(() => checkIceServers([{ urls: [] }])).toThrow(/iceServers\[0\]\.urls/);
    expect(() => checkIceServers([{ urls: 'turn:10.213.0.1:3478' }])).toThrow(/iceServers\[0\]: a TURN server needs a username and a credential/);
    expect(() => checkIceServers([{ urls: 'http://x' }])).toThrow(/not a STUN URL/);
    expect(() => appConfig({ announce: [], iceServers: [TURN], iceTransportPolicy: 'none' as 'all' })).toThrow(/iceTransportPolicy/);
  });
});
