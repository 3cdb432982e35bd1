// Matching for a table with host routes (pure), built once per table only when some route has a
// `host` (a table without one matches by path alone, with no host lookup at all; table.ts
// chooses). Like virtual hosts: the routes of the request's exact host first, then those of the
// wildcard that covers it (`*.example.com` for `a.example.com`), and only when neither set has a
// route for the path, the routes without `host`. Within a set, the path matcher's rules decide.

import { isTemplate } from '../config/template-syntax.js';
import { wildcardSuffix } from './host.js';
import { PrefixMatcher, type Matchable } from './match.js';
import { SegmentMatcher } from './segment-matcher.js';

export interface PathMatcher<R> {
  match(method: string, path: string): R | undefined;
}

/** The path matcher of one set of routes: PrefixMatcher for literal prefixes only, else the
 *  template trie. */
export function pathMatcher<R extends Matchable>(routes: readonly R[]): PathMatcher<R> {
  return routes.some((r) => isTemplate(r.prefix)) ? new SegmentMatcher(routes) : new PrefixMatcher(routes);
}

export interface HostRoutable extends Matchable {
  /** Lower-case host name, `*.` + name for a wildcard, or null for a route of any host. */
  readonly host: string | null;
}

export class HostMatcher<R extends HostRoutable> {
  readonly #exact: Map<string, PathMatcher<R>>;
  /** By the suffix after `*.`. */
  readonly #wildcard: Map<string, PathMatcher<R>>;
  readonly #any: PathMatcher<R> | null;

  constructor(routes: readonly R[]) {
    const exact = new Map<string, R[]>();
    const wildcard = new Map<string, R[]>();
    const any: R[] = [];
    for (const r of routes) {
      if (r.host === null) any.push(r);
      else if (r.host.startsWith('*.')) push(wildcard, r.host.slice(2), r);
      else push(exact, r.host, r);
    }
    this.#exact = new Map([...exact].map(([h, rs]) => [h, pathMatcher(rs)]));
    this.#wildcard = new Map([...wildcard].map(([h, rs]) => [h, pathMatcher(rs)]));
    this.#any = any.length === 0 ? null : pathMatcher(any);
  }

  /** `host`: lower-cased, without port (host.ts bareHost). */
  match(method: string, path: string, host: string): R | undefined {
    const exact = this.#exact.get(host)?.match(method, path);
    if (exact !== undefined) return exact;
    if (this.#wildcard.size > 0) {
      const suffix = wildcardSuffix(host);
      const wild = suffix === undefined ? undefined : this.#wildcard.get(suffix)?.match(method, path);
      if (wild !== undefined) return wild;
    }
    return this.#any?.match(method, path);
  }
}

function push<R>(m: Map<string, R[]>, key: string, r: R): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [r]);
  else list.push(r);
}
