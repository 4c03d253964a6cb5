import { describe, expect, it } from 'vitest';
import {
  effectiveRtcConfig,
  effectiveTrackers,
  fieldsToSettings,
  formatLimit,
  needsRestart,
  parseLimit,
  settingsToFields,
} from '../../src/app/state/settings-form.js';
import { DEFAULT_SETTINGS, type Settings } from '../../src/app/state/settings.js';
import { appUrl, magnetFromLocation, shareLink } from '../../src/shared/share-link.js';

const custom: Settings = {
  announce: ['wss://a.example', 'ws://b.example:8000'],
  iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }],
  maxPeers: 80,
  maxPeersPerTorrent: 20,
  uploadLimit: 512 * 1024,
  downloadLimit: 0,
  theme: 'dark',
  shareVersion: 'hybrid',
  sharePrivate: true,
  superSeeding: true,
};

describe('settings fields', () => {
  it('round-trip', () => {
    const fields = settingsToFields(custom);
    expect(fields).toEqual({
      trackers: 'wss://a.example\nws://b.example:8000',
      iceServers: 'stun:127.0.0.1:3478\nturn:127.0.0.1:3478 u p',
      maxPeers: '80',
      maxPeersPerTorrent: '20',
      uploadLimit: '512',
      downloadLimit: '',
      theme: 'dark',
      shareVersion: 'hybrid',
      sharePrivate: true,
      superSeeding: true,
    });
    expect(fieldsToSettings(fields)).toEqual({ ok: custom });
    expect(fieldsToSettings(settingsToFields(DEFAULT_SETTINGS))).toEqual({ ok: DEFAULT_SETTINGS });
  });

  it('reports every wrong field with a message', () => {
    const result = fieldsToSettings({
      trackers: 'https://not-a-socket',
      iceServers: 'turn:127.0.0.1:1 only-user',
      maxPeers: '0',
      maxPeersPerTorrent: 'many',
      uploadLimit: '-5',
      downloadLimit: '1e9',
      theme: 'system',
      shareVersion: 'v1',
      sharePrivate: false,
      superSeeding: false,
    });
    expect('errors' in result).toBe(true);
    if (!('errors' in result)) return;
    expect(result.errors.trackers).toMatch(/"https:\/\/not-a-socket" is not a ws:\/\/ or wss:\/\/ URL\. Write one tracker per line/);
    expect(result.errors.iceServers).toMatch(/"turn:127\.0\.0\.1:1 only-user" is not/);
    expect(result.errors.maxPeers).toBe('Enter a whole number from 1 to 1000.');
    expect(result.errors.maxPeersPerTorrent).toBeDefined();
    expect(result.errors.uploadLimit).toMatch(/KiB\/s/);
    expect(result.errors.downloadLimit).toBeDefined();
  });

  it('limits are KiB/s: empty and 0 mean none, decimals allowed', () => {
    expect(parseLimit('')).toBe(0);
    expect(parseLimit(' 0 ')).toBe(0);
    expect(parseLimit('256')).toBe(262_144);
    expect(parseLimit('0.5')).toBe(512);
    expect(parseLimit('abc')).toBeUndefined();
    expect(parseLimit(String(2 ** 31))).toBeUndefined();
    expect(formatLimit(0)).toBe('');
    expect(formatLimit(1536)).toBe('1.5');
  });
});

describe('needsRestart and effectiveTrackers', () => {
  it('only trackers, ICE servers, peer limits and super seeding recreate the client', () => {
    expect(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, uploadLimit: 1000, downloadLimit: 5, theme: 'dark' })).toBe(false);
    expect(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, announce: ['wss://x'] })).toBe(true);
    expect(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, iceServers: [{ urls: 'stun:127.0.0.1:1' }] })).toBe(true);
    expect(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, maxPeers: 5 })).toBe(true);
    expect(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, maxPeersPerTorrent: 5 })).toBe(true);
    expect(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, superSeeding: true })).toBe(true);
  });

  it('the person’s trackers override the defaults', () => {
    expect(effectiveTrackers(DEFAULT_SETTINGS, ['ws://default'])).toEqual(['ws://default']);
    expect(effectiveTrackers(custom, ['ws://default'])).toEqual(custom.announce);
  });
});

describe('appUrl', () => {
  it('drops the fragment and a magnet parameter, keeping the rest', () => {
    expect(appUrl('http://h:8080/#magnet:?xt=urn:btih:aa')).toBe('http://h:8080/');
    expect(appUrl('https://h/app/?magnet=magnet%3A%3Fxt%3D1&lang=fr#x')).toBe('https://h/app/?lang=fr');
    expect(appUrl('https://h/app/?magnet=magnet%3A%3Fxt')).toBe('https://h/app/');
    const link = shareLink(appUrl('http://h/?magnet=old#old'), { infoHash: 'a'.repeat(40), announce: [] }, []);
    expect(link).toBe(`http://h/#qqqqqqqqqqqqqqqqqqqqqqqqqqo`);
    expect(magnetFromLocation(link)).toBe('magnet:?xt=urn:btih:' + 'a'.repeat(40));
  });
});

describe('effectiveRtcConfig', () => {
  const operator = { iceServers: [{ urls: 'turn:10.213.0.1:3478', username: 'op', credential: 'secret' }], iceTransportPolicy: 'relay' as const };

  it("uses the operator's servers and policy while the person set none", () => {
    expect(effectiveRtcConfig(DEFAULT_SETTINGS, operator)).toEqual({ iceServers: operator.iceServers, iceTransportPolicy: 'relay' });
    expect(effectiveRtcConfig(DEFAULT_SETTINGS, { iceServers: [] })).toEqual({ iceServers: [] });
  });

  it("uses the person's servers when they set any, without the operator's relay-only policy", () => {
    expect(effectiveRtcConfig(custom, operator)).toEqual({ iceServers: custom.iceServers });
  });
});
