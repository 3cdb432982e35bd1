// GET /shadow: the shadow report as one HTML page, for a person watching a cutover. Pure: the
// reports and the clock come in, a string goes out (no I/O, no Date.now()).
//
// Self-contained so it works offline and behind any firewall: inline CSS, one small inline
// script (the optional copy buttons; the page reads fine without it), no external asset, no
// web font. Every value that comes from a report (routes, paths, JSON values, curl lines,
// reasons) goes through escapeHtml, in text and in attributes alike. The page's own script is
// allowed by its hash in SHADOW_PAGE_CSP, so even a missed escape could not run a script.
//
// Per route, a card: the verdict (colour-coded) and its sentence, the match rate, the counts
// (mirrored, match, mismatch, shadow errors, skipped by reason), latency p50/p95/p99 primary
// vs shadow, the JSON paths that differ most (count and one example pair), the noise paths
// (listed apart: the primary disagrees with itself there, so they are not mismatches), and the
// last mismatches with their curl lines (through the proxy, straight to the primary, straight to
// the shadow); each differing path's example names the request that produced it. A route with nothing compared says "no comparisons yet".

import { groupDigits, percentDown } from '../shadow/format.js';
import { exampleText, type ShadowReport } from '../shadow/report.js';
import { DEFAULT_MAX_DIFFERENCES } from '../shadow/diff.js';
import { SCRIPT, STYLE } from './shadow-page-assets.js';
import { familyNav } from './dashboard/layout.js';
import { FAMILY_STYLE } from './dashboard/style.js';

export { SHADOW_PAGE_CSP } from './shadow-page-assets.js';
import { summarize, type LatencySummary, type ReportSummary, type Thresholds } from '../shadow/summary.js';

export interface ShadowPageOptions {
  /** Verdict thresholds (summary.ts defaults otherwise). */
  readonly thresholds?: Partial<Thresholds>;
}

// ---------------------------------------------------------------------------------------------
// Escaping and formatting

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML text and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const esc = escapeHtml;

/** An ISO time as "2025-01-31 14:02:09 UTC" (locale-free); unparseable text as it is. */
function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function timeTag(iso: string): string {
  return `<time datetime="${esc(iso)}">${esc(formatTime(iso))}</time>`;
}

function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${groupDigits(Math.round(ms))} ms`;
}

/** Both percentiles read from one histogram bucket (histogram.ts: ~9% wide) are equal only to
 *  within that width: never a difference of exactly 0 ms. */
function formatDeltaMs(primary: number | null, shadow: number | null): string {
  if (primary === null || shadow === null) return '—';
  const d = shadow - primary;
  const text = formatMs(Math.abs(d));
  return d > 0 ? `+${text}` : d < 0 ? `−${text}` : 'within ~9%';
}


function plural(n: number, one: string, many: string): string {
  return `${groupDigits(n)} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// Parts of a card

const VERDICT_CLASS: Record<ReportSummary['verdict'], string> = {
  ready: 'ready',
  'not ready': 'not-ready',
  'not enough data': 'not-enough-data',
};

function badge(s: ReportSummary): string {
  return `<span class="badge ${VERDICT_CLASS[s.verdict]}">${esc(s.verdict)}</span>`;
}

function stat(label: string, value: string, opts: { cls?: string; detail?: string } = {}): string {
  const detail = opts.detail === undefined ? '' : `<span class="detail">${opts.detail}</span>`;
  return `<div class="stat${opts.cls ? ' ' + opts.cls : ''}"><dt>${esc(label)}</dt><dd>${value}${detail}</dd></div>`;
}

function stats(s: ReportSummary): string {
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(s.skipped)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([reason, n]) => `${esc(reason)} ${esc(groupDigits(n))}`)
    .join(', ');
  const rate = s.compared === 0 ? '—' : percentDown(s.match, s.compared);
  return (
    '<dl class="stats">' +
    stat('match rate', esc(rate), { cls: 'rate', detail: esc(`${groupDigits(s.match)} of ${groupDigits(s.compared)} compared`) }) +
    stat('mirrored', esc(groupDigits(s.mirrored))) +
    stat('match', esc(groupDigits(s.match))) +
    stat('mismatch', esc(groupDigits(s.mismatch)), {
      cls: s.mismatch > 0 ? 'bad' : '',
      ...(s.truncated > 0 ? { detail: esc(`${groupDigits(s.truncated)} stopped at ${DEFAULT_MAX_DIFFERENCES} differences: the paths undercount past it`) } : {}),
    }) +
    stat('shadow errors', esc(groupDigits(s.shadowError)), { cls: s.shadowError > 0 ? 'bad' : '' }) +
    stat('skipped', esc(groupDigits(skippedTotal)), reasons === '' ? {} : { detail: reasons }) +
    '</dl>'
  );
}

