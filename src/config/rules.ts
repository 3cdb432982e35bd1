// Cross-field rules: what one value cannot say about itself.
//
// They run on the data after schema validation, and are written defensively (a value with the
// wrong type is simply skipped), because the caller drops every rule issue that touches a node
// with a schema error: one mistake is reported once.
//
// - every upstream name used (route upstream, fallback, shadow.upstream, canary.upstream,
//   defaults.fallback, in the short or the long form, server.legacyUpstream) is defined under `upstreams`;
// - two routes with the same host (case-insensitive; none is a host of its own) and the same
//   prefix do not overlap in methods (both without `methods`, or a method in common): the later
//   one is reported, naming the earlier;
// - retry.maxBackoffMs >= retry.backoffMs when both are set; server.headersTimeoutMs <=
//   server.requestTimeoutMs when both are set and the latter is on;
// - a canary has percent or steps, not both, steps ascending (canary-rules.ts);
// - an upstream's tls: cert and key together, on an https upstream (upstream-tls-rules.ts);
// - authenticators and routes' auth and rateLimit fit together (identity-rules.ts);
// - a prefixRewrite uses only the names its route's prefix template defines (template-rules.ts);
//   two prefixes that are one template up to names (`/u/{a}`, `/u/{b}`) are the same prefix.

import { closest } from '../util/suggest.js';
import { checkTemplateNames } from './template-rules.js';
import { checkUpstreamTls } from './upstream-tls-rules.js';
import { checkIdentity } from './identity-rules.js';
import { checkCanaryShape } from './canary-rules.js';
import { templateShape } from './template-syntax.js';
import { toPointer, type Segment } from './paths.js';
import type { Json } from './yaml-tree.js';
import { asObj, type Obj, type RuleIssue } from './rule-data.js';

