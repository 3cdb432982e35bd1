// The compiled, immutable route table. A request reads one table from start to end.
// It carries the config it was compiled from: the validated file (`config`, what `/config`
// serves and the reload log diffs) and its effective routes (`effective`, see effective.ts).

import type { StranglerConfig } from '../config/types.js';
import type { Upstream } from '../forward/pools.js';
import type { LocationRewriter } from '../forward/location.js';
import type { RouteMeters } from '../observability/metrics.js';
import type { StickySource } from '../canary/split.js';
import type { ResolvedServer } from './defaults.js';
import { HostMatcher, pathMatcher, type PathMatcher } from './host-matcher.js';
import { bareHost } from './host.js';
import type { PathRewrite } from './rewrite.js';
import type { RouteState } from './route-state.js';
import type { Identity } from '../identity/compile.js';
import type { RouteGate } from '../identity/gate.js';
import type { Tracing } from '../tracing/tracing.js';
import type { RouteRecorder } from '../record/recorder.js';
import type { EffectiveCanary, EffectiveConfig, EffectiveRoute, ResolvedBreaker, ResolvedRetry, ResolvedShadow } from './types.js';

export type { ResolvedShadow } from './types.js';

export interface ResolvedCanary extends EffectiveCanary<Upstream> {
  readonly sticky: StickySource;
  /** Lower-cased, or null. */
  readonly force: string | null;
}

/** A fallback bound to its upstream's pool, its methods as a set (null: every method). */
export interface ResolvedFallback {
  readonly upstream: Upstream;
  readonly methods: ReadonlySet<string> | null;
}

export interface CompiledRoute {
  /** Index in the file's `routes:` list. */
  readonly index: number;
  readonly prefix: string;
  /** Lower-case host, `*.` + host for a wildcard, or null: any host. */
  readonly host: string | null;
  /** The route's name in logs and metrics: the prefix, or host + prefix for a host route. */
  readonly label: string;
  readonly methods: ReadonlySet<string> | null;
  readonly upstream: Upstream;
  readonly prefixRewrite: string | null;
  /** The path sent to the upstream (and the canary): prefixRewrite applied. */
  readonly forwardPath: PathRewrite;
  /** The path sent to the shadow: its own prefixRewrite, else the route's. */
  readonly shadowPath: PathRewrite;
  readonly preserveHost: boolean;
  /** preserveHost false: rewrites Location/Content-Location pointing at the upstream; else null. */
  readonly rewriteLocation: LocationRewriter | null;
  readonly timeoutMs: number;
  /** Longest silence on a started request or response body (0 = none). */
  readonly idleTimeoutMs: number;
  readonly retry: ResolvedRetry;
  readonly breaker: ResolvedBreaker | null;
  readonly fallback: ResolvedFallback | null;
  readonly shadow: ResolvedShadow | null;
  readonly canary: ResolvedCanary | null;
  readonly meters: RouteMeters;
  /** The route's rate limit and authenticators, or null: neither. */
  readonly gate: RouteGate | null;
  /** Where its exchanges are recorded, or null: not recorded (the request path checks this one field). */
  readonly record: RouteRecorder | null;
  /** Identity across reloads: host + prefix + methods. */
  readonly key: string;
  /** The effective config (defaults merged, upstream URLs resolved) as canonical JSON. */
  readonly fingerprint: string;
  readonly state: RouteState;
  /** What this route was compiled from (upstreams by name). */
  readonly effective: EffectiveRoute;
}

export class RouteTable {
  readonly version: string;
  readonly file: string;
  readonly loadedAt: Date;
  /** The validated file as written (defaults not merged). */
  readonly config: StranglerConfig;
  readonly effective: EffectiveConfig;
  readonly server: ResolvedServer;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly routes: readonly CompiledRoute[];
  /** The authenticators, and the header names no client may send. */
  readonly identity: Identity;
  /** server.tracing's tracer, or null: tracing off (the request path checks this one field). */
  readonly tracing: Tracing | null;
  /** Literal prefixes only: PrefixMatcher; a table with templates: SegmentMatcher. */
  readonly #matcher: PathMatcher<CompiledRoute>;
  /** Only when some route has a `host`: the routes by host, then by path; else null. */
  readonly #hosts: HostMatcher<CompiledRoute> | null;

  constructor(init: {
    version: string;
    file: string;
    config: StranglerConfig;
    effective: EffectiveConfig;
    upstreams: ReadonlyMap<string, Upstream>;
    routes: readonly CompiledRoute[];
    identity?: Identity;
    tracing?: Tracing | null;
  }) {
    this.version = init.version;
    this.file = init.file;
    this.loadedAt = new Date();
    this.config = init.config;
    this.effective = init.effective;
    this.server = init.effective.server;
    this.upstreams = init.upstreams;
    this.routes = init.routes;
    this.identity = init.identity ?? { authenticators: new Map(), strip: null };
    this.tracing = init.tracing ?? null;
    this.#matcher = pathMatcher(init.routes);
    this.#hosts = init.routes.some((r) => r.host !== null) ? new HostMatcher(init.routes) : null;
  }

  /** `host`: the authority the request names (an absolute-form target's, else the Host header's,
   *  as the header scan found them); read only by a table with host routes. */
  match(method: string, path: string, host: string | null = null): CompiledRoute | undefined {
    if (this.#hosts === null) return this.#matcher.match(method, path);
    return this.#hosts.match(method, path, host === null ? '' : bareHost(host));
  }
}
