// What JUnit reports: per endpoint template (endpoint.ts) of each route, how its requests ended,
// and each differing path (normalised) with how many requests differed there and one example
// (the first seen). Bounded: at most MAX_PATHS paths per endpoint. Pure.

import { normalizePath } from '../shadow/json-path.js';
import type { ShadowEvent } from '../shadow/log-line.js';

export const MAX_PATHS = 20;

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

  add(template: string, e: ShadowEvent): void {
    const key = `${e.route}\n${template}`;
    let t = this.#byKey.get(key);
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
