// The dashboard's client script, part 2: the overview drawn from GET /status (MigrationStatus,
// src/status/types.ts): the migration's progress with its chart, one row per route, what is
// ready, the last reloads. Every part is updated in place (client-dom.ts's sync and setText).

export const CLIENT_OVERVIEW = String.raw`
function shareFigure(id, w, what) {
  var box = byId(id);
  setText(box.querySelector('.v'), pct(w.share));
  setText(box.querySelector('.detail'), w.requests === 0 ? 'no requests yet' : groupDigits(w.nonLegacy) + ' of ' + groupDigits(w.requests) + ' ' + what);
}
function drawProgress(s) {
  var p = s.progress;
  shareFigure('p-5m', p.last5m, 'requests answered by new services');
  shareFigure('p-start', p.sinceStart, 'requests answered by new services');
  var r = byId('p-routes');
  setText(r.querySelector('.v'), pct(p.routes.share));
  setText(r.querySelector('.detail'), groupDigits(p.routes.cutOver) + ' of ' + groupDigits(p.routes.total) + ' routes cut over');
  setText(byId('legacy-name'), s.legacyUpstream == null ? 'no legacy upstream named' : 'legacy upstream: ' + s.legacyUpstream);
  drawChart(p.series);
}
/** The share answered by non-legacy upstreams over time (one point per 10 s), 0..100%. */
function drawChart(series) {
  var W = 600, H = 140, L = 34, B = 18, T = 6;
  var root = byId('chart-svg');
  if (!root.firstChild) {
    [0, 0.5, 1].forEach(function (f) {
      var y = T + (H - T - B) * (1 - f);
      root.appendChild(svg('line', { 'class': 'grid', x1: L, x2: W, y1: y, y2: y }));
      var t = svg('text', { x: 0, y: y + 4 }); t.textContent = (f * 100) + '%'; root.appendChild(t);
    });
    root.appendChild(svg('path', { 'class': 'area', id: 'chart-area' }));
    root.appendChild(svg('path', { 'class': 'line', id: 'chart-line' }));
    root.appendChild(svg('text', { id: 'chart-from', x: L, y: H - 4 }));
    root.appendChild(svg('text', { id: 'chart-to', x: W, y: H - 4, 'text-anchor': 'end' }));
  }
  var n = series.length, line = '', area = '', open = false, first = null, lastX = 0;
  // One point (the first 10 s): drawn flat across.
  if (n === 1) series = [series[0], series[0]];
  var x = function (i) { return L + (W - L) * i / Math.max(1, series.length - 1); };
  var y = function (f) { return T + (H - T - B) * (1 - f); };
  series.forEach(function (pt, i) {
    if (pt.requests === 0) {
      if (open) area += 'L' + lastX.toFixed(1) + ',' + y(0) + 'L' + first.toFixed(1) + ',' + y(0) + 'Z';
      open = false; return;
    }
    var px = x(i), py = y(pt.nonLegacy / pt.requests);
    if (!open) { line += 'M'; area += 'M'; first = px; } else { line += 'L'; area += 'L'; }
    line += px.toFixed(1) + ',' + py.toFixed(1); area += px.toFixed(1) + ',' + py.toFixed(1);
    open = true; lastX = px;
  });
  if (open) area += 'L' + lastX.toFixed(1) + ',' + y(0) + 'L' + first.toFixed(1) + ',' + y(0) + 'Z';
  setAttr(byId('chart-line'), 'd', line || 'M0,0');
  setAttr(byId('chart-area'), 'd', area || 'M0,0');
  setText(byId('chart-from'), n === 0 ? '' : clock(series[0].at).slice(11, 19));
  setText(byId('chart-to'), n === 0 ? 'no traffic yet' : clock(series[n - 1].at).slice(11, 19));
  setText(byId('chart-title'), n === 0 ? 'share answered by new services over time: no data yet'
    : 'share answered by new services over time, ' + clock(series[0].at) + ' to ' + clock(series[n - 1].at));
}
var ROUTE_COLUMNS = 11;
function makeRouteRow() {
  var tr = h('tr');
  for (var i = 0; i < ROUTE_COLUMNS; i++) tr.appendChild(h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : null));
  var a = h('a', { cls: 'route' }, [h('code')]);
  tr.cells[0].appendChild(a);
  tr.cells[0].appendChild(h('span', { cls: 'line muted host' }));
  tr.cells[1].appendChild(h('span', { cls: 'badge' }));
  [4, 5, 6, 10].forEach(function (c) { tr.cells[c].className = 'num'; });
  tr.cells[8].className = 'canary';
  return tr;
}
function sideLabel(sd) { return sd.upstream + (sd.role === 'primary' ? '' : ' (' + sd.role + ')'); }
/** A canary's percent and upstream, its state and step; a climbing one: why it held last, when it is checked next. */
function canaryLines(cn) {
  if (cn == null) return ['—'];
  var p = cn.progress, out = [cn.percent + '% → ' + cn.upstream];
  out.push(cn.halted ? 'halted: ' + cn.halted.reason : p ? p.state + ', step ' + (p.step + 1) + ' of ' + p.steps.length : 'fixed');
  if (cn.halted || !p) return out;
  if (p.state === 'climbing' && p.last && p.last.result === 'held') out.push('held: ' + p.last.reason);
  if (p.nextCheckAt) out.push('next check ' + clock(p.nextCheckAt).slice(11));
  return out;
}
function fillRouteRow(tr, r) {
  var c = tr.cells, a = c[0].querySelector('a');
  setAttr(a, 'href', routeHref(r.label));
  setText(a.firstChild, r.prefix);
  setText(c[0].querySelector('.host'), r.host == null ? '' : 'host ' + r.host);
  setText(c[1].firstChild, r.stageText); setCls(c[1].firstChild, stageClass(r.stage));
  setText(c[2], r.upstream);
  lines(c[3], r.sides.length ? r.sides.map(sideLabel) : ['no requests yet']);
  lines(c[4], r.sides.map(function (sd) { return rps(sd.rps); }));
  lines(c[5], r.sides.map(function (sd) { return pct(sd.errorRate) + (sd.fellBack > 0 ? ' (' + sd.fellBack + ' fell back)' : ''); }));
  lines(c[6], r.sides.map(function (sd) { return ms(sd.p99Ms); }));
  lines(c[7], r.shadow == null ? ['—'] : [r.shadow.verdict + ' · ' + pct(r.shadow.matchRate) + ' match',
    groupDigits(r.shadow.compared) + ' compared → ' + r.shadow.upstream]);
  lines(c[8], canaryLines(r.canary));
  lines(c[9], r.breaker == null ? ['—'] : ['primary ' + r.breaker.primary].concat(r.breaker.canary == null ? [] : ['canary ' + r.breaker.canary]));
  setText(c[10], groupDigits(r.fallbacks));
}
function drawRoutes(s) {
  sync(byId('route-rows'), s.routes, function (r) { return (r.host || '') + ' ' + r.prefix; }, makeRouteRow, fillRouteRow);
  setText(byId('routes-count'), '(' + s.routes.length + ')');
}
function drawReady(s) {
  byId('ready-panel').hidden = s.ready.length === 0;
  sync(byId('ready-list'), s.ready, function (x) { return x.route; }, function () { return h('li'); }, function (li, x) { setText(li, x.text); });
}
function drawReloads(s) {
  byId('reloads-empty').hidden = s.reloads.length > 0;
  sync(byId('reloads'), s.reloads, function (x) { return x.at + ' ' + x.trigger; }, function () {
    return h('li', null, [h('time'), ' ', h('span', { cls: 'result' }), ' ', h('span', { cls: 'muted trigger' }), h('ul', { cls: 'changes' })]);
  }, function (li, x) {
    setText(li.querySelector('time'), clock(x.at)); setAttr(li.querySelector('time'), 'datetime', x.at);
    var res = li.querySelector('.result');
    setText(res, x.result); setCls(res, 'result' + (x.result === 'success' || x.result === 'unchanged' ? '' : ' bad'));
    setText(li.querySelector('.trigger'), 'by ' + x.trigger);
    sync(li.querySelector('.changes'), x.changes.length ? x.changes : ['no change'], function (_t, i) { return i; },
      function () { return h('li'); }, setText);
  });
}
function drawOverview(s) {
  drawProgress(s); drawRoutes(s); drawReady(s); drawReloads(s);
}
`;
