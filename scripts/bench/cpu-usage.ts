// Busy share of a CPU over a measured run, from /proc/stat: tells whether the proxy's core was
// the bottleneck (near 100%) or the load core was (then the row is capped by the load side).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type CpuSnapshot = ReadonlyMap<number, { busy: number; total: number }>;

export function cpuSnapshot(): CpuSnapshot {
  const m = new Map<number, { busy: number; total: number }>();
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const r = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!r) continue;
      const f = r[2]!.trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal (guest time is already in user)
      const total = f.slice(0, 8).reduce((a, x) => a + x, 0);
      m.set(Number(r[1]), { busy: total - f[3]! - (f[4] ?? 0), total });
    }
  } catch { /* not Linux: no numbers */ }
  return m;
}

/** Busy percent of `cpu` between two snapshots, or undefined. */
export function busyPercent(a: CpuSnapshot, b: CpuSnapshot, cpu: number | undefined): number | undefined {
  if (cpu === undefined) return undefined;
  const x = a.get(cpu);
  const y = b.get(cpu);
  if (!x || !y || y.total <= x.total) return undefined;
  return (100 * (y.busy - x.busy)) / (y.total - x.total);
}

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU time (user + system, in seconds) used so far by the live processes of process group `pgid`. */
export function groupCpuSeconds(pgid: number | undefined): number | undefined {
  if (pgid === undefined) return undefined;
  let ticks = 0;
  let found = false;
  let pids: string[];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return undefined; }
  for (const pid of pids) {
    let stat: string;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    // pid (comm) state ppid pgrp ... utime stime: after ")" they are fields 0..12
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    found = true;
    ticks += Number(f[11]) + Number(f[12]);
  }
  return found ? ticks / ticksPerSecond() : undefined;
}

/** Busy percent of every allowed cpu over `ms` (a pre-flight check that the machine is idle). */
export async function sampleBusy(cpus: readonly number[], ms: number): Promise<Map<number, number>> {
  const a = cpuSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuSnapshot();
  const out = new Map<number, number>();
  for (const c of cpus) {
    const p = busyPercent(a, b, c);
    if (p !== undefined) out.set(c, p);
  }
  return out;
}
