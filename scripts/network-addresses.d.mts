import type { networkInterfaces } from 'node:os';
export function networkAddresses(interfaces?: ReturnType<typeof networkInterfaces>): { address: string; family: 'IPv4' | 'IPv6'; name: string }[];
export function listensEverywhere(host: string): boolean;
export function urlsFor(o: { host: string; port: number; protocol: 'http' | 'https'; addresses?: { address: string }[] }): { url: string; local: boolean }[];
