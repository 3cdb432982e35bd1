// JSON paths for the shadow diff: how a difference is named, how a path is normalised for
// aggregation and noise, and the small pattern language of `compare.ignore` and
// `compare.unorderedArrays`. Pure: no I/O.
//
// Path syntax (what the diff writes):
//   $                 the whole body
//   $.items[3].price  an object key that is an identifier ([A-Za-z_$][A-Za-z0-9_$]*) as `.key`,
//                     an array index as `[n]`
//   $['a b']          any other key in single quotes; `\` and `'` are escaped with a backslash,
//                     control characters as \n, \r, \t or \uXXXX (JSON escapes)
// Normalised form (topPaths, noise): every array index becomes `[*]`: `$.items[*].price`.
// Headers and status are named outside `$`: `status`, `headers.content-type`, and a non-JSON
// body as a whole is `body`.
//
// Pattern syntax (`ignore`, `unorderedArrays`), compiled once per route with compilePatterns:
//   $.a.b, $['a b'], $["a b"]   a key (`.name` takes any characters but . [ ] quotes and spaces)
//   [3]                         that array index
//   [*] or .*                   any one key or index
//   ..name, ..[*], ..*          recursive descent: zero or more levels, then that step
//                               ($..id: every `id` key at any depth)
// No filters, slices, unions or functions. A pattern matches a path exactly; `ignore` leaves
// out the matched value with everything under it (the diff never descends into it).

/** One step of a concrete path: a string is an object key, a number an array index. */
export type PathSegment = string | number;

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
 * (`$['items']` -> `$.items`). Other names (`headers.etag`) come back as they are.
 */
export function normalizePath(path: string): string {
  const steps = splitPath(path);
  if (!steps) return path;
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
    let tokens: Token[] | null = null;
    try {
      tokens = parsePattern('$' + step);
    } catch {
      tokens = null;
    }
    const tok = tokens?.length === 1 ? tokens[0] : undefined;
    out += tok?.t === 'key' ? formatSegment(tok.key) : step;
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

// ---------------------------------------------------------------------------------------------
// Patterns

type Token =
  | { readonly t: 'key'; readonly key: string }
  | { readonly t: 'index'; readonly index: number }
  | { readonly t: 'any' }
  | { readonly t: 'descend' };

export class PatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly detail: string,
  ) {
    super(`invalid JSON path pattern ${JSON.stringify(pattern)}: ${detail}`);
    this.name = 'PatternError';
  }
}

const NAME_STOP = new Set(['.', '[', ']', "'", '"', ' ', '\t', '\n', '\r']);

