// `strangler report`'s terminal table: about 100 columns (long paths and values are cut with
// "…"; curl lines are printed whole, they are meant to be pasted). Colour only when stdout is a
// TTY and NO_COLOR is not set. Text that came from traffic (paths, values, curl lines) has its
// control characters escaped so it cannot drive the terminal. Pure.

import { groupDigits, percentDown } from '../shadow/format.js';
import { exampleText, type ShadowReport } from '../shadow/report.js';
import { summarize, type ReportSummary, type Thresholds } from '../shadow/summary.js';
import { DEFAULT_MAX_DIFFERENCES } from '../shadow/diff.js';
import type { Io } from './check.js';
import type { SourceInfo } from './report-sources.js';
import { clip, safe } from './report-text.js';

const WIDTH = 100;
/** How many differing paths and noise paths a route shows by default (`--top N`, `--all`). */
export const DEFAULT_TOP = 10;
const SAMPLES_SHOWN = 5;

export interface RenderOptions {
  readonly colour: boolean;
  /** Differing paths and noise paths shown per route (null: all, and every kept mismatch). Default 10. */
  readonly top?: number | null;
  /** What the two sides are called (default primary and shadow; a replay: recorded and candidate). */
  readonly sides?: { readonly primary: string; readonly shadow: string };
  /** The verdict's thresholds (default: the shadow report's). */
  readonly thresholds?: Partial<Thresholds>;
}

const SIDES = { primary: 'primary', shadow: 'shadow' } as const;

