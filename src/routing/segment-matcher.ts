// Matching for a table with path templates (pure): a trie of prefix segments, built once per
// table, used only when some prefix has a `{name}` segment (literal-only tables keep the
// PrefixMatcher of match.ts). A `{name}` edge takes exactly one non-empty path segment.
//
// The most specific route wins: the one with more segments; at equal segment count, the one with
// a literal where the other has `{name}`, at the first segment where they differ. Walking the
// trie literal edge first, a deeper hit always replaces a shallower one, and a `{name}` hit
// replaces a literal one only when it is deeper. Among routes of one node (one template up to
// names), a route whose methods list the request's method wins over one without; a node with no
// route for the method is passed over, as a literal prefix is.

import { prefixSegments } from '../config/template-syntax.js';
import { addToEntry, type Matchable, type MethodEntry } from './match.js';

interface Node<R> {
  readonly literal: Map<string, Node<R>>;
  param: Node<R> | null;
  entry: MethodEntry<R> | null;
  /** Segments from the root: the specificity of this node's routes. */
  readonly depth: number;
}

const node = <R>(depth: number): Node<R> => ({ literal: new Map(), param: null, entry: null, depth });

export class SegmentMatcher<R extends Matchable> {
  readonly #root: Node<R> = node(0);

  constructor(routes: readonly R[]) {
    for (const r of routes) {
      let n = this.#root;
      for (const seg of prefixSegments(r.prefix)) {
        if ('param' in seg) n = n.param ??= node(n.depth + 1);
        else {
          let next = n.literal.get(seg.literal);
          if (next === undefined) n.literal.set(seg.literal, (next = node(n.depth + 1)));
          n = next;
        }
      }
      addToEntry((n.entry ??= { byMethod: new Map(), any: undefined }), r);
    }
  }

  match(method: string, path: string): R | undefined {
    return this.#find(this.#root, method, path, 0)?.route;
  }

  /** The best hit at or below `n`; `slash` is the index of the '/' before the next path segment
   *  (path.length when the path is spent). */
  #find(n: Node<R>, method: string, path: string, slash: number): Hit<R> | undefined {
    if (slash < path.length) {
      let end = path.indexOf('/', slash + 1);
      if (end === -1) end = path.length;
      let hit: Hit<R> | undefined;
      if (n.literal.size > 0) {
        const next = n.literal.get(path.slice(slash + 1, end));
        if (next !== undefined) hit = this.#find(next, method, path, end);
      }
      if (n.param !== null && end > slash + 1) {
        const other = this.#find(n.param, method, path, end);
        if (other !== undefined && (hit === undefined || other.depth > hit.depth)) hit = other;
      }
      if (hit !== undefined) return hit;
    }
    const e = n.entry;
    const route = e === null ? undefined : (e.byMethod.get(method) ?? e.any);
    return route === undefined ? undefined : { route, depth: n.depth };
  }
}

interface Hit<R> {
  readonly route: R;
  readonly depth: number;
}

/** Sorts prefixes most specific first, as the matcher ranks two that match one path: more segments
 *  first; then, at the first segment where one has a literal and the other `{name}`, the literal;
 *  then the longer text (a total order, for `strangler check`'s table). */
export function bySpecificity(a: string, b: string): number {
  const sa = prefixSegments(a);
  const sb = prefixSegments(b);
  if (sa.length !== sb.length) return sb.length - sa.length;
  for (let i = 0; i < sa.length; i++) {
    const pa = 'param' in sa[i]!;
    if (pa !== 'param' in sb[i]!) return pa ? 1 : -1;
  }
  return b.length - a.length;
}
