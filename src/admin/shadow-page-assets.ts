// GET /shadow's own style and script, inline in the page (no external asset). The script is
// allowed by its hash in SHADOW_PAGE_CSP, so no other script can run on the page.

import { createHash } from 'node:crypto';

export const STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --fg: #1b1f24; --muted: #59636e; --card: #fff;
  --line: #d8dee4; --code: #eef1f4; --ready: #1a7f37; --ready-bg: #dafbe1; --notready: #cf222e;
  --notready-bg: #ffebe9; --nodata: #8a5a00; --nodata-bg: #fff3c4; --noise: #6e7781; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --card: #161b22; --line: #30363d;
    --code: #1f2630; --ready: #3fb950; --ready-bg: #12261a; --notready: #f85149; --notready-bg: #2d1215;
    --nodata: #d29922; --nodata-bg: #2b2111; --noise: #9198a1; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
a { color: inherit; }
.page-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 16px 24px;
  background: var(--card); border-bottom: 1px solid var(--line); }
.page-head h1 { margin: 0; font-size: 20px; }
.page-head .generated { color: var(--muted); }
.page-head .refresh { margin-left: auto; font-weight: 600; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
.overview { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 16px; padding: 0; list-style: none; }
.overview a { display: inline-flex; gap: 8px; align-items: center; padding: 4px 10px; border: 1px solid var(--line);
  border-radius: 999px; background: var(--card); text-decoration: none; }
.empty { padding: 24px; background: var(--card); border: 1px dashed var(--line); border-radius: 8px; color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--nodata);
  border-radius: 8px; padding: 16px 20px 8px; margin: 0 0 20px; }
.card.ready { border-left-color: var(--ready); }
.card.not-ready { border-left-color: var(--notready); }
.card-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
.card-head h2 { margin: 0; font-size: 20px; }
.card-head h2 code { font-size: 20px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 700; font-size: 13px;
  text-transform: uppercase; letter-spacing: .03em; }
.badge.ready { color: var(--ready); background: var(--ready-bg); }
.badge.not-ready { color: var(--notready); background: var(--notready-bg); }
.badge.not-enough-data { color: var(--nodata); background: var(--nodata-bg); }
.verdict-text { margin: 8px 0 2px; font-size: 17px; font-weight: 600; }
.since { margin: 0 0 12px; color: var(--muted); font-size: 13px; }
.no-data { margin: 8px 0 12px; color: var(--muted); font-style: italic; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 0 0 8px; padding: 0; }
.stat { min-width: 110px; padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px; margin: 0; }
.stat dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.stat dd { margin: 0; font-size: 20px; font-weight: 700; font-variant-numeric: tabular-nums; }
.stat.rate dd { font-size: 26px; }
.stat .detail { display: block; font-size: 12px; font-weight: 400; color: var(--muted); }
.stat.bad dd { color: var(--notready); }
h3 { margin: 18px 0 6px; font-size: 15px; }
h3 .hint { font-weight: 400; color: var(--muted); font-size: 13px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; vertical-align: top; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
tbody th { color: var(--fg); font-size: 13px; text-transform: none; letter-spacing: 0; }
td.num, th.num { text-align: right; }
table.latency { width: auto; }
table.latency td, table.latency th { padding-right: 24px; }
.value { display: block; word-break: break-all; }
.value .side { display: inline-block; width: 64px; color: var(--muted); font-family: system-ui, sans-serif; font-size: 12px; }
.noise-list code { color: var(--noise); }
.samples { list-style: none; padding: 0; margin: 0; }
.sample { border-top: 1px solid var(--line); padding: 8px 0; }
.sample-head { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; }
.sample-head .req { font-weight: 600; word-break: break-all; }
.sample-head .when { color: var(--muted); font-size: 13px; }
.status-pair { font-size: 13px; }
.status-pair .diff { color: var(--notready); font-weight: 700; }
.sample .paths { margin: 4px 0; font-size: 13px; }
.sample .paths code { margin-right: 8px; }
.curl { display: flex; gap: 8px; align-items: flex-start; }
.curl pre { flex: 1; margin: 0; padding: 8px 10px; background: var(--code); border-radius: 6px;
  white-space: pre-wrap; word-break: break-all; user-select: all; }
.curl button { font: inherit; font-size: 12px; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--card); color: var(--fg); cursor: pointer; }
.muted { color: var(--muted); }
`;

export const SCRIPT = `
document.querySelectorAll('button[data-copy]').forEach(function (b) { b.hidden = false; });
document.addEventListener('click', function (e) {
  var b = e.target instanceof Element ? e.target.closest('button[data-copy]') : null;
  if (!b) return;
  var el = document.getElementById(b.getAttribute('data-copy'));
  if (!el) return;
  function say(text) { b.textContent = text; setTimeout(function () { b.textContent = 'copy'; }, 1500); }
  function select() { var r = document.createRange(); r.selectNodeContents(el); var s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(el.textContent).then(function () { say('copied'); }, function () { select(); say('press Ctrl+C'); });
  } else { select(); say('press Ctrl+C'); }
});
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The Content-Security-Policy GET /shadow is served with: nothing external, only our own script. */
export const SHADOW_PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
