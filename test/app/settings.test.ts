import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, formatIceLines, loadSettings, parseIceLines, parseSettings, parseTrackerLines, saveSettings } from '../../src/app/state/settings.js';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: (i) => [...m.keys()][i] ?? null,
    get length() {
      return m.size;
    },
  };
}

describe('settings', () => {
  it('round-trips through storage', () => {
    const s = memoryStorage();
    const settings = {
      ...DEFAULT_SETTINGS,
      announce: ['wss://t.example/announce'],
      iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
      maxPeers: 50,
      uploadLimit: 1_000_000,
      theme: 'dark' as const,
      shareVersion: 'hybrid' as const,
      sharePrivate: true,
      superSeeding: true,
    };
    saveSettings(settings, s);
    expect(loadSettings(s)).toEqual(settings);
  });

  it('keeps the valid fields of a damaged entry and defaults the rest', () => {
    expect(
      parseSettings({
        announce: ['http://no'],
        maxPeers: -3,
        maxPeersPerTorrent: 12,
        theme: 'neon',
        downloadLimit: 1.5,
        shareVersion: 'v3',
        sharePrivate: 'yes',
        superSeeding: 1,
      }),
    ).toEqual({
      ...DEFAULT_SETTINGS,
      maxPeersPerTorrent: 12,
    });
    const s = memoryStorage();
    s.setItem('tabswarm-settings', '{not json');
    expect(loadSettings(s)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ iceServers: [{ urls: 'http://x' }] }).iceServers).toEqual([]);
    // Browsers refuse a TURN server without credentials (the connection could not even be created).
    expect(parseSettings({ iceServers: [{ urls: 'turn:127.0.0.1:3478' }] }).iceServers).toEqual([]);
  });

  it('parses tracker and ICE server lines, naming the first wrong line', () => {
    expect(parseTrackerLines(' wss://a.example \n\nws://127.0.0.1:8000\n')).toEqual({ ok: ['wss://a.example', 'ws://127.0.0.1:8000'] });
    expect(parseTrackerLines('wss://a\nhttps://b')).toEqual({ error: '"https://b" is not a ws:// or wss:// URL' });
    const ice = parseIceLines('stun:127.0.0.1:3478\nturn:127.0.0.1:3478 user secret');
    expect(ice).toEqual({ ok: [{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:127.0.0.1:3478', username: 'user', credential: 'secret' }] });
    if ('ok' in ice) expect(formatIceLines(ice.ok)).toBe('stun:127.0.0.1:3478\nturn:127.0.0.1:3478 user secret');
    expect(parseIceLines('turn:127.0.0.1:1 onlyuser')).toHaveProperty('error');
    expect(parseIceLines('http://x')).toHaveProperty('error');
    expect(parseIceLines('turn:127.0.0.1:3478')).toEqual({
      error: '"turn:127.0.0.1:3478" needs a username and a credential after the URL (a TURN server asks for them)',
    });
  });
});
