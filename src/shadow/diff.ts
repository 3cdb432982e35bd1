// Compare the primary's answer with the shadow's: status, chosen headers, and the body, as
// JSON structurally when both sides are JSON, as documents when both are HTML, else as bytes. Pure: no I/O, no clock; the
// caller has already read and decoded (decompressed) both bodies.
//
// Names of differences (see patterns.ts for the JSON path syntax):
//   status                       kind `status`
//   headers.<lower-case name>    kind `header` (both sent it, values differ), `missing` (only
//                                the primary sent it), `extra` (only the shadow sent it).
//                                Several values of one header are joined with ", ". For
//                                content-type only, case and spaces around ; and = do not count.
//   html > body > h1 #text       HTML differences, named by element path (html-diff.ts has the
//                                rules, html-paths.ts the names): `value`, `missing`, `extra`
//   body                         kind `bytes`: other bodies that differ; primary/shadow are
//                                the first differing line of each (text) or `{ bytes: n }`
//                                (binary), and `detail` is a short unified-ish excerpt.
//   $..., e.g. $.items[3].price  JSON differences, kinds:
//                                `value`   same JSON type, different value
//                                `type`    different JSON types (number vs string, object vs
//                                          array, null vs anything...)
//                                `missing` the primary has this key / element, the shadow not
//                                `extra`   the shadow has it, the primary not
//
// JSON or bytes. A side is JSON when its content-type is `application/json` or `*/*+json`, or
// it has no content-type, and in both cases its body parses (a UTF-8 BOM is skipped). Both
// sides must be JSON for a structural comparison; otherwise (or when the JSON is nested too
// deep to walk) the bodies are compared as bytes.
//
// HTML, text. When both content types are `text/html` the bodies are parsed and compared as
// documents (html-diff.ts); `ignore` entries that do not start with `$` are CSS selectors for
// them. Any other pair of text bodies is compared as bytes after every match of each
// `ignoreText` expression is removed from both (text-compare.ts).
//
// Values. Parsed values are compared, so 10 and 10.0 are equal, as are key orders and
// whitespace; an integer beyond 2^53 keeps all its digits (exact-json.ts). Numbers within `numericTolerance` (|a - b| <= tolerance, give or take a few ulps
// so that 1.5 vs 1.51 is within 0.01) are equal; tolerance 0 means exactly equal doubles.
//
// Arrays. Element by element; when the lengths differ, every element past the shorter one is
// its own `missing` / `extra` difference at its own index (so `$.items[*]` aggregates them).
// An array whose path matches `unorderedArrays` is a multiset: elements equal as JSON
// (canonical JSON, leaving out ignored paths and sorting nested unordered arrays) pair up first
// whatever their positions; the elements left on both sides are then sorted (numbers by value,
// strings by code units, others by canonical JSON) and paired in that order and diffed
// (differences named by the primary's index); what remains is `missing` (primary index) or
// `extra` (shadow index).
//
// Ignore. A path matching an `ignore` pattern is skipped with everything under it, including
// a missing or extra key at that path. Pass the pattern lists (compiled once per list object
// and cached) or matchers from compilePatterns.
//
// Noise. A difference whose index-normalised path, or that of one of its ancestors, is in
// `noisePaths` goes to `noise` instead of `differences` and does not make a mismatch.
// `status` and `body` are only noise when they are literally in the set.
//
// Bounds. At most `maxDifferences` (default 100) differences are collected; `truncated` says
// more existed (the walk stops there). `noise` is capped at the same number, silently.
//
// Steps. compareSteps is the comparison as a generator: an HTML body is parsed a slice of text
// at a time and walked so many elements at a time, yielding in between (slicing.ts), so that
// turns.ts can run one step per turn of the event loop; JSON and bytes run in one step.
// compareResponses runs the same comparison in one go; both give the same result.

import type { ShadowCompareConfig } from '../config/types.js';
import { DifferenceCollector, type Difference, type NoiseLookup } from './differences.js';
import { compareHtmlBodies } from './html-compare.js';
import { isHtmlMediaType } from './html-parse.js';
import { compileSelectors, isJsonPathEntry, type SelectorIgnore } from './html-selectors.js';
import { parseJsonPair, type Parsed } from './exact-json.js';
import { JsonWalker } from './json-walk.js';
import { compilePatterns, type PathMatcher } from './patterns.js';
import { HTML_SLICES, runWhole, WHOLE, type Slicing } from './slicing.js';
import { compareText, compileTextBlanks, type TextBlanker } from './text-compare.js';

export type { Difference, DifferenceKind, NoiseLookup } from './differences.js';

export interface Captured {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Already decoded (decompressed). */
  readonly body: Buffer;
  /** Overrides headers['content-type'] when given. */
  readonly contentType?: string;
}

