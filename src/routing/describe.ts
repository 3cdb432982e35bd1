// The table as people read it: `/routes` (effective values plus live state) and
// `strangler check --json` (effective values only, nothing running).

import type { Upstream } from '../forward/pools.js';
import { describeRoute } from './effective.js';
import type { RouteTable } from './table.js';
import type { EffectiveAuthenticator, EffectiveConfig } from './types.js';
import type { ResolvedServer } from './defaults.js';
import { REDACTED, redactUrl } from '../config/redact.js';
import { legacyUpstreamOf } from '../status/table-input.js';

function describeServer(s: ResolvedServer): object {
  return s.rateLimitStore === null ? s : { ...s, rateLimitStore: redactUrl(s.rateLimitStore) };
}

function describeAuth(auth: ReadonlyMap<string, EffectiveAuthenticator>): object {
  return Object.fromEntries([...auth].map(([n, a]) => [n, a.kind === 'jwt' && a.secret !== null ? { ...a, secret: REDACTED } : a]));
}

/** `GET /routes`: every route's effective config and its runtime state. */
export function describeTable(table: RouteTable): { server: object; [key: string]: unknown } {
  return {
    version: table.version,
    loadedAt: table.loadedAt.toISOString(),
    file: table.file,
    server: { ...describeServer(table.server), legacyUpstream: legacyUpstreamOf(table) }, // (the one in effect: named, or the default)
    auth: describeAuth(table.effective.auth),
    upstreams: Object.fromEntries([...table.upstreams].map(([n, u]) => [n, { url: u.url, pool: poolStats(u) }])),
    routes: table.routes.map((r) => ({
      ...describeRoute(r.effective),
      state: {
        since: r.state.since.toISOString(),
        ...r.state.policies?.describe(),
        ...(r.state.canaryHalt === null
          ? {}
          : {
              canary: {
                halted: r.state.canaryHalt.halted,
                window: r.state.canaryHalt.window(),
                ...r.state.canaryPolicies?.describe(),
                ...(r.state.canaryProgress === null ? {} : { progress: r.state.canaryProgress.view() }),
              },
            }),
      },
    })),
  };
}

/** `strangler check --json`: the effective config of a file, as `/routes` would show it. */
export function describeEffective(effective: EffectiveConfig, meta: { version: string; file: string }): object {
  return {
    version: meta.version,
    file: meta.file,
    server: describeServer(effective.server),
    auth: describeAuth(effective.auth),
    upstreams: Object.fromEntries([...effective.upstreams].map(([n, u]) => [n, { url: u.url }])),
    routes: effective.routes.map(describeRoute),
  };
}

function poolStats(u: Upstream): object {
  const { connected, free, pending, queued, running, size } = u.pool.stats;
  return { connected, free, pending, queued, running, size };
}
