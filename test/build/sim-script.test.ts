/** `npm run sim`: its arguments are checked before anything is built, and a run prints one JSON line. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sim = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sim.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npm run sim', () => {
  it('refuses an unknown option with the usage, not a stack trace', () => {
    const r = sim(['--peers', '5', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("sim: Unknown option '--bogus'");
    expect(r.stderr).toContain('usage: npm run sim -- --peers N');
    expect(r.stderr).not.toMatch(/\bat .*\(node:/);
    expect(r.stdout).toBe('');
  });

  it('refuses a value that is not a number', () => {
    const r = sim(['--peers', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--peers must be a number of at least 1, got "many"');
  });

  it('prints the usage for --help', () => {
    const r = sim(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run sim -- --peers N/);
    expect(r.stdout).toContain('--tracker-offers');
  });

  it('runs a small swarm and prints its result as one JSON line', () => {
    const r = sim(['--peers', '3', '--file-mib', '1', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as { peers: number; finished: number; stalled: boolean; ratioToBound: number };
    expect(result).toMatchObject({ peers: 3, finished: 3, stalled: false });
    expect(result.ratioToBound).toBeGreaterThanOrEqual(1);
  });
});
