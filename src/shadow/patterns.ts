// The small pattern language of `compare.ignore` and `compare.unorderedArrays`: JSON path
// patterns matched against the paths the diff walks (the path syntax itself is json-path.ts).
// Pure: no I/O.
//
// Pattern syntax, compiled once per route with compilePatterns:
//   $.a.b, $['a b'], $["a b"]   a key (`.name` takes any characters but . [ ] quotes and spaces)
//   [3]                         that array index
//   [*] or .*                   any one key or index
//   ..name, ..[*], ..*          recursive descent: zero or more levels, then that step
//                               ($..id: every `id` key at any depth)
// No filters, slices, unions or functions. A pattern matches a path exactly; `ignore` leaves
// out the matched value with everything under it (the diff never descends into it).

/** One step of a concrete path: a string is an object key, a number an array index. */
export type PathSegment = string | number;

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

/**
 * For the config validator: null when the pattern compiles (compilePatterns accepts it), else
 * what is wrong with it, as a sentence without the pattern (e.g. `expected ] at 4`).
 */
export function checkPattern(pattern: string): string | null {
  try {
    parsePattern(pattern);
    return null;
  } catch (err) {
    return err instanceof PatternError ? err.detail : String(err);
  }
}

/** The object key one step names (`['a b']`, `["a"]`, `.a`), or null when the step is not one key. */
export function keyOfStep(step: string): string | null {
  let tokens: Token[];
  try {
    tokens = parsePattern('$' + step);
  } catch {
    return null;
  }
  const tok = tokens.length === 1 ? tokens[0] : undefined;
  return tok?.t === 'key' ? tok.key : null;
}
