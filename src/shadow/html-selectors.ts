// `compare.ignore` for HTML answers: the entries that are not JSON paths are CSS selectors,
// compiled by css-select (the engine that runs them, so the config check accepts exactly what
// the proxy can run). Pure but for loading the engine on first use.

import { htmlLib, type ChildNode, type Document, type Element } from './html-lib.js';
import { NodeCount, runWhole } from './slicing.js';

/** An entry starting with `$` is a JSON path; anything else a CSS selector. */
export function isJsonPathEntry(entry: string): boolean {
  return entry.startsWith('$');
}

export interface SelectorIgnore {
  /** The selectors as written. */
  readonly selectors: readonly string[];
  /** Every element of the document that one of the selectors matches. */
  matchesIn(doc: Document): ReadonlySet<Element>;
  /** The same, `nodes` elements visited per step (a generator that yields between steps). */
  matchesSteps(doc: Document, nodes: number): Generator<void, ReadonlySet<Element>>;
}

const NONE: ReadonlySet<Element> = new Set();

function* none(): Generator<void, ReadonlySet<Element>> {
  return NONE;
}

function isElement(n: ChildNode): n is Element {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

/**
 * The elements one of the queries matches, visited as css-select's selectAll visits them (every
 * element under the document, not inside a <template>), yielding every `nodes` elements.
 */
function* matching(doc: Document, queries: readonly ((el: Element) => boolean)[], nodes: number): Generator<void, ReadonlySet<Element>> {
  const out = new Set<Element>();
  const count = new NodeCount(nodes);
  const lists: (readonly ChildNode[])[] = [doc.children];
  const at: number[] = [0];
  while (lists.length > 0) {
    const top = lists.length - 1;
    const list = lists[top]!;
    const i = at[top]!;
    if (i >= list.length) {
      lists.pop();
      at.pop();
      continue;
    }
    at[top] = i + 1;
    const node = list[i]!;
    if (!isElement(node)) continue;
    if (queries.some((q) => q(node))) out.add(node);
    if (node.name !== 'template' && node.children.length > 0) {
      lists.push(node.children);
      at.push(0);
    }
    if (count.tick()) yield;
  }
  return out;
}

/** Compiles the selectors (the engine is loaded only when there is one). Throws on a bad one. */
export function compileSelectors(selectors: readonly string[]): SelectorIgnore {
  if (selectors.length === 0) return { selectors: [], matchesIn: () => NONE, matchesSteps: none };
  const lib = htmlLib();
  const queries = selectors.map((s) => lib.compile<Element, Element>(s));
  return {
    selectors: [...selectors],
    matchesIn: (doc) => runWhole(matching(doc, queries, Infinity)),
    matchesSteps: (doc, nodes) => matching(doc, queries, nodes),
  };
}

/** For the config validator: null when css-select compiles the selector, else why not. */
export function checkSelector(selector: string): string | null {
  try {
    htmlLib().compile(selector);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
