import { describe, expect, it } from 'vitest';
import { networkAddresses, urlsFor } from '../../scripts/network-addresses.mjs';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({
  address,
  family,
  internal,
  netmask: '',
  mac: '00:00:00:00:00:00',
  cidr: null,
  ...(family === 'IPv6' ? { scopeid: 0 } : {}),
});

describe('the addresses npm start prints', () => {
  const interfaces = {
    lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
    wlan0: [iface('fe80::1', 'IPv6'), iface('2001:db8::5', 'IPv6'), iface('192.168.1.20', 'IPv4')],
  } as unknown as Parameters<typeof networkAddresses>[0];

  it('lists the addresses other devices can reach: no loopback, no link-local, IPv4 first', () => {
    expect(networkAddresses(interfaces).map((a) => a.address)).toEqual(['192.168.1.20', '2001:db8::5']);
  });

  it('prints this computer first, then each network address when listening on every address', () => {
    const addresses = networkAddresses(interfaces);
    expect(urlsFor({ host: '0.0.0.0', port: 8080, protocol: 'http', addresses })).toEqual([
      { url: 'http://localhost:8080/', local: true },
      { url: 'http://192.168.1.20:8080/', local: false },
      { url: 'http://[2001:db8::5]:8080/', local: false },
    ]);
    expect(urlsFor({ host: '127.0.0.1', port: 8443, protocol: 'https', addresses })).toEqual([{ url: 'https://localhost:8443/', local: true }]);
    expect(urlsFor({ host: '192.168.1.20', port: 80, protocol: 'http', addresses })).toEqual([{ url: 'http://192.168.1.20:80/', local: false }]);
  });
});
