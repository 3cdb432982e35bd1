// Printing the fixed-rate (open-loop) section: its table, its bar line, and its JSON.
import type { BarCheck } from './report.js';
import { fmtNum as fmt, grid } from './stats.js';
import { RATE_NO_SHADOW, RATE_SHADOW, RATE_SLOW_SHADOW, SLOW_SHADOW_DELAY_MS, type RateRow, type RateSection } from './rate.js';

export const P99_BAR = 1.1;   // shadow rows: primary p99 at most 10% above the row without shadow

const rowOf = (s: RateSection, key: string) => s.rows.find((r) => r.key === key);

function p99Ratio(s: RateSection, key: string): number | undefined {
  const base = rowOf(s, RATE_NO_SHADOW)?.p99Ms;
  const p = rowOf(s, key)?.p99Ms;
  return base === undefined || p === undefined || base === 0 ? undefined : p / base;
}

export function rateTitle(s: RateSection): string {
  const o = s.opts;
  return `fixed rate ${o.rate.toLocaleString('en-US')} req/s, small body: GET ${s.scenario.path} -> ${s.scenario.bodyBytes} B ` +
    `(open loop, ${o.durationS} s measured per run after ${o.warmupS} s at the same rate, up to ${o.connections} connections, ` +
    `${o.rounds} round${o.rounds === 1 ? '' : 's'})`;
}

export function renderRateTable(s: RateSection): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'p99 per round', 'max ms', 'p99 vs no shadow', 'errors', 'shadow got', 'cpu target', 'cpu load', 'gen lag p99', 'note'];
  const lines = s.rows.map((r: RateRow) => {
    const ratio = r.key === RATE_NO_SHADOW ? undefined : p99Ratio(s, r.key);
    return [
      r.target,
      fmt(r.achievedRps, 0),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      r.p99MinMs === undefined ? '-' : r.samples.length > 1 ? `${fmt(r.p99MinMs, 2)}-${fmt(r.p99MaxMs, 2)}` : fmt(r.p99MinMs, 2),
      fmt(r.maxMs, 1),
      ratio === undefined ? '-' : `${ratio.toFixed(2)}x`,
      r.samples.length ? String(r.errors) : '-',
      r.shadowPct === undefined ? '-' : `${r.shadowPct.toFixed(r.shadowPct < 10 ? 1 : 0)}%`,
      r.targetProcCpuPct === undefined ? '-' : `${r.targetProcCpuPct.toFixed(0)}%`,
      r.loadCoreBusyPct === undefined ? '-' : `${r.loadCoreBusyPct.toFixed(0)}%`,
      r.lagP99Ms === undefined ? '-' : `${fmt(r.lagP99Ms, 2)} ms`,
      r.note ?? '',
    ];
  });
  return grid(rateTitle(s), head, lines);
}

export const RATE_LEGEND = [
  'fixed rate: request i is due at start + i/rate whatever happened to earlier ones; latency runs from that scheduled time to',
  'the end of the body (no coordinated omission: a stall counts in full). p50/p99/max over all rounds\' latencies together;',
  '"p99 per round" is the lowest-highest single-round p99 (the noise). req/s: achieved, median of rounds. shadow got: requests',
  `that reached the row's shadow upstream / requests sent (the ${SLOW_SHADOW_DELAY_MS / 1000} s upstream is capped by shadow.maxConcurrent 64: ~${(64000 / SLOW_SHADOW_DELAY_MS).toFixed(0)} req/s).`,
  'cpu target: CPU used by strangler (% of one core); cpu load: busy share of the load core (generator, upstream, both shadow',
  'upstreams, anything else). gen lag p99: how late the generator itself sent (1 ms timers + its event loop on the load core);',
  'it is inside every row\'s latencies, so a high value there makes the rows noisy.',
].join('\n');

function one(s: RateSection, key: string): { text: string; pass?: boolean } {
  const r = rowOf(s, key);
  const base = rowOf(s, RATE_NO_SHADOW);
  if (base?.p99Ms === undefined) return { text: `n/a (no shadow: ${base?.note ?? 'not run'})` };
  if (r?.p99Ms === undefined) return { text: `n/a (${r?.note ?? 'not run'})` };
  const x = r.p99Ms / base.p99Ms;
  const pass = x <= P99_BAR;
  return { text: `${pass ? 'PASS' : 'FAIL'} (${x.toFixed(2)}x)`, pass };
}

export function rateBarChecks(s: RateSection): BarCheck[] {
  const a = one(s, RATE_SHADOW);
  const b = one(s, RATE_SLOW_SHADOW);
  const lines: BarCheck[] = [{
    line: `shadow rows: primary p99 within 10% of no shadow: 100% ${a.text} / slow shadow ${b.text}`,
    ...(a.pass !== undefined || b.pass !== undefined ? { pass: a.pass !== false && b.pass !== false } : {}),
  }];
  // When the reference row alone moves more than the bar between rounds, the bar is inside the noise.
  const base = rowOf(s, RATE_NO_SHADOW);
  if (base?.p99MinMs !== undefined && base.p99MaxMs !== undefined && base.samples.length > 1 && base.p99MinMs > 0) {
    const spread = base.p99MaxMs / base.p99MinMs - 1;
    if (spread > P99_BAR - 1) {
      lines.push({
        line: `  note: the no-shadow row's own p99 varied by ${(spread * 100).toFixed(0)}% between rounds (more than the 10% bar): ` +
          'noise; rerun on an idle machine, or with more --rate-rounds / a longer --rate-duration',
      });
    }
  }
  // A bar that passes because nothing was mirrored says nothing: say so.
  const idle = [RATE_SHADOW, RATE_SLOW_SHADOW]
    .map((k) => rowOf(s, k))
    .filter((r): r is RateRow => r?.shadowPct !== undefined && r.shadowPct < 0.5);
  if (idle.length) {
    lines.push({
      line: `  note: no shadow copies reached the shadow upstream in ${idle.map((r) => `"${r.target}"`).join(', ')}: ` +
        'the proxy did not mirror, so these rows measure the config, not the mirroring',
    });
  }
  return lines;
}

export function rateJson(s: RateSection): unknown {
  return {
    title: rateTitle(s),
    options: s.opts,
    scenario: s.scenario,
    rows: s.rows.map((r) => ({
      key: r.key,
      target: r.target,
      achievedRps: r.achievedRps ?? null,
      p50Ms: r.p50Ms ?? null,
      p99Ms: r.p99Ms ?? null,
      maxMs: r.maxMs ?? null,
      p99MinMs: r.p99MinMs ?? null,
      p99MaxMs: r.p99MaxMs ?? null,
      p99VsNoShadow: r.key === RATE_NO_SHADOW ? null : p99Ratio(s, r.key) ?? null,
      errors: r.errors,
      shadowPct: r.shadowPct ?? null,
      targetProcCpuPct: r.targetProcCpuPct ?? null,
      loadCoreBusyPct: r.loadCoreBusyPct ?? null,
      lagP99Ms: r.lagP99Ms ?? null,
      note: r.note ?? null,
      samples: r.samples,
    })),
    barChecks: rateBarChecks(s),
  };
}
