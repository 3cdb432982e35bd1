// Which route's compare rules a recorded request is judged by: the route of `--config` that the
// recorded host and path (as the client sent them) match, as the proxy would match them; its
// `shadow.compare`, or the defaults for a route without a shadow. Without `--config`, or when no
// route matches, the recording's own route label and the defaults. Pure: the config was loaded
// and validated the way `strangler check` does it, nothing was started.

import type { ShadowCompareConfig } from '../config/types.js';
import { bareHost, routeLabel } from '../routing/host.js';
import { HostMatcher } from '../routing/host-matcher.js';
import type { EffectiveConfig } from '../routing/types.js';

export interface RouteRules {
  /** The route's label (prefix, or host + prefix), as the shadow report names it. */
  readonly label: string;
  readonly compare: ShadowCompareConfig | undefined;
  /** With --config: the route's upstream, whose recorded answers are the reference. */
  readonly upstream: string | null;
}

interface Entry {
  readonly prefix: string;
  readonly host: string | null;
  readonly methods: ReadonlySet<string> | null;
  readonly rules: RouteRules;
}

/** A recorded answer from another upstream than the route's (with --config): the canary's or
 *  the fallback's, during a canary or an outage: not the reference a candidate is judged by. */
export function answeredByOther(x: { readonly upstream: string | null }, rules: RouteRules): boolean {
  return rules.upstream !== null && x.upstream !== null && x.upstream !== rules.upstream;
}

/** A recording without a route label (or an unmatched one) is reported under this name. */
export const UNROUTED = '(no route)';

export class RouteFinder {
  readonly #matcher: HostMatcher<Entry> | null;

  constructor(effective: EffectiveConfig | null) {
    if (effective === null) {
      this.#matcher = null;
      return;
    }
    const entries: Entry[] = effective.routes.map((r) => ({
      prefix: r.prefix,
      host: r.host,
      methods: r.methods === null ? null : new Set(r.methods),
      rules: { label: routeLabel(r), compare: r.shadow?.compare, upstream: r.upstream },
    }));
    this.#matcher = new HostMatcher(entries);
  }

  find(method: string, path: string, host: string | null, recordedRoute: string | null): RouteRules {
    const q = path.indexOf('?');
    const bare = q < 0 ? path : path.slice(0, q);
    const hit = this.#matcher?.match(method, bare, host === null ? '' : bareHost(host));
    return hit?.rules ?? { label: recordedRoute ?? UNROUTED, compare: undefined, upstream: null };
  }
}
