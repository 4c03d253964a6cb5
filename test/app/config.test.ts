import { describe, expect, it } from 'vitest';
import { expandTemplate, parseConfig } from '../../src/app/config.js';

describe('app config', () => {
  it('accepts only lists of ws:/wss: URLs', () => {
    expect(parseConfig({ announce: ['ws://{hostname}:8000', 'wss://t.example/announce'] })).toEqual({
      announce: ['ws://{hostname}:8000', 'wss://t.example/announce'],
    });
    expect(parseConfig({ announce: ['http://t.example'] })).toBeUndefined();
    expect(parseConfig({ announce: 'ws://x' })).toBeUndefined();
    expect(parseConfig(null)).toBeUndefined();
    expect(parseConfig([1])).toBeUndefined();
  });

  it('puts the page host into {hostname}, bracketing IPv6, and upgrades to wss: on https pages', () => {
    expect(expandTemplate('ws://{hostname}:8000', { hostname: '192.168.1.20', host: '192.168.1.20:8080', protocol: 'http:' })).toBe('ws://192.168.1.20:8000');
    expect(expandTemplate('ws://{hostname}:8000', { hostname: '::1', host: '[::1]:8080', protocol: 'http:' })).toBe('ws://[::1]:8000');
    expect(expandTemplate('ws://{hostname}:8000', { hostname: 'share.example', host: 'share.example', protocol: 'https:' })).toBe('wss://share.example:8000');
    expect(expandTemplate('ws://127.0.0.1:8000', { hostname: 'x', host: 'x', protocol: 'http:' })).toBe('ws://127.0.0.1:8000');
  });

  it('puts the page host and port into {host} (npm start --https: the tracker on the page origin)', () => {
    expect(expandTemplate('wss://{host}/announce', { hostname: '192.168.1.20', host: '192.168.1.20:8080', protocol: 'https:' })).toBe(
      'wss://192.168.1.20:8080/announce',
    );
    expect(expandTemplate('wss://{host}/announce', { hostname: '::1', host: '[::1]:8443', protocol: 'https:' })).toBe('wss://[::1]:8443/announce');
  });
});