export function wantsColour(io: Io): boolean {
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

/** An example value for the table (shadow/report.ts's exampleText), safe for a terminal. */
function valueText(v: unknown): string {
  return safe(exampleText(v));
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
  if (s.kind === 'replay') return `replay of ${safe(s.files.join(', '))} against ${safe(s.target)}: ${groupDigits(s.lines)} recorded line(s), ${s.routes} route(s)`;
  return s.kind === 'admin'
    ? `admin ${safe(s.url)}: ${s.routes} route(s)`
    : `file  ${safe(s.path)}: ${groupDigits(s.events)} event(s), ${s.routes} route(s)` +
        (s.before > 0 ? `; ${groupDigits(s.before)} came before their route's last shadow config change or reset, not counted` : '');
}

/** The line that says what was left out and how to see it (nothing when nothing was). */
function leftOut(hidden: number, what: string): string[] {
  if (hidden <= 0) return [];
  return [`    … ${groupDigits(hidden)} more ${what} not shown (--all shows every one, --top N the first N)`];
}

/** A curl line to paste, control characters escaped, with what it is for. */
function curlLine(label: string, curl: string | null | undefined, p: Paint): string[] {
  if (curl === null || curl === undefined) return [];
  const text = safe(curl);
  return [p.dim(`      ${label}:`), p.dim(`        ${text}`) + (text !== curl ? p.dim('  # control characters shown escaped') : '')];
}

function routeBlock(report: ShadowReport, p: Paint, top: number | null, opts: RenderOptions): string[] {
  const s = summarize(report, opts.thresholds);
  const side = opts.sides ?? SIDES;
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
  if (s.truncated > 0) out.push(`  ${groupDigits(s.truncated)} comparison(s) stopped at ${DEFAULT_MAX_DIFFERENCES} differences: the paths below undercount what came after`);
  out.push(
    s.matchRate === null
      ? '  match rate -, nothing compared yet'
      : `  match rate ${percentDown(s.match, s.compared)} (${groupDigits(s.match)} of ${groupDigits(s.compared)} compared` +
        // (the verdict counts a shadow error as a non-match; --fail-under's gate leaves it out: say which)
        `${s.shadowError > 0 ? `, shadow errors counted as not matching` : ''})`,
  );

  // Latency
  const lat = [
    ['  latency', 'p50', 'p95', 'p99', 'count'],
    [`    ${side.primary}`, ms(s.latency.primary.p50), ms(s.latency.primary.p95), ms(s.latency.primary.p99), groupDigits(s.latency.primary.count)],
    [`    ${side.shadow}`, ms(s.latency.shadow.p50), ms(s.latency.shadow.p95), ms(s.latency.shadow.p99), groupDigits(s.latency.shadow.count)],
  ];
  const lw = lat[0]!.map((_, c) => Math.max(...lat.map((r) => r[c]!.length)));
  for (const r of lat) out.push(r.map((cell, c) => (c === 0 ? cell.padEnd(lw[c]!) : cell.padStart(lw[c]! + 2))).join('').trimEnd());

  // Top differing paths
  if (s.topPaths.length > 0) {
    const shown = top === null ? s.topPaths : s.topPaths.slice(0, top);
    out.push(`  top differing paths (${shown.length} of ${s.topPaths.length})`);
    const cw = Math.max(5, ...shown.map((t) => groupDigits(t.count).length));
    const paths = shown.map((t) => safe(t.path));
    const pw = Math.min(40, Math.max(4, ...paths.map((x) => x.length)));
    out.push(p.dim(`    ${'count'.padStart(cw)}  ${'path'.padEnd(pw)}  example: ${side.primary} -> ${side.shadow}`));
    shown.forEach((t, i) => {
      const lead = `    ${groupDigits(t.count).padStart(cw)}  ${clip(paths[i]!, pw).padEnd(pw)}  `;
      out.push(lead + pairText(valueText(t.example.primary), valueText(t.example.shadow), WIDTH - lead.length));
      const req = t.example.request;
      if (req !== undefined) out.push(p.dim(clip(`${' '.repeat(cw + 6)}from ${safe(req.method)} ${safe(req.path)}`, WIDTH)));
    });
    out.push(...leftOut(s.topPaths.length - shown.length, 'differing paths'));
  }

  // Noise
  if (s.noisePaths.length > 0) {
    const shown = top === null ? s.noisePaths : s.noisePaths.slice(0, top);
    out.push(`  noise paths, the ${side.primary} disagrees with itself (${shown.length} of ${s.noisePaths.length})`);
    const cw = Math.max(5, ...shown.map((n) => groupDigits(n.count).length));
    for (const n of shown) {
      const lead = `    ${groupDigits(n.count).padStart(cw)}  `;
      out.push(lead + clip(safe(n.path), WIDTH - lead.length));
    }
    out.push(...leftOut(s.noisePaths.length - shown.length, 'noise paths'));
  }

  // Last mismatches
  if (s.samples.length > 0) {
    const shown = top === null ? s.samples : s.samples.slice(0, SAMPLES_SHOWN);
    out.push(`  last mismatches (${shown.length} of ${groupDigits(s.mismatch)}, newest first)`);
    for (const m of shown) {
      const head = `    ${safe(m.at)}  ${safe(m.method)} `;
      const tail = `  ${status(m.primaryStatus)} -> ${status(m.shadowStatus)}`;
      out.push(head + clip(safe(m.path), WIDTH - head.length - tail.length) + tail);
      if (m.differingPaths.length > 0) out.push(clip(`      differs at ${m.differingPaths.map(safe).join(', ')}`, WIDTH));
      out.push(...curlLine('replay through the proxy', m.curl, p));
      out.push(...curlLine(`straight to the ${side.primary}`, m.primaryCurl, p));
      out.push(...curlLine(`straight to the ${side.shadow}`, m.shadowCurl, p));
    }
    const kept = s.samples.length - shown.length;
    if (kept > 0) out.push(`    … ${groupDigits(kept)} more kept mismatches not shown (--all shows them)`);
  }
  return out;
}

export function formatReport(sources: readonly SourceInfo[], reports: readonly ShadowReport[], opts: RenderOptions): string {
  const top = opts.top === undefined ? DEFAULT_TOP : opts.top;
  const p = paint(opts.colour);
  const out: string[] = [];
  out.push(p.bold(`strangler shadow report: ${reports.length} route(s) from ${sources.length} source(s)`));
  for (const s of sources) out.push(p.dim(`  ${sourceLine(s)}`)); // (whole: its counts come after a path of any length)
  if (reports.length === 0) {
    out.push('', 'no shadow comparisons yet (no route has mirrored a request)');
  }
  for (const r of reports) out.push('', ...routeBlock(r, p, top, opts));
  return out.join('\n') + '\n';
}
