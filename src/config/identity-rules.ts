// Cross-field rules of the identity keys (rules.ts runs them):
// - a route's `auth` names authenticators defined under `auth:`; a forward authenticator's
//   upstream is defined under `upstreams:`;
// - a jwt authenticator has exactly one key source (jwksUrl, secret, publicKey), and its
//   algorithms fit it: HMAC with a secret only, never with a public key (key confusion);
// - the headers an authenticator writes are not ones the request needs for itself (they are
//   removed from every client request: `copyHeaders: [cookie]` would log everyone out);
// - a `claim:NAME` rate-limit key needs the route to authenticate; a `header:NAME` key does not
//   name a header an authenticator writes (the client's own value, read before auth).

import { HMAC_ALGORITHMS } from './identity-schema.js';
import { toPointer, type Segment } from './paths.js';
import { asObj, type Obj, type RuleIssue } from './rule-data.js';
import { closest } from '../util/suggest.js';
import type { Json } from './yaml-tree.js';

/** Headers an authenticator may not write: the request's own framing, routing and credentials. */
const RESERVED = new Set([
  'host', 'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection',
  'content-length', 'content-type', 'content-encoding', 'expect', 'cookie', 'authorization', 'proxy-authorization',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id', 'forwarded',
]);

const KEY_SOURCES = ['jwksUrl', 'secret', 'publicKey'] as const;

export function checkIdentity(root: Obj): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const p = (...s: Segment[]): string => toPointer(s);
  const upstreams = Object.keys(asObj(root['upstreams']) ?? {});
  const auth = asObj(root['auth']) ?? {};
  const names = Object.keys(auth);

  for (const [name, value] of Object.entries(auth)) {
    const jwt = asObj(asObj(value)?.['jwt']);
    const forward = asObj(asObj(value)?.['forward']);
    if (jwt) checkJwt(jwt, ['auth', name, 'jwt'], issues);
    if (forward) {
      const up = forward['upstream'];
      if (typeof up === 'string' && upstreams.length > 0 && !upstreams.includes(up)) {
        const hint = closest(up, upstreams);
        const pointer = p('auth', name, 'forward', 'upstream');
        issues.push({ pointer, message: `unknown upstream '${up}' (${hint ? `did you mean '${hint}'? ` : ''}known upstreams: ${upstreams.join(', ')})`, at: 'value', involves: [pointer] });
      }
      checkWrites(forward['copyHeaders'], ['auth', name, 'forward', 'copyHeaders'], issues);
    }
    if (jwt) checkWrites(asObj(jwt['claimsToHeaders']), ['auth', name, 'jwt', 'claimsToHeaders'], issues);
  }

  const written = new Set<string>();
  for (const value of Object.values(auth)) {
    const copies = asObj(asObj(value)?.['forward'])?.['copyHeaders'];
    const claims = asObj(asObj(asObj(value)?.['jwt'])?.['claimsToHeaders']);
    for (const h of [...(Array.isArray(copies) ? copies : []), ...Object.values(claims ?? {})]) if (typeof h === 'string') written.add(h.toLowerCase());
  }

  const routes = Array.isArray(root['routes']) ? root['routes'] : [];
  routes.forEach((r, i) => {
    const route = asObj(r);
    if (!route) return;
    const listed = typeof route['auth'] === 'string' ? [route['auth']] : Array.isArray(route['auth']) ? route['auth'] : [];
    listed.forEach((n, k) => {
      if (typeof n !== 'string' || names.includes(n)) return;
      const pointer = Array.isArray(route['auth']) ? p('routes', i, 'auth', k) : p('routes', i, 'auth');
      const hint = closest(n, names);
      const known = names.length === 0 ? 'no authenticators are defined under auth:' : `known authenticators: ${names.join(', ')}`;
      issues.push({ pointer, message: `unknown authenticator '${n}' (${hint ? `did you mean '${hint}'? ` : ''}${known})`, at: 'value', involves: [pointer] });
    });
    const key = asObj(route['rateLimit'])?.['key'];
    // A limit keyed by a header an authenticator writes reads the client's own value (the limit
    // runs before auth): rotating it would get round the limit. The claim is the one to use.
    if (typeof key === 'string' && key.startsWith('header:') && written.has(key.slice(7).toLowerCase())) {
      const pointer = p('routes', i, 'rateLimit', 'key');
      issues.push({ pointer, message: `${key} names a header an authenticator writes: a client could send any value before auth; use claim:NAME (a jwt claim, or a forward authenticator's copied header)`, at: 'value', involves: [pointer] });
    }
    if (typeof key === 'string' && key.startsWith('claim:') && route['auth'] === undefined) {
      const pointer = p('routes', i, 'rateLimit', 'key');
      issues.push({ pointer, message: `${key} needs the route to authenticate: set auth on the route, or use client-ip or header:NAME`, at: 'value', involves: [pointer, p('routes', i, 'auth')] });
    }
    // A canary sticky on a header an authenticator writes reads the value that authenticator
    // wrote (the client's is removed everywhere): on a route without auth there is none.
    const sticky = asObj(route['canary'])?.['stickyOn'];
    if (typeof sticky === 'string' && sticky.startsWith('header:') && written.has(sticky.slice(7).toLowerCase()) && route['auth'] === undefined) {
      const pointer = p('routes', i, 'canary', 'stickyOn');
      issues.push({ pointer, message: `${sticky} names a header an authenticator writes, and this route has no auth: the client's value is removed from every request, so each would be split on its own; set auth on the route, or stick on another header or a cookie`, at: 'value', involves: [pointer, p('routes', i, 'auth')] });
    }
    // Behind forward authenticators only, a claim is a header one of them copies: any other name
    // (a typo) never has a value, and every user would share their address's bucket.
    const forwards = listed.map((n) => asObj(asObj(auth[n as string])?.['forward']));
    if (typeof key === 'string' && key.startsWith('claim:') && forwards.length > 0 && forwards.every((f) => f !== undefined)) {
      const copied = [...new Set(forwards.flatMap((f) => (Array.isArray(f!['copyHeaders']) ? f!['copyHeaders'] : []).filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase())))];
      const name = key.slice(6).toLowerCase();
      if (!copied.includes(name)) {
        const pointer = p('routes', i, 'rateLimit', 'key');
        const hint = closest(name, copied);
        issues.push({ pointer, message: `${key} is not a header the route's forward authenticators copy (${hint ? `did you mean 'claim:${hint}'? ` : ''}copyHeaders: ${copied.length === 0 ? 'none' : copied.join(', ')}): it would never have a value`, at: 'value', involves: [pointer] });
      }
    }
  });
  return issues;
}