const asStr = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const asNum = (v: Json | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const asStrList = (v: Json | undefined): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

export function checkRules(data: Json): RuleIssue[] {
  const root = asObj(data);
  if (!root) return [];
  const issues: RuleIssue[] = [];
  const p = (...segments: Segment[]): string => toPointer(segments);

  // --- upstream names exist -------------------------------------------------------------
  const upstreams = asObj(root['upstreams']);
  const known = upstreams ? Object.keys(upstreams) : [];
  issues.push(...checkUpstreamTls(upstreams), ...checkIdentity(root));
  const checkRef = (value: Json | undefined, segments: Segment[]): void => {
    const name = asStr(value);
    if (name === undefined || known.length === 0 || known.includes(name)) return;
    const hint = closest(name, known);
    const pointer = p(...segments);
    issues.push({
      pointer,
      message: `unknown upstream '${name}' (${hint ? `did you mean '${hint}'? ` : ''}known upstreams: ${known.join(', ')})`,
      at: 'value',
      involves: [pointer],
    });
  };

  // A fallback names its upstream directly, or as `upstream:` of its long form.
  const checkFallbackRef = (value: Json | undefined, segments: Segment[]): void => {
    const long = asObj(value);
    if (long) checkRef(long['upstream'], [...segments, 'upstream']);
    else checkRef(value, segments);
  };

  checkRef(asObj(root['server'])?.['legacyUpstream'], ['server', 'legacyUpstream']);
  issues.push(...checkRequestTimeouts(asObj(root['server'])));

  const defaults = asObj(root['defaults']);
  if (defaults) {
    checkFallbackRef(defaults['fallback'], ['defaults', 'fallback']);
    checkRetry(defaults['retry'], ['defaults', 'retry'], issues);
  }

  const routes = Array.isArray(root['routes']) ? root['routes'] : [];
  routes.forEach((r, i) => {
    const route = asObj(r);
    if (!route) return;
    const shadow = asObj(route['shadow']);
    const canary = asObj(route['canary']);
    checkRef(route['upstream'], ['routes', i, 'upstream']);
    checkFallbackRef(route['fallback'], ['routes', i, 'fallback']);
    if (shadow) checkRef(shadow['upstream'], ['routes', i, 'shadow', 'upstream']);
    if (canary) checkRef(canary['upstream'], ['routes', i, 'canary', 'upstream']);
    if (canary) issues.push(...checkCanaryShape(canary, ['routes', i, 'canary']));

    // A fallback, a shadow or a canary naming the route's own upstream is allowed: it is off
    // (same-upstream.ts; `check` and the load log say so), so a cutover or a rollback is one edit.

    checkRetry(route['retry'], ['routes', i, 'retry'], issues);
    issues.push(...checkTemplateNames(route, i));
  });

  // --- no two routes for the same host, prefix and method ------------------------------------
  const hostOf = (route: Obj): string | undefined => asStr(route['host'])?.toLowerCase();
  routes.forEach((r, i) => {
    const route = asObj(r);
    const prefix = asStr(route?.['prefix']);
    if (!route || prefix === undefined) return;
    if (route['host'] !== undefined && hostOf(route) === undefined) return;
    const methods = route['methods'] === undefined ? undefined : asStrList(route['methods']);
    if (route['methods'] !== undefined && methods === undefined) return;
    for (let j = 0; j < i; j++) {
      const earlier = asObj(routes[j]);
      const earlierPrefix = asStr(earlier?.['prefix']);
      if (!earlier || earlierPrefix === undefined || templateShape(earlierPrefix) !== templateShape(prefix)) continue;
      if (hostOf(earlier) !== hostOf(route)) continue;
      const earlierMethods = earlier['methods'] === undefined ? undefined : asStrList(earlier['methods']);
      if (earlier['methods'] !== undefined && earlierMethods === undefined) continue;
      let overlap: string;
      if (methods === undefined && earlierMethods === undefined) overlap = 'all methods';
      else if (methods === undefined || earlierMethods === undefined) continue; // a method list beats no list
      else {
        const common = methods.filter((m) => earlierMethods.includes(m));
        if (common.length === 0) continue;
        overlap = `methods ${common.join(', ')}`;
      }
      const host = hostOf(route);
      const same = (host === undefined ? '' : `host ${host}, `) + 'prefix ' + (earlierPrefix === prefix ? prefix : `${prefix}, the same template as ${earlierPrefix}`);
      issues.push({
        pointer: p('routes', i),
        message: `duplicates routes[${j}] (${same}, ${overlap})`,
        at: 'value',
        involves: [
          ...['prefix', 'methods', 'host'].map((k) => p('routes', i, k)),
          ...['prefix', 'methods', 'host'].map((k) => p('routes', j, k)),
        ],
      });
      break;
    }
  });

  return issues;
}

/** Node's http.Server refuses a headersTimeout above a requestTimeout (it throws at start-up). */
function checkRequestTimeouts(server: Obj | undefined): RuleIssue[] {
  const headers = asNum(server?.['headersTimeoutMs']);
  const request = asNum(server?.['requestTimeoutMs']);
  if (headers === undefined || request === undefined || request === 0 || headers <= request) return [];
  const pointer = toPointer(['server', 'headersTimeoutMs']);
  return [{ pointer, message: `must be <= requestTimeoutMs (${request}) when that is on (got ${headers})`, at: 'value', involves: [pointer, toPointer(['server', 'requestTimeoutMs'])] }];
}

function checkRetry(value: Json | undefined, segments: Segment[], issues: RuleIssue[]): void {
  const retry = asObj(value);
  if (!retry) return;
  const backoff = asNum(retry['backoffMs']);
  const max = asNum(retry['maxBackoffMs']);
  if (backoff === undefined || max === undefined || max >= backoff) return;
  const pointer = toPointer([...segments, 'maxBackoffMs']);
  issues.push({
    pointer,
    message: `must be >= backoffMs (${backoff}) (got ${max})`,
    at: 'value',
    involves: [pointer, toPointer([...segments, 'backoffMs'])],
  });
}
