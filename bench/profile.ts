/**
 * `BENCH_PROFILE=<dir> npm run bench -- --only tabswarm`: V8 CPU profiles of the seeder's and the
 * leecher's page for each transfer (Chromium; DevTools opens the `.cpuprofile` files), and a summary
 * printed beside each: the functions with the most self time. `npx tsx bench/profile.ts <file>...`
 * prints the summary of saved profiles again.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

function isProfile(x: unknown): x is CpuProfile {
  return typeof x === 'object' && x !== null && Array.isArray((x as CpuProfile).nodes);
}

/** Self time by function (`name file:line`), ms, largest first; and the profile's total, ms. */
export function selfTimes(profile: CpuProfile): { total: number; rows: [string, number][] } {
  const nameOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const file = f.url ? f.url.slice(f.url.lastIndexOf('/') + 1) : '';
    nameOf.set(n.id, `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`);
  }
  const ms = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    const name = nameOf.get(samples[i]!) ?? '?';
    ms.set(name, (ms.get(name) ?? 0) + dt);
    if (name !== '(idle)') total += dt;
  }
  return { total, rows: [...ms].filter(([n]) => n !== '(idle)').sort((x, y) => y[1] - x[1]) };
}

export function summary(profile: CpuProfile, top = 15): string {
  const { total, rows } = selfTimes(profile);
  const lines = rows.slice(0, top).map(([name, t]) => `    ${t.toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${name}`);
  return [`  busy ${total.toFixed(0)} ms`, ...lines].join('\n');
}

/** Stops each profiler, writes `<dir>/<name>-<role>.cpuprofile` and prints its summary. */
export async function saveProfiles(dir: string, name: string, roles: string[], stoppers: ((() => Promise<unknown>) | undefined)[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [i, stop] of stoppers.entries()) {
    if (!stop) continue;
    const profile = await stop();
    if (!isProfile(profile)) continue;
    const file = join(dir, `${name}-${roles[i] ?? i}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile ${file}\n${summary(profile)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    const profile: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (isProfile(profile)) console.log(`${file}\n${summary(profile, 30)}`);
  }
}
