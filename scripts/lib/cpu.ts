// CPU pinning and CPU use, for the bench and the drills. Pinning: the proxy under test gets its
// own core; the load generator, the upstreams and the parent process share the other one. Use:
// busy share of a core from /proc/stat (was the proxy's core the bottleneck, or the load core?),
// CPU seconds of a process group, and a pre-flight check that the machine is idle.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Pinning {
  readonly proxyCpu?: number;   // undefined: no pinning
  readonly loadCpu?: number;
  readonly description: string;
}

export function allowedCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
    if (line) return parseCpuList(line);
  } catch { /* not Linux */ }
  return [];
}

export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    const [a, b] = part.split('-').map((x) => Number.parseInt(x, 10));
    if (a === undefined || Number.isNaN(a)) continue;
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

export function hasCommand(cmd: string): boolean {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }), true;
  } catch {
    return false;
  }
}

export function planPinning(enabled: boolean): Pinning {
  if (!enabled) return { description: 'off (--no-pin)' };
  const cpus = allowedCpus();
  if (cpus.length < 2) return { description: `off (${cpus.length || 'unknown'} cpu available)` };
  if (!hasCommand('taskset')) return { description: 'off (taskset not installed)' };
  const loadCpu = cpus[0]!;
  const proxyCpu = cpus[1]!;
  // The bench process itself stays off the proxy's core too.
  try { execFileSync('taskset', ['-pc', String(loadCpu), String(process.pid)], { stdio: 'ignore' }); } catch { /* best effort */ }
  return {
    proxyCpu,
    loadCpu,
    description: `proxy on cpu ${proxyCpu}, load + upstream on cpu ${loadCpu} (taskset); ` +
      `direct row: a second upstream instance on cpu ${proxyCpu}, so every row's target has a core to itself`,
  };
}

export type CpuSnapshot = ReadonlyMap<number, { busy: number; total: number; steal: number }>;

export function cpuSnapshot(): CpuSnapshot {
  const m = new Map<number, { busy: number; total: number; steal: number }>();
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const r = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!r) continue;
      const f = r[2]!.trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal (guest time is already in user)
      const total = f.slice(0, 8).reduce((a, x) => a + x, 0);
      m.set(Number(r[1]), { busy: total - f[3]! - (f[4] ?? 0), total, steal: f[7] ?? 0 });
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

/** The share of every CPU's time between two snapshots that the host took (steal: a VM's vCPU
 *  waiting for a physical one), in percent, or undefined. */
export function stealPercent(a: CpuSnapshot, b: CpuSnapshot): number | undefined {
  let steal = 0;
  let total = 0;
  for (const [cpu, y] of b) {
    const x = a.get(cpu);
    if (x === undefined) continue;
    steal += y.steal - x.steal;
    total += y.total - x.total;
  }
  return total > 0 ? (100 * steal) / total : undefined;
}

let clkTck: number | undefined;
function ticksPerSecond(): number {
  try {
    clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    clkTck = 100;
  }
  return clkTck;
}

/** Time on CPU of one process in ns (/proc/PID/task/TID/schedstat, first field): every thread
 *  summed (`all`), and its main thread alone (`main`: the task whose id is the pid, where the event
 *  loop runs; the others are V8's GC and compiler threads, libuv's pool, worker threads).
 *  Undefined where schedstat is not kept. Nanoseconds, not the 10 ms ticks of /proc/PID/stat: a 1 s
 *  window at 3,000 req/s is ~0.1 s of CPU, which ticks would count to within 10%. */
function processCpuNs(pid: string): { all: number; main: number } | undefined {
  let tasks: string[];
  try { tasks = readdirSync(`/proc/${pid}/task`); } catch { return undefined; }
  let all = 0;
  let main = 0;
  for (const task of tasks) {
    let ns: number;
    try { ns = Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]); } catch { continue; /* the thread ended */ }
    all += ns;
    if (task === pid) main = ns;
  }
  return { all, main };
}

/** CPU time (user + system, in seconds) used so far by the live processes of process group `pgid`:
 *  every thread (`all`), and their main threads alone (`main`; undefined where schedstat is not kept). */
export function groupCpuSeconds(pgid: number | undefined): { all: number; main: number | undefined } | undefined {
  if (pgid === undefined) return undefined;
  let all = 0;
  let main: number | undefined = 0;
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
    const ns = processCpuNs(pid);
    all += ns !== undefined ? ns.all / 1e9 : (Number(f[11]) + Number(f[12])) / ticksPerSecond();
    main = ns !== undefined && main !== undefined ? main + ns.main / 1e9 : undefined;
  }
  return found ? { all, main } : undefined;
}

/** Other work on the machine makes numbers noisy: measure it for `ms` before starting, and say so. */
export async function idleCheck(ms: number): Promise<{ parts: string; idle: boolean }> {
  const a = cpuSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuSnapshot();
  const busy = allowedCpus().map((c) => [c, busyPercent(a, b, c)] as const).filter((x): x is readonly [number, number] => x[1] !== undefined);
  return { parts: busy.map(([c, p]) => `cpu ${c} ${p.toFixed(0)}%`).join(', '), idle: !busy.some(([, p]) => p > 15) };
}

/** From now on: CPU seconds of process group `pgid` (`mainCpuS`: of its main threads alone), wall
 *  seconds, and per-core busy shares. */
export function cpuMeter(pgid: number | undefined): () => { procCpuS: number | undefined; mainCpuS: number | undefined; wallS: number; busy: (cpu: number | undefined) => number | undefined; stealPct: number | undefined } {
  const before = cpuSnapshot();
  const procBefore = groupCpuSeconds(pgid);
  const t0 = performance.now();
  return () => {
    const procAfter = groupCpuSeconds(pgid);
    const wallS = (performance.now() - t0) / 1000;
    const after = cpuSnapshot();
    const mainBefore = procBefore?.main;
    const mainAfter = procAfter?.main;
    return {
      procCpuS: procBefore !== undefined && procAfter !== undefined ? procAfter.all - procBefore.all : undefined,
      mainCpuS: mainBefore !== undefined && mainAfter !== undefined ? mainAfter - mainBefore : undefined,
      wallS,
      busy: (cpu) => busyPercent(before, after, cpu),
      stealPct: stealPercent(before, after),
    };
  };
}
