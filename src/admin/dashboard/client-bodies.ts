// The dashboard's client script, part 3: a mismatch's two bodies side by side, the differing
// parts highlighted. JSON: pretty-printed with each line's JSON path (numbers as the body spells
// them, where the browser's JSON.parse hands a reviver their source text), a line is marked when its
// path is a differing path (`$.items[0].price`) or under one. HTML: the document (parsed by the
// browser's DOMParser: inert, no script runs, nothing loads) printed as an indented tree, the
// elements named by the differing element paths (CSS selectors, ` @attr` / ` #text` after them)
// marked. Other text, or when no path could be placed: the lines a line diff finds different.
// Also: request paths grouped by endpoint template (`/orders/{id}`).

export const CLIENT_BODIES = String.raw`
var MAX_LINES = 4000;
function jsonSeg(k) { return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? '.' + k : "['" + k.replace(/[\\']/g, function (c) { return '\\' + c; }) + "']"; }
/** A number as the body spells it (3.0 stays 3.0, 9007199254740993 keeps its last digit: the
 *  compare reads them so, and a mismatch in such a digit must show on the page). */
function RawNumber(text) { this.text = text; }
function parseKeepingNumbers(text) {
  return JSON.parse(text, function (_k, v, context) {
    return typeof v === 'number' && context && typeof context.source === 'string' ? new RawNumber(context.source) : v;
  });
}
function jsonLines(v) {
  var out = [];
  (function walk(v, path, depth, prefix, last) {
    var ind = new Array(depth + 1).join('  '), comma = last ? '' : ',';
    if (out.length > MAX_LINES) return;
    if (v instanceof RawNumber) out.push({ t: ind + prefix + v.text + comma, p: path });
    else if (Array.isArray(v) || (v && typeof v === 'object')) {
      var arr = Array.isArray(v), keys = arr ? v.map(function (_x, i) { return i; }) : Object.keys(v);
      var o = arr ? '[' : '{', c = arr ? ']' : '}';
      if (keys.length === 0) { out.push({ t: ind + prefix + o + c + comma, p: path }); return; }
      out.push({ t: ind + prefix + o, p: path });
      keys.forEach(function (k, i) {
        walk(v[k], path + (arr ? '[' + k + ']' : jsonSeg(k)), depth + 1, arr ? '' : JSON.stringify(k) + ': ', i === keys.length - 1);
      });
      out.push({ t: ind + c + comma, p: path });
    } else out.push({ t: ind + prefix + JSON.stringify(v) + comma, p: path });
  })(v, '$', 0, '', true);
  return out;
}
function underPath(p, d) { return p === d || (p.indexOf(d) === 0 && (p.charAt(d.length) === '.' || p.charAt(d.length) === '[')); }
function markJson(ls, diffs) {
  var any = false;
  ls.forEach(function (l) { l.hl = diffs.some(function (d) { return underPath(l.p, d.path); }); any = any || l.hl; });
  return any;
}
var VOID = { area: 1, base: 1, br: 1, col: 1, embed: 1, hr: 1, img: 1, input: 1, link: 1, meta: 1, source: 1, track: 1, wbr: 1 };
function htmlLines(text) {
  var doc = new DOMParser().parseFromString(text, 'text/html'), out = [];
  (function walk(el, depth) {
    if (out.length > MAX_LINES) return;
    var ind = new Array(depth + 1).join('  ');
    var attrs = Array.prototype.map.call(el.attributes, function (a) { return ' ' + a.name + '="' + a.value + '"'; }).join('');
    out.push({ t: ind + '<' + el.localName + attrs + '>', el: el, kind: 'open' });
    Array.prototype.forEach.call(el.childNodes, function (n) {
      if (n.nodeType === 1) walk(n, depth + 1);
      else if (n.nodeType === 3 && n.data.trim() !== '') out.push({ t: ind + '  ' + n.data.trim(), el: el, kind: 'text' });
    });
    if (!VOID[el.localName]) out.push({ t: ind + '</' + el.localName + '>', el: el, kind: 'close' });
  })(doc.documentElement, 0);
  return { lines: out, doc: doc };
}
function markHtml(parsed, diffs) {
  var any = false;
  diffs.forEach(function (d) {
    var m = /^(.*?)(?: (@[^ ]+|#text))?$/.exec(d.path), target = null;
    try { target = parsed.doc.querySelector(m[1]); } catch (e) { target = null; }
    if (!target) return;
    parsed.lines.forEach(function (l) {
      var hit = m[2] === '#text' ? l.el === target && l.kind === 'text'
        : m[2] ? l.el === target && l.kind === 'open' : target.contains(l.el);
      if (hit) { l.hl = true; any = true; }
    });
  });
  return any;
}
function textLines(text) { return text.split(/\r?\n/).slice(0, MAX_LINES).map(function (t) { return { t: t }; }); }
/** Marks the lines outside a longest common subsequence of both sides (by line text). */
function markLineDiff(a, b) {
  var n = Math.min(a.length, 1500), m = Math.min(b.length, 1500), i, j;
  var L = []; for (i = 0; i <= n; i++) L.push(new Uint16Array(m + 1));
  for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--)
    L[i][j] = a[i].t === b[j].t ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  a.forEach(function (l) { l.hl = true; }); b.forEach(function (l) { l.hl = true; });
  i = 0; j = 0;
  while (i < n && j < m) {
    if (a[i].t === b[j].t) { a[i].hl = false; b[j].hl = false; i++; j++; }
    else if (L[i + 1][j] >= L[i][j + 1]) i++; else j++;
  }
}
function sideLines(side, mode) {
  if (side.binary) return { lines: [{ t: '(binary, ' + groupDigits(side.bytes) + ' bytes)' }] };
  if (mode === 'json') { try { return { lines: jsonLines(parseKeepingNumbers(side.body)), json: true }; } catch (e) { /* as text */ } }
  if (mode === 'html') return htmlLines(side.body);
  return { lines: textLines(side.body) };
}
function pane(name, side, ls, hasDiff) {
  var head = h('div', { cls: 'pane-head' }, [h('b', { text: name }), ' · ' + (side.status == null ? '—' : side.status) + ' · ' + (side.contentType || 'no content-type')]);
  if (hasDiff('status')) head.classList.add('hl');
  var pre = h('pre');
  ls.forEach(function (l) { pre.appendChild(h('span', { cls: l.hl ? 'ln hl' : 'ln', text: l.t })); });
  var kids = [head, pre];
  if (side.truncated) kids.push(h('div', { cls: 'note', text: 'clipped: the first ' + groupDigits(side.body.length) + ' characters of ' + groupDigits(side.bytes) + ' bytes' }));
  return h('div', { cls: 'pane', 'data-side': name }, kids);
}
/** The side-by-side view of one kept mismatch (GET /shadow/mismatches). */
function sideBySide(k) {
  var a = sideLines(k.primary, k.mode), b = sideLines(k.shadow, k.mode), placed = false;
  var bodyDiffs = k.differences.filter(function (d) { return d.path !== 'status' && d.path.indexOf('headers.') !== 0; });
  if (a.json && b.json) placed = markJson(a.lines, bodyDiffs) | markJson(b.lines, bodyDiffs);
  else if (a.doc && b.doc) placed = markHtml(a, bodyDiffs) | markHtml(b, bodyDiffs);
  if (!placed && bodyDiffs.length > 0) markLineDiff(a.lines, b.lines);
  var hasDiff = function (p) { return k.differences.some(function (d) { return d.path === p; }); };
  return [pane('primary', k.primary, a.lines, hasDiff), pane('shadow', k.shadow, b.lines, hasDiff)];
}
var ID_SEG = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|(?=[^/]*\d)[A-Za-z0-9_-]{16,})$/i;
/** /orders/17?x=1 -> /orders/{id}: ids (numbers, UUIDs, long hex or tokens) are the segments that vary. */
function templateOf(path) {
  return String(path).split('?')[0].split('/').map(function (s) { return ID_SEG.test(s) ? '{id}' : s; }).join('/');
}
function templates(paths) {
  var by = new Map();
  paths.forEach(function (p) {
    var t = templateOf(p), e = by.get(t);
    if (!e) { e = { template: t, count: 0, example: p, distinct: new Set() }; by.set(t, e); }
    e.count++; e.distinct.add(p);
  });
  return Array.from(by.values()).sort(function (x, y) { return y.count - x.count || (x.template < y.template ? -1 : 1); });
}
`;
