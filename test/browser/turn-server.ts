/**
 * A real TURN server for the relay tests and the benchmark: coturn's `turnserver`, started inside the
 * private network namespace on 10.213.0.1 (never a public address) with credentials of its own, on
 * ports nothing else there uses, logging to a temporary folder; and the bytes it relayed, read from
 * its log's `peer usage: … rb=N … sb=N` lines.
 *
 * coturn writes a session's counters every 2048 packets and once more when the session ends, so read
 * the totals after the peers closed their connections (their browsers then release the allocations:
 * see `waitForSessionsClosed`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTurnserver } from '../../scripts/turnserver.mjs';
import { turnCredentials } from '../../scripts/turn-credentials.mjs';

/** The namespace's address (scripts/in-netns.sh): TURN listens and relays only there. */
export const NAMESPACE_ADDRESS = '10.213.0.1';

export interface RelayUsage {
  /** Allocations made (one per relayed side of each connection). */
  sessions: number;
  /** Allocations that ended, with their last counters logged. */
  closed: number;
  /** Bytes the relay sent to peers from its relay addresses, all sessions. */
  sentToPeers: number;
  /** Bytes the relay received from peers on its relay addresses, all sessions. */
  receivedFromPeers: number;
}

export interface TurnServer {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly credential: string;
  /** The RTCIceServer for it (TURN over UDP), with its credentials. */
  readonly iceServer: { urls: string; username: string; credential: string };
  readonly logFile: string;
  /** Its counters as logged so far. */
  usage(): RelayUsage;
  /** Waits until every allocation made has ended (its final counters logged); false on time-out. */
  waitForSessionsClosed(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Sums coturn's `peer usage` lines and counts sessions opened and closed. */
export function parseRelayUsage(log: string): RelayUsage {
  const usage: RelayUsage = { sessions: 0, closed: 0, sentToPeers: 0, receivedFromPeers: 0 };
  for (const line of log.split('\n')) {
    if (/session \d+: new, /.test(line)) usage.sessions++;
    else if (/session \d+: closed /.test(line)) usage.closed++;
    const m = /session \d+: peer usage: .*\brb=(\d+), sp=\d+, sb=(\d+)/.exec(line);
    if (m) {
      usage.receivedFromPeers += Number(m[1]);
      usage.sentToPeers += Number(m[2]);
    }
  }
  return usage;
}

function hasAddress(address: string): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}

/** A UDP port free on `host` now (the OS picks it). */
function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** The highest port the kernel hands out on its own: relay ports go above it, where no other socket is. */
function ephemeralMax(): number {
  try {
    const [, max] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return max !== undefined && Number.isInteger(max) ? max : 60999;
  } catch {
    return 60999;
  }
}

/**
 * `secret`: the TURN REST API mode (coturn's --use-auth-secret): no fixed user, credentials are made
 * from the shared secret (scripts/turn-credentials.mjs) and expire; `username`/`credential` are then
 * a pair made for a day.
 */
export async function startTurnServer(options: { relayPorts?: number; secret?: string } = {}): Promise<TurnServer> {
  const binary = findTurnserver();
  if (!binary) {
    throw new Error(
      "coturn's turnserver is not installed, and the relay tests need it: run `node scripts/ensure-deps.mjs --browser` (npm test does), " +
        'install coturn yourself (Debian: apt-get install coturn), or set TURNSERVER_PATH',
    );
  }
  if (!hasAddress(NAMESPACE_ADDRESS)) {
    throw new Error(`no interface has ${NAMESPACE_ADDRESS}: run the relay tests inside the private network namespace (scripts/in-netns.sh npx vitest run …)`);
  }
  const host = NAMESPACE_ADDRESS;
  const port = await freeUdpPort(host);
  const count = options.relayPorts ?? 400;
  const low = Math.min(ephemeralMax() + 1, 65535 - count);
  const minPort = low + Math.floor(Math.random() * Math.max(1, 65535 - count - low));
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-turn-'));
  const made = options.secret === undefined ? undefined : turnCredentials({ secret: options.secret });
  const username = made?.username ?? `u${randomBytes(6).toString('hex')}`;
  const credential = made?.credential ?? randomBytes(12).toString('hex');
  const realm = 'tabswarm-test';
  const logFile = join(dir, 'turn.log');
  writeFileSync(logFile, '');
  const args = [
    '-n', // no configuration file
    `--listening-ip=${host}`,
    `--relay-ip=${host}`,
    `--listening-port=${port}`,
    '--lt-cred-mech',
    ...(options.secret === undefined ? [`--user=${username}:${credential}`] : ['--use-auth-secret', `--static-auth-secret=${options.secret}`]),
    `--realm=${realm}`,
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    `--userdb=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + count - 1}`,
    `--log-file=${logFile}`,
    '--simple-log',
    '-v',
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  // Ready once its UDP listener is open.
  const until = Date.now() + 10_000;
  while (!log().includes(`UDP listener opened on: ${host}:${port}`)) {
    if (exitCode !== undefined || Date.now() > until) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `turnserver did not start (${exitCode !== undefined ? `exit code ${exitCode}` : 'no listener after 10 s'}): ${stderr.trim()}\n${log().slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    host,
    port,
    username,
    credential,
    iceServer: { urls: `turn:${host}:${port}?transport=udp`, username, credential },
    logFile,
    usage: () => parseRelayUsage(log()),
    async waitForSessionsClosed(timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const u = parseRelayUsage(log());
        if (u.closed >= u.sessions) return true;
        if (Date.now() > end) return false;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
