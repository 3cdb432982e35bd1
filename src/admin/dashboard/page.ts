// GET /: the migration dashboard. The page itself is a fixed shell (no data in it); its one
// inline script (client-*.ts) fetches the data as JSON from the admin origin and draws it, then
// updates it in place every few seconds. Self-contained like GET /shadow (same style, same
// kind of CSP): inline CSS and script, an inline SVG chart, no external asset, no web font; the
// script is allowed by its hash and may only fetch from the admin origin itself.

import { createHash } from 'node:crypto';
import { SCRIPT as COPY_SCRIPT, STYLE } from '../shadow-page-assets.js';
import { CLIENT_BODIES } from './client-bodies.js';
import { CLIENT_DETAIL } from './client-detail.js';
import { CLIENT_DOM } from './client-dom.js';
import { CLIENT_MAIN } from './client-main.js';
import { CLIENT_OVERVIEW } from './client-overview.js';
import { familyNav } from './layout.js';
import { FAMILY_STYLE } from './style.js';

const SCRIPT = `(function () {\n'use strict';\n${CLIENT_DOM}${CLIENT_OVERVIEW}${CLIENT_BODIES}${CLIENT_DETAIL}${CLIENT_MAIN}})();\n${COPY_SCRIPT}`;
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The dashboard's Content-Security-Policy: nothing external, only its own script, fetches to its own origin. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const figure = (id: string, label: string): string =>
  `<div class="stat rate" id="${id}"><dt>${label}</dt><dd><span class="v">—</span><span class="detail"></span></dd></div>`;

const table = (id: string, heads: readonly string[], num: readonly number[] = []): string =>
  '<div class="table-wrap"><table><thead><tr>' +
  heads.map((t, i) => `<th${num.includes(i) ? ' class="num"' : ''}>${t}</th>`).join('') +
  `</tr></thead><tbody id="${id}"></tbody></table></div>`;

const OVERVIEW =
  '<section id="overview">' +
  '<section class="panel" aria-labelledby="progress-title"><h2 id="progress-title">Progress of the migration</h2>' +
  '<div class="progress-grid"><dl class="stats">' +
  figure('p-5m', 'last 5 minutes') + figure('p-start', 'since start') + figure('p-routes', 'routes cut over') +
  '</dl><figure class="chart"><svg id="chart-svg" viewBox="0 0 600 140" preserveAspectRatio="none" role="img" aria-labelledby="chart-title"></svg>' +
  '<figcaption class="muted" id="chart-title"></figcaption></figure></div>' +
  '<p class="since" id="legacy-name"></p></section>' +
  '<section class="panel" id="ready-panel" hidden aria-labelledby="ready-title"><h2 id="ready-title">Ready</h2><ul class="ready-list" id="ready-list"></ul></section>' +
  '<section class="panel" aria-labelledby="routes-title"><h2 id="routes-title">Routes <span class="muted" id="routes-count"></span></h2>' +
  '<div class="table-wrap"><table class="routes"><thead><tr>' +
  '<th>route</th><th>stage</th><th>answered by</th><th>sides</th><th class="num">req/s</th><th class="num">errors</th><th class="num">p99</th>' +
  '<th>shadow</th><th>canary</th><th>breaker</th><th class="num">fallbacks</th>' +
  '</tr></thead><tbody id="route-rows"></tbody></table></div>' +
  '<p class="since">req/s, errors and p99 per side over the last 5 minutes; click a route for its shadow report.</p></section>' +
  '<section class="panel" aria-labelledby="reloads-title"><h2 id="reloads-title">Last reloads</h2>' +
  '<p class="muted" id="reloads-empty">no reload since start</p><ul class="reloads" id="reloads"></ul></section>' +
  '</section>';

const DETAIL =
  '<section id="detail" hidden><a class="back" href="#">← all routes</a>' +
  '<section class="card panel"><header class="card-head"><h2><code id="d-route"></code></h2>' +
  '<span class="badge" id="d-stage"></span><span class="badge" id="d-verdict"></span></header>' +
  '<p class="since" id="d-facts"></p>' +
  '<p class="no-data" id="d-no-shadow" hidden>This route does not shadow: add a <code>shadow:</code> block to compare a new service with the one answering.</p>' +
  '<div id="d-shadow" hidden><p class="verdict-text" id="d-verdict-text"></p><p class="since" id="d-since"></p>' +
  '<dl class="stats" id="d-stats"></dl>' +
  '<h3>Latency</h3>' + table('d-latency', ['', 'primary', 'shadow'], [1, 2]).replace('<table>', '<table class="latency">') +
  '<h3>Endpoints <span class="hint">(where the last 20 mismatches and each differing path\'s example were, grouped by template: which endpoints differ, not how often; the counts are under Differing paths)</span></h3>' +
  '<p class="muted" id="d-templates-empty">no mismatch yet</p>' + table('d-templates', ['endpoint', 'in those', 'distinct paths', 'example'], [1, 2]) +
  '<h3>Differing paths <span class="hint">(requests that differed there, most first)</span></h3>' +
  '<p class="muted" id="d-paths-empty">none</p>' + table('d-paths', ['path', 'requests', 'example', 'primary', 'shadow'], [1]) +
  '<h3>Last mismatches <span class="hint">(newest first; open one to see both bodies side by side)</span></h3>' +
  '<p class="muted" id="d-samples-empty">none</p><ul class="samples" id="d-samples"></ul>' +
  '</div></section></section>';

/** The whole page (the same every time: the data comes from the script's fetches). */
export function renderDashboardPage(): string {
  return (
    '<!doctype html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    '<title>Migration · strangler</title>' +
    `<style>${STYLE}${FAMILY_STYLE}</style></head><body class="wide">` +
    `<header class="page-head"><h1>Migration</h1>${familyNav('dashboard')}` +
    '<span class="generated" id="generated"></span><span class="state" id="live" role="status">loading…</span></header>' +
    `<main>${OVERVIEW}${DETAIL}</main>` +
    '<noscript><p class="empty">The dashboard draws its figures with JavaScript: GET /status has them as JSON, GET /shadow the shadow report as a page.</p></noscript>' +
    `<script>${SCRIPT}</script>` +
    '</body></html>\n'
  );
}
