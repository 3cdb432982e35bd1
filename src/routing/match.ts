// Longest-prefix matching on whole path segments (pure). `/api` matches `/api`, `/api/`, `/api/x`,
// never `/apiary`. Among routes with the same prefix, one whose methods list the request's method
// wins over one without a methods list. The path given here has no query string.
// This is the matcher of a table of literal prefixes; a table with a path template in any prefix
// is matched by segment-matcher.ts instead (table.ts chooses, once per table).

export interface Matchable {
  readonly prefix: string;
  readonly methods: ReadonlySet<string> | null;
}

/** The routes of one prefix: by method, and the one without a methods list. */
export interface MethodEntry<R> {
  readonly byMethod: Map<string, R>;
  any: R | undefined;
}

/** Adds a route to its prefix's entry; the first route of the file wins a tie (the rules reject those). */
export function addToEntry<R extends Matchable>(e: MethodEntry<R>, r: R): void {
  if (r.methods === null) e.any ??= r;
  else for (const m of r.methods) if (!e.byMethod.has(m)) e.byMethod.set(m, r);
}

export class PrefixMatcher<R extends Matchable> {
  readonly #entries = new Map<string, MethodEntry<R>>();

  constructor(routes: readonly R[]) {
    for (const r of routes) {
      let e = this.#entries.get(r.prefix);
      if (e === undefined) {
        e = { byMethod: new Map(), any: undefined };
        this.#entries.set(r.prefix, e);
      }
      addToEntry(e, r);
    }
  }

  match(method: string, path: string): R | undefined {
    let p = path;
    for (;;) {
      const e = this.#entries.get(p);
      if (e !== undefined) {
        const r = e.byMethod.get(method) ?? e.any;
        if (r !== undefined) return r;
      }
      if (p.length <= 1) return undefined;
      const cut = p.lastIndexOf('/');
      p = cut === 0 ? '/' : p.slice(0, cut);
    }
  }
}
