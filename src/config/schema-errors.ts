// ajv errors -> one readable issue per problem, keyed by the JSON pointer of the node to blame.
//
// - `required`: blamed on the mapping that lacks the key ("missing required key 'upstream'").
// - `additionalProperties`: blamed on the unknown key itself, with a did-you-mean.
// - `anyOf`/`oneOf`: one message describing every accepted form, not one per branch.
// - `if`: not reported itself; the error of the branch it chose (then/else) says what is wrong.
// - everything else: "must be <what the schema accepts> (got <what the file has>)".

import type { ErrorObject, SchemaObject } from 'ajv';
import { formatChecks } from './schema.js';
import { closest } from '../util/suggest.js';
import { toPointer } from './paths.js';
import { describeValue, quote } from './quote.js';
import { shownValue } from './redact.js';

export interface SchemaIssue {
  readonly pointer: string;
  readonly message: string;
  /** Report at the key of the entry (unknown or incomplete entries) or at the value. */
  readonly at: 'key' | 'value';
}

const escapeSegment = (s: string): string => toPointer([s]).slice(1);

export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  /** pointer -> original text, for values that came from `${...}` expansion. */
  expandedFrom: ReadonlyMap<string, string> = new Map(),
): SchemaIssue[] {
  // Errors from inside an anyOf/oneOf branch are replaced by the anyOf/oneOf error itself.
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const insideUnion = (e: ErrorObject): boolean =>
    unions.some(
      (u) =>
        u !== e &&
        e.schemaPath.startsWith(u.schemaPath + '/') &&
        (e.instancePath === u.instancePath || e.instancePath.startsWith(u.instancePath + '/')),
    );

  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  const push = (issue: SchemaIssue): void => {
    const k = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(issue);
  };

  for (const e of errors) {
    if (insideUnion(e)) continue;
    // The pattern error of a propertyNames check carries `propertyName`; the propertyNames error
    // that follows it is the one reported.
    if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
    if (e.keyword === 'if') continue;
    const parent = (e.parentSchema ?? {}) as SchemaObject;
    const got = (value: unknown, pointer: string): string => describeValue(shownValue(value, pointer), expandedFrom.get(pointer));

    switch (e.keyword) {
      case 'required': {
        const key = (e.params as { missingProperty: string }).missingProperty;
        push({ pointer: e.instancePath, message: `missing required key '${key}'`, at: 'key' });
        break;
      }
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys((parent['properties'] as Record<string, unknown> | undefined) ?? {});
        push({ pointer: `${e.instancePath}/${escapeSegment(key)}`, message: unknownKeyMessage(key, known), at: 'key' });
        break;
      }
      case 'propertyNames': {
        const name = (e.params as { propertyName: string }).propertyName;
        const names = (parent['propertyNames'] ?? {}) as SchemaObject;
        push({
          pointer: `${e.instancePath}/${escapeSegment(name)}`,
          message: `the name must be ${describeSchema(names)} (got ${quote(name)})`,
          at: 'key',
        });
        break;
      }
      case 'uniqueItems': {
        const { i, j } = e.params as { i: number; j: number };
        const later = Math.max(i, j);
        const items = e.data as unknown[];
        push({
          pointer: `${e.instancePath}/${later}`,
          message: `${describeValue(items[later])} is listed twice (first at index ${Math.min(i, j)})`,
          at: 'value',
        });
        break;
      }
      case 'format': {
        const check = formatChecks[(e.params as { format: string }).format];
        const problem = typeof e.data === 'string' && check ? check(e.data) : undefined;
        const from = expandedFrom.get(e.instancePath);
        push({
          pointer: e.instancePath,
          message: problem
            ? problem + (from !== undefined ? ` (expanded from ${quote(from)})` : '')
            : `must be ${describeSchema(parent)} (got ${got(e.data, e.instancePath)})`,
          at: 'value',
        });
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        const hint = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
        push({
          pointer: e.instancePath,
          message: `must be ${describeSchema(parent)} (got ${got(e.data, e.instancePath)}${hint ? `; did you mean '${hint}'?` : ''})`,
          at: 'value',
        });
        break;
      }
      default:
        push({ pointer: e.instancePath, message: `must be ${describeSchema(parent)} (got ${got(e.data, e.instancePath)})`, at: 'value' });
    }
  }
  return out;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const hint = closest(key, known);
  if (hint) return `unknown key '${key}' (did you mean '${hint}'?)`;
  return known.length > 0 ? `unknown key '${key}' (expected one of: ${known.join(', ')})` : `unknown key '${key}'`;
}

/** What a schema node accepts, as a phrase: "an integer between 1 and 10", "one of a, b". */
export function describeSchema(s: SchemaObject): string {
  const expected = s['x-expected'];
  if (typeof expected === 'string') return expected;
  const branches = (s['anyOf'] ?? s['oneOf']) as SchemaObject[] | undefined;
  if (branches) return joinOr(branches.map(describeSchema));
  const en = s['enum'] as unknown[] | undefined;
  if (en) return `one of ${en.map(String).join(', ')}`;
  const t = s['type'] as string | string[] | undefined;
  if (Array.isArray(t)) return joinOr(t.map((x) => describeType(x, s)));
  if (typeof t === 'string') return describeType(t, s);
  return 'valid';
}

function describeType(type: string, s: SchemaObject): string {
  switch (type) {
    case 'integer':
      return `an integer${bounds(s)}`;
    case 'number':
      return `a number${bounds(s)}`;
    case 'string':
      if (typeof s['pattern'] === 'string') return `a string matching ${s['pattern']}`;
      return (s['minLength'] as number | undefined) ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return (s['minItems'] as number | undefined) ? 'a non-empty list' : 'a list';
    case 'object':
      return (s['minProperties'] as number | undefined) ? 'a non-empty mapping' : 'a mapping';
    default:
      return type;
  }
}

function bounds(s: SchemaObject): string {
  const min = s['minimum'] as number | undefined;
  const max = s['maximum'] as number | undefined;
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

function joinOr(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}
