// The dashboard's client script, part 1: DOM helpers and number formats. The page is drawn and
// updated in place from JSON: elements are made once per key and their text set only when it
// changed (no flicker, open parts and scroll stay). Every value goes into the page as text
// (textContent, setAttribute), never as markup, so no value can be taken for HTML.
//
// The client parts are plain browser JavaScript kept as text (String.raw: no `${`, no backticks
// inside); page.ts puts them together in one inline script allowed by its hash.

export const CLIENT_DOM = String.raw`
var SVG_NS = 'http://www.w3.org/2000/svg';
function h(tag, attrs, kids) {
  var e = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (k) {
    if (k === 'text') e.textContent = attrs[k]; else if (k === 'cls') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
  });
  (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
  return e;
}
function svg(tag, attrs) {
  var e = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  return e;
}
function byId(id) { return document.getElementById(id); }
function setText(e, t) { t = t == null ? '' : String(t); if (e.textContent !== t) e.textContent = t; }
function setCls(e, c) { if (e.getAttribute('class') !== c) e.setAttribute('class', c); }
function setAttr(e, k, v) { if (e.getAttribute(k) !== v) e.setAttribute(k, v); }
/** Children of parent, one per item, kept by key: made once, filled every time, in order. */
function sync(parent, items, keyOf, make, fill) {
  var old = new Map();
  Array.prototype.forEach.call(parent.children, function (c) { old.set(c.getAttribute('data-key'), c); });
  var prev = null;
  items.forEach(function (it, i) {
    var k = String(keyOf(it, i));
    var e = old.get(k);
    if (e) old.delete(k); else { e = make(it); e.setAttribute('data-key', k); }
    fill(e, it);
    var want = prev ? prev.nextElementSibling : parent.firstElementChild;
    if (e !== want) parent.insertBefore(e, want);
    prev = e;
  });
  old.forEach(function (e) { e.remove(); });
}
/** One block line per text. */
function lines(parent, texts, cls) {
  sync(parent, texts, function (_t, i) { return i; }, function () { return h('span', { cls: cls || 'line' }); }, setText);
}
function groupDigits(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
function pct(x) { return x == null ? '—' : (Math.floor(x * 1000 + 1e-9) / 10).toFixed(1) + '%'; }
function rps(n) { return n == null ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : groupDigits(Math.round(n)); }
function ms(n) { return n == null ? '—' : n < 10 ? n.toFixed(2) + ' ms' : n < 100 ? n.toFixed(1) + ' ms' : groupDigits(Math.round(n)) + ' ms'; }
function clock(iso) {
  var t = Date.parse(iso);
  if (!isFinite(t)) return String(iso);
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}
function stageClass(stage) { return 'badge st-' + String(stage).replace(/[^a-z]+/g, '-'); }
function verdictClass(v) { return 'badge ' + (v === 'ready' ? 'ready' : v === 'not ready' ? 'not-ready' : 'not-enough-data'); }
/** A route's detail link: by its label (api.example.com/orders, or the prefix), as the status and the reports name it. */
function routeHref(label) { return '#route=' + encodeURIComponent(label); }
`;
