import { afterEach, describe, expect, it, vi } from 'vitest';
import { expandTemplate, loadConfig, parseConfig } from '../../src/app/config.js';
import { HOSTNAME } from '../fixtures/host-template.js';

const TURN = { urls: 'turn:10.213.0.1:3478?transport=udp', username: 'u', credential: 'p' };

describe('app config', () => {
  it('accepts only lists of ws:/wss: URLs as trackers; a wrong list is named and the default kept', () => {
    expect(parseConfig({ announce: ['ws://{hostname}:8000', 'wss://t.example/announce'] })).toEqual({
      config: { announce: ['ws://{hostname}:8000', 'wss://t.example/announce'], iceServers: [] },
      problems: [],
    });
    for (const announce of [['http://t.example'], 'ws://x']) {
      const parsed = parseConfig({ announce });
      expect(parsed?.config.announce).toEqual(['ws://{hostname}:8000']);
      expect(parsed?.problems).toEqual(['"announce" must be a list of ws:// or wss:// URLs']);
    }
    expect(parseConfig(null)).toBeUndefined();
    expect(parseConfig([1])).toBeUndefined();
  });

  it("takes the operator's ICE servers and transport policy, each field on its own", () => {
    expect(parseConfig({ iceServers: [{ urls: ['stun:10.213.0.1:3478'] }, TURN], iceTransportPolicy: 'relay' })).toEqual({
      config: { announce: ['ws://{hostname}:8000'], iceServers: [{ urls: ['stun:10.213.0.1:3478'] }, TURN], iceTransportPolicy: 'relay' },
      problems: [],
    });
    const wrong = parseConfig({
      announce: ['wss://t.example'],
      iceServers: [{ urls: 'turn:10.213.0.1:3478' }], // a TURN server without credentials
      iceTransportPolicy: 'none',
    });
    expect(wrong?.config).toEqual({ announce: ['wss://t.example'], iceServers: [] });
    expect(wrong?.problems).toEqual([expect.stringMatching(/^"iceServers" must be a list/), '"iceTransportPolicy" must be "all" or "relay"']);
    expect(parseConfig({ iceServers: [{ urls: 'http://x' }] })?.problems).toHaveLength(1);
  });

  it('puts the page host into {hostname}, bracketing IPv6, and upgrades to wss: on https pages', () => {
    expect(expandTemplate('ws://{hostname}:8000', { hostname: '192.168.1.20', host: '192.168.1.20:8080', protocol: 'http:' })).toBe('ws://192.168.1.20:8000');
    expect(expandTemplate('ws://{hostname}:8000', { hostname: '::1', host: '[::1]:8080', protocol: 'http:' })).toBe('ws://[::1]:8000');
    expect(expandTemplate('ws://{hostname}:8000', { hostname: 'share.example', host: 'share.example', protocol: 'https:' })).toBe('wss://share.example:8000');
    expect(expandTemplate('ws://127.0.0.1:8000', { hostname: 'x', host: 'x', protocol: 'http:' })).toBe('ws://127.0.0.1:8000');
    expect(expandTemplate(`turn:${HOSTNAME}:3478`, { hostname: '10.213.0.5', host: '10.213.0.5', protocol: 'https:' })).toBe('turn:10.213.0.5:3478');
  });

  it('puts the page host and port into {host} (npm start --https: the tracker on the page origin)', () => {
    expect(expandTemplate('wss://{host}/announce', { hostname: '192.168.1.20', host: '192.168.1.20:8080', protocol: 'https:' })).toBe(
      'wss://192.168.1.20:8080/announce',
    );
    expect(expandTemplate('wss://{host}/announce', { hostname: '::1', host: '[::1]:8443', protocol: 'https:' })).toBe('wss://[::1]:8443/announce');
  });
});

describe('loadConfig', () => {
  afterEach(() => vi.unstubAllGlobals());
  const page = { hostname: '10.213.0.5', host: '10.213.0.5:8080', protocol: 'http:', href: 'http://10.213.0.5:8080/' };
  const serve = (body: string, type = 'application/json'): void => {
    vi.stubGlobal('fetch', async () => new Response(body, { headers: { 'content-type': type } }));
  };

  it('fills {hostname} into trackers and ICE server URLs alike', async () => {
    serve(JSON.stringify({ announce: ['ws://{hostname}:8000'], iceServers: [{ ...TURN, urls: [`turn:${HOSTNAME}:3478`] }], iceTransportPolicy: 'relay' }));
    expect(await loadConfig(page)).toEqual({
      announce: ['ws://10.213.0.5:8000'],
      iceServers: [{ ...TURN, urls: ['turn:10.213.0.5:3478'] }],
      iceTransportPolicy: 'relay',
      problems: [],
    });
  });

  it('uses the defaults without a file, and says what is wrong with a broken one', async () => {
    vi.stubGlobal('fetch', async () => new Response('', { status: 404 }));
    expect(await loadConfig(page)).toEqual({ announce: ['ws://10.213.0.5:8000'], iceServers: [], problems: [] });
    serve('<!doctype html>', 'text/html'); // a dev server's fallback page: no config
    expect((await loadConfig(page)).problems).toEqual([]);
    serve('{"iceServers": [{"urls": "stun:10.213.0.1"}]}', 'application/octet-stream');
    expect((await loadConfig(page)).iceServers).toEqual([{ urls: 'stun:10.213.0.1' }]);
    serve('{"announce": [');
    expect(await loadConfig(page)).toEqual({ announce: ['ws://10.213.0.5:8000'], iceServers: [], problems: ['it is not valid JSON'] });
  });
});
