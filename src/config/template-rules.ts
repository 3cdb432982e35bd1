// The cross-field rule of path templates: every `{name}` a route's prefixRewrite (or its shadow's)
// uses is a name the route's prefix defines. Like every rule, it runs after the schema and reads
// the data defensively; an issue on a prefix or rewrite with a schema error is dropped by the loader.

import { toPointer } from './paths.js';
import { prefixNames, rewriteNames } from './template-syntax.js';
import type { Json } from './yaml-tree.js';
import { asObj, type RuleIssue } from './rule-data.js';

type TemplateIssue = RuleIssue & { readonly at: 'value' };

const field = (v: Json | undefined, key: string): Json | undefined => asObj(v)?.[key];

/** The issues of route `i` (an element of `routes:`). */
export function checkTemplateNames(route: Json | undefined, i: number): TemplateIssue[] {
  const prefix = field(route, 'prefix');
  if (typeof prefix !== 'string') return [];
  const issues: TemplateIssue[] = [];
  const check = (rewrite: Json | undefined, segments: (string | number)[]): void => {
    if (typeof rewrite !== 'string' || !rewrite.includes('{')) return;
    const defined = prefixNames(prefix);
    const pointer = toPointer(segments);
    for (const name of rewriteNames(rewrite)) {
      if (defined.includes(name)) continue;
      const known = defined.length === 0 ? 'it defines no names' : `it defines ${defined.map((n) => `{${n}}`).join(', ')}`;
      issues.push({
        pointer,
        message: `uses {${name}}, which the prefix ${prefix} does not define (${known})`,
        at: 'value',
        involves: [pointer, toPointer(['routes', i, 'prefix'])],
      });
    }
  };
  check(field(route, 'prefixRewrite'), ['routes', i, 'prefixRewrite']);
  check(field(field(route, 'shadow'), 'prefixRewrite'), ['routes', i, 'shadow', 'prefixRewrite']);
  return issues;
}
