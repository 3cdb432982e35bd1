// JSON paths for the shadow diff: how a difference is named, and how a path is normalised for
// aggregation and noise. Pure: no I/O.
//
// Path syntax (what the diff writes):
//   $                 the whole body
//   $.items[3].price  an object key that is an identifier ([A-Za-z_$][A-Za-z0-9_$]*) as `.key`,
//                     an array index as `[n]`
//   $['a b']          any other key in single quotes; `\` and `'` are escaped with a backslash,
//                     control characters as \n, \r, \t or \uXXXX (JSON escapes)
// Normalised form (topPaths, noise): every array index becomes `[*]`: `$.items[*].price`.
// Headers and status are named outside `$`: `status`, `headers.content-type`, and a non-JSON
// body as a whole is `body`; HTML differences are element paths (html-paths.ts). The patterns of `compare.ignore` and `compare.unorderedArrays` are
// patterns.ts.

import { normalizeHtmlPath } from './html-paths.js';
import { keyOfStep, type PathSegment } from './patterns.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quoteKey(key: string): string {
  let out = "['";
  for (const ch of key) {
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === "'") out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + "']";
}

/** One step as text: `.key`, `['odd key']`, `[3]`, or `[*]` for an index when normalising. */
export function formatSegment(seg: PathSegment, normalise = false): string {
  if (typeof seg === 'number') return normalise ? '[*]' : `[${seg}]`;
  return IDENTIFIER.test(seg) ? `.${seg}` : quoteKey(seg);
}

/** `$` followed by the steps: `$.items[3].price`; with normalise, indices become `[*]`. */
export function formatPath(segs: readonly PathSegment[], normalise = false): string {
  let out = '$';
  for (const s of segs) out += formatSegment(s, normalise);
  return out;
}

/**
 * Splits a path the diff wrote (`$.a[3]['b c']`, also already normalised `[*]`) into its
 * textual steps: `['$', '.a', '[3]', "['b c']"]`. Returns null for anything that is not a `$`
 * path (`status`, `headers.etag`, `body`) or is malformed.
 */
export function splitPath(path: string): string[] | null {
  if (!path.startsWith('$')) return null;
  const steps = ['$'];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i + 1) return null;
      steps.push(path.slice(i, j));
      i = j;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        let j = i + 2;
        while (j < path.length && path[j] !== q) j += path[j] === '\\' ? 2 : 1;
        if (j >= path.length || path[j + 1] !== ']') return null;
        steps.push(path.slice(i, j + 2));
        i = j + 2;
      } else {
        const j = path.indexOf(']', i);
        if (j < 0) return null;
        steps.push(path.slice(i, j + 1));
        i = j + 1;
      }
    } else {
      return null;
    }
  }
  return steps;
}

const INDEX_STEP = /^\[\d+\]$/;

/**
 * `$.items[3].tags[0]` -> `$.items[*].tags[*]`, keys respelled the way the diff writes them
 * (`$['items']` -> `$.items`). An HTML element path loses its `:nth-of-type(k)` steps
 * (html-paths.ts). Other names (`headers.etag`) come back as they are.
 */
export function normalizePath(path: string): string {
  const steps = splitPath(path);
  if (!steps) return normalizeHtmlPath(path);
  let out = '$';
  for (const step of steps.slice(1)) {
    if (step === '[*]' || INDEX_STEP.test(step)) {
      out += '[*]';
      continue;
    }
    if (step.startsWith('.') && IDENTIFIER.test(step.slice(1))) {
      out += step;
      continue;
    }
    const key = keyOfStep(step);
    out += key !== null ? formatSegment(key) : step;
  }
  return out;
}

/** The path itself, then each ancestor up to `$` (`$.a[1].b`, `$.a[1]`, `$.a`, `$`). */
export function selfAndAncestors(path: string): string[] {
  const steps = splitPath(path);
  if (!steps) return [path];
  const out: string[] = [];
  for (let n = steps.length; n >= 1; n--) out.push(steps.slice(0, n).join(''));
  return out;
}

