// The drill's printed summary.
import type { DrillSummary } from './reload-analyse.js';

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
const counts = (m: Readonly<Record<string, number>>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function renderSummary(s: DrillSummary, maxSwitchMs: number): string {
  const rows: [string, string][] = [
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s (start-up included)`],
    ['pinning', s.pinning],
    ['writes', `${s.writes.done} of ${s.writes.planned} (${s.writes.valid} valid, ${s.writes.invalid} invalid)`],
    ['  how', counts(s.writes.how)],
    ['  invalid kinds', counts(s.writes.invalidKinds)],
    ['load', `${s.clients} keep-alive clients, GET /svc in a closed loop`],
    ['requests sent', `${s.requests.sent} (${s.requests.perSecond.toFixed(0)}/s): ${counts(s.requests.byUpstream)}`],
    ['failed requests', s.requests.failed === 0 ? '0' : `${s.requests.failed}: ${counts(s.requests.failures)}`],
    ['request latency', `p50 ${ms(s.requests.latency.p50)}, p99 ${ms(s.requests.latency.p99)}, max ${ms(s.requests.latency.max)}`],
    ['reloads applied', `${s.applied}/${s.writes.valid} valid writes (config reloaded line with the expected version, GET /routes agrees)`],
    ['invalid rejected', `${s.rejected}/${s.writes.invalid} (config rejected line, live version kept); served upstream unchanged after ${s.invalidServedUnchanged}/${s.writes.invalid}`],
    ['switches observed', `${s.switches.count}/${s.writes.valid}; flip-flops ${s.switches.flipFlopWrites} writes (${s.switches.strayResponses} stray responses)`],
    ['switch time', `p50 ${ms(s.switches.p50)}, p99 ${ms(s.switches.p99)}, max ${ms(s.switches.max)}  (end of the write -> first request sent after it that the new upstream answered)`],
    ['reload line after', `p50 ${ms(s.logLatency.p50)}, p99 ${ms(s.logLatency.p99)}, max ${ms(s.logLatency.max)}  (write -> its config reloaded/rejected line; the proxy flushes its log every 100 ms)`],
    ['write duration', `p50 ${ms(s.writeDuration.p50)}, p99 ${ms(s.writeDuration.p99)}, max ${ms(s.writeDuration.max)}  (the drill's own file operations; switch times count from the end of the write)`],
    ['other reload lines', `${s.unexpectedOutcomes} unexpected, ${s.unchangedLines} "config unchanged"`],
  ];
  const metricRows = s.counters
    ? ['success', 'invalid', 'error', ...Object.keys(s.counters).filter((k) => !['success', 'invalid', 'error'].includes(k))].map((k) =>
        s.counters![k] === undefined
          ? `strangler_config_reloads_total{result="${k}"} absent from /metrics (never incremented: 0)`
          : `strangler_config_reloads_total{result="${k}"} ${s.counters![k]}   (+${s.countersDelta?.[k] ?? '?'} during the drill)`,
      )
    : ['(GET /metrics failed)'];
  metricRows.forEach((m, i) => rows.push([i === 0 ? 'metrics' : '', m]));
  rows.push(['proxy exit', s.proxyExit]);
  s.machine.forEach((m, i) => rows.push([i === 0 ? 'machine' : '', m]));
  if (s.proxyErrorLines.length) rows.push(['proxy error lines', `${s.proxyErrorLines.length} (first: ${s.proxyErrorLines[0]!.slice(0, 200)})`]);
  const verdict = s.pass
    ? `PASS (0 failed requests; ${s.applied}/${s.writes.valid} applied; ${s.rejected}/${s.writes.invalid} rejected; no flip-flop; p99 switch ${ms(s.switches.p99)} < ${maxSwitchMs} ms)`
    : `FAIL: ${s.reasons.join('; ')}`;
  rows.push(['result', verdict]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = ['strangler reload drill', ...rows.map(([k, v]) => `  ${k.padEnd(width)}${v}`)];
  if (s.problems.length) lines.push('  problems:', ...s.problems.map((p) => `    - ${p}`));
  if (!s.pass && s.machine.some((m) => m.includes('NOT idle'))) {
    lines.push(
      '  note: the machine was busy. The proxy writes its log to stdout synchronously, so while the drill',
      '        (its stdout reader) is starved of CPU the whole proxy waits too: requests and reloads. Rerun',
      "        on an idle machine to tell the proxy's reload latency from the machine's.",
    );
  }
  if (!s.pass && s.proxyLog.length) {
    const shown = s.proxyLog.slice(-80);
    lines.push(`  the proxy's log without access lines (${shown.length < s.proxyLog.length ? `last ${shown.length} of ` : ''}${s.proxyLog.length}; t = since the load began):`);
    lines.push(...shown.map((l) => `    ${l.length > 400 ? `${l.slice(0, 400)}...` : l}`));
  }
  return lines.join('\n') + '\n';
}
