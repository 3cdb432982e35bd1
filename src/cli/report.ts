// `strangler report`: the shadow report in the terminal. Reads every source it is given, each
// running proxy's GET /shadow/report (--admin URL, with `Authorization: Bearer $ADMIN_TOKEN`
// when set) and each shadow log file (--file PATH: JSON lines, one ShadowEvent each, blank lines
// skipped), merges the reports per route (a file's events become one report per route first),
// and prints per route: the verdict, the counts, the match rate, latency percentiles of primary
// and shadow, the paths that differ most with an example, the noise paths and the last
// mismatches with their replay curl. `--json` prints the merged reports instead.
//
// Every source is read, and every one that fails is named on stderr (the URL and the status or
// the error; a file's bad lines as file:line). When any fails, nothing is printed on stdout
// (a report missing a source would show a wrong verdict) and the exit code is 1; else 0.
//
// Output: about 100 columns (long paths and values are cut with "…"; curl lines are printed
// whole, they are meant to be pasted). Colour only when stdout is a TTY and NO_COLOR is not set.
// Text that came from traffic (paths, values, curl lines) has its control characters escaped so
// it cannot drive the terminal.

import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { groupDigits, percentDown } from '../shadow/format.js';
import {
  EXAMPLE_VALUE_MAX_CHARS,
  emptyReport,
  mergeByRoute,
  record,
  summarize,
  type ReportSummary,
  type ShadowEvent,
  type ShadowReport,
} from '../shadow/report.js';
import type { Io } from './check.js';

export interface ReportOptions {
  /** Admin base URLs of running proxies (their GET /shadow/report is read). */
  readonly admins: readonly string[];
  /** Shadow log files (JSON lines of ShadowEvent). */
  readonly files: readonly string[];
  readonly json: boolean;
  readonly adminToken?: string;
  /** Per admin request. Default 10 s. */
  readonly timeoutMs?: number;
}

/** What one source gave. */
export type SourceInfo =
  | { kind: 'admin'; url: string; routes: number }
  | { kind: 'file'; path: string; events: number; routes: number };

type SourceResult = { ok: true; info: SourceInfo; reports: ShadowReport[] } | { ok: false; errors: string[] };

