// What npm run fuzz and npm run soak share: the bounded-run flags, the proxy as a child process
// (drill/stack.ts, no demo apps) in front of loopback echo upstreams (upstream.ts), and the
// liveness probe (the child still runs and its admin port answers /healthz).
import { parseArgs } from 'node:util';
import { Stack } from '../drill/stack.js';
import { startEcho, type Echo, type EchoOptions } from './upstream.js';

export interface RunFlags {
  readonly requests: number;
  readonly seconds: number;
  readonly seed: number;
  readonly concurrency: number;
  readonly quiet: boolean;
}

export function runFlags(name: string, dflt: Omit<RunFlags, 'quiet'>, usage: string): RunFlags {
  const str = { type: 'string' } as const;
  const { values: v } = parseArgs({ strict: true, options: { requests: str, seconds: str, seed: str, concurrency: str, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (v.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (k: 'requests' | 'seconds' | 'seed' | 'concurrency', min: number): number => {
    const n = v[k] === undefined ? dflt[k] : Number(v[k]);
    if (!Number.isInteger(n) || n < min) {
      process.stderr.write(`${name}: --${k} must be an integer >= ${min}, got ${String(v[k])}\n${usage}\n`);
      process.exit(2);
    }
    return n;
  };
  return { requests: int('requests', 1), seconds: int('seconds', 1), seed: int('seed', 0), concurrency: int('concurrency', 1), quiet: v.quiet === true };
}

export interface Upstreams {
  readonly echoes: Echo[];
  readonly yaml: string;
}

/** One echo upstream per route; `routes` lines are indented under `- `, `host:` optional. */
export async function startUpstreams(routes: readonly { prefix: string; host?: string; lines?: string[]; fail?: number }[], server: string[], onFinding: EchoOptions['onFinding']): Promise<Upstreams> {
  const echoes = await Promise.all(routes.map((r) => startEcho(r.prefix, { onFinding, ...(r.fail !== undefined && { failShare: r.fail }) })));
  const yaml = [
    'server:', '  host: 127.0.0.1', '  adminHost: 127.0.0.1', '  drainTimeoutMs: 2000', ...server.map((l) => `  ${l}`),
    'upstreams:', ...echoes.map((e, i) => `  u${i}: { url: "${e.url}" }`),
    'routes:', ...routes.flatMap((r, i) => [`  - prefix: ${r.prefix}`, `    upstream: u${i}`, ...(r.host ? [`    host: ${r.host}`] : []), ...(r.lines ?? []).map((l) => `    ${l}`)]),
  ].join('\n') + '\n';
  return { echoes, yaml };
}

export async function startProxy(name: string, yaml: string, say: (line: string) => void): Promise<Stack> {
  const stack = new Stack({ apps: false, routesYaml: () => yaml, tmpPrefix: `strangler-${name}-`, say });
  await stack.start();
  return stack;
}

/** Undefined while the proxy runs and answers /healthz, else what is wrong. */
export async function proxyDown(stack: Stack): Promise<string | undefined> {
  const exits = stack.unexpectedExits();
  if (exits.length > 0) return exits.join('; ');
  try {
    const res = await fetch(`${stack.adminUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status === 200 ? undefined : `/healthz answered ${res.status}`;
  } catch (err) {
    return `/healthz: ${(err as Error).message}`;
  }
}
