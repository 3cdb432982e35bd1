// The structural HTML walk of the shadow diff. Pure (the parser aside).
//
// Two documents are equal when they have the same elements in the same nesting, each with the
// same attributes (in any order) and the same own text. Compared:
//   - elements: a parent's element children are paired by html-align.ts (tag, id or name as
//     identity, in order); an element left over is `missing` (only in the primary) or `extra`
//     (only in the shadow), named by its path, its value a short `<tag attr="...">` of it.
//   - attributes: ` @name`, kind `value`, `missing` or `extra`; values compared exactly.
//   - own text: ` #text`, kind `value`: the element's direct text, with whitespace runs
//     collapsed to one space and trimmed (kept as it is inside <pre> and <textarea>), so
//     whitespace-only text between elements and indentation never count.
//   Comments, the doctype and processing instructions are not compared.
// Paths are html-paths.ts. Values longer than 120 characters are clipped around the first
// difference. An element a `compare.ignore` selector matches is left out with its subtree and
// attributes, as if its side did not have it (its siblings keep their names). A document nested deeper than MAX_HTML_DEPTH is not walked
// (RangeError: the caller compares bytes instead). The walk is a generator that yields every
// `nodes` elements (slicing.ts), so a big page is walked over several turns of the event loop.

import { ELEMENTS_COME_AND_GO, type DifferenceCollector, type DifferenceKind } from './differences.js';
import type { ChildNode, Document, Element } from './html-lib.js';
import { alignSiblings } from './html-align.js';
import { baseStep, formatHtmlPath, normalizeHtmlPath, stepsOf } from './html-paths.js';
import { NodeCount } from './slicing.js';

export const MAX_HTML_DEPTH = 512;
const MAX_VALUE_CHARS = 120;
const MAX_ATTR_CHARS = 40;