function latencyRow(name: string, p: (l: LatencySummary) => number | null, s: ReportSummary): string {
  const a = p(s.latency.primary);
  const b = p(s.latency.shadow);
  return `<tr><th scope="row">${esc(name)}</th><td class="num">${esc(formatMs(a))}</td><td class="num">${esc(formatMs(b))}</td><td class="num">${esc(formatDeltaMs(a, b))}</td></tr>`;
}

function latency(s: ReportSummary): string {
  if (s.latency.primary.count === 0 && s.latency.shadow.count === 0) return '';
  return (
    '<h3>Latency</h3><div class="table-wrap"><table class="latency">' +
    '<thead><tr><th></th><th class="num">primary</th><th class="num">shadow</th><th class="num">shadow − primary</th></tr></thead><tbody>' +
    latencyRow('p50', (l) => l.p50, s) +
    latencyRow('p95', (l) => l.p95, s) +
    latencyRow('p99', (l) => l.p99, s) +
    `<tr><th scope="row">samples</th><td class="num">${esc(groupDigits(s.latency.primary.count))}</td><td class="num">${esc(groupDigits(s.latency.shadow.count))}</td><td></td></tr>` +
    '</tbody></table></div>'
  );
}

function topPaths(s: ReportSummary): string {
  if (s.topPaths.length === 0) return '';
  const rows = s.topPaths
    .map((p) => {
      const ex = p.example;
      return (
        '<tr>' +
        `<td><code>${esc(p.path)}</code></td>` +
        `<td class="num">${esc(groupDigits(p.count))}</td>` +
        `<td><span class="muted">${esc(ex.kind)}</span> at <code>${esc(ex.path)}</code>` +
        (ex.request === undefined ? '' : ` <span class="muted">from</span> <code>${esc(ex.request.method)} ${esc(ex.request.path)}</code>`) +
        '</td>' +
        `<td class="mono"><span class="value"><span class="side">primary</span>${esc(exampleText(ex.primary))}</span>` +
        `<span class="value"><span class="side">shadow</span>${esc(exampleText(ex.shadow))}</span></td>` +
        '</tr>'
      );
    })
    .join('');
  return (
    '<h3>Differing paths <span class="hint">(requests that differed there, most first)</span></h3>' +
    '<div class="table-wrap"><table class="paths"><thead><tr><th>path</th><th class="num">requests</th><th>example</th><th>primary vs shadow</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div>`
  );
}

