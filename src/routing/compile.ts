// Effective routes -> the compiled table: upstream names bound to pools, meters per prefix, and
// each route's runtime state (policies, canary halt, shadow state), built here and nowhere else.
// A route whose key and fingerprint are unchanged keeps the previous table's state.

import { systemClock, type Clock } from '../util/clock.js';
import type { StranglerConfig } from '../config/types.js';
import type { Upstream, UpstreamPools } from '../forward/pools.js';
import { locationRewriter } from '../forward/location.js';
import type { Logger } from '../observability/logger.js';
import { RouteMeters, type Metrics } from '../observability/metrics.js';
import type { KnownSeries } from '../observability/known-series.js';
import { LogAggregator } from '../observability/aggregate.js';
import { CanaryHalt } from '../canary/halt.js';
import { CanaryProgress } from '../canary/progress.js';
import { parseSticky } from '../canary/split.js';
import { RoutePolicies } from '../policies/route-policies.js';
import { ShadowState } from '../shadow/state.js';
import { routeLabel } from './host.js';
import { compileRewrite } from './rewrite.js';
import { RouteState } from './route-state.js';
import { RouteTable, type CompiledRoute } from './table.js';
import { compileIdentity, routeGate, type Identity, type IdentityDeps } from '../identity/compile.js';
import { RateLimitStores } from '../identity/stores.js';
import type { Tracings } from '../tracing/tracings.js';
import type { Recorders } from '../record/recorders.js';
import type { EffectiveConfig, EffectiveRoute } from './types.js';

export interface CompileDeps {
  readonly pools: UpstreamPools;
  readonly metrics: Metrics;
  /** The table being replaced: unchanged routes keep its runtime state. */
  readonly previous?: RouteTable | null;
  /** Where a route's policies log retries, breaker transitions and fallbacks. */
  readonly logger: Logger;
  /** The canary halt's window and the breaker's wait run on this clock (default: the system's). */
  readonly clock?: Clock;
  /** Where rate-limit buckets live (the process's, across reloads); default: new ones. */
  readonly stores?: RateLimitStores;
  /** The process's tracers (absent: no tracing, whatever server.tracing says: `check`, tests). */
  readonly tracings?: Tracings;
  /** The process's recording writers (absent: no recording, whatever routes say: `check`, tests). */
  readonly recorders?: Recorders;
}

/** What a table is compiled from: the validated file, its effective routes and where it came from. */
export interface TableSource {
  readonly config: StranglerConfig;
  readonly effective: EffectiveConfig;
  readonly version: string;
  readonly file: string;
}

export function compileTable(source: TableSource, deps: CompileDeps): RouteTable {
  const { effective } = source;
  const upstreams = new Map<string, Upstream>();
  for (const [name, cfg] of effective.upstreams) upstreams.set(name, deps.pools.upstream(name, cfg));
  const need = (name: string): Upstream => {
    const u = upstreams.get(name);
    // The effective step checked every name; this guards a hand-built EffectiveConfig.
    if (u === undefined) throw new Error(`unknown upstream '${name}'`);
    return u;
  };
  const meters = new Map<string, RouteMeters>();
  const meterFor = (label: string): RouteMeters => {
    let m = meters.get(label);
    if (m === undefined) meters.set(label, (m = new RouteMeters(deps.metrics, label)));
    return m;
  };
  const identityDeps: IdentityDeps = {
    logger: deps.logger,
    metrics: deps.metrics,
    stores: deps.stores ?? new RateLimitStores({ logger: deps.logger, ...(deps.clock === undefined ? {} : { clock: deps.clock }) }),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  };
  const identity = compileIdentity(effective, need, deps.previous?.identity ?? null, identityDeps);
  const previousState = new Map(deps.previous?.routes.map((r) => [`${r.key} ${r.fingerprint}`, r.state]));
  const routes = effective.routes.map((e): CompiledRoute => {
    const parts = bindRoute(e, need, meterFor(routeLabel(e)), identity, effective.server.rateLimitStore, identityDeps, deps.recorders);
    const state = previousState.get(`${e.key} ${e.fingerprint}`) ?? buildRouteState(parts, deps);
    parts.meters.prime(knownSeries(parts));
    return { ...parts, state };
  });
  return new RouteTable({ version: source.version, file: source.file, config: source.config, effective, upstreams, routes, identity, tracing: deps.tracings?.tracingFor(effective.server.tracing) ?? null });
}

