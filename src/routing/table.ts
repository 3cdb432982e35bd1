// The compiled, immutable route table. A request reads one table from start to end.
// Compiling merges `defaults:` under every route (route keys win, key by key; retry and breaker
// objects merge one level deep) and the built-in defaults under that.

import type {
  CanaryConfig,
  RetryOn,
  RouteConfig,
  ShadowConfig,
  StranglerConfig,
} from '../config/types.js';
import type { Upstream, UpstreamPools } from '../forward/pools.js';
import { RouteMeters, type Metrics } from '../observability/metrics.js';
import {
  BREAKER_DEFAULTS,
  COMPARE_DEFAULTS,
  RETRY_DEFAULTS,
  ROUTE_DEFAULTS,
  SERVER_DEFAULTS,
  SHADOW_DEFAULTS,
  type ResolvedServer,
} from './defaults.js';
import { PrefixMatcher } from './match.js';
import { canonicalJson } from '../config/version.js';
import { routeKey } from './diff.js';
import { RouteState } from './route-state.js';
import { RoutePolicies } from '../policies/route-policies.js';
import { CanaryHalt } from '../canary/halt.js';
import { ShadowState } from '../shadow/mirror.js';
import { parseSticky, type StickySource } from '../canary/split.js';
import type { Logger } from '../observability/logger.js';

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

export interface ResolvedShadow {
  readonly upstream: Upstream;
  readonly percent: number;
  readonly methods: readonly string[];
  readonly prefixRewrite: string | null;
  readonly timeoutMs: number;
  readonly maxConcurrent: number;
  readonly compare: typeof COMPARE_DEFAULTS;
}

export interface ResolvedCanary extends Omit<CanaryConfig, 'upstream'> {
  readonly upstream: Upstream;
  readonly sticky: StickySource;
  /** Lower-cased, or null. */
  readonly force: string | null;
}

export interface CompiledRoute {
  /** Index in the file's `routes:` list. */
  readonly index: number;
  readonly prefix: string;
  readonly methods: ReadonlySet<string> | null;
  readonly upstream: Upstream;
  readonly prefixRewrite: string | null;
  readonly preserveHost: boolean;
  readonly timeoutMs: number;
  readonly retry: ResolvedRetry;
  readonly breaker: ResolvedBreaker | null;
  readonly fallback: Upstream | null;
  readonly shadow: ResolvedShadow | null;
  readonly canary: ResolvedCanary | null;
  readonly meters: RouteMeters;
  /** Identity across reloads: prefix + methods. */
  readonly key: string;
  /** The effective config (defaults merged, upstream URLs resolved) as canonical JSON. */
  readonly fingerprint: string;
  readonly state: RouteState;
}

export class RouteTable {
  readonly version: string;
  readonly file: string;
  readonly loadedAt: Date;
  readonly server: ResolvedServer;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly routes: readonly CompiledRoute[];
  readonly #matcher: PrefixMatcher<CompiledRoute>;

  constructor(init: {
    version: string;
    file: string;
    server: ResolvedServer;
    upstreams: ReadonlyMap<string, Upstream>;
    routes: readonly CompiledRoute[];
  }) {
    this.version = init.version;
    this.file = init.file;
    this.loadedAt = new Date();
    this.server = init.server;
    this.upstreams = init.upstreams;
    this.routes = init.routes;
    this.#matcher = new PrefixMatcher(init.routes);
  }

  match(method: string, path: string): CompiledRoute | undefined {
    return this.#matcher.match(method, path);
  }
}

export interface CompileDeps {
  readonly pools: UpstreamPools;
  readonly metrics: Metrics;
  /** The table being replaced: unchanged routes keep its runtime state. */
  readonly previous?: RouteTable;
  /** Where a route's policies log retries, breaker transitions and fallbacks. */
  readonly logger: Logger;
}

