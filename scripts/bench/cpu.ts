// CPU pinning plan: the proxy under test gets its own core; the load generator, the shared
// upstream and the bench process itself share the other one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
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
