// The page family's shared additions to the shadow page's style (shadow-page-assets.ts): the
// navigation between the dashboard and the shadow report, and the dashboard's own parts (the
// progress figures and chart, the route table, reloads, the ready list, the route detail with
// its side-by-side bodies). Both pages carry STYLE + FAMILY_STYLE, so they look alike.

export const FAMILY_STYLE = `
body.wide main { max-width: 1480px; }
.family { display: flex; gap: 4px; }
.family a { padding: 2px 10px; border-radius: 999px; text-decoration: none; color: var(--muted); font-weight: 600; }
.family a[aria-current="page"] { color: var(--fg); background: var(--code); }
.card-head .to-dashboard { margin-left: auto; font-size: 13px; }
.page-head .state { margin-left: auto; color: var(--muted); font-size: 13px; }
.page-head .state.bad { color: var(--notready); font-weight: 600; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 20px; margin: 0 0 20px; }
.panel > h2 { margin: 0 0 10px; font-size: 17px; }
.progress-grid { display: flex; flex-wrap: wrap; gap: 16px; align-items: stretch; }
.progress-grid .stats { flex: 1 1 360px; }
.chart { flex: 1 1 420px; min-width: 280px; margin: 0; }
.chart svg { width: 100%; height: 140px; display: block; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .area { fill: var(--ready-bg); stroke: none; }
.chart .line { fill: none; stroke: var(--ready); stroke-width: 2; }
.chart figcaption { font-size: 12px; }
.chart text { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
.badge.st-legacy { color: var(--muted); background: var(--code); }
.badge.st-shadowing { color: var(--nodata); background: var(--nodata-bg); }
.badge.st-canary { color: #0969da; background: #ddf4ff; }
.badge.st-cut-over { color: var(--ready); background: var(--ready-bg); }
table.routes td { font-size: 13px; }
table.routes td .line { display: block; white-space: nowrap; }
table.routes td.canary .line { white-space: normal; min-width: 12em; max-width: 22em; }
table.routes td .side { color: var(--muted); }
table.routes a.route { font-weight: 700; }
.ready-list, .reloads { list-style: none; margin: 0; padding: 0; }
.ready-list li { padding: 6px 0; font-weight: 600; color: var(--ready); }
.reloads li { padding: 6px 0; border-top: 1px solid var(--line); }
.reloads li:first-child { border-top: 0; }
.reloads .changes { margin: 4px 0 0 18px; padding: 0; }
.reloads .result { font-weight: 700; }
.reloads .result.bad { color: var(--notready); }
.back { display: inline-block; margin: 0 0 12px; }
.sample .open { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--card); color: var(--fg); cursor: pointer; }
details.curls > summary { cursor: pointer; color: var(--muted); font-size: 13px; margin: 2px 0; }
.sbs { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin: 8px 0; }
.sbs[hidden] { display: none; }
.pane { min-width: 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.pane-head { padding: 4px 10px; background: var(--code); font-size: 13px; }
.pane pre { margin: 0; padding: 6px 0; max-height: 480px; overflow: auto; }
.pane .ln { display: block; padding: 0 10px; white-space: pre-wrap; word-break: break-all; min-height: 1.2em; }
.pane .ln.hl { background: var(--notready-bg); color: var(--notready); font-weight: 600; }
.pane .note { padding: 4px 10px; color: var(--muted); font-size: 12px; }
.empty-row td { color: var(--muted); font-style: italic; }
`;