export function resolveServer(config: StranglerConfig): ResolvedServer {
  const s = config.server;
  const out = { ...SERVER_DEFAULTS };
  for (const key of Object.keys(SERVER_DEFAULTS) as (keyof ResolvedServer)[]) {
    const v = s[key];
    if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}

export function compileTable(
  config: StranglerConfig,
  meta: { version: string; file: string },
  deps: CompileDeps,
): RouteTable {
  const upstreams = new Map<string, Upstream>();
  for (const [name, cfg] of Object.entries(config.upstreams)) {
    upstreams.set(name, deps.pools.upstream(name, cfg));
  }
  const need = (name: string): Upstream => {
    const u = upstreams.get(name);
    // The validator guarantees every name exists; this guards a compile of an unvalidated config.
    if (u === undefined) throw new Error(`unknown upstream '${name}'`);
    return u;
  };
  const meters = new Map<string, RouteMeters>();
  const previousState = new Map(deps.previous?.routes.map((r) => [`${r.key} ${r.fingerprint}`, r.state]));
  const routes = config.routes.map((r, index) => {
    const compiled = compileRoute(r, index, config, need, () => {
      let m = meters.get(r.prefix);
      if (m === undefined) meters.set(r.prefix, (m = new RouteMeters(deps.metrics, r.prefix)));
      return m;
    });
    const key = routeKey(r);
    const fingerprint = canonicalJson(describeRoute(compiled, true));
    const state =
      previousState.get(`${key} ${fingerprint}`) ??
      new RouteState(
        buildPolicies(compiled, compiled.upstream, deps),
        compiled.canary === null ? null : buildPolicies(compiled, compiled.canary.upstream, deps),
        compiled.canary === null ? null : new CanaryHalt(compiled.canary.halt ?? null),
        compiled.shadow === null ? null : new ShadowState(compiled.shadow),
      );
    if (state.canaryHalt !== null && state.canaryHalt.halted === null) deps.metrics.canaryHalted.set({ route: r.prefix }, 0);
    return { ...compiled, key, fingerprint, state };
  });
  return new RouteTable({ ...meta, server: resolveServer(config), upstreams, routes });
}

type RouteParts = Omit<CompiledRoute, 'key' | 'fingerprint' | 'state'>;

/** Policies towards `upstream` for a route that retries, has a breaker or a fallback; none otherwise. */
function buildPolicies(r: RouteParts, upstream: Upstream, deps: CompileDeps): RoutePolicies | null {
  if (r.retry.attempts <= 1 && r.breaker === null && r.fallback === null) return null;
  return new RoutePolicies(r.timeoutMs, r.retry, r.breaker, {
    logger: deps.logger,
    metrics: deps.metrics,
    route: r.prefix,
    upstream: upstream.name,
  });
}

function compileRoute(
  r: RouteConfig,
  index: number,
  config: StranglerConfig,
  need: (name: string) => Upstream,
  meters: () => RouteMeters,
): RouteParts {
  const d = config.defaults;
  const retryCfg = { ...d.retry, ...r.retry };
  const breakerCfg = d.breaker === undefined && r.breaker === undefined ? null : { ...d.breaker, ...r.breaker };
  const fallback = r.fallback ?? d.fallback;
  return {
    index,
    prefix: r.prefix,
    methods: r.methods === undefined ? null : new Set(r.methods),
    upstream: need(r.upstream),
    prefixRewrite: r.prefixRewrite ?? null,
    preserveHost: r.preserveHost ?? d.preserveHost ?? ROUTE_DEFAULTS.preserveHost,
    timeoutMs: r.timeoutMs ?? d.timeoutMs ?? ROUTE_DEFAULTS.timeoutMs,
    retry: { ...RETRY_DEFAULTS, ...retryCfg },
    breaker: breakerCfg === null ? null : { ...BREAKER_DEFAULTS, ...breakerCfg },
    // A fallback to the route's own upstream only serves its canary side (forward/resilient.ts).
    fallback: fallback === undefined || (fallback === r.upstream && r.canary === undefined) ? null : need(fallback),
    // A shadow of the route's own upstream would compare it with itself: it is off.
    shadow: r.shadow === undefined || r.shadow.upstream === r.upstream ? null : compileShadow(r.shadow, need),
    canary:
      r.canary === undefined
        ? null
        : { ...r.canary, upstream: need(r.canary.upstream), sticky: parseSticky(r.canary.stickyOn), force: r.canary.forceHeader?.toLowerCase() ?? null },
    meters: meters(),
  };
}

function compileShadow(s: ShadowConfig, need: (name: string) => Upstream): ResolvedShadow {
  return {
    upstream: need(s.upstream),
    percent: s.percent ?? SHADOW_DEFAULTS.percent,
    methods: s.methods ?? SHADOW_DEFAULTS.methods,
    prefixRewrite: s.prefixRewrite ?? null,
    timeoutMs: s.timeoutMs ?? SHADOW_DEFAULTS.timeoutMs,
    maxConcurrent: s.maxConcurrent ?? SHADOW_DEFAULTS.maxConcurrent,
    compare: { ...COMPARE_DEFAULTS, ...s.compare },
  };
}

/** The table as `/routes` and `strangler check` show it: effective values, no runtime objects. */
/** Prefixes whose shadow is off because it names the route's own upstream (logged at load). */
export function shadowsOff(config: StranglerConfig): string[] {
  return config.routes.filter((r) => r.shadow !== undefined && r.shadow.upstream === r.upstream).map((r) => r.prefix);
}

export function describeTable(table: RouteTable): object {
  return {
    version: table.version,
    loadedAt: table.loadedAt.toISOString(),
    file: table.file,
    server: table.server,
    upstreams: Object.fromEntries([...table.upstreams].map(([n, u]) => [n, { url: u.url, pool: poolStats(u) }])),
    routes: table.routes.map((r) => ({
      ...describeRoute(r),
      state: {
        since: r.state.since.toISOString(),
        ...r.state.policies?.describe(),
        ...(r.state.canaryHalt === null
          ? {}
          : { canary: { halted: r.state.canaryHalt.halted, window: r.state.canaryHalt.window(), ...r.state.canaryPolicies?.describe() } }),
      },
    })),
  };
}

function poolStats(u: Upstream): object {
  const { connected, free, pending, queued, running, size } = u.pool.stats;
  return { connected, free, pending, queued, running, size };
}

/** A route's effective config; `withUrls` adds where its upstreams live (for fingerprints). */
function describeRoute(r: RouteParts, withUrls = false): object {
  const url = (u: Upstream | null | undefined) => (withUrls && u ? { upstreamUrl: u.url } : {});
  return {
    prefix: r.prefix,
    methods: r.methods === null ? null : [...r.methods],
    upstream: r.upstream.name,
    ...url(r.upstream),
    prefixRewrite: r.prefixRewrite,
    preserveHost: r.preserveHost,
    timeoutMs: r.timeoutMs,
    retry: r.retry,
    breaker: r.breaker,
    fallback: r.fallback?.name ?? null,
    fallbackUrl: withUrls ? (r.fallback?.url ?? null) : undefined,
    shadow: r.shadow === null ? null : { ...r.shadow, upstream: r.shadow.upstream.name, ...url(r.shadow.upstream) },
    canary: r.canary === null ? null : { ...r.canary, sticky: undefined, force: undefined, upstream: r.canary.upstream.name, ...url(r.canary.upstream) },
  };
}
