// `compare.ignore` for HTML answers: the entries that are not JSON paths are CSS selectors,
// compiled by css-select (the engine that runs them, so the config check accepts exactly what
// the proxy can run). Pure but for loading the engine on first use.

import { htmlLib, type Document, type Element } from './html-lib.js';

/** An entry starting with `$` is a JSON path; anything else a CSS selector. */
export function isJsonPathEntry(entry: string): boolean {
  return entry.startsWith('$');
}

export interface SelectorIgnore {
  /** The selectors as written. */
  readonly selectors: readonly string[];
  /** Every element of the document that one of the selectors matches. */
  matchesIn(doc: Document): ReadonlySet<Element>;
}

const NONE: ReadonlySet<Element> = new Set();

/** Compiles the selectors (the engine is loaded only when there is one). Throws on a bad one. */
export function compileSelectors(selectors: readonly string[]): SelectorIgnore {
  if (selectors.length === 0) return { selectors: [], matchesIn: () => NONE };
  const lib = htmlLib();
  const queries = selectors.map((s) => lib.compile<Element, Element>(s));
  return {
    selectors: [...selectors],
    matchesIn: (doc) => {
      const out = new Set<Element>();
      for (const q of queries) for (const el of lib.selectAll<Element, Element>(q, doc as unknown as Element)) out.add(el);
      return out;
    },
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
