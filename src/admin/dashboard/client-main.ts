// The dashboard's client script, part 5: what runs. Every few seconds it fetches GET /status
// (and, on a route's detail, GET /shadow/report) from the admin origin and updates the page in
// place; the hash picks the view (`#route=/orders`, `#route=api.example.com/orders`: that route's
// detail, by its label). The bodies of a mismatch (GET /shadow/mismatches) are fetched only when
// one is opened, never on the poll: they can weigh megabytes. Requests are same-origin: whatever lets the browser open the page (the admin token
// sent by a header extension or an authenticating proxy in front) applies to them too.

export const CLIENT_MAIN = String.raw`
var REFRESH_MS = 3000, timer = null, gen = 0, drawn = null;
function getJson(url) {
  return fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
    if (r.status === 401) throw new Error('the admin token is needed: send Authorization: Bearer <ADMIN_TOKEN>');
    if (!r.ok) throw new Error(url.split('?')[0] + ' answered ' + r.status);
    return r.json();
  });
}
function currentRoute() {
  var m = /^#route=(.*)$/.exec(location.hash);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch (e) { return null; }
}
function tick() {
  clearTimeout(timer);
  var my = ++gen, route = currentRoute(), live = byId('live');
  var view = route == null ? 'overview' : 'route ' + route;
  // A view is shown once drawn: never another route's figures while this one's are fetched.
  byId('overview').hidden = view !== 'overview' || drawn !== view;
  byId('detail').hidden = view === 'overview' || drawn !== view;
  document.title = (route == null ? 'Migration' : route + ' · Migration') + ' · strangler';
  var jobs = [getJson('/status')];
  if (route != null) jobs.push(getJson('/shadow/report'));
  Promise.all(jobs).then(function (res) {
    if (my !== gen) return;
    if (route == null) drawOverview(res[0]); else drawDetail(route, res[0], res[1]);
    drawn = view;
    setText(byId('generated'), 'status of ' + clock(res[0].generatedAt) + ' · version ' + res[0].version);
    byId(route == null ? 'overview' : 'detail').hidden = false;
    setText(live, 'live · updated every ' + REFRESH_MS / 1000 + ' s'); setCls(live, 'state');
  }).catch(function (e) {
    if (my !== gen) return;
    setText(live, String(e && e.message || e)); setCls(live, 'state bad');
  }).then(function () {
    if (my === gen) timer = setTimeout(tick, document.hidden ? REFRESH_MS * 5 : REFRESH_MS);
  });
}
window.addEventListener('hashchange', function () { tick(); window.scrollTo(0, 0); });
document.addEventListener('visibilitychange', function () { if (!document.hidden) tick(); });
tick();
`;
