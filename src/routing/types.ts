// The effective config: what routes.yaml means once `defaults:` and the built-in defaults are
// merged under every route and the rules about the route's own upstream are applied. Pure data:
// upstreams are referred to by name, nothing here holds a socket, a timer or a logger.
//
// The shapes are generic in how an upstream is referred to: by name here (`EffectiveShadow`),
// bound to its pool in the compiled table (`ResolvedShadow`). The policies and the shadow take
// their config types from this file, which imports no module of theirs (no import cycle).

import type { CanaryConfig, RetryOn } from '../config/types.js';
import type { Upstream } from '../forward/pools.js';
import type { ResolvedServer } from './defaults.js';
import type { ResolvedUpstream } from './upstream-tls.js';

export interface ResolvedRetry {
  readonly attempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly on: readonly RetryOn[];
  readonly budgetPercent: number;
}

export interface ResolvedBreaker {
  readonly consecutiveFailures: number;
  readonly halfOpenAfterMs: number;
}

export interface ResolvedCompare {
  readonly headers: readonly string[];
  readonly ignore: readonly string[];
  readonly unorderedArrays: readonly string[];
  readonly ignoreText: readonly string[];
  readonly numericTolerance: number;
  readonly noiseProbe: number;
}

export interface EffectiveShadow<U = string> {
  readonly upstream: U;
  readonly percent: number;
  readonly methods: readonly string[];
  readonly prefixRewrite: string | null;
  readonly timeoutMs: number;
  readonly maxConcurrent: number;
  readonly compare: ResolvedCompare;
}

/** A shadow bound to its upstream's pool (what the mirror sends with). */
export type ResolvedShadow = EffectiveShadow<Upstream>;

/** A progressive canary's gates with their defaults. */
export interface ResolvedCanaryGates {
  readonly maxErrorRate: number;
  readonly maxP99Ratio: number;
  readonly minRequests: number;
}

/** `percent`: the fixed percentage or, for a progressive canary (`steps`), its first step; the
 *  live one is the route state's `canaryProgress.percent`. */
export type EffectiveCanary<U = string> = Omit<CanaryConfig, 'upstream' | 'percent' | 'gates'> & {
  readonly upstream: U;
  readonly percent: number;
  readonly gates?: ResolvedCanaryGates;
};

export interface EffectiveFallback {
  readonly upstream: string;
  /** The methods sent to the fallback; null: every method (the replay-safety rule still decides). */
  readonly methods: readonly string[] | null;
}

/** A jwt authenticator with its defaults (identity/jwt.ts builds it). */
export interface EffectiveJwt {
  readonly kind: 'jwt';
  readonly name: string;
  /** Exactly one of the three is set. publicKey: an absolute path. */
  readonly jwksUrl: string | null;
  readonly secret: string | null;
  readonly publicKey: string | null;
  readonly issuer: string | null;
  readonly audience: readonly string[] | null;
  readonly algorithms: readonly string[];
  readonly clockSkewMs: number;
  /** [claim, header name in lower case] pairs. */
  readonly claimsToHeaders: readonly (readonly [string, string])[];
  readonly jwksCacheMs: number;
  readonly timeoutMs: number;
}

/** A forward authenticator with its defaults, its upstream by name (identity/forward.ts). */
export interface EffectiveForwardAuth {
  readonly kind: 'forward';
  readonly name: string;
  readonly upstream: string;
  readonly path: string;
  /** Lower case: the request headers passed to the auth call (its cache key). */
  readonly headers: readonly string[];
  /** Lower case: the headers copied from its 2xx answer. */
  readonly copyHeaders: readonly string[];
  readonly cacheMs: number;
  /** What an answer is cached and a call shared per (types.ts ForwardAuthConfig.cacheKey). */
  readonly cacheKey: 'request' | 'credential';
  readonly timeoutMs: number;
  readonly maxCacheEntries: number;
}

export type EffectiveAuthenticator = EffectiveJwt | EffectiveForwardAuth;

export type RateLimitKey =
  | { readonly kind: 'client-ip' }
  /** name: lower case. */
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'claim'; readonly name: string };

export interface EffectiveRateLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly key: RateLimitKey;
}

/** A route's `record` with its defaults; `file` absolute. */
export interface EffectiveRecord {
  readonly file: string;
  readonly percent: number;
  readonly methods: readonly string[];
  readonly maxBodyBytes: number;
  readonly maxFileBytes: number;
  readonly maxConcurrent: number;
  /** Lower case. */
  readonly redactHeaders: readonly string[];
  readonly redactJson: readonly string[];
  /** Lower case. */
  readonly redactQuery: readonly string[];
}

export interface EffectiveRoute {
  /** Index in the file's `routes:` list. */
  readonly index: number;
  /** Lower-case host, `*.` + host for a wildcard, or null: any host. */
  readonly host: string | null;
  readonly prefix: string;
  readonly methods: readonly string[] | null;
  readonly upstream: string;
  readonly prefixRewrite: string | null;
  readonly preserveHost: boolean;
  readonly timeoutMs: number;
  /** Longest silence on a started request or response body (0 = none). */
  readonly idleTimeoutMs: number;
  readonly retry: ResolvedRetry;
  readonly breaker: ResolvedBreaker | null;
  readonly fallback: EffectiveFallback | null;
  /** The route's own `fallback` is off because it names the route's own upstream. */
  readonly fallbackOff: boolean;
  readonly shadow: EffectiveShadow | null;
  /** The file gives a shadow that is off because it names the route's own upstream. */
  readonly shadowOff: boolean;
  readonly canary: EffectiveCanary | null;
  /** The file gives a canary that is off because it names the route's own upstream. */
  readonly canaryOff: boolean;
  /** The authenticators asked in order (the first that accepts wins), or null: none. */
  readonly auth: readonly string[] | null;
  readonly rateLimit: EffectiveRateLimit | null;
  /** Where its exchanges are recorded, or null: not recorded. */
  readonly record: EffectiveRecord | null;
  /** Identity across reloads: host + prefix + methods (`routeKey`); host routes are named by it. */
  readonly key: string;
  /** This effective route plus the URLs of the upstreams it names, as canonical JSON: equal
   *  fingerprints (and keys) let a new table keep a route's runtime state. */
  readonly fingerprint: string;
}

export interface EffectiveConfig {
  readonly server: ResolvedServer;
  /** Every upstream as written (the pools apply their own defaults). */
  readonly upstreams: ReadonlyMap<string, ResolvedUpstream>;
  /** The authenticators under `auth:`, by name. */
  readonly auth: ReadonlyMap<string, EffectiveAuthenticator>;
  readonly routes: readonly EffectiveRoute[];
}

/** A problem the effective step finds, at a JSON pointer into the file (the loader locates it). */
export interface EffectiveIssue {
  readonly pointer: string;
  readonly message: string;
}
