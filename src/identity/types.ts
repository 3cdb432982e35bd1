// What the identity gate (gate.ts) asks of an authenticator and of a rate-limit store. Pure
// shapes: the authenticators (jwt.ts, forward.ts) and stores (local-store.ts, redis-store.ts)
// implement them; the gate runs them for a route and answers the client.

import type { RequestTrace } from '../tracing/request-trace.js';

/** The parts of a client's request an authenticator may read. */
export interface AuthRequest {
  /** The first value of a request header (name in lower case), or null. */
  header(lower: string): string | null;
  readonly method: string;
  /** The normalised path and the query, as the client sent it. */
  readonly target: string;
  /** The Host the client named (absolute-form authority first), or null. */
  readonly host: string | null;
  /** How the client reached the proxy: http or https (after the trustedProxies rules). */
  readonly proto: string;
  /** The client address after the trustedProxies rules. */
  readonly clientIp: string;
  readonly requestId: string;
  /** The request's trace (tracing on): a forward-auth subrequest is a client span in it. */
  readonly trace?: RequestTrace | null;
}

export type AuthDecision =
  /** No credentials this authenticator reads. `challenge`: its WWW-Authenticate value. */
  | { readonly kind: 'none'; readonly challenge: string | null }
  /** Identity established: the headers to add (lower-case names, each one the authenticator
   *  writes) and the claims a `claim:NAME` rate-limit key reads. */
  | {
      readonly kind: 'allow';
      readonly headers: readonly (readonly [string, string])[];
      readonly claims: Readonly<Record<string, unknown>>;
    }
  /** Credentials present and refused (bad signature, expired...): 401 unless another accepts. */
  | { readonly kind: 'deny'; readonly reason: string; readonly challenge: string | null }
  /** An answer passed to the client as it is (a forward authenticator's 401, 403 or 3xx).
   *  `headers`: flat [name, value, ...] pairs, hop-by-hop and framing fields already removed. */
  | { readonly kind: 'answer'; readonly status: number; readonly headers: readonly string[]; readonly body: Buffer; readonly reason: string }
  /** Cannot decide (JWKS unreachable, auth upstream down or slow): 503 auth_unavailable. */
  | { readonly kind: 'error'; readonly reason: string };

export interface Authenticator {
  readonly name: string;
  /** The header names (lower case) it writes: removed from every client request on every route. */
  readonly writes: readonly string[];
  /** Decides one request. Never rejects: a failure is `{ kind: 'error' }`. `signal` aborts when
   *  the client leaves. */
  decide(req: AuthRequest, signal: AbortSignal): Promise<AuthDecision>;
  /** Stops timers and sockets (the table holding it was replaced by one without it). */
  close(): void;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Refused: when one token is back, in ms (>= 1). Allowed: 0. */
  readonly retryAfterMs: number;
  /** When the bucket is full again, in ms from now. */
  readonly resetMs: number;
}

export interface RateLimitStore {
  /** Takes one token from the bucket `key` (capacity `burst`, refilled at `perSecond`).
   *  A store that cannot decide (Redis unreachable) returns null: the request passes. */
  take(key: string, perSecond: number, burst: number): RateLimitDecision | null | Promise<RateLimitDecision | null>;
  close(): void;
}
