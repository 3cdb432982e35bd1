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

export type EffectiveCanary<U = string> = Omit<CanaryConfig, 'upstream'> & { readonly upstream: U };

export interface EffectiveFallback {
  readonly upstream: string;
  /** The methods sent to the fallback; null: every method (the replay-safety rule still decides). */
  readonly methods: readonly string[] | null;
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
  readonly routes: readonly EffectiveRoute[];
}

/** A problem the effective step finds, at a JSON pointer into the file (the loader locates it). */
export interface EffectiveIssue {
  readonly pointer: string;
  readonly message: string;
}
