// The forward authenticator ("ask the monolith who this cookie is"): every request on a route
// behind it is decided by a `GET <path>` to the auth upstream (forward-call.ts) carrying the
// client's credential headers. It is always asked, even when none of those headers is present:
// the monolith decides (it may answer 401, or redirect to its login page).
//
// 2xx: allow, with only the copyHeaders from the answer. 401, 403 and 3xx: that answer passed to
// the client. Anything else, a timeout or an unreachable upstream: error (503 auth_unavailable).
// Answers are cached per credential (the listed headers' values, absent ones included) and, by
// default (cacheKey: request), per request the monolith is told of (method, host, URI, proto,
// client address), for cacheMs: 2xx, 401 and 403 only, and never one with Set-Cookie or
// Cache-Control no-store or private (forward-call.ts). Concurrent identical misses share one
// subrequest; with cacheKey: credential it carries the first request's X-Forwarded-* values (a
// 3xx shared this way names the first one's Uri). An answer setting a cookie reaches the others
// without it.

import type { Upstream } from '../forward/pools.js';
import type { EffectiveForwardAuth } from '../routing/types.js';
import { systemClock } from '../util/clock.js';
import { AnswerCache, Flights, MAX_CACHE_BYTES } from './answer-cache.js';
import { callAuthUpstream, subrequestHeaders, type CallOutcome } from './forward-call.js';
import type { AuthDeps } from './jwt.js';
import type { AuthDecision, AuthRequest, Authenticator } from './types.js';

const LEFT: CallOutcome = { decision: { kind: 'error', reason: 'the client left before the auth upstream answered' }, cacheable: false };

/** What a cached decision holds, in bytes (near enough: string lengths): an answer's body and
 *  header text, an allow's header text twice (its claims hold the same values). */
function decisionBytes(d: AuthDecision): number {
  if (d.kind === 'answer') return d.body.length + d.headers.reduce((n, h) => n + h.length, 0);
  if (d.kind === 'allow') return 2 * d.headers.reduce((n, [k, v]) => n + k.length + v.length, 0);
  return 0;
}

function withoutCookies(d: AuthDecision): AuthDecision {
  if (d.kind !== 'answer') return d;
  const headers: string[] = [];
  for (let i = 0; i < d.headers.length; i += 2) if (d.headers[i]!.toLowerCase() !== 'set-cookie') headers.push(d.headers[i]!, d.headers[i + 1]!);
  return { ...d, headers };
}

export function createForwardAuthenticator(e: EffectiveForwardAuth, upstream: Upstream, deps: AuthDeps): Authenticator & { readonly waiting: number } {
  const cache = new AnswerCache<AuthDecision>(e.maxCacheEntries, deps.clock ?? systemClock, MAX_CACHE_BYTES, decisionBytes);
  const flights = new Flights<CallOutcome>();
  let closed = false;

  const ask = async (key: string, req: AuthRequest, sent: readonly (string | null)[], signal: AbortSignal): Promise<CallOutcome> => {
    // Tracing on: a client span under the asking request's server span, its id in the traceparent.
    const span = req.trace?.attempt(upstream, { method: 'GET', name: `GET ${upstream.name} (forward-auth ${e.name})`, attributes: { 'url.path': e.path, 'strangler.authenticator': e.name } }) ?? null;
    const headers = subrequestHeaders(e, upstream, req, sent);
    const outcome = await callAuthUpstream(e, upstream, span === null ? headers : span.headers(headers), signal, span);
    if (outcome.cacheable && !closed && !signal.aborted) cache.set(key, outcome.decision, e.cacheMs);
    return outcome;
  };

  return {
    name: e.name,
    writes: e.copyHeaders,
    /** Requests waiting on a call to the auth upstream (a diagnostic: tests wait for it). */
    get waiting(): number {
      return flights.waiting;
    },
    async decide(req: AuthRequest, signal: AbortSignal): Promise<AuthDecision> {
      const sent = e.headers.map((name) => req.header(name));
      // JSON keeps the values apart whatever they hold; null marks an absent header. Per request
      // (the default), the request the monolith is told of is in the key: an answer it gave for
      // one path (a 403 for /admin, a 200 for /api) is never reused for another.
      const key = e.cacheKey === 'credential' ? JSON.stringify(sent) : JSON.stringify([sent, req.method, req.host, req.target, req.proto, req.clientIp]);
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      let mine = false;
      const outcome = await flights.run(key, (s) => ((mine = true), ask(key, req, sent, s)), signal, () => LEFT);
      // An answer not to be cached (it sets a cookie) is the asking request's own: a request that
      // only shared its call gets it without the cookie.
      return mine || outcome.cacheable ? outcome.decision : withoutCookies(outcome.decision);
    },
    // Calls under way are left to finish (bounded by timeoutMs): requests in flight on the
    // table that held this authenticator keep their answer; nothing is cached any more.
    close(): void {
      closed = true;
      cache.clear();
    },
  };
}
