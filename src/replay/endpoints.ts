// What JUnit reports: per endpoint template (endpoint.ts) of each route, how its requests ended,
// and each differing path (normalised) with how many requests differed there and one example
// (the first seen). Bounded: at most MAX_PATHS paths per endpoint, and at most
// MAX_TEMPLATES_PER_ROUTE templates per route: the requests of any further template (paths whose
// varying part is not id-like, `/search/<term>`, slugs) are tallied together as OTHER_TEMPLATE, so
// that memory and the JUnit stay bounded whatever the number of distinct paths. Pure.

import { normalizePath } from '../shadow/json-path.js';
import type { ShadowEvent } from '../shadow/log-line.js';

export const MAX_PATHS = 20;
export const MAX_TEMPLATES_PER_ROUTE = 1000;
/** The template that holds a route's requests beyond its first MAX_TEMPLATES_PER_ROUTE templates. */
export const OTHER_TEMPLATE = '(other endpoints)';

export interface PathTally {
  count: number;
  example: { method: string; path: string; at: string; kind: string; recorded: unknown; candidate: unknown };
}

export interface EndpointTally {
  readonly route: string;
  readonly template: string;
  match: number;
  mismatch: number;
  errors: Record<string, number>;
  skipped: Record<string, number>;
  readonly paths: Map<string, PathTally>;
}

export class EndpointTallies {
  readonly #byKey = new Map<string, EndpointTally>();
  /** How many templates each route has (OTHER_TEMPLATE not counted). */
  readonly #templates = new Map<string, number>();

  add(template: string, e: ShadowEvent): void {
    let key = `${e.route}\n${template}`;
    let t = this.#byKey.get(key);
    if (t === undefined) {
      const n = this.#templates.get(e.route) ?? 0;
      if (n >= MAX_TEMPLATES_PER_ROUTE) {
        template = OTHER_TEMPLATE;
        key = `${e.route}\n${template}`;
        t = this.#byKey.get(key);
      } else this.#templates.set(e.route, n + 1);
    }
    if (t === undefined) {
      t = { route: e.route, template, match: 0, mismatch: 0, errors: {}, skipped: {}, paths: new Map() };
      this.#byKey.set(key, t);
    }
    if (e.result === 'match') t.match++;
    else if (e.result === 'mismatch') t.mismatch++;
    else {
      const into = e.result === 'skipped' ? t.skipped : t.errors;
      const reason = e.reason ?? 'unknown';
      into[reason] = (into[reason] ?? 0) + 1;
    }
    const seen = new Set<string>();
    for (const d of e.differences ?? []) {
      const p = normalizePath(d.path);
      if (seen.has(p)) continue;
      seen.add(p);
      const had = t.paths.get(p);
      if (had !== undefined) had.count++;
      else if (t.paths.size < MAX_PATHS) {
        t.paths.set(p, { count: 1, example: { method: e.method, path: e.path, at: e.at, kind: d.kind, recorded: d.primary, candidate: d.shadow } });
      }
    }
  }

  /** By route, then template. */
  list(): EndpointTally[] {
    return [...this.#byKey.values()].sort((a, b) => (a.route === b.route ? cmp(a.template, b.template) : cmp(a.route, b.route)));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
