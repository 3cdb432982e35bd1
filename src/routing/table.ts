// The compiled, immutable route table. A request reads one table from start to end.
// It carries the config it was compiled from: the validated file (`config`, what `/config`
// serves and the reload log diffs) and its effective routes (`effective`, see effective.ts).

import type { StranglerConfig } from '../config/types.js';
import type { Upstream } from '../forward/pools.js';
import type { LocationRewriter } from '../forward/location.js';
import type { RouteMeters } from '../observability/metrics.js';
import type { StickySource } from '../canary/split.js';
import type { ResolvedServer } from './defaults.js';
import { isTemplate } from '../config/template-syntax.js';
import { PrefixMatcher } from './match.js';
import type { PathRewrite } from './rewrite.js';
import { SegmentMatcher } from './segment-matcher.js';
import type { RouteState } from './route-state.js';
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
  /** Identity across reloads: prefix + methods. */
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
  /** Literal prefixes only: PrefixMatcher; a table with templates: SegmentMatcher. */
  readonly #matcher: PrefixMatcher<CompiledRoute> | SegmentMatcher<CompiledRoute>;

  constructor(init: {
    version: string;
    file: string;
    config: StranglerConfig;
    effective: EffectiveConfig;
    upstreams: ReadonlyMap<string, Upstream>;
    routes: readonly CompiledRoute[];
  }) {
    this.version = init.version;
    this.file = init.file;
    this.loadedAt = new Date();
    this.config = init.config;
    this.effective = init.effective;
    this.server = init.effective.server;
    this.upstreams = init.upstreams;
    this.routes = init.routes;
    this.#matcher = init.routes.some((r) => isTemplate(r.prefix)) ? new SegmentMatcher(init.routes) : new PrefixMatcher(init.routes);
  }

  match(method: string, path: string): CompiledRoute | undefined {
    return this.#matcher.match(method, path);
  }
}
