// `${VAR}` and `${VAR:-default}` expansion in string values.
//
// Rules (the README documents them):
// - Applies to every string value in the file (not to mapping keys, and not to numbers or
//   booleans written as such).
// - `${VAR}`: the value of VAR; VAR set to the empty string gives the empty string. VAR unset is
//   an error located at that value.
// - `${VAR:-default}`: the default when VAR is unset or empty (as in the shell). The default is
//   itself expanded (`${A:-${B:-x}}`) and only when it is used. It ends at the first `}` that
//   closes it, so it cannot contain a literal `}`.
// - `$$` is a literal `$` (as in docker compose): write `$${VAR}` for the text `${VAR}`. A `$`
//   followed by anything else is kept as is, so JSON paths like `$.items[*].id` need no escaping.
// - Variable names are [A-Za-z_][A-Za-z0-9_]*. The result is never expanded again.

import { toPointer, type Segment } from './paths.js';
import type { Json } from './yaml-tree.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExpandResult {
  readonly value: string;
  /** True when the text held at least one `${...}`. */
  readonly expanded: boolean;
  readonly errors: readonly string[];
}

export function expandString(text: string, env: Env): ExpandResult {
  if (!text.includes('$')) return { value: text, expanded: false, errors: [] };
  const errors: string[] = [];
  const state = { expanded: false };
  const { value } = expandFrom(text, 0, false, true, env, errors, state);
  return { value, expanded: state.expanded, errors: dedupe(errors) };
}

/** Expands from `i` up to the end, or (inside a default) up to the closing `}` (exclusive). */
function expandFrom(
  text: string,
  start: number,
  inDefault: boolean,
  evaluate: boolean,
  env: Env,
  errors: string[],
  state: { expanded: boolean },
): { value: string; end: number; closed: boolean } {
  let out = '';
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (inDefault && c === '}') return { value: out, end: i, closed: true };
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      i++;
      continue;
    }
    // ${ ... }
    state.expanded = true;
    const exprStart = i;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 2))?.[0] ?? '';
    let j = i + 2 + name.length;
    if (name === '') {
      const close = text.indexOf('}', i);
      errors.push(
        close < 0
          ? `unclosed '\${' (write '$\${' for a literal '\${')`
          : `invalid variable name in '${text.slice(exprStart, close + 1)}' (expected \${NAME} or \${NAME:-default})`,
      );
      if (close < 0) return { value: out, end: text.length, closed: false };
      i = close + 1;
      continue;
    }
    if (text[j] === '}') {
      const v = env[name];
      if (v === undefined) {
        if (evaluate) errors.push(`environment variable ${name} is not set and has no default`);
      } else out += v;
      i = j + 1;
      continue;
    }
    if (text.startsWith(':-', j)) {
      const v = env[name];
      const useDefault = v === undefined || v === '';
      const inner = expandFrom(text, j + 2, true, evaluate && useDefault, env, errors, state);
      if (!inner.closed) {
        errors.push(`unclosed '\${${name}:-...' (missing '}')`);
        return { value: out, end: text.length, closed: false };
      }
      out += useDefault ? inner.value : v;
      i = inner.end + 1;
      continue;
    }
    const close = text.indexOf('}', j);
    errors.push(
      close < 0
        ? `unclosed '\${${name}' (missing '}')`
        : `invalid expression '${text.slice(exprStart, close + 1)}' (expected \${NAME} or \${NAME:-default})`,
    );
    if (close < 0) return { value: out, end: text.length, closed: false };
    i = close + 1;
  }
  return { value: out, end: i, closed: !inDefault };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

export interface TreeExpansion {
  /** pointer -> the text as written, for every value that held a `${...}`. */
  readonly expanded: ReadonlyMap<string, string>;
  readonly issues: readonly { readonly pointer: string; readonly message: string }[];
}

/** Expands every string value of `data` in place. */
export function expandTree(data: Json, env: Env): TreeExpansion {
  const expanded = new Map<string, string>();
  const issues: { pointer: string; message: string }[] = [];
  const visit = (container: Json[] | { [k: string]: Json }, key: string | number, segments: Segment[]): void => {
    const v = (container as Record<string | number, Json>)[key];
    if (typeof v === 'string') {
      const r = expandString(v, env);
      const pointer = toPointer(segments);
      for (const message of r.errors) issues.push({ pointer, message });
      if (r.expanded) expanded.set(pointer, v);
      if (r.value !== v) (container as Record<string | number, Json>)[key] = r.value;
    } else if (Array.isArray(v)) {
      v.forEach((_, i) => visit(v, i, [...segments, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) visit(v, k, [...segments, k]);
    }
  };
  const holder: Json[] = [data];
  if (Array.isArray(data) || (data !== null && typeof data === 'object')) {
    // The root is never a string; visit its children with root-relative pointers.
    if (Array.isArray(data)) data.forEach((_, i) => visit(data, i, [i]));
    else for (const k of Object.keys(data)) visit(data, k, [k]);
  } else visit(holder, 0, []);
  return { expanded, issues };
}
