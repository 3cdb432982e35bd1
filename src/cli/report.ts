// `strangler report`: the shadow report in the terminal. Reads every source it is given, each
// running proxy's GET /shadow/report (--admin URL, with `Authorization: Bearer $ADMIN_TOKEN`
// when set) and each shadow log file (--file PATH: JSON lines, one ShadowEvent each, blank lines
// skipped), merges the reports per route (a file's events become one report per route first),
// and prints per route: the verdict, the counts, the match rate, latency percentiles of primary
// and shadow, the paths that differ most with an example, the noise paths and the last
// mismatches with their curl lines (a replay through the proxy, and the request as each upstream
// got it, sent straight to it). `--top N` / `--all`: how many paths per route (default 10; a
// line says how many were left out). `--json` prints the merged reports instead.
//
// Every source is read, and every one that fails is named on stderr (the URL and the status or
// the error; a file's bad lines as file:line). When any fails, nothing is printed on stdout
// (a report missing a source would show a wrong verdict) and the exit code is 1; else 0.
//
// Output: about 100 columns (long paths and values are cut with "…"; curl lines are printed
// whole, they are meant to be pasted). Colour only when stdout is a TTY and NO_COLOR is not set.
// Text that came from traffic (paths, values, curl lines) has its control characters escaped so
// it cannot drive the terminal.

import { gateLines, gateOf } from '../shadow/gate.js';
import { summarize } from '../shadow/summary.js';
import { mergeByRoute } from '../shadow/merge.js';
import type { Io } from './check.js';
import { formatReport, wantsColour } from './report-render.js';
import { readAdmin, readFileSource, type SourceResult } from './report-sources.js';

export interface ReportOptions {
  /** Admin base URLs of running proxies (their GET /shadow/report is read). */
  readonly admins: readonly string[];
  /** Shadow log files (JSON lines of ShadowEvent). */
  readonly files: readonly string[];
  readonly json: boolean;
  readonly adminToken?: string;
  /** Differing and noise paths shown per route (null: all; default 10). Not for --json, which prints everything. */
  readonly top?: number | null;
  /** `--fail-under PCT`: exit 1 unless every route's match rate reaches it (shadow/gate.ts). */
  readonly failUnder?: number;
  /** Per admin request. Default 10 s. */
  readonly timeoutMs?: number;
}

export async function runReport(opts: ReportOptions, io: Io): Promise<number> {
  const results = await Promise.all([
    ...opts.admins.map((url) => readAdmin(url, opts.adminToken, opts.timeoutMs ?? 10_000)),
    ...opts.files.map((path) => readFileSource(path)),
  ]);
  const failed = results.filter((r): r is Extract<SourceResult, { ok: false }> => !r.ok);
  if (failed.length > 0) {
    for (const f of failed) for (const e of f.errors) io.stderr.write(`strangler report: ${e}\n`);
    io.stderr.write(`strangler report: ${failed.length} of ${results.length} source(s) failed; no report printed\n`);
    return 1;
  }
  const ok = results as Extract<SourceResult, { ok: true }>[];
  const merged = mergeByRoute(ok.flatMap((r) => r.reports));
  const sources = ok.map((r) => r.info);

  const gate = opts.failUnder === undefined ? undefined : gateOf(merged, opts.failUnder);
  const code = gate === undefined || gate.pass ? 0 : 1;
  if (opts.json) {
    const out = {
      generatedAt: new Date().toISOString(),
      sources,
      routes: merged.map((report) => ({ route: report.route, report, summary: summarize(report) })),
      ...(gate === undefined ? {} : { gate }),
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return code;
  }
  io.stdout.write(formatReport(sources, merged, { colour: wantsColour(io), top: opts.top }) + (gate === undefined ? '' : '\n' + gateLines(gate).join('\n') + '\n'));
  return code;
}
