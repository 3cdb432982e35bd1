// The body part of comparing two HTML answers, in steps: both bodies parsed (a slice of text per
// step), the elements the ignore selectors match found, then the documents walked (so many
// elements per step). A generator that yields between two steps; diff.ts runs it whole or
// across turns of the event loop, with the same differences either way. Pure but for the parser.

import type { DifferenceCollector } from './differences.js';
import { HtmlWalker } from './html-diff.js';
import { parseHtmlSteps } from './html-parse.js';
import type { SelectorIgnore } from './html-selectors.js';
import type { Slicing } from './slicing.js';

export interface HtmlSide {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Collects the differences of two HTML bodies into `out`. Throws RangeError when nested too deep to walk. */
export function* compareHtmlBodies(
  out: DifferenceCollector,
  primary: HtmlSide,
  shadow: HtmlSide,
  ignore: SelectorIgnore,
  withNoise: boolean,
  slicing: Slicing,
): Generator<void, void> {
  const p = yield* parseHtmlSteps(primary.body, primary.contentType, slicing.chars);
  const s = yield* parseHtmlSteps(shadow.body, shadow.contentType, slicing.chars);
  const ignoredP = yield* ignore.matchesSteps(p, slicing.nodes);
  const ignoredS = yield* ignore.matchesSteps(s, slicing.nodes);
  yield* new HtmlWalker(out, ignoredP, ignoredS, withNoise, slicing.nodes).walk(p, s);
}