function checkJwt(jwt: Obj, at: Segment[], issues: RuleIssue[]): void {
  const given = KEY_SOURCES.filter((k) => jwt[k] !== undefined);
  const pointer = toPointer(at);
  if (given.length !== 1) {
    issues.push({
      pointer,
      message: given.length === 0 ? 'needs a key: one of jwksUrl, secret or publicKey' : `takes one key source, not ${given.join(' and ')}`,
      at: 'key',
      involves: [pointer, ...KEY_SOURCES.map((k) => toPointer([...at, k]))],
    });
    return;
  }
  const algorithms = jwt['algorithms'];
  if (!Array.isArray(algorithms)) return;
  const hmac = (a: Json): boolean => typeof a === 'string' && (HMAC_ALGORITHMS as readonly string[]).includes(a);
  const secret = given[0] === 'secret';
  algorithms.forEach((a, k) => {
    if (hmac(a) === secret) return;
    const at2 = toPointer([...at, 'algorithms', k]);
    issues.push({
      pointer: at2,
      message: secret
        ? `${String(a)} needs a public key; with a secret only ${HMAC_ALGORITHMS.join(', ')} apply`
        : `${String(a)} takes a shared secret; with ${given[0]} it would let a token signed with the public key pass (key confusion)`,
      at: 'value',
      involves: [at2, toPointer([...at, given[0]!])],
    });
  });
}

/** `value`: a list of header names (copyHeaders) or a claim -> header mapping (claimsToHeaders). */
function checkWrites(value: Json | undefined, at: Segment[], issues: RuleIssue[]): void {
  const entries: [Segment, Json][] = Array.isArray(value) ? value.map((h, k) => [k, h]) : Object.entries(asObj(value) ?? {});
  entries.forEach(([k, h]) => {
    if (typeof h !== 'string' || !RESERVED.has(h.toLowerCase())) return;
    const pointer = toPointer([...at, k]);
    issues.push({ pointer, message: `cannot write ${h.toLowerCase()}: the headers an authenticator writes are removed from every client request`, at: 'value', involves: [pointer] });
  });
}