const WIDTH = 100;
const TOP_PATHS_SHOWN = 10;
const NOISE_PATHS_SHOWN = 10;
const SAMPLES_SHOWN = 5;
const BAD_LINES_SHOWN = 10;

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
  const merged = Object.values(mergeByRoute(ok.flatMap((r) => r.reports)));
  const sources = ok.map((r) => r.info);

  if (opts.json) {
    const out = {
      generatedAt: new Date().toISOString(),
      sources,
      routes: merged.map((report) => ({ route: report.route, report, summary: summarize(report) })),
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  io.stdout.write(formatReport(sources, merged, { colour: wantsColour(io) }));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sources

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${groupDigits(timeoutMs)} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message} (${cause})` : String(e?.message ?? err);
}

async function readAdmin(admin: string, token: string | undefined, timeoutMs: number): Promise<SourceResult> {
  const url = admin.replace(/\/+$/, '') + '/shadow/report';
  const fail = (why: string): SourceResult => ({ ok: false, errors: [`${url}: ${why}`] });
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error)?.name === 'TimeoutError';
    return fail(`${timedOut ? '' : 'cannot connect: '}${describeFetchError(err, timeoutMs)}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    return fail(`${res.status} ${res.statusText}, the body broke off: ${describeFetchError(err, timeoutMs)}`);
  }
  if (!res.ok) {
    const hint = res.status === 401 ? (token === undefined ? ' (set ADMIN_TOKEN)' : ' (ADMIN_TOKEN was refused)') : '';
    const detail = text.trim() === '' ? '' : `: ${clip(oneLine(text.trim()), 200)}`;
    return fail(`${res.status} ${res.statusText}${hint}${detail}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail(`${res.status} but the body is not JSON: ${clip(oneLine(text.trim()), 120)}`);
  }
  const routes = (body as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(routes)) return fail('not a shadow report (no "routes" list)');
  const reports: ShadowReport[] = [];
  for (const [i, entry] of routes.entries()) {
    const report = (entry as { report?: unknown } | null)?.report;
    const problem = reportProblem(report);
    if (problem !== null) return fail(`not a shadow report: routes[${i}].report ${problem}`);
    reports.push(report as ShadowReport);
  }
  return { ok: true, info: { kind: 'admin', url: admin, routes: reports.length }, reports };
}

async function readFileSource(path: string): Promise<SourceResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { ok: false, errors: [`${path}: cannot read: ${(err as Error).message}`] };
  }
  const byRoute = new Map<string, ShadowReport>();
  const errors: string[] = [];
  let bad = 0;
  let events = 0;
  let lineNo = 0;
  const input = handle.createReadStream({ encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let event: ShadowEvent | string;
      try {
        event = asEvent(JSON.parse(line));
      } catch (err) {
        event = `not JSON (${(err as Error).message})`;
      }
      if (typeof event === 'string') {
        bad++;
        if (bad <= BAD_LINES_SHOWN) errors.push(`${path}:${lineNo}: ${event}`);
        continue;
      }
      events++;
      let r = byRoute.get(event.route);
      if (r === undefined) {
        r = emptyReport(event.route, event.at);
        byRoute.set(event.route, r);
      }
      record(r, event);
    }
  } catch (err) {
    errors.push(`${path}: cannot read: ${(err as Error).message}`);
  } finally {
    lines.close();
    await handle.close().catch(() => {});
  }
  if (bad > BAD_LINES_SHOWN) errors.push(`${path}: ${bad - BAD_LINES_SHOWN} more bad line(s)`);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, info: { kind: 'file', path, events, routes: byRoute.size }, reports: [...byRoute.values()] };
}

// ---------------------------------------------------------------------------------------------
// Shape checks (what came from outside is checked before it is merged)

const RESULTS = new Set(['match', 'mismatch', 'shadow_error', 'skipped']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const optional = (v: unknown, is: (x: unknown) => boolean): boolean => v === undefined || v === null || is(v);
const isString = (v: unknown): boolean => typeof v === 'string';
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/** The event, or what is wrong with it. */
function asEvent(v: unknown): ShadowEvent | string {
  if (!isObject(v)) return 'not a shadow event (a JSON object)';
  for (const k of ['at', 'route', 'method', 'path'] as const) {
    if (typeof v[k] !== 'string') return `not a shadow event: "${k}" must be a string`;
  }
  if (typeof v.result !== 'string' || !RESULTS.has(v.result)) {
    return 'not a shadow event: "result" must be match, mismatch, shadow_error or skipped';
  }
  if (!optional(v.reason, isString)) return 'not a shadow event: "reason" must be a string';
  for (const k of ['primaryStatus', 'shadowStatus', 'primaryMs', 'shadowMs'] as const) {
    if (!optional(v[k], isNumber)) return `not a shadow event: "${k}" must be a number or null`;
  }
  if (!optional(v.curl, isString)) return 'not a shadow event: "curl" must be a string or null';
  for (const k of ['differences', 'noise'] as const) {
    const list = v[k];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every((d) => isObject(d) && typeof d.path === 'string')) {
      return `not a shadow event: "${k}" must be a list of objects with a "path"`;
    }
  }
  return {
    ...(v as unknown as ShadowEvent),
    primaryStatus: (v.primaryStatus as number | null | undefined) ?? null,
    shadowStatus: (v.shadowStatus as number | null | undefined) ?? null,
    differences: (v.differences as ShadowEvent['differences'] | null) ?? undefined,
    noise: (v.noise as ShadowEvent['noise'] | null) ?? undefined,
  };
}

function histogramProblem(h: unknown): string | null {
  if (!isObject(h)) return 'is not an object';
  if (!isNumber(h.count) || !isNumber(h.sumMicros)) return 'has no count/sumMicros';
  if (!optional(h.minMs, isNumber) || !optional(h.maxMs, isNumber)) return 'has a bad minMs/maxMs';
  if (!isObject(h.buckets) || !Object.values(h.buckets).every(isNumber)) return 'has bad buckets';
  return null;
}

/** null when `r` has the shape of a ShadowReport, else what is wrong. */
function reportProblem(r: unknown): string | null {
  if (!isObject(r)) return 'is missing';
  for (const k of ['route', 'since'] as const) if (typeof r[k] !== 'string') return `has no "${k}"`;
  for (const k of ['mirrored', 'match', 'mismatch', 'shadowError'] as const) if (!isNumber(r[k])) return `has no count "${k}"`;
  if (!isObject(r.skipped) || !Object.values(r.skipped).every(isNumber)) return 'has a bad "skipped"';
  if (!isObject(r.noisePaths) || !Object.values(r.noisePaths).every(isNumber)) return 'has a bad "noisePaths"';
  if (!isObject(r.topPaths) || !Object.values(r.topPaths).every((s) => isObject(s) && isNumber(s.count) && isObject(s.example))) {
    return 'has a bad "topPaths"';
  }
  if (!Array.isArray(r.samples) || !r.samples.every((s) => isObject(s) && typeof s.at === 'string')) return 'has bad "samples"';
  if (!isObject(r.latency)) return 'has no "latency"';
  for (const side of ['primary', 'shadow'] as const) {
    const p = histogramProblem(r.latency[side]);
    if (p !== null) return `latency.${side} ${p}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The terminal table

function wantsColour(io: Io): boolean {
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return tty && !noColor;
}

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  verdict(v: ReportSummary['verdict'], s: string): string;
}

function paint(colour: boolean): Paint {
  const sgr = (code: string) => (s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const green = sgr('32');
  const red = sgr('31');
  const yellow = sgr('33');
  return {
    bold: sgr('1'),
    dim: sgr('2'),
    verdict: (v, s) => (v === 'ready' ? green(s) : v === 'not ready' ? red(s) : yellow(s)),
  };
}

/** Control characters (C0, DEL, C1) and bidi overrides escaped: text from traffic cannot drive the terminal. */
export function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}

/** At most `n` characters, the cut ones replaced by "…". */
function clip(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length <= n ? s : s.slice(0, Math.max(0, n - 1)) + '…';
}

/** An example value for the table: JSON, a clipped value as it was clipped, an absent one named. */
function valueText(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string' && v.length === EXAMPLE_VALUE_MAX_CHARS && v.endsWith('…')) return safe(v); // already clipped JSON
  return safe(JSON.stringify(v) ?? String(v));
}

/** "a -> b" in at most `n` characters, cutting the longer side first. */
function pairText(a: string, b: string, n: number): string {
  const arrow = ' -> ';
  const room = n - arrow.length;
  if (a.length + b.length <= room) return a + arrow + b;
  if (room < 2) return clip(a + arrow + b, n);
  const half = Math.floor(room / 2);
  let la = Math.min(a.length, half);
  let lb = Math.min(b.length, room - la);
  la = Math.min(a.length, room - lb);
  lb = Math.min(b.length, room - la);
  return clip(a, la) + arrow + clip(b, lb);
}

function ms(v: number | null): string {
  if (v === null) return '-';
  if (v < 10) return `${v.toFixed(2)}ms`;
  if (v < 100) return `${v.toFixed(1)}ms`;
  return `${groupDigits(Math.round(v))}ms`;
}

function status(s: number | null | undefined): string {
  return s === null || s === undefined ? '-' : String(s);
}

function sourceLine(s: SourceInfo): string {
  return s.kind === 'admin'
    ? `admin ${safe(s.url)}: ${s.routes} route(s)`
    : `file  ${safe(s.path)}: ${groupDigits(s.events)} event(s), ${s.routes} route(s)`;
}

function routeBlock(report: ShadowReport, p: Paint): string[] {
  const s = summarize(report);
  const out: string[] = [];
  const route = safe(s.route);
  out.push(p.bold(route) + '  ' + p.verdict(s.verdict, clip(s.verdictText, Math.max(20, WIDTH - route.length - 2))));
  out.push(p.dim(`  since ${safe(s.since)}`));

  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(s.skipped)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${safe(k)} ${groupDigits(n)}`);
  out.push(
    `  mirrored ${groupDigits(s.mirrored)}   match ${groupDigits(s.match)}   mismatch ${groupDigits(s.mismatch)}` +
      `   shadow_error ${groupDigits(s.shadowError)}   skipped ${groupDigits(skippedTotal)}`,
  );
  if (reasons.length > 0) out.push(clip(`  skipped by reason: ${reasons.join(', ')}`, WIDTH));
  out.push(
    s.matchRate === null
      ? '  match rate -, nothing compared yet'
      : `  match rate ${percentDown(s.match, s.compared)} (${groupDigits(s.match)} of ${groupDigits(s.compared)} compared)`,
  );

  // Latency
  const lat = [
    ['  latency', 'p50', 'p95', 'p99', 'count'],
    ['    primary', ms(s.latency.primary.p50), ms(s.latency.primary.p95), ms(s.latency.primary.p99), groupDigits(s.latency.primary.count)],
    ['    shadow', ms(s.latency.shadow.p50), ms(s.latency.shadow.p95), ms(s.latency.shadow.p99), groupDigits(s.latency.shadow.count)],
  ];
  const lw = lat[0]!.map((_, c) => Math.max(...lat.map((r) => r[c]!.length)));
  for (const r of lat) out.push(r.map((cell, c) => (c === 0 ? cell.padEnd(lw[c]!) : cell.padStart(lw[c]! + 2))).join('').trimEnd());

  // Top differing paths
  if (s.topPaths.length > 0) {
    const shown = s.topPaths.slice(0, TOP_PATHS_SHOWN);
    out.push(`  top differing paths (${shown.length} of ${s.topPaths.length})`);
    const cw = Math.max(5, ...shown.map((t) => groupDigits(t.count).length));
    const paths = shown.map((t) => safe(t.path));
    const pw = Math.min(40, Math.max(4, ...paths.map((x) => x.length)));
    out.push(p.dim(`    ${'count'.padStart(cw)}  ${'path'.padEnd(pw)}  example: primary -> shadow`));
    shown.forEach((t, i) => {
      const lead = `    ${groupDigits(t.count).padStart(cw)}  ${clip(paths[i]!, pw).padEnd(pw)}  `;
      out.push(lead + pairText(valueText(t.example.primary), valueText(t.example.shadow), WIDTH - lead.length));
    });
  }

  // Noise
  if (s.noisePaths.length > 0) {
    const shown = s.noisePaths.slice(0, NOISE_PATHS_SHOWN);
    out.push(`  noise paths, the primary disagrees with itself (${shown.length} of ${s.noisePaths.length})`);
    const cw = Math.max(5, ...shown.map((n) => groupDigits(n.count).length));
    for (const n of shown) {
      const lead = `    ${groupDigits(n.count).padStart(cw)}  `;
      out.push(lead + clip(safe(n.path), WIDTH - lead.length));
    }
  }

  // Last mismatches
  if (s.samples.length > 0) {
    const shown = s.samples.slice(0, SAMPLES_SHOWN);
    out.push(`  last mismatches (${shown.length} of ${groupDigits(s.mismatch)}, newest first)`);
    for (const m of shown) {
      const head = `    ${safe(m.at)}  ${safe(m.method)} `;
      const tail = `  ${status(m.primaryStatus)} -> ${status(m.shadowStatus)}`;
      out.push(head + clip(safe(m.path), WIDTH - head.length - tail.length) + tail);
      if (m.differingPaths.length > 0) out.push(clip(`      differs at ${m.differingPaths.map(safe).join(', ')}`, WIDTH));
      if (m.curl !== null && m.curl !== undefined) {
        const curl = safe(m.curl);
        out.push(p.dim(`      ${curl}`) + (curl !== m.curl ? p.dim('  # control characters shown escaped') : ''));
      }
    }
  }
  return out;
}

export function formatReport(sources: readonly SourceInfo[], reports: readonly ShadowReport[], opts: { colour: boolean }): string {
  const p = paint(opts.colour);
  const out: string[] = [];
  out.push(p.bold(`strangler shadow report: ${reports.length} route(s) from ${sources.length} source(s)`));
  for (const s of sources) out.push(p.dim(clip(`  ${sourceLine(s)}`, WIDTH)));
  if (reports.length === 0) {
    out.push('', 'no shadow comparisons yet (no route has mirrored a request)');
  }
  for (const r of reports) out.push('', ...routeBlock(r, p));
  return out.join('\n') + '\n';
}