function isElement(n: ChildNode): n is Element {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

/** The indices of the elements no ignore selector matched. */
function kept(els: readonly Element[], ignored: ReadonlySet<Element>): number[] {
  const out: number[] = [];
  for (let i = 0; i < els.length; i++) if (!ignored.has(els[i]!)) out.push(i);
  return out;
}

function ownText(kids: readonly ChildNode[], pre: boolean): string {
  let raw = '';
  for (const k of kids) if (k.type === 'text') raw += pre ? k.data : ` ${k.data}`;
  return pre ? raw : raw.replace(/\s+/g, ' ').trim();
}

function clip(text: string, start: number): string {
  const chars = Array.from(text);
  if (chars.length <= MAX_VALUE_CHARS) return text;
  const from = Math.max(0, Math.min(start, chars.length - MAX_VALUE_CHARS));
  const end = from + MAX_VALUE_CHARS;
  return (from > 0 ? '…' : '') + chars.slice(from, end).join('') + (end < chars.length ? '…' : '');
}

/** Both values clipped to the same window, starting a little before their first difference. */
function clipPair(a: string, b: string): [string, string] {
  const ca = Array.from(a);
  const cb = Array.from(b);
  let d = 0;
  while (d < ca.length && d < cb.length && ca[d] === cb[d]) d++;
  const start = Math.max(0, d - MAX_VALUE_CHARS / 3);
  return [clip(a, start), clip(b, start)];
}

/** `<input name="x" value="…">`: what a missing or extra element was. */
function describe(el: Element): string {
  let out = `<${el.name}`;
  for (const [k, v] of Object.entries(el.attribs)) out += ` ${k}="${v.length > MAX_ATTR_CHARS ? v.slice(0, MAX_ATTR_CHARS) + '…' : v}"`;
  out += '>';
  return out.length > MAX_VALUE_CHARS ? out.slice(0, MAX_VALUE_CHARS - 1) + '…' : out;
}

export class HtmlWalker {
  private readonly steps: string[] = [];
  private readonly count: NodeCount;

  /** `nodes`: yield after every so many elements (never, by default). */
  constructor(
    private readonly out: DifferenceCollector,
    private readonly ignoredP: ReadonlySet<Element>,
    private readonly ignoredS: ReadonlySet<Element>,
    private readonly withNoise: boolean,
    nodes = Infinity,
  ) {
    this.count = new NodeCount(nodes);
  }

  /** Collects the differences of the two documents into `out`, yielding every `nodes` elements. */
  *walk(p: Document, s: Document): Generator<void, void> {
    this.text(p.children, s.children, false);
    yield* this.children(p.children, s.children, false, 0);
  }

  private emit(suffix: string | undefined, kind: DifferenceKind, primary: unknown, shadow: unknown): void {
    const path = formatHtmlPath(this.steps, suffix);
    const keys: string[] = [];
    if (this.withNoise) {
      keys.push(normalizeHtmlPath(path));
      for (let n = this.steps.length; n >= 1; n--) keys.push(normalizeHtmlPath(formatHtmlPath(this.steps.slice(0, n))));
      // An element on one side only: also covered where elements come and go (noise.ts).
      if (suffix === undefined && (kind === 'missing' || kind === 'extra')) keys.push(keys[0]! + ELEMENTS_COME_AND_GO);
    }
    this.out.add(path, kind, primary, shadow, keys);
  }

  private text(p: readonly ChildNode[], s: readonly ChildNode[], pre: boolean): void {
    const a = ownText(p, pre);
    const b = ownText(s, pre);
    if (a === b || this.out.stopped) return;
    const [ca, cb] = clipPair(a, b);
    this.emit('#text', 'value', ca, cb);
  }

  private *children(pKids: readonly ChildNode[], sKids: readonly ChildNode[], pre: boolean, depth: number): Generator<void, void> {
    if (depth > MAX_HTML_DEPTH) throw new RangeError('HTML nested too deep to compare');
    const pe = pKids.filter(isElement);
    const se = sKids.filter(isElement);
    if (pe.length === 0 && se.length === 0) return;
    // Named among all their siblings; aligned without the ignored ones (they are not there).
    const pn = stepsOf(pe);
    const sn = stepsOf(se);
    const pk = kept(pe, this.ignoredP);
    const sk = kept(se, this.ignoredS);
    for (const a of alignSiblings(pk.map((i) => baseStep(pe[i]!)), sk.map((j) => baseStep(se[j]!)))) {
      if (this.out.stopped) return;
      const i = a.p === undefined ? -1 : pk[a.p]!;
      const j = a.s === undefined ? -1 : sk[a.s]!;
      if (j < 0) this.onlyOne(pe[i]!, pn[i]!, 'missing');
      else if (i < 0) this.onlyOne(se[j]!, sn[j]!, 'extra');
      else yield* this.pair(pe[i]!, se[j]!, pn[i]!, pre, depth);
      if (this.count.tick()) yield;
    }
  }

  private *pair(p: Element, s: Element, step: string, pre: boolean, depth: number): Generator<void, void> {
    if (this.out.stopped) return;
    this.steps.push(step);
    try {
      this.attributes(p.attribs, s.attribs);
      const inPre = pre || p.name === 'pre' || p.name === 'textarea';
      this.text(p.children, s.children, inPre);
      yield* this.children(p.children, s.children, inPre, depth + 1);
    } finally {
      this.steps.pop();
    }
  }

  private attributes(p: Readonly<Record<string, string>>, s: Readonly<Record<string, string>>): void {
    for (const k of Object.keys(p)) {
      if (this.out.stopped) return;
      if (!Object.hasOwn(s, k)) this.emit(`@${k}`, 'missing', clipPair(p[k]!, '')[0], undefined);
      else if (p[k] !== s[k]) {
        const [a, b] = clipPair(p[k]!, s[k]!);
        this.emit(`@${k}`, 'value', a, b);
      }
    }
    for (const k of Object.keys(s)) {
      if (this.out.stopped) return;
      if (!Object.hasOwn(p, k)) this.emit(`@${k}`, 'extra', undefined, clipPair('', s[k]!)[1]);
    }
  }

  private onlyOne(el: Element, step: string, kind: 'missing' | 'extra'): void {
    if (this.out.stopped) return;
    this.steps.push(step);
    this.emit(undefined, kind, kind === 'missing' ? describe(el) : undefined, kind === 'extra' ? describe(el) : undefined);
    this.steps.pop();
  }
}
