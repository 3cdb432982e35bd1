// What changed between two validated configs, one line per changed key, in words a person
// reads at 3 a.m. in a reload log:
//
//   server.trustedProxies 0 -> 1
//   upstream users-next added (http://10.0.0.7:8001)
//   upstream users: url http://a -> http://b
//   defaults.timeoutMs 15000 -> 5000
//   route /payments added (upstream legacy)
//   /users: upstream users -> legacy
//   /users: retry.attempts 3 -> 1
//   /users: timeoutMs (unset) -> 2000
//   /orders: shadow removed
//   route /old removed
//
// Pure: no I/O, no clock. The configs are compared as written (defaults not merged): a change
// under `defaults:` is one `defaults.*` line, not one line per route it reaches.
//
// Identity. A route is its host (if any), prefix and method set (`routeKey`): `/api` and `/api [POST]` are
// two routes; editing a route's `methods` reads as one route removed and another added. The
// order of routes in the file does not matter to matching (longest prefix wins), so moving a
// route is not a change. Upstreams are identified by name.
//
// Order: server, upstreams, authenticators, defaults, then routes in the file order of `after`, then removed
// routes (in the file order of `before`). Within one entity, keys in the order of `after`, then
// keys only `before` had. Nested keys are dotted paths (`shadow.compare.ignore`); a mapping that
// appears or disappears as a whole is one line (`shadow removed`, `retry added {attempts: 3}`).
//
// Values print compactly: strings bare unless they would read ambiguously (spaces, commas, empty,
// or spelled like a number, a boolean, null or "(unset)"), lists as `[GET,HEAD]`, mappings as
// `{upstream: users-next, percent: 10}`, a missing key as `(unset)`. (Upstream URLs cannot
// carry credentials: the validator refuses them, so printing URLs leaks nothing.)

import type { AuthenticatorConfig, RouteConfig, StranglerConfig } from '../config/types.js';
import { routeLabel } from './host.js';
import { REDACTED, redactConfig } from '../config/redact.js';

export type ConfigChangeKind =
  | 'route-added'
  | 'route-removed'
  | 'route-changed'
  | 'upstream-added'
  | 'upstream-removed'
  | 'upstream-changed'
  | 'server-changed'
  | 'defaults-changed'
  | 'auth-added'
  | 'auth-removed'
  | 'auth-changed';

export interface ConfigChange {
  kind: ConfigChangeKind;
  /** route-*: the route's `routeKey`, e.g. `/api [POST,PUT]`. */
  route?: string;
  /** upstream-*: the upstream's name. */
  upstream?: string;
  /** auth-*: the authenticator's name. */
  authenticator?: string;
  /** *-changed: dotted path of the key inside the route, upstream, `server` or `defaults`
   *  (`retry.attempts`, `url`, `trustedProxies`). Absent on added/removed. */
  key?: string;
  /** The old value (undefined: the key was not set); the whole route/upstream on *-removed. */
  before?: unknown;
  /** The new value (undefined: the key is no longer set); the whole route/upstream on *-added. */
  after?: unknown;
  /** The line a person reads. */
  text: string;
}

/** A route's identity across versions: its host (if any), prefix and (sorted) method set. Also
 *  its label in messages: `/users` for all methods, `/api [POST,PUT]` with a method list,
 *  `api.example.com/users` on a host. */
export function routeKey(r: { readonly host?: string; readonly prefix: string; readonly methods?: readonly string[] }): string {
  const name = routeLabel(r);
  if (r.methods === undefined) return name;
  const methods = [...new Set(r.methods)].sort();
  return `${name} [${methods.join(',')}]`;
}

