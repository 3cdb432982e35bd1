// A route's identity gate: its rate limit and its authenticators, run before anything is sent
// upstream (plain requests, HTTP/2 streams and WebSocket upgrades alike). Built once per table
// (identity/compile.ts); a request without a gate on its route pays nothing.
//
// Order: a limit keyed by the client (client-ip, header:NAME) runs first, so a flood never
// reaches an authenticator; one keyed by a claim runs after the authenticator that gave it.
// Authenticators are asked in order and the first that accepts wins. If none does: one that could
// not decide makes it 503 auth_unavailable (never open by accident); else a forward answer (the
// monolith's own 401, 403 or login redirect) is passed on; else 401 unauthorized.

import type { ErrorCode } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { EffectiveRateLimit } from '../routing/types.js';
import { rateLimitHeaders, retryAfterHeaders } from './rate-limit-headers.js';
import type { AuthDecision, AuthRequest, Authenticator, RateLimitDecision, RateLimitStore } from './types.js';

export type GateResult =
  /** Go on: `add` (flat name/value pairs) joins the upstream request's headers, `responseHeaders`
   *  the answer's (the RateLimit fields), or null. */
  | { readonly ok: true; readonly add: readonly string[]; readonly responseHeaders: readonly string[] | null }
  /** Refused: the proxy's JSON error `code` with `headers` besides; or, code null, the answer
   *  `status`/`headers`/`body` as an authenticator gave it. */
  | {
      readonly ok: false;
      readonly status: number;
      readonly code: ErrorCode | null;
      readonly message: string;
      readonly headers: readonly string[];
      readonly body: Buffer | null;
    };

export interface RouteLimit {
  readonly config: EffectiveRateLimit;
  readonly store: RateLimitStore;
}

const NO_ADD: readonly string[] = [];
const DEFAULT_CHALLENGE = 'Bearer realm="strangler"';

export class RouteGate {
  readonly #route: string;
  readonly #auth: readonly Authenticator[];
  readonly #limit: RouteLimit | null;
  readonly #metrics: Metrics;
  /** The route's identity (host, prefix and methods): two routes on one prefix have two buckets. */
  readonly #bucketName: string;

  constructor(route: string, auth: readonly Authenticator[], limit: RouteLimit | null, metrics: Metrics, bucketName = route) {
    this.#route = route;
    this.#bucketName = bucketName;
    this.#auth = auth;
    this.#limit = limit;
    this.#metrics = metrics;
  }

  /** Whether it asks authenticators (which wait, and should stop when the client leaves). */
  get asks(): boolean {
    return this.#auth.length > 0;
  }

