// Path templates in route prefixes (pure): `/users/{id}/details`. A template segment is `{name}`,
// a whole segment, and matches exactly one non-empty path segment. This file is the grammar: how a
// prefix splits into segments, what is wrong with a prefix or a prefixRewrite that misuses `{`,
// `}` or `*`, which names a prefixRewrite uses, and the shape that makes two templates the same
// route (`/u/{a}` and `/u/{b}`). The matcher and the rewriter (routing/templates.ts) build on it.

import { quote } from './quote.js';

export const TEMPLATE_SYNTAX = 'a template segment is {name}, a whole segment, name [a-zA-Z_][a-zA-Z0-9_]*';

const PARAM = /^\{([a-zA-Z_][a-zA-Z0-9_]*)\}$/;
/** `{name}` anywhere in a prefixRewrite. */
const REFERENCE = /\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g;

/** One segment of a prefix: literal text, or a template's name. */
export type PrefixSegment = { readonly literal: string } | { readonly param: string };

/** Whether a (valid) prefix has template segments; false means it matches as a literal prefix. */
export const isTemplate = (prefix: string): boolean => prefix.includes('{');

/** The segments of a valid prefix (`/` has none). */
export function prefixSegments(prefix: string): PrefixSegment[] {
  if (prefix === '/') return [];
  return prefix
    .slice(1)
    .split('/')
    .map((seg) => {
      const m = PARAM.exec(seg);
      return m === null ? { literal: seg } : { param: m[1]! };
    });
}

/** The prefix with every name blanked (`/u/{}`): two prefixes with one shape are one route. */
export const templateShape = (prefix: string): string => prefix.replace(/\{[^}/]*\}/g, '{}');

/** What is wrong with the template syntax of a prefix, or undefined. */
export function templateProblem(prefix: string): string | undefined {
  if (!/[{}*]/.test(prefix)) return undefined;
  const seen = new Set<string>();
  for (const seg of prefix.split('/')) {
    if (!/[{}*]/.test(seg)) continue;
    const m = PARAM.exec(seg);
    if (m !== null) {
      if (seen.has(m[1]!)) return syntax(`uses the name ${quote(m[1]!)} twice; names are unique within a prefix`, prefix);
      seen.add(m[1]!);
      continue;
    }
    return syntax(segmentProblem(seg), prefix);
  }
  return undefined;
}

function segmentProblem(seg: string): string {
  if (seg.includes('*')) return `has '*' in segment ${quote(seg)}: there are no wildcards, only template segments`;
  const inner = /^\{(.*)\}$/.exec(seg);
  if (inner !== null && !/[{}]/.test(inner[1]!)) {
    return inner[1] === '' ? `has an empty template name in ${quote(seg)}` : `has an invalid template name ${quote(inner[1]!)}`;
  }
  if (/\{[^{}]*\}/.test(seg)) return `has a template in part of the segment ${quote(seg)}`;
  return `has an unbalanced '{' or '}' in segment ${quote(seg)}`;
}

const syntax = (what: string, value: string): string => `${what} (got ${quote(value)}): ${TEMPLATE_SYNTAX}`;

/** What is wrong with the braces of a prefixRewrite (it may use `{name}`), or undefined. */
export function rewriteTemplateProblem(rewrite: string): string | undefined {
  const rest = rewrite.replace(REFERENCE, '');
  if (!/[{}]/.test(rest)) return undefined;
  const bad = /\{([^{}/]*)\}/.exec(rest);
  const what = bad === null ? "has an unbalanced '{' or '}'" : bad[1] === '' ? 'has an empty template name' : `has an invalid template name ${quote(bad[1]!)}`;
  return `${what} (got ${quote(rewrite)}): a prefixRewrite may use the prefix's names as {name}, name [a-zA-Z_][a-zA-Z0-9_]*`;
}

/** The names a prefixRewrite uses, in order of first use. */
export function rewriteNames(rewrite: string): string[] {
  return [...new Set([...rewrite.matchAll(REFERENCE)].map((m) => m[1]!))];
}

/** The names a valid prefix defines. */
export const prefixNames = (prefix: string): string[] =>
  prefixSegments(prefix).flatMap((s) => ('param' in s ? [s.param] : []));

/** A valid prefixRewrite cut at its `{name}`s: `texts` has one more element than `names`
 *  (`/v2/{id}/x` -> texts ['/v2/', '/x'], names ['id']). */
export function splitRewrite(rewrite: string): { readonly texts: string[]; readonly names: string[] } {
  const texts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of rewrite.matchAll(REFERENCE)) {
    texts.push(rewrite.slice(last, m.index));
    names.push(m[1]!);
    last = m.index + m[0].length;
  }
  texts.push(rewrite.slice(last));
  return { texts, names };
}