function noisePaths(s: ReportSummary): string {
  if (s.noisePaths.length === 0) return '';
  const rows = s.noisePaths
    .map((n) => `<tr><td><code>${esc(n.path)}</code></td><td class="num">${esc(groupDigits(n.count))}</td></tr>`)
    .join('');
  return (
    '<h3>Noise <span class="hint">(the primary disagrees with itself here: not counted as mismatches)</span></h3>' +
    `<div class="table-wrap"><table class="noise-list"><thead><tr><th>noise path</th><th class="num">requests</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

function statusText(n: number | null): string {
  return n === null ? '—' : String(n);
}

/** One copyable curl line with what it is for; nothing when there is none. */
function curlLine(id: string, label: string, curl: string | null | undefined): string {
  if (curl === null || curl === undefined) return '';
  return `<div class="muted">${esc(label)}</div><div class="curl"><pre id="${esc(id)}">${esc(curl)}</pre><button type="button" data-copy="${esc(id)}" hidden>copy</button></div>`;
}

function samples(s: ReportSummary, cardId: string): string {
  if (s.samples.length === 0) return '';
  const items = s.samples
    .map((m, i) => {
      const curlId = `${cardId}-curl-${i + 1}`;
      const differ = m.primaryStatus !== m.shadowStatus ? ' diff' : '';
      const paths =
        m.differingPaths.length === 0 ? '' : `<div class="paths"><span class="muted">differs at</span> ${m.differingPaths.map((p) => `<code>${esc(p)}</code>`).join(' ')}</div>`;
      const curl =
        m.curl === null && (m.primaryCurl ?? null) === null && (m.shadowCurl ?? null) === null
          ? '<div class="muted">no replay command recorded</div>'
          : curlLine(`${curlId}-proxy`, 'through the proxy', m.curl) +
            curlLine(`${curlId}-primary`, 'straight to the primary', m.primaryCurl) +
            curlLine(`${curlId}-shadow`, 'straight to the shadow', m.shadowCurl);
      return (
        '<li class="sample">' +
        '<div class="sample-head">' +
        `<span class="req mono">${esc(m.method)} ${esc(m.path)}</span>` +
        `<span class="status-pair">primary <b>${esc(statusText(m.primaryStatus))}</b> · shadow <b class="${differ.trim()}">${esc(statusText(m.shadowStatus))}</b></span>` +
        `<span class="when">${timeTag(m.at)}</span>` +
        '</div>' +
        paths +
        curl +
        '</li>'
      );
    })
    .join('');
  return `<h3>Last mismatches <span class="hint">(newest first, ${esc(plural(s.samples.length, 'sample', 'samples'))})</span></h3><ul class="samples">${items}</ul>`;
}

function card(s: ReportSummary, index: number): string {
  const id = `route-${index + 1}`;
  const cls = VERDICT_CLASS[s.verdict];
  const head =
    `<header class="card-head"><h2 id="${id}-title"><code>${esc(s.route)}</code></h2>${badge(s)}` +
    `<a class="to-dashboard" href="/#route=${esc(encodeURIComponent(s.route))}">on the dashboard</a></header>` +
    `<p class="verdict-text">${esc(s.verdictText)}</p>` +
    `<p class="since">counting since ${timeTag(s.since)}</p>`;
  let body: string;
  if (s.compared === 0) {
    body = '<p class="no-data">no comparisons yet</p>' + (s.mirrored > 0 ? stats(s) + latency(s) : '');
  } else {
    body = stats(s) + latency(s) + topPaths(s) + noisePaths(s) + samples(s, id);
  }
  return `<section class="card ${cls}" id="${id}" aria-labelledby="${id}-title" data-route="${esc(s.route)}">${head}${body}</section>`;
}

function overview(summaries: readonly ReportSummary[]): string {
  if (summaries.length < 2) return '';
  const items = summaries
    .map((s, i) => `<li><a href="#route-${i + 1}"><code>${esc(s.route)}</code>${badge(s)}</a></li>`)
    .join('');
  return `<nav aria-label="routes"><ul class="overview">${items}</ul></nav>`;
}

// ---------------------------------------------------------------------------------------------

/**
 * The whole page. `reports`: the shadow reports to show, one per route in the order shown
 * (as mergeByRoute gives them, with an empty report for a route that shadows but has no data
 * yet). `now`: when the page was generated (shown in the header).
 */
export function renderShadowPage(reports: readonly ShadowReport[], now: Date, options: ShadowPageOptions = {}): string {
  const summaries = reports.map((r) => summarize(r, options.thresholds));
  const generated = now.toISOString();
  const content =
    summaries.length === 0
      ? '<p class="empty">No route shadows traffic. Add a <code>shadow:</code> block to a route in routes.yaml to compare a new service against the live one.</p>'
      : overview(summaries) + summaries.map(card).join('');
  return (
    '<!doctype html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    '<title>Shadow report · strangler</title>' +
    `<style>${STYLE}${FAMILY_STYLE}</style></head><body>` +
    `<header class="page-head"><h1>Shadow report</h1>${familyNav('shadow')}` +
    `<span class="generated">generated ${timeTag(generated)}</span>` +
    '<a class="refresh" href="">↻ Refresh</a></header>' +
    `<main>${content}</main>` +
    `<script>${SCRIPT}</script>` +
    '</body></html>\n'
  );
}