export function diffConfigs(before: StranglerConfig, after: StranglerConfig): ConfigChange[] {
  const out: ConfigChange[] = [];

  // --- server -----------------------------------------------------------------------------
  for (const d of diffValues('', redactConfig(before).server ?? {}, redactConfig(after).server ?? {})) {
    out.push({ kind: 'server-changed', key: d.key, before: d.before, after: d.after, text: `server.${d.text}` });
  }

  // --- upstreams --------------------------------------------------------------------------
  const beforeUp = before.upstreams ?? {};
  const afterUp = after.upstreams ?? {};
  for (const name of Object.keys(afterUp)) {
    const a = afterUp[name];
    const b = hasOwn(beforeUp, name) ? beforeUp[name] : undefined;
    if (a === undefined) continue;
    if (b === undefined) {
      out.push({ kind: 'upstream-added', upstream: name, after: a, text: `upstream ${name} added (${show(a.url)})` });
      continue;
    }
    for (const d of diffValues('', b, a)) {
      out.push({ kind: 'upstream-changed', upstream: name, key: d.key, before: d.before, after: d.after, text: `upstream ${name}: ${d.text}` });
    }
  }
  for (const name of Object.keys(beforeUp)) {
    const b = beforeUp[name];
    if (b === undefined || hasOwn(afterUp, name)) continue;
    out.push({ kind: 'upstream-removed', upstream: name, before: b, text: `upstream ${name} removed` });
  }

  // --- authenticators (a secret's value is never printed: only that it changed) ------------
  const beforeAuth = before.auth ?? {};
  const afterAuth = after.auth ?? {};
  for (const [name, a] of Object.entries(afterAuth)) {
    const b = hasOwn(beforeAuth, name) ? beforeAuth[name] : undefined;
    if (b === undefined) {
      out.push({ kind: 'auth-added', authenticator: name, text: `authenticator ${name} added (${a.jwt !== undefined ? 'jwt' : 'forward'})` });
      continue;
    }
    for (const d of diffValues('', hideSecret(b), hideSecret(a))) {
      out.push({ kind: 'auth-changed', authenticator: name, key: d.key, before: d.before, after: d.after, text: `authenticator ${name}: ${d.text}` });
    }
    if (b.jwt?.secret !== undefined && a.jwt?.secret !== undefined && b.jwt.secret !== a.jwt.secret) {
      out.push({ kind: 'auth-changed', authenticator: name, key: 'jwt.secret', text: `authenticator ${name}: jwt.secret changed` });
    }
  }
  for (const name of Object.keys(beforeAuth)) {
    if (!hasOwn(afterAuth, name)) out.push({ kind: 'auth-removed', authenticator: name, text: `authenticator ${name} removed` });
  }

  // --- defaults ---------------------------------------------------------------------------
  for (const d of diffValues('', before.defaults ?? {}, after.defaults ?? {})) {
    out.push({ kind: 'defaults-changed', key: d.key, before: d.before, after: d.after, text: `defaults.${d.text}` });
  }

  // --- routes -----------------------------------------------------------------------------
  const beforeRoutes = keyed(before.routes ?? []);
  const afterRoutes = keyed(after.routes ?? []);
  const beforeById = new Map(beforeRoutes.map((r) => [r.id, r]));
  const afterIds = new Set(afterRoutes.map((r) => r.id));
  for (const { id, label, route: a } of afterRoutes) {
    const b = beforeById.get(id)?.route;
    if (b === undefined) {
      out.push({ kind: 'route-added', route: label, after: a, text: `route ${label} added (upstream ${show(a.upstream)}${addedNotes(a)})` });
      continue;
    }
    // prefix and the method set are the identity: equal here by construction (method order may differ).
    const { prefix: _bp, methods: _bm, ...bRest } = b;
    const { prefix: _ap, methods: _am, ...aRest } = a;
    for (const d of diffValues('', bRest, aRest)) {
      const note = d.key === 'upstream' ? canaryNote(b, a) : '';
      out.push({ kind: 'route-changed', route: label, key: d.key, before: d.before, after: d.after, text: `${label}: ${d.text}${note}` });
    }
  }
  for (const { id, label, route: b } of beforeRoutes) {
    if (afterIds.has(id)) continue;
    out.push({ kind: 'route-removed', route: label, before: b, text: `route ${label} removed` });
  }

  return out;
}

/** A route's canary is off while it names the route's own upstream: a changed `upstream` that
 *  turns it on or off says so (a rollback after a cutover that left the canary block in place
 *  would otherwise send the canary's share to the new service again, unsaid). */
