/**
 * `npm run bench -- --timeline`: where a transfer's time goes. For each tabswarm transfer, the
 * leecher's timeline (Torrent.timeline: ms from add() to each phase's first moment) and what the
 * channels carried at both ends; for every transfer, the CPU time of Chromium's processes (read from
 * /proc: those the browser this run launched, by process type; Firefox's are not counted) and of this process
 * (the driver and the tracker). Printed as medians over the rounds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { median } from './stats.js';
import { PHASES, type Phase, type TimelineReading } from '../src/core/session/timeline.js';

const MiB = 1024 * 1024;

/** CPU seconds by process type ('browser', 'renderer', 'gpu-process', 'utility', …) and 'node' (this process). */
export type CpuSeconds = Record<string, number>;

export interface TimedTransfer {
  /** The leecher's timeline, and the seeder's channel counts (tabswarm to tabswarm only). */
  timeline?: TimelineReading;
  seederChannels?: TimelineReading['channels'];
  /** CPU spent during the transfer. */
  cpu?: CpuSeconds;
  /** Channel messages the raw rows sent. */
  rawMessages?: number;
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

interface Proc {
  pid: number;
  ppid: number;
  /** User + system time, in clock ticks. */
  time: number;
  /** Chromium's process type (`--type=`; 'browser' for the main one); undefined for other programs. */
  type: string | undefined;
}

function processes(): Map<number, Proc> {
  const all = new Map<number, Proc>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return all; // no /proc (not Linux): no CPU figures
  }
  for (const d of pids) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Chromium's children rewrite their title: their arguments may be one string, spaces between.
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      const chromium = /chrom/i.test(cmdline.split(/[\0 ]/)[0] ?? '');
      const type = chromium ? (/--type=([^\s\0]+)/.exec(cmdline)?.[1] ?? 'browser') : undefined;
      all.set(Number(d), { pid: Number(d), ppid: Number(f[1]), time: Number(f[11]) + Number(f[12]), type });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** Processes descended from this one (the browsers it launched), by pid. */
function descendants(): Map<number, Proc> {
  const all = processes();
  const mine = new Map<number, Proc>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all.values()) {
      if (mine.has(p.pid) || !(p.ppid === process.pid || mine.has(p.ppid))) continue;
      mine.set(p.pid, p);
      grew = true;
    }
  }
  return mine;
}

/** Starts counting CPU time; the function returned gives what was spent since, by process type. */
export function cpuMeter(): () => CpuSeconds {
  const before = descendants();
  const node = process.cpuUsage();
  return () => {
    const spent: CpuSeconds = {};
    for (const p of descendants().values()) {
      // Only Chromium's processes (not Firefox's, nor the helpers this run started).
      if (p.type === undefined) continue;
      spent[p.type] = (spent[p.type] ?? 0) + (p.time - (before.get(p.pid)?.time ?? 0)) / clockTicks();
    }
    const n = process.cpuUsage(node);
    spent.node = (n.user + n.system) / 1e6;
    return spent;
  };
}

const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? '—' : x.toFixed(digits));

/** The tables of `--timeline`: phases and channel use of the tabswarm rows, CPU per MiB of every row. */
export function printTimeline(rows: { label: string; runs: TimedTransfer[] }[], size: number): void {
  const timed = rows.filter((r) => r.runs.some((t) => t.timeline));
  if (timed.length > 0) {
    console.log('');
    console.log(`timeline (ms from add(), medians): ${PHASES.join(' → ')}`);
    for (const r of timed) {
      const at = (p: Phase): number | undefined => median(r.runs.flatMap((t) => (t.timeline?.phases[p] === undefined ? [] : [t.timeline.phases[p]])));
      console.log(`  ${r.label.padEnd(28)} ${PHASES.map((p) => `${p} ${fmt(at(p))}`).join(', ')}`);
      const piece = at('piece');
      const done = at('done');
      if (piece !== undefined && done !== undefined && done > piece) {
        console.log(`  ${''.padEnd(28)} after the first verified piece: ${fmt(size / MiB / ((done - piece) / 1000), 1)} MiB/s`);
      }
      const per = (f: (t: TimedTransfer) => number | undefined): string => fmt(median(r.runs.flatMap((t) => (f(t) === undefined ? [] : [f(t)!]))), 1);
      console.log(
        `  ${''.padEnd(28)} per MiB of the file: leecher received ${per((t) => t.timeline && t.timeline.channels.messagesIn / (size / MiB))} channel messages ` +
          `(${per((t) => t.timeline && (t.timeline.channels.bytesIn / size - 1) * MiB)} bytes beyond the file), sent ${per((t) => t.timeline && t.timeline.channels.messagesOut / (size / MiB))} ` +
          `(${per((t) => t.timeline && t.timeline.channels.bytesOut / (size / MiB))} bytes); seeder sent ${per((t) => t.seederChannels && t.seederChannels.messagesOut / (size / MiB))}`,
      );
    }
  }
  const withCpu = rows.filter((r) => r.runs.some((t) => t.cpu));
  if (withCpu.length === 0) return;
  const types = [...new Set(withCpu.flatMap((r) => r.runs.flatMap((t) => Object.keys(t.cpu ?? {}))))].sort();
  console.log('');
  console.log(`CPU ms per MiB moved (medians), by process: ${types.join(', ')}; raw rows: channel messages per MiB`);
  for (const r of withCpu) {
    const cpu = (k: string): number | undefined => median(r.runs.flatMap((t) => (t.cpu?.[k] === undefined ? [] : [(t.cpu[k] * 1000) / (size / MiB)])));
    const total = median(r.runs.flatMap((t) => (t.cpu ? [(Object.values(t.cpu).reduce((a, b) => a + b, 0) * 1000) / (size / MiB)] : [])));
    const raw = median(r.runs.flatMap((t) => (t.rawMessages === undefined ? [] : [t.rawMessages / (size / MiB)])));
    console.log(
      `  ${r.label.padEnd(28)} ${types.map((k) => `${k} ${fmt(cpu(k), 1)}`).join(', ')}; total ${fmt(total, 1)}${raw === undefined ? '' : `; ${fmt(raw, 1)} messages/MiB`}`,
    );
  }
}
