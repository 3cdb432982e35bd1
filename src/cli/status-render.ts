// `strangler status`'s terminal view of a MigrationStatus: the progress, one table row per side of
// each route (the route's stage, shadow, canary, breaker and fallbacks on its first row), what is
// ready to cut over and the last reloads. Colour only when asked (a TTY without NO_COLOR); text
// that came from the file or the network has its control characters escaped. Pure.

import { groupDigits } from '../shadow/format.js';
import type { MigrationStatus, RouteStatus, ShareWindow, SideStatus, Stage } from '../status/types.js';
import { clip, safe } from './report-text.js';

const RELOADS_SHOWN = 5;

function pct(v: number | null): string {
  return v === null ? '-' : `${(Math.floor(v * 1000) / 10).toFixed(1)}%`;
}

function shareText(w: ShareWindow): string {
  return w.share === null ? 'no requests' : `${pct(w.share)} (${groupDigits(w.nonLegacy)} of ${groupDigits(w.requests)})`;
}

function ms(v: number | null): string {
  if (v === null) return '-';
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

function shadowText(r: RouteStatus): string {
  const s = r.shadow;
  if (s === null) return '-';
  return `${s.verdict}, ${pct(s.matchRate)} of ${groupDigits(s.compared)}`;
}

function canaryText(r: RouteStatus): string {
  const c = r.canary;
  if (c === null) return '-';
  if (c.halted !== null) return `halted at ${c.percent}%`;
  const p = c.progress;
  return p === null ? `${c.percent}%` : `${p.state}, step ${p.step + 1}/${p.steps.length} (${p.percent}%)`;
}

function breakerText(r: RouteStatus): string {
  const b = r.breaker;
  if (b === null) return '-';
  return b.canary === null ? b.primary : `${b.primary}/${b.canary}`;
}

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  stage(stage: Stage, s: string): string;
}

function paint(colour: boolean): Paint {
  const sgr = (code: string) => (s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const green = sgr('32');
  const stageCode: Record<Stage, string> = { legacy: '33', shadowing: '36', canary: '35', 'cut over': '32' };
  return { bold: sgr('1'), dim: sgr('2'), green, red: sgr('31'), stage: (stage, s) => sgr(stageCode[stage])(s) };
}

const HEAD = ['ROUTE', 'STAGE', 'SIDE', 'UPSTREAM', 'REQ/S', 'ERRORS', 'P99', 'SHADOW', 'CANARY', 'BREAKER', 'FALLBACKS'];

/** Rows of plain cells (padding is measured on them, colour is added after). */
function rowsOf(r: RouteStatus): { cells: string[]; side: SideStatus | null }[] {
  const sides: (SideStatus | null)[] = r.sides.length === 0 ? [null] : [...r.sides];
  return sides.map((s, i) => ({
    side: s,
    cells: [
      i === 0 ? clip(safe(r.label), 30) : '',
      i === 0 ? r.stageText : '',
      s?.role ?? '-',
      clip(safe(s?.upstream ?? r.upstream), 20),
      s === null ? '-' : s.rps.toFixed(2),
      s === null ? '-' : s.fellBack > 0 ? `${pct(s.errorRate)} (${groupDigits(s.fellBack)} fell back)` : pct(s.errorRate),
      s === null ? '-' : ms(s.p99Ms),
      i === 0 ? shadowText(r) : '',
      i === 0 ? canaryText(r) : '',
      i === 0 ? breakerText(r) : '',
      i === 0 ? groupDigits(r.fallbacks) : '',
    ],
  }));
}

export function formatStatus(s: MigrationStatus, opts: { readonly colour: boolean; readonly sources: readonly string[] }): string {
  const p = paint(opts.colour);
  const out: string[] = [];
  const legacy = s.legacyUpstream === null ? 'none (every route not in canary counts as cut over)' : safe(s.legacyUpstream);
  out.push(p.bold(`migration status, version ${safe(s.version)}`) + p.dim(`  (${opts.sources.map(safe).join(', ')}, ${s.generatedAt})`));
  out.push(`legacy upstream: ${legacy}`);
  const { last5m, sinceStart, routes } = s.progress;
  out.push(`answered off legacy: ${shareText(last5m)} over the last 5 minutes, ${shareText(sinceStart)} since start`);
  out.push(`routes cut over: ${routes.cutOver} of ${routes.total}${routes.share === null ? '' : ` (${pct(routes.share)})`}`);
  out.push('');

  const table = s.routes.map((r) => ({ r, rows: rowsOf(r) }));
  const widths = HEAD.map((h, c) => Math.max(h.length, ...table.flatMap((t) => t.rows.map((row) => row.cells[c]!.length))));
  const line = (cells: string[], colour: (c: number, text: string) => string): string =>
    cells.map((text, c) => colour(c, c === cells.length - 1 ? text : text.padEnd(widths[c]!))).join('  ').trimEnd();
  out.push(p.bold(line(HEAD, (_c, t) => t)));
  for (const { r, rows } of table) {
    for (const row of rows) {
      out.push(line(row.cells, (c, t) => {
        if (c === 1) return p.stage(r.stage, t);
        if (c === 5 && (row.side?.errorRate ?? 0) > 0) return p.red(t);
        return t;
      }));
    }
  }

  out.push('');
  if (s.ready.length === 0) out.push(p.dim('ready to cut over: nothing yet'));
  else for (const x of s.ready) out.push(p.green(safe(x.text)));

  if (s.reloads.length > 0) {
    out.push('', p.bold('last reloads'));
    for (const r of s.reloads.slice(0, RELOADS_SHOWN)) {
      out.push(`  ${r.at}  ${r.result} (${r.trigger})${r.changes.length === 0 ? '' : ':'}`);
      for (const c of r.changes) out.push(`    ${clip(safe(c), 120)}`);
    }
  }
  return out.join('\n') + '\n';
}