export interface CompareOptions {
  /** Response headers compared, by name (any case). */
  readonly headers: readonly string[];
  /** Left out of the body diff: JSON path patterns, and (as a list) CSS selectors for HTML. */
  readonly ignore: readonly string[] | PathMatcher;
  /** CSS selectors for HTML answers, compiled; taken from `ignore` when that is a list. */
  readonly ignoreSelectors?: SelectorIgnore;
  /** Expressions blanked in other text bodies before comparing. */
  readonly ignoreText?: readonly string[] | TextBlanker;
  /** JSON path patterns of arrays compared as multisets. */
  readonly unorderedArrays: readonly string[] | PathMatcher;
  /** |a - b| <= numericTolerance counts as equal. */
  readonly numericTolerance: number;
  /** Normalised paths known to be noise (the primary disagrees with itself there). */
  readonly noisePaths?: NoiseLookup;
  /** Cap on collected differences; default 100. */
  readonly maxDifferences?: number;
}

export interface Comparison {
  readonly result: 'match' | 'mismatch';
  readonly differences: Difference[];
  /** Differences at known noise paths: reported, never a mismatch. */
  readonly noise: Difference[];
  /** More differences existed than `maxDifferences`. */
  readonly truncated: boolean;
  /** How the bodies were compared. */
  readonly body: BodyMode;
}

export type BodyMode = 'json' | 'html' | 'bytes';

export const DEFAULT_MAX_DIFFERENCES = 100;
export const DEFAULT_COMPARE_HEADERS: readonly string[] = ['content-type'];

const compiledCache = new WeakMap<readonly string[], PathMatcher>();
const selectorCache = new WeakMap<readonly string[], SelectorIgnore>();
const blankerCache = new WeakMap<readonly string[], TextBlanker>();

function cached<T>(cache: WeakMap<readonly string[], T>, list: readonly string[], make: (l: readonly string[]) => T): T {
  let m = cache.get(list);
  if (m === undefined) {
    m = make(list);
    cache.set(list, m);
  }
  return m;
}

function matcherOf(p: readonly string[] | PathMatcher): PathMatcher {
  if (!Array.isArray(p)) return p as PathMatcher;
  return cached(compiledCache, p as readonly string[], (l) => compilePatterns(l.filter(isJsonPathEntry)));
}

function selectorsOf(opts: CompareOptions): SelectorIgnore {
  if (opts.ignoreSelectors) return opts.ignoreSelectors;
  const list = Array.isArray(opts.ignore) ? (opts.ignore as readonly string[]) : [];
  return cached(selectorCache, list, (l) => compileSelectors(l.filter((e) => !isJsonPathEntry(e))));
}

function blankerOf(t: CompareOptions['ignoreText']): TextBlanker {
  if (t === undefined) return compileTextBlanks([]);
  if (!Array.isArray(t)) return t as TextBlanker;
  return cached(blankerCache, t as readonly string[], compileTextBlanks);
}

/**
 * CompareOptions for a route's `shadow.compare` (contract defaults filled in, patterns compiled
 * here, once). Throws PatternError on a bad pattern, and the selector engine's or RegExp's error
 * on a bad selector or expression (the config check reports each of them first).
 */
export function compareOptionsFrom(
  compare: ShadowCompareConfig | undefined,
  extra: { noisePaths?: NoiseLookup; maxDifferences?: number } = {},
): CompareOptions {
  const ignore = compare?.ignore ?? [];
  return {
    headers: [...new Set((compare?.headers ?? DEFAULT_COMPARE_HEADERS).map((h) => h.toLowerCase()))],
    ignore: compilePatterns(ignore.filter(isJsonPathEntry)),
    ignoreSelectors: compileSelectors(ignore.filter((e) => !isJsonPathEntry(e))),
    ignoreText: compileTextBlanks(compare?.ignoreText ?? []),
    unorderedArrays: compilePatterns(compare?.unorderedArrays ?? []),
    numericTolerance: compare?.numericTolerance ?? 0,
    ...(extra.noisePaths ? { noisePaths: extra.noisePaths } : {}),
    ...(extra.maxDifferences !== undefined ? { maxDifferences: extra.maxDifferences } : {}),
  };
}

// ---------------------------------------------------------------------------------------------

function headerValue(c: Captured, name: string): string | undefined {
  let out: string | undefined;
  for (const key in c.headers) {
    if (!Object.hasOwn(c.headers, key) || key.toLowerCase() !== name) continue;
    const v = c.headers[key];
    if (v === undefined) continue;
    const s = typeof v === 'string' ? v : v.join(', ');
    out = out === undefined ? s : `${out}, ${s}`;
  }
  return out;
}

function normaliseContentType(v: string): string {
  return v.toLowerCase().replace(/\s*([;=])\s*/g, '$1').trim();
}

