// `strangler check FILE`: validate, then print the compiled table (or every error). Exit 0/1.

import { formatConfigErrors } from '../config/format.js';
import { loadConfigFile } from '../config/load.js';
import { UpstreamPools } from '../forward/pools.js';
import { Metrics } from '../observability/metrics.js';
import { compileTable, describeTable, type CompiledRoute, type RouteTable } from '../routing/table.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

export async function runCheck(file: string, json: boolean, io: Io): Promise<number> {
  const loaded = await loadConfigFile(file, io.env);
  if (!loaded.ok) {
    io.stderr.write(`${formatConfigErrors(loaded.errors)}\n${file}: ${loaded.errors.length} error(s); the file is not valid\n`);
    return 1;
  }
  const pools = new UpstreamPools();
  try {
    const table = compileTable(loaded.config, { version: loaded.version, file: loaded.file }, { pools, metrics: new Metrics() });
    io.stdout.write(json ? JSON.stringify(describeTable(table), null, 2) + '\n' : formatTable(table));
  } finally {
    pools.destroy();
  }
  return 0;
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function policies(r: CompiledRoute): string {
  const out: string[] = [`timeout ${r.timeoutMs}ms`];
  if (r.retry.attempts > 1) out.push(`retry x${r.retry.attempts}`);
  if (r.breaker !== null) out.push(`breaker ${r.breaker.consecutiveFailures}/${r.breaker.halfOpenAfterMs}ms`);
  if (r.fallback !== null) out.push(`fallback ${r.fallback.name}`);
  if (r.shadow !== null) out.push(`shadow ${r.shadow.upstream.name} ${r.shadow.percent}%`);
  if (r.canary !== null) out.push(`canary ${r.canary.upstream.name} ${r.canary.percent}%`);
  if (r.preserveHost) out.push('preserveHost');
  return out.join(', ');
}

export function formatTable(table: RouteTable): string {
  const upstreams = pad([...table.upstreams.values()].map((u) => [u.name, u.url]));
  const sorted = [...table.routes].sort((a, b) => b.prefix.length - a.prefix.length || a.index - b.index);
  const routes = pad([
    ['PREFIX', 'METHODS', 'UPSTREAM', 'FORWARDED AS', 'POLICIES'],
    ...sorted.map((r) => [
      r.prefix,
      r.methods === null ? 'any' : [...r.methods].join(','),
      r.upstream.name,
      r.prefixRewrite === null ? r.prefix : r.prefixRewrite,
      policies(r),
    ]),
  ]);
  return (
    `${table.file}: valid, version ${table.version}\n\nupstreams:\n${upstreams}\n` +
    `routes (longest prefix first, as matched):\n${routes}`
  );
}