export type RouteParts = Omit<CompiledRoute, 'state'>;

/** The series the route's config tells in advance (created at 0 now, off the request path). */
function knownSeries(r: RouteParts): KnownSeries {
  const sides = [r.upstream, ...(r.canary === null ? [] : [r.canary.upstream])];
  const fb = r.fallback?.upstream ?? null;
  return {
    upstreams: [...sides, ...(fb === null ? [] : [fb])].map((u) => u.name),
    canary: r.canary !== null,
    shadow: r.shadow !== null,
    // (resilient.ts: a side that is the fallback upstream itself never falls back)
    fallbacks: fb === null ? [] : sides.filter((u) => u !== fb).map((u) => ({ from: u.name, to: fb.name })),
  };
}

/** An effective route with its upstreams bound to pools. */
function bindRoute(e: EffectiveRoute, need: (name: string) => Upstream, meters: RouteMeters, identity: Identity, storeUrl: string | null, identityDeps: IdentityDeps, recorders: Recorders | undefined): RouteParts {
  const label = routeLabel(e);
  const forwardPath = compileRewrite(e.prefix, e.prefixRewrite);
  const shadowRewrite = e.shadow?.prefixRewrite ?? null;
  return {
    index: e.index,
    prefix: e.prefix,
    host: e.host,
    label,
    methods: e.methods === null ? null : new Set(e.methods),
    upstream: need(e.upstream),
    prefixRewrite: e.prefixRewrite,
    forwardPath,
    shadowPath: shadowRewrite === null ? forwardPath : compileRewrite(e.prefix, shadowRewrite),
    preserveHost: e.preserveHost,
    rewriteLocation: e.preserveHost ? null : locationRewriter(),
    timeoutMs: e.timeoutMs,
    idleTimeoutMs: e.idleTimeoutMs,
    retry: e.retry,
    breaker: e.breaker,
    fallback: e.fallback === null ? null : { upstream: need(e.fallback.upstream), methods: e.fallback.methods === null ? null : new Set(e.fallback.methods) },
    shadow: e.shadow === null ? null : { ...e.shadow, upstream: need(e.shadow.upstream) },
    canary:
      e.canary === null
        ? null
        : { ...e.canary, upstream: need(e.canary.upstream), sticky: parseSticky(e.canary.stickyOn), force: e.canary.forceHeader?.toLowerCase() ?? null },
    meters,
    gate: routeGate(e, label, identity, storeUrl, identityDeps),
    record: e.record === null || recorders === undefined ? null : recorders.recorderFor(e.record, label, e.host),
    key: e.key,
    fingerprint: e.fingerprint,
    effective: e,
  };
}

/** A route's fresh runtime state: policies towards its upstream (and its canary's), the canary's
 *  halt (and a progressive canary's step, at the first), the shadow's state. */
export function buildRouteState(r: RouteParts, deps: CompileDeps): RouteState {
  // The route's per-request lines are aggregated once for both of its sides (only if it has policies).
  const warnings = hasPolicies(r) ? new LogAggregator(deps.logger, { clock: deps.clock }) : null;
  const c = r.canary;
  const steps = c?.steps !== undefined && c.stepEveryMs !== undefined && c.gates !== undefined ? { steps: c.steps, stepEveryMs: c.stepEveryMs, gates: c.gates } : null;
  const halt = c === null ? null : new CanaryHalt(c.halt ?? null, deps.clock, steps !== null);
  return new RouteState(
    buildPolicies(r, r.upstream, deps, warnings),
    c === null ? null : buildPolicies(r, c.upstream, deps, warnings),
    halt,
    r.shadow === null ? null : new ShadowState(r.shadow),
    steps === null ? null : new CanaryProgress(steps, halt!, deps.clock ?? systemClock),
  );
}

const hasPolicies = (r: RouteParts): boolean => r.retry.attempts > 1 || r.breaker !== null || r.fallback !== null;

/** Policies towards `upstream` for a route that retries, has a breaker or a fallback (`warnings`
 *  set); none otherwise. */
function buildPolicies(r: RouteParts, upstream: Upstream, deps: CompileDeps, warnings: LogAggregator | null): RoutePolicies | null {
  if (warnings === null) return null;
  return new RoutePolicies(r.timeoutMs, r.retry, r.breaker, {
    logger: deps.logger,
    clock: deps.clock,
    metrics: deps.metrics,
    route: r.label,
    upstream: upstream.name,
    warnings,
  });
}