function isJsonMediaType(ct: string): boolean {
  const media = ct.split(';', 1)[0]!.trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

/** A side's JSON text (null: not JSON by its content-type, or empty). */
function jsonText(c: Captured): string | null {
  const ct = contentTypeOf(c);
  if (ct !== undefined && ct.trim() !== '' && !isJsonMediaType(ct)) return null;
  let text = c.body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.trim() === '' ? null : text;
}

/** Both sides' JSON (null: a side not JSON), read alike (exact-json.ts). */
function parseJsonSides(primary: Captured, shadow: Captured): [Parsed, Parsed] {
  const pt = jsonText(primary);
  return parseJsonPair(pt, pt === null ? null : jsonText(shadow));
}

/** Compares the two answers to one request, in one go. See the top of this file for every rule. */
export function compareResponses(primary: Captured, shadow: Captured, opts: CompareOptions): Comparison {
  return runWhole(compareSteps(primary, shadow, opts, WHOLE));
}

/** compareResponses in steps: yields between two slices of an HTML comparison. */
export function* compareSteps(primary: Captured, shadow: Captured, opts: CompareOptions, slicing: Slicing = HTML_SLICES): Generator<void, Comparison> {
  const max = Math.max(0, opts.maxDifferences ?? DEFAULT_MAX_DIFFERENCES);
  const out = new DifferenceCollector(max, opts.noisePaths);

  if (primary.status !== shadow.status) out.add('status', 'status', primary.status, shadow.status, ['status']);

  const seen = opts.headers.length > 1 ? new Set<string>() : null;
  for (const raw of opts.headers) {
    const name = raw.toLowerCase();
    if (seen !== null) {
      if (seen.has(name)) continue;
      seen.add(name);
    }
    const a = headerValue(primary, name);
    const b = headerValue(shadow, name);
    if (a === b) continue; // both absent, or the same text
    const path = `headers.${name}`;
    if (a === undefined) out.add(path, 'extra', undefined, b, [path]);
    else if (b === undefined) out.add(path, 'missing', a, undefined, [path]);
    else if (name !== 'content-type' || normaliseContentType(a) !== normaliseContentType(b)) {
      out.add(path, 'header', a, b, [path]);
    }
  }

  // Identical bytes have no body difference whatever the options (ignore, unordered arrays and
  // tolerance only ever remove differences): the common case of a healthy shadow skips parsing.
  const pct = contentTypeOf(primary);
  const sct = contentTypeOf(shadow);
  const html = isHtmlMediaType(pct) && isHtmlMediaType(sct);
  if (primary.body.equals(shadow.body)) return finish(out, html ? 'html' : bothDeclareJson(pct, sct) ? 'json' : 'bytes');
  let mode: BodyMode = 'bytes';
  // Nested too deep to walk (RangeError): what the walk collected is undone, the bytes compared.
  const mark = out.mark();
  try {
    if (html) {
      const withNoise = opts.noisePaths !== undefined;
      yield* compareHtmlBodies(out, { body: primary.body, contentType: pct! }, { body: shadow.body, contentType: sct! }, selectorsOf(opts), withNoise, slicing);
      mode = 'html';
    } else {
      const [pj, sj] = parseJsonSides(primary, shadow);
      if (pj && sj) {
        new JsonWalker(out, matcherOf(opts.ignore), matcherOf(opts.unorderedArrays), opts.numericTolerance, opts.noisePaths !== undefined).walk(pj.value, sj.value);
        mode = 'json';
      }
    }
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    out.restore(mark);
  }
  if (mode === 'bytes') {
    const d = compareText(primary.body, shadow.body, blankerOf(opts.ignoreText));
    if (d) out.add('body', 'bytes', d.primary, d.shadow, ['body'], d.detail);
  }

  return finish(out, mode);
}

function finish(out: DifferenceCollector, mode: BodyMode): Comparison {
  return {
    result: out.differences.length > 0 || out.truncated ? 'mismatch' : 'match',
    differences: out.differences,
    noise: out.noise,
    truncated: out.truncated,
    body: mode,
  };
}

function contentTypeOf(c: Captured): string | undefined {
  return c.contentType ?? headerValue(c, 'content-type');
}

/** Both answers are HTML pages whose comparison takes several turns (different bodies, one
 *  longer than a slice): it holds both parsed documents until it ends. */
export function bigHtmlPair(primary: Captured, shadow: Captured): boolean {
  const long = Math.max(primary.body.length, shadow.body.length) > HTML_SLICES.chars;
  return long && isHtmlMediaType(contentTypeOf(primary)) && isHtmlMediaType(contentTypeOf(shadow)) && !primary.body.equals(shadow.body);
}

/** Both sides say their body is JSON (content type), without parsing them. */
function bothDeclareJson(ca: string | undefined, cb: string | undefined): boolean {
  return ca !== undefined && cb !== undefined && isJsonMediaType(ca) && isJsonMediaType(cb);
}