  run(req: AuthRequest, signal: AbortSignal): GateResult | Promise<GateResult> {
    const limit = this.#limit;
    if (limit !== null && limit.config.key.kind !== 'claim') {
      const taken = limit.store.take(this.#bucket(req, null), limit.config.requestsPerSecond, limit.config.burst);
      if (taken instanceof Promise) return taken.then((d) => this.#afterLimit(d, req, signal));
      return this.#afterLimit(taken, req, signal);
    }
    if (this.#auth.length === 0) return { ok: true, add: NO_ADD, responseHeaders: null };
    return this.#authenticate(req, signal).then((r) => {
      if (!r.ok) return r.result;
      return limit !== null ? this.#claimLimit(r, req) : { ok: true, add: r.add, responseHeaders: null };
    });
  }

  #afterLimit(d: RateLimitDecision | null, req: AuthRequest, signal: AbortSignal): GateResult | Promise<GateResult> {
    const refused = this.#limited(d);
    if (refused !== null) return refused;
    const responseHeaders = d === null ? null : rateLimitHeaders(this.#limit!.config, d);
    if (this.#auth.length === 0) return { ok: true, add: NO_ADD, responseHeaders };
    return this.#authenticate(req, signal).then((r) => (r.ok ? { ok: true, add: r.add, responseHeaders } : r.result));
  }

  async #claimLimit(r: { add: readonly string[]; claims: Readonly<Record<string, unknown>> }, req: AuthRequest): Promise<GateResult> {
    const limit = this.#limit!;
    const d = await limit.store.take(this.#bucket(req, r.claims), limit.config.requestsPerSecond, limit.config.burst);
    return this.#limited(d) ?? { ok: true, add: r.add, responseHeaders: d === null ? null : rateLimitHeaders(limit.config, d) };
  }

  /** The 429 for a refused decision; null when the request may go on (a store error: fail open). */
  #limited(d: RateLimitDecision | null): GateResult | null {
    if (d === null) {
      this.#metrics.rateLimitStoreErrors.inc();
      return null;
    }
    if (d.allowed) return null;
    this.#metrics.rateLimited.inc({ route: this.#route });
    const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    return {
      ok: false,
      status: 429,
      code: 'rate_limited',
      message: `over the route's rate limit of ${this.#limit!.config.requestsPerSecond} requests per second; retry in ${seconds} s`,
      headers: [...retryAfterHeaders(seconds), ...rateLimitHeaders(this.#limit!.config, d)],
      body: null,
    };
  }

  /** The bucket's key: the route and the client, as the limit's key names it. A header or claim
   *  the request lacks counts against its client address. */
  #bucket(req: AuthRequest, claims: Readonly<Record<string, unknown>> | null): string {
    const key = this.#limit!.config.key;
    let value: string | null = null;
    if (key.kind === 'header') value = req.header(key.name);
    else if (key.kind === 'claim') {
      const c = claims?.[key.name] ?? claims?.[key.name.toLowerCase()]; // (a forward authenticator's are header names, lower case)
      value = typeof c === 'string' || typeof c === 'number' ? String(c) : null;
    }
    return value === null ? `${this.#bucketName}\nip:${req.clientIp}` : `${this.#bucketName}\n${key.kind}:${value}`;
  }

  async #authenticate(req: AuthRequest, signal: AbortSignal): Promise<
    | { readonly ok: true; readonly add: readonly string[]; readonly claims: Readonly<Record<string, unknown>> }
    | { readonly ok: false; readonly result: GateResult }
  > {
    let error: string | null = null;
    let answer: Extract<AuthDecision, { kind: 'answer' }> | null = null;
    const challenges: string[] = [];
    let reason = 'no credentials';
    for (const a of this.#auth) {
      const d = await a.decide(req, signal);
      this.#metrics.authDecisions.inc({ route: this.#route, authenticator: a.name, result: d.kind === 'allow' ? 'allow' : d.kind === 'error' ? 'error' : 'deny' });
      if (d.kind === 'allow') {
        const add: string[] = [];
        for (const [name, value] of d.headers) add.push(name, value);
        return { ok: true, add, claims: d.claims };
      }
      if (d.kind === 'error') error ??= `${a.name}: ${d.reason}`;
      else if (d.kind === 'answer') answer ??= d;
      else {
        if (d.challenge !== null) challenges.push(d.challenge);
        if (d.kind === 'deny') reason = `${a.name}: ${d.reason}`;
      }
    }
    if (error !== null) return refuse(503, 'auth_unavailable', `authentication could not be decided (${error})`, []);
    if (answer !== null) return { ok: false, result: { ok: false, status: answer.status, code: null, message: answer.reason, headers: answer.headers, body: answer.body } };
    const www = challenges.length === 0 ? [DEFAULT_CHALLENGE] : [...new Set(challenges)];
    return refuse(401, 'unauthorized', `the request is not authenticated (${reason})`, www.flatMap((c) => ['www-authenticate', c]));
  }
}

function refuse(status: number, code: ErrorCode, message: string, headers: readonly string[]): { ok: false; result: GateResult } {
  return { ok: false, result: { ok: false, status, code, message, headers, body: null } };
}