function parsePattern(pattern: string): Token[] {
  const fail = (detail: string): never => {
    throw new PatternError(pattern, detail);
  };
  if (!pattern.startsWith('$')) fail('must start with $');
  const tokens: Token[] = [];
  let i = 1;

  const readBracket = (): void => {
    // at '['
    const c = pattern[i + 1];
    if (c === '*') {
      if (pattern[i + 2] !== ']') fail(`expected ] at ${i + 2}`);
      tokens.push({ t: 'any' });
      i += 3;
      return;
    }
    if (c === "'" || c === '"') {
      let key = '';
      let j = i + 2;
      for (;;) {
        if (j >= pattern.length) fail(`unterminated quoted name at ${i}`);
        const ch = pattern[j]!;
        if (ch === c) break;
        if (ch === '\\') {
          const e = pattern[j + 1];
          if (e === undefined) fail(`dangling backslash at ${j}`);
          if (e === 'n') key += '\n';
          else if (e === 'r') key += '\r';
          else if (e === 't') key += '\t';
          else if (e === 'b') key += '\b';
          else if (e === 'f') key += '\f';
          else if (e === 'u') {
            const hex = pattern.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`bad \\u escape at ${j}`);
            key += String.fromCharCode(parseInt(hex, 16));
            j += 4;
          } else key += e;
          j += 2;
        } else {
          key += ch;
          j += 1;
        }
      }
      if (pattern[j + 1] !== ']') fail(`expected ] at ${j + 1}`);
      tokens.push({ t: 'key', key });
      i = j + 2;
      return;
    }
    const close = pattern.indexOf(']', i);
    const inner = close < 0 ? '' : pattern.slice(i + 1, close);
    if (!/^\d+$/.test(inner)) fail(`expected [n], [*] or ['name'] at ${i}`);
    tokens.push({ t: 'index', index: Number(inner) });
    i = close + 1;
  };

  const readName = (): void => {
    // just after '.' (or '..')
    if (pattern[i] === '*') {
      tokens.push({ t: 'any' });
      i += 1;
      return;
    }
    let j = i;
    while (j < pattern.length && !NAME_STOP.has(pattern[j]!)) j++;
    if (j === i) fail(`expected a name after . at ${i - 1} (use ['...'] for odd names)`);
    tokens.push({ t: 'key', key: pattern.slice(i, j) });
    i = j;
  };

  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '.' && pattern[i + 1] === '.') {
      tokens.push({ t: 'descend' });
      i += 2;
      if (i >= pattern.length) fail('.. must be followed by a step');
      if (pattern[i] === '[') readBracket();
      else readName();
    } else if (c === '.') {
      i += 1;
      readName();
    } else if (c === '[') {
      readBracket();
    } else {
      fail(`unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  return tokens;
}

function stepMatches(tok: Token, seg: PathSegment): boolean {
  switch (tok.t) {
    case 'any':
      return true;
    case 'key':
      return typeof seg === 'string' && seg === tok.key;
    case 'index':
      return typeof seg === 'number' && seg === tok.index;
    case 'descend':
      return false;
  }
}

/** Whether the tokens match the whole path: a set-of-positions walk, linear in both lengths. */
function tokensMatch(tokens: readonly Token[], segs: readonly PathSegment[], hasDescend: boolean): boolean {
  const n = segs.length;
  if (!hasDescend) {
    // One step per segment: compare in place, no allocation (the common case, run per node).
    if (tokens.length !== n) return false;
    for (let j = 0; j < n; j++) if (!stepMatches(tokens[j]!, segs[j]!)) return false;
    return true;
  }
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (const tok of tokens) {
    const next = new Uint8Array(n + 1);
    let any = false;
    if (tok.t === 'descend') {
      let from = -1;
      for (let j = 0; j <= n; j++) if (reach[j]) { from = j; break; }
      if (from >= 0) for (let j = from; j <= n; j++) { next[j] = 1; any = true; }
    } else {
      for (let j = 0; j < n; j++) {
        if (reach[j] && stepMatches(tok, segs[j]!)) { next[j + 1] = 1; any = true; }
      }
    }
    if (!any) return false;
    reach = next;
  }
  return reach[n] === 1;
}

export interface PathMatcher {
  /** The patterns as written. */
  readonly patterns: readonly string[];
  /** True when any pattern matches exactly this path. */
  matches(segs: readonly PathSegment[]): boolean;
}

/** Compiles one pattern; throws PatternError with a sentence a person reads. */
export function compilePattern(pattern: string): PathMatcher {
  return compilePatterns([pattern]);
}

/** Compiles a list of patterns into one matcher (any of them). Throws PatternError. */
export function compilePatterns(patterns: readonly string[]): PathMatcher {
  const compiled = patterns.map((p) => {
    const tokens = parsePattern(p);
    return { tokens, hasDescend: tokens.some((t) => t.t === 'descend') };
  });
  if (compiled.length === 0) return { patterns: [], matches: () => false };
  return {
    patterns: [...patterns],
    matches: (segs) => {
      for (const c of compiled) if (tokensMatch(c.tokens, segs, c.hasDescend)) return true;
      return false;
    },
  };
}

/** For validators: null when the pattern compiles, else what is wrong with it. */
export function checkPattern(pattern: string): string | null {
  try {
    parsePattern(pattern);
    return null;
  } catch (err) {
    return err instanceof PatternError ? err.detail : String(err);
  }
}
