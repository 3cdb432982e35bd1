// What each shadowing route of a table compares, as one text per route: the report store
// (shadow/store.ts) starts a route's report afresh when it changes. Pure.
//
// The key holds what a comparison depends on: the effective `shadow` block (upstream, percent,
// methods, timeouts, compare...), the shadow upstream's URL, the primary upstream (name and
// URL), the path rewrite the shadow is sent with (its own prefixRewrite, else the route's) and
// preserveHost (the Host both sides get).
// Anything else of the route (timeoutMs, retry, breaker, fallback, canary) leaves it unchanged.

import { canonicalJson } from '../util/canonical-json.js';
import type { RouteTable } from './table.js';

export interface ShadowKey {
  readonly route: string;
  readonly key: string;
}

export function shadowKeys(table: RouteTable): ShadowKey[] {
  const out: ShadowKey[] = [];
  for (const r of table.routes) {
    const shadow = r.effective.shadow;
    if (shadow === null || r.shadow === null) continue;
    out.push({
      route: r.label,
      key: canonicalJson({
        methods: r.effective.methods,
        shadow,
        shadowUrl: r.shadow.upstream.url,
        primary: r.effective.upstream,
        primaryUrl: r.upstream.url,
        rewrite: shadow.prefixRewrite ?? r.prefixRewrite,
        preserveHost: r.preserveHost,
      }),
    });
  }
  return out;
}
