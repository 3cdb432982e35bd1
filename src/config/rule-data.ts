// What the cross-field rules (rules.ts and the rule files it runs) share: the issue they report
// and the defensive readers of schema-checked data (a value of the wrong type reads as undefined).

import type { Json } from './yaml-tree.js';

export interface RuleIssue {
  readonly pointer: string;
  readonly message: string;
  readonly at: 'key' | 'value';
  /** Pointers this rule read; a schema error on, above or below any of them cancels the issue. */
  readonly involves: readonly string[];
}

export type Obj = { readonly [k: string]: Json };
export const asObj = (v: Json | undefined): Obj | undefined =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
