// The config check of `shadow.compare`: every JSON path, CSS selector and regular expression
// is compiled by the same code the shadow runs, so `strangler check` accepts exactly what the
// proxy can compare with. Pure (the selector engine is loaded only when there is a selector).

import type { ShadowCompareConfig } from '../config/types.js';
import { quote } from '../config/quote.js';
import { unknownElementName } from './html-elements.js';
import { checkSelector, isJsonPathEntry } from './html-selectors.js';
import { checkPattern } from './patterns.js';
import { checkTextPattern } from './text-compare.js';

export interface CompareProblem {
  readonly key: 'ignore' | 'unorderedArrays' | 'ignoreText';
  readonly index: number;
  readonly message: string;
}

/** What is wrong with each entry of ignore, unorderedArrays and ignoreText, in file order. */
export function compareProblems(compare: ShadowCompareConfig | undefined): CompareProblem[] {
  const out: CompareProblem[] = [];
  (compare?.ignore ?? []).forEach((entry, index) => {
    if (isJsonPathEntry(entry)) {
      const problem = checkPattern(entry);
      if (problem !== null) out.push({ key: 'ignore', index, message: `invalid JSON path pattern: ${problem} (got ${quote(entry)})` });
    } else if (unknownElementName(entry)) {
      out.push({ key: 'ignore', index, message: `${quote(entry)} is neither a JSON path nor a CSS selector naming an HTML element: a JSON path starts with $ (did you mean ${quote('$.' + entry.trim())}?)` });
    } else {
      const problem = checkSelector(entry);
      if (problem !== null) out.push({ key: 'ignore', index, message: `invalid CSS selector: ${problem} (got ${quote(entry)}; an entry starting with $ is a JSON path)` });
    }
  });
  (compare?.unorderedArrays ?? []).forEach((entry, index) => {
    const problem = checkPattern(entry);
    if (problem !== null) out.push({ key: 'unorderedArrays', index, message: `invalid JSON path pattern: ${problem} (got ${quote(entry)})` });
  });
  (compare?.ignoreText ?? []).forEach((entry, index) => {
    const problem = checkTextPattern(entry);
    if (problem !== null) out.push({ key: 'ignoreText', index, message: `invalid regular expression: ${problem} (got ${quote(entry)})` });
  });
  return out;
}
