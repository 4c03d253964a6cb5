/** The deployment guide's commands: `npm run config` (config.json for static files) and `npm run tracker`. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = (script: string, args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes trackers, STUN and short-lived TURN credentials made from the shared secret', () => {
    const out = join(dir, 'config.json');
    const r = run('scripts/app-config.mjs', [
      '--out',
      out,
      '--announce',
      'wss://tracker.example.org/announce',
      '--stun',
      'stun:10.213.0.1:3478',
      '--turn',
      'turn:10.213.0.1:3478',
      '--turn-secret',
      'S3CRET',
      '--ttl-hours',
      '2',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(out, 'utf8')) as { announce: string[]; iceServers: { urls: string[]; username?: string; credential?: string }[] };
    expect(config.announce).toEqual(['wss://tracker.example.org/announce']);
    expect(config.iceServers[0]).toEqual({ urls: ['stun:10.213.0.1:3478'] });
    const turn = config.iceServers[1]!;
    const expires = Number(turn.username!.split(':')[0]);
    expect(expires - Date.now() / 1000).toBeGreaterThan(2 * 3600 - 60);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(2 * 3600);
    expect(turn.credential).toBe(createHmac('sha1', 'S3CRET').update(turn.username!).digest('base64'));
  });

  it('refuses what the app could not use, saying which flag', () => {
    const out = join(dir, 'bad.json');
    expect(run('scripts/app-config.mjs', ['--out', out, '--announce', 'https://tracker.example.org']).stderr).toMatch(
      /--announce https:\/\/tracker\.example\.org: a tracker URL starts with ws:\/\/ or wss:\/\//,
    );
    expect(run('scripts/app-config.mjs', ['--out', out, '--relay-only']).stderr).toMatch(/--relay-only needs a TURN server/);
    expect(run('scripts/app-config.mjs', ['--announce', 'wss://t.example/announce']).stderr).toMatch(/--out FILE/);
  });
});

describe('npm run tracker', () => {
  it('serves the tracker alone, with its stats, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['scripts/tracker.mjs', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!/stats: (http:\/\/\S+)/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stats = /stats: (http:\/\/[^\s)]+)/.exec(out)?.[1];
    expect(stats, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stats$/);
    const body = (await (await fetch(stats!)).json()) as { sockets: number; swarms: number };
    expect(body).toMatchObject({ sockets: 0, swarms: 0 });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