function canaryNote(b: RouteConfig, a: RouteConfig): string {
  const c = a.canary;
  if (c === undefined || b.canary?.upstream !== c.upstream) return '';
  const wasOn = c.upstream !== b.upstream;
  const isOn = c.upstream !== a.upstream;
  if (wasOn === isOn) return '';
  return isOn
    ? ` (its canary to ${show(c.upstream)} is on again: ${c.percent === undefined ? 'its share of' : `${c.percent}% of`} requests go there; remove the canary block to send none)`
    : ` (its canary, naming the route's own upstream now, is off)`;
}

/** What else a new route sends elsewhere: its canary and shadow (a canary's share of the traffic
 *  going to another service is not something a reload log may leave unsaid). */
function addedNotes(a: RouteConfig): string {
  const notes: string[] = [];
  const c = a.canary;
  if (c !== undefined && c.upstream !== a.upstream) {
    notes.push(`canary ${show(c.upstream)} ${c.steps !== undefined ? `steps ${show(c.steps)}` : `${c.percent}%`}`);
  }
  if (a.shadow !== undefined && a.shadow.upstream !== a.upstream) notes.push(`shadow ${show(a.shadow.upstream)}`);
  return notes.length === 0 ? '' : `, ${notes.join(', ')}`;
}

/** The `text` of each change, in order. */
export function formatChanges(changes: readonly ConfigChange[]): string[] {
  return changes.map((c) => c.text);
}

// --- internals ------------------------------------------------------------------------------

interface KeyDiff {
  key: string;
  before: unknown;
  after: unknown;
  /** `key old -> new`, `key removed`, `key added {...}` (no entity prefix). */
  text: string;
}

type RouteLike = StranglerConfig['routes'][number];

/** Routes with their identity. The validator forbids two routes with one identity; should it
 *  happen anyway, the second one is told apart by `#2` (paired with the second one in the other
 *  version) rather than silently merged. */
function keyed(routes: readonly RouteLike[]): { id: string; label: string; route: RouteLike }[] {
  const seen = new Map<string, number>();
  return routes.map((route) => {
    const key = routeKey(route);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const label = n === 1 ? key : `${key} #${n}`;
    return { id: label, label, route };
  });
}

/** Every differing leaf between two values, as dotted paths under `path`. */
function diffValues(path: string, before: unknown, after: unknown, out: KeyDiff[] = []): KeyDiff[] {
  if (deepEqual(before, after)) return out;
  const at = (k: string): string => (path === '' ? k : `${path}.${k}`);
  if (isMapping(before) && isMapping(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !hasOwn(after, k))];
    for (const k of keys) diffValues(at(k), get(before, k), get(after, k), out);
    return out;
  }
  if (isMapping(before) && after === undefined) {
    out.push({ key: path, before, after, text: `${path} removed` });
  } else if (before === undefined && isMapping(after)) {
    out.push({ key: path, before, after, text: `${path} added ${show(after)}` });
  } else {
    out.push({ key: path, before, after, text: `${path} ${show(before)} -> ${show(after)}` });
  }
  return out;
}

function get(m: Record<string, unknown>, k: string): unknown {
  return hasOwn(m, k) ? m[k] : undefined;
}

function hideSecret(a: AuthenticatorConfig): AuthenticatorConfig {
  return a.jwt?.secret === undefined ? a : { ...a, jwt: { ...a.jwt, secret: REDACTED } };
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Structural equality of JSON-like values; a key set to undefined counts as absent. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(get(a, k), get(b, k))) return false;
    return true;
  }
  return false;
}

/** A value as it reads in a line: compact, one line. */
function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  if (v === null) return 'null';
  if (typeof v === 'string') return showString(v);
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (isMapping(v)) {
    const parts = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .map((k) => `${k}: ${show(v[k])}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

function showString(s: string): string {
  const ambiguous =
    s === '' ||
    /[\s,"]/.test(s) ||
    /[\u0000-\u001f\u007f]/.test(s) ||
    s === 'null' ||
    s === 'true' ||
    s === 'false' ||
    s === '(unset)' ||
    (s.trim() !== '' && !Number.isNaN(Number(s)));
  return ambiguous ? JSON.stringify(s) : s;
}
