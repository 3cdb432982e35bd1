// Printing: header, one table per body size, the bar check lines; and the same as JSON.
import { cpuBarChecks, cpuJson, rateBarChecks, rateJson, renderCpuTable, renderRateTable, type CpuSection, type RateSection } from './rate.js';
import type { Scenario } from './routes.js';
import { pct } from './runner.js';
import { fmtNum, grid, withNulls, type Row } from './stats.js';
import { FASTIFY_KEY, NGINX_KEY, STRANGLER_KEY } from './targets.js';

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly rows: readonly Row[];
}

export interface BenchReport {
  readonly header: readonly (readonly [string, string])[];
  readonly results: readonly ScenarioResult[];   // closed loop; empty with --only-rate
  readonly rate?: RateSection;                   // fixed rate; absent with --no-rate
  readonly cpu?: CpuSection;                     // CPU per request; absent with --no-cpu
}

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`);
const rowOf = (r: ScenarioResult, key: string): Row | undefined => r.rows.find((row) => row.key === key);

export function renderTable(r: ScenarioResult): string {
  const nginx = rowOf(r, NGINX_KEY)?.rps;
  const strangler = rowOf(r, STRANGLER_KEY)?.rps;
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'vs nginx', 'vs strangler', 'errors', 'cpu target', 'cpu load', 'req/s/core', 'note'];
  const lines = r.rows.map((row) => [
    row.target,
    fmtNum(row.rps, 0),
    fmtNum(row.p50Ms, 2),
    fmtNum(row.p99Ms, 2),
    ratio(row.rps, nginx),
    ratio(row.rps, strangler),
    row.samples.length ? String(row.errors + row.non2xx) : '-',
    pct(row.targetProcCpuPct),
    pct(row.loadCoreBusyPct),
    fmtNum(row.rpsPerCore, 0),
    row.note ?? '',
  ]);
  return grid(`${r.scenario.name}: GET ${r.scenario.path} -> ${r.scenario.bodyBytes} B body`, head, lines);
}

export interface BarCheck {
  readonly line: string;
  readonly pass?: boolean;   // undefined: could not be checked (or a reference row)
  readonly reference?: true; // a figure read beside a bar, not a bar
}

interface Check { text: string; pass?: boolean; caveat?: string }

const CAPPED_BELOW_PCT = 90;

function check(r: ScenarioResult | undefined, otherKey: string, min: number): Check {
  if (!r) return { text: 'n/a (not run)' };
  const s = rowOf(r, STRANGLER_KEY);
  const o = rowOf(r, otherKey);
  if (s?.rps === undefined) return { text: `n/a (strangler: ${s?.note ?? 'not run'})` };
  if (o?.rps === undefined) return { text: `n/a (${otherKey}: ${o?.note ?? 'not run'})` };
  const x = s.rps / o.rps;
  const pass = x >= min;
  // When the reference did not use its whole core, its req/s understates it: say why, and the ratio per core.
  const capped = o.targetProcCpuPct !== undefined && o.targetProcCpuPct < CAPPED_BELOW_PCT;
  const perCore = s.rpsPerCore !== undefined && o.rpsPerCore !== undefined ? s.rpsPerCore / o.rpsPerCore : undefined;
  const why = (o.loadCoreBusyPct ?? 0) >= 90 ? 'the load core was saturated'
    : (o.targetCoreBusyPct ?? 0) - (o.targetProcCpuPct ?? 0) > 10 ? 'other processes used part of its core' : 'not CPU-bound';
  const caveat = capped && perCore !== undefined
    ? `  note (${r.scenario.name}): ${o.target} used ${o.targetProcCpuPct!.toFixed(0)}% of its core (${why}), ` +
      `so its req/s understates it; per core of CPU used, strangler is ${perCore.toFixed(2)}x ${o.target}`
    : undefined;
  return { text: `${pass ? 'PASS' : 'FAIL'} (${x.toFixed(2)}x)`, pass, ...(caveat ? { caveat } : {}) };
}

export function barChecks(results: readonly ScenarioResult[]): BarCheck[] {
  const by = (name: string) => results.find((r) => r.scenario.name === name);
  const n = check(by('small'), NGINX_KEY, 0.5);
  const fs = check(by('small'), FASTIFY_KEY, 1.5);
  const fl = check(by('large'), FASTIFY_KEY, 1.5);
  const lines: BarCheck[] = [
    { line: `strangler >= 0.5x nginx on small: ${n.text}`, ...(n.pass !== undefined ? { pass: n.pass } : {}) },
    {
      line: `closed-loop req/s: strangler >= 1.5x @fastify/http-proxy on small: ${fs.text} / on large: ${fl.text}`,
      ...(fs.pass !== undefined || fl.pass !== undefined ? { pass: fs.pass !== false && fl.pass !== false } : {}),
    },
  ];
  for (const c of [n, fs, fl]) if (c.caveat) lines.push({ line: c.caveat });
  const ps = policyCost(by('small'));
  const pl = policyCost(by('large'));
  if (ps !== null || pl !== null) {
    lines.push({
      line: `strangler + retry/breaker within 10% of strangler: small ${ps?.text ?? 'n/a'} / large ${pl?.text ?? 'n/a'}`,
      pass: ps?.pass !== false && pl?.pass !== false,
    });
  }
  return lines;
}

/** The resilient path's cost: the policies row's req/s against the plain strangler row. */
function policyCost(r: ScenarioResult | undefined): { text: string; pass: boolean } | null {
  const p = r === undefined ? undefined : rowOf(r, 'strangler-policies');
  const s = r === undefined ? undefined : rowOf(r, STRANGLER_KEY);
  if (p?.rps === undefined || s?.rps === undefined) return null;
  const x = p.rps / s.rps;
  return { text: `${x >= 0.9 ? 'PASS' : 'FAIL'} (${x.toFixed(2)}x)`, pass: x >= 0.9 };
}

export function renderReport(rep: BenchReport): string {
  const w = Math.max(...rep.header.map(([k]) => k.length));
  const header = rep.header.map(([k, v]) => `${(k + ':').padEnd(w + 1)} ${v}`).join('\n');
  const parts = [`# strangler bench\n${header}`];
  const bars: BarCheck[] = [];
  if (rep.results.length) {
    parts.push(rep.results.map(renderTable).join('\n\n'));
    bars.push(...barChecks(rep.results));
  }
  if (rep.rate) {
    parts.push(renderRateTable(rep.rate));
    bars.push(...rateBarChecks(rep.rate));
  }
  if (rep.cpu) {
    parts.push(renderCpuTable(rep.cpu));
    bars.push(...cpuBarChecks(rep.cpu));
  }
  parts.push(bars.map((b) => b.line).join('\n'));
  return parts.join('\n\n') + '\n';
}

export function reportJson(rep: BenchReport): unknown {
  return {
    header: Object.fromEntries(rep.header),
    results: rep.results.map((r) => ({
      scenario: r.scenario,
      rows: r.rows.map((row) => withNulls(['key', 'target', 'rps', 'p50Ms', 'p99Ms', 'targetProcCpuPct', 'rpsPerCore', 'targetCoreBusyPct',
        'loadCoreBusyPct', 'errors', 'non2xx', 'note', 'samples'], row)),
    })),
    barChecks: rep.results.length ? barChecks(rep.results) : [],
    ...(rep.rate ? { fixedRate: rateJson(rep.rate) } : {}),
    ...(rep.cpu ? { cpuPerRequest: cpuJson(rep.cpu) } : {}),
  };
}
