// The dashboard's client script, part 4: one route's detail (`/#route=/orders`): its status
// row, its shadow report (GET /shadow/report: verdict, counts, latency, endpoints by template,
// differing paths, the last mismatches with copyable curl lines for the proxy and both sides),
// and a mismatch opened as both bodies side by side (GET /shadow/mismatches, asked for that one
// mismatch when it is opened, client-bodies.ts). `route` is the route's label (host + prefix).

import { EXAMPLE_VALUE_MAX_CHARS } from '../../shadow/report.js';

export const CLIENT_DETAIL = String.raw`
var curlSeq = 0, detailRoute = null;
function sampleKey(x) { return x.at + ' ' + x.method + ' ' + x.path; }
function stats(parent, items) {
  sync(parent, items, function (x) { return x[0]; }, function () {
    return h('div', { cls: 'stat' }, [h('dt'), h('dd', null, [h('span', { cls: 'v' }), h('span', { cls: 'detail' })])]);
  }, function (e, x) {
    setText(e.querySelector('dt'), x[0]); setText(e.querySelector('.v'), x[1]); setText(e.querySelector('.detail'), x[2] || '');
    setCls(e, 'stat' + (x[3] ? ' bad' : ''));
  });
}
function rows(tbody, items, keyOf, cells) {
  sync(tbody, items, keyOf, function () { var tr = h('tr'); for (var i = 0; i < cells; i++) tr.appendChild(h('td')); return tr; },
    function (tr, x) { x.cells.forEach(function (t, i) { setText(tr.cells[i], t); if (x.num && x.num[i]) tr.cells[i].className = 'num'; }); });
}
function curlBlock(label, text) {
  var id = 'curl-' + (++curlSeq);
  return h('div', null, [h('div', { cls: 'muted', text: label }),
    h('div', { cls: 'curl' }, [h('pre', { id: id, text: text }), h('button', { type: 'button', 'data-copy': id, text: 'copy' })])]);
}
function makeSample(m) {
  var open = h('button', { type: 'button', cls: 'open', 'aria-expanded': 'false', text: 'show both bodies' });
  var sbs = h('div', { cls: 'sbs' }); sbs.hidden = true;
  var curls = h('details', { cls: 'curls' }, [h('summary', { text: 'curl lines: through the proxy, straight to each side' })]);
  [['through the proxy', m.curl], ['straight to the primary', m.primaryCurl], ['straight to the shadow', m.shadowCurl]].forEach(function (c) {
    if (c[1] != null) curls.appendChild(curlBlock(c[0], c[1]));
  });
  if (curls.children.length === 1) curls = h('div', { cls: 'muted', text: 'no replay command recorded' });
  var li = h('li', { cls: 'sample' }, [
    h('div', { cls: 'sample-head' }, [h('span', { cls: 'req mono' }), h('span', { cls: 'status-pair' }), h('span', { cls: 'when' }), open]),
    h('div', { cls: 'paths' }), curls, sbs]);
  open.addEventListener('click', function () {
    var show = sbs.hidden;
    if (show && !sbs.firstChild) {
      var wait = h('p', { cls: 'muted', text: 'fetching both bodies…' });
      sbs.appendChild(wait);
      var q = '?route=' + encodeURIComponent(detailRoute) + '&at=' + encodeURIComponent(m.at) + '&method=' + encodeURIComponent(m.method) + '&path=' + encodeURIComponent(m.path);
      getJson('/shadow/mismatches' + q).then(function (j) {
        var k = (j.mismatches || []).find(function (x) { return sampleKey(x) === sampleKey(m); });
        if (k) sideBySide(k).forEach(function (p) { sbs.appendChild(p); });
        else sbs.appendChild(h('p', { cls: 'muted', text: 'The bodies of this mismatch are not kept: the proxy keeps those of each route\'s last 20 mismatches, paced on a route that mismatches all the time (a restarted process forgets its own).' }));
      }, function (e) { sbs.appendChild(h('p', { cls: 'muted', text: String(e && e.message || e) })); }).then(function () { wait.remove(); });
    }
    sbs.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    setText(open, show ? 'hide bodies' : 'show both bodies');
  });
  return li;
}
function fillSample(li, m) {
  setText(li.querySelector('.req'), m.method + ' ' + m.path);
  setText(li.querySelector('.status-pair'), 'primary ' + (m.primaryStatus == null ? '—' : m.primaryStatus) + ' · shadow ' + (m.shadowStatus == null ? '—' : m.shadowStatus));
  setText(li.querySelector('.when'), clock(m.at));
  setText(li.querySelector('.paths'), m.differingPaths.length ? 'differs at ' + m.differingPaths.join('  ') : '');
}
function drawDetail(route, status, shadowJson) {
  detailRoute = route;
  var r = status ? status.routes.find(function (x) { return x.label === route; }) : null;
  setText(byId('d-route'), route);
  var st = byId('d-stage');
  st.hidden = !r; if (r) { setText(st, r.stageText); setCls(st, stageClass(r.stage)); }
  setText(byId('d-facts'), r ? 'answered by ' + r.upstream + (r.shadow ? ' · shadowed to ' + r.shadow.upstream : '') +
    (r.canary ? ' · canary ' + r.canary.percent + '% to ' + r.canary.upstream : '') + ' · fallbacks ' + groupDigits(r.fallbacks) : 'not in the live table');
  var entry = shadowJson ? shadowJson.routes.find(function (x) { return x.route === route; }) : null;
  byId('d-no-shadow').hidden = !!entry;
  byId('d-shadow').hidden = !entry;
  if (!entry) return;
  var s = entry.summary;
  var vb = byId('d-verdict'); setText(vb, s.verdict); setCls(vb, verdictClass(s.verdict));
  setText(byId('d-verdict-text'), s.verdictText);
  setText(byId('d-since'), 'counting since ' + clock(s.since));
  var skipped = Object.keys(s.skipped).map(function (k) { return k + ' ' + groupDigits(s.skipped[k]); }).join(', ');
  var skippedTotal = Object.keys(s.skipped).reduce(function (a, k) { return a + s.skipped[k]; }, 0);
  stats(byId('d-stats'), [
    ['match rate', s.compared === 0 ? '—' : pct(s.matchRate), groupDigits(s.match) + ' of ' + groupDigits(s.compared) + ' compared'],
    ['mirrored', groupDigits(s.mirrored)], ['match', groupDigits(s.match)],
    ['mismatch', groupDigits(s.mismatch), '', s.mismatch > 0], ['shadow errors', groupDigits(s.shadowError), '', s.shadowError > 0],
    ['skipped', groupDigits(skippedTotal), skipped]]);
  var lat = s.latency;
  rows(byId('d-latency'), ['p50', 'p95', 'p99'].map(function (q) {
    return { key: q, cells: [q, ms(lat.primary[q]), ms(lat.shadow[q])], num: [false, true, true] };
  }), function (x) { return x.key; }, 3);
  var paths = s.samples.map(function (m) { return m.path; }).concat(s.topPaths.filter(function (p) { return p.example.request; }).map(function (p) { return p.example.request.path; }));
  byId('d-templates-empty').hidden = paths.length > 0;
  rows(byId('d-templates'), templates(paths).map(function (t) {
    return { key: t.template, cells: [t.template, groupDigits(t.count), groupDigits(t.distinct.size), t.example], num: [false, true, true, false] };
  }), function (x) { return x.key; }, 4);
  byId('d-paths-empty').hidden = s.topPaths.length > 0;
  rows(byId('d-paths'), s.topPaths.map(function (p) {
    // (A value the report clipped is JSON text cut with an ellipsis: shown as it is, as exampleText does.)
    var ex = p.example, v = function (x) { return x === undefined ? '(absent)' : typeof x === 'string' && x.length === ${EXAMPLE_VALUE_MAX_CHARS} && x.slice(-1) === '\u2026' ? x : JSON.stringify(x); };
    return { key: p.path, cells: [p.path, groupDigits(p.count), ex.kind + ' at ' + ex.path, v(ex.primary), v(ex.shadow)], num: [false, true, false, false, false] };
  }), function (x) { return x.key; }, 5);
  byId('d-samples-empty').hidden = s.samples.length > 0;
  sync(byId('d-samples'), s.samples, sampleKey, makeSample, fillSample);
}
`;
