// A canary's shape across its keys: a fixed canary (`percent`) or a progressive one (`steps`,
// with `stepEveryMs`; `gates` optional), never both, never neither; steps strictly ascending;
// `stepEveryMs` and `gates` only with `steps`.

import { toPointer, type Segment } from './paths.js';
import type { Json } from './yaml-tree.js';
import type { Obj, RuleIssue } from './rule-data.js';

export function checkCanaryShape(canary: Obj, at: Segment[]): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const p = (...more: Segment[]): string => toPointer([...at, ...more]);
  const has = (k: string): boolean => canary[k] !== undefined;
  const involves = [p('percent'), p('steps')];
  if (!has('percent') && !has('steps')) {
    issues.push({ pointer: p(), message: "missing required key 'percent'", at: 'key', involves });
  }
  if (has('percent') && has('steps')) {
    issues.push({ pointer: p('steps'), message: 'percent and steps exclude each other: percent is a fixed canary, steps a progressive one', at: 'key', involves });
  }
  if (has('steps') && !has('stepEveryMs')) {
    issues.push({ pointer: p(), message: "missing required key 'stepEveryMs' (how long each step lasts before its gates are checked)", at: 'key', involves: [p('stepEveryMs')] });
  }
  if (!has('steps')) {
    for (const k of ['stepEveryMs', 'gates']) {
      if (has(k)) issues.push({ pointer: p(k), message: `${k} is for a progressive canary: it needs steps`, at: 'key', involves: [p(k), p('steps')] });
    }
  }
  const steps = canary['steps'];
  if (Array.isArray(steps)) issues.push(...ascending(steps, p('steps')));
  return issues;
}

function ascending(steps: readonly Json[], pointer: string): RuleIssue[] {
  for (let i = 1; i < steps.length; i++) {
    const before = steps[i - 1];
    const here = steps[i];
    if (typeof before !== 'number' || typeof here !== 'number' || here > before) continue;
    const at = `${pointer}/${i}`;
    return [{ pointer: at, message: `steps must go up: ${here} after ${before}`, at: 'value', involves: [pointer] }];
  }
  return [];
}
