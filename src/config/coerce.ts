// Type coercion for values that came out of `${...}` expansion.
//
// Environment variables are strings, so `port: ${PORT:-8080}` yields the string "8080". Where
// the schema wants a number, boolean or null, such a value is read again the way a plain YAML
// scalar would be read: a decimal number ("8080", "-1", "0.5", "1e3"), true/false, or
// ""/null/~ for null. Only values that held a `${...}` are touched: `port: "8080"` written
// quoted in the file stays a string (and is reported as one). ajv's own coerceTypes is not
// used: it would also turn numbers into strings, nulls into "" or 0, and scalars into lists.

import type { SchemaObject } from 'ajv';
import type { Json } from './yaml-tree.js';

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** The schema that applies at a path (following properties, additionalProperties and items). */
export function schemaAt(root: SchemaObject, segments: readonly string[]): SchemaObject | undefined {
  let s: SchemaObject | undefined = root;
  for (const seg of segments) {
    if (s === undefined) return undefined;
    const props = s['properties'] as Record<string, SchemaObject> | undefined;
    const items = s['items'] as SchemaObject | undefined;
    const extra = s['additionalProperties'] as SchemaObject | boolean | undefined;
    if (s['type'] === 'array') s = items;
    else if (props && Object.prototype.hasOwnProperty.call(props, seg)) s = props[seg];
    else if (typeof extra === 'object') s = extra;
    else s = undefined;
  }
  return s;
}

/** Every JSON type the schema accepts at that node, looking into anyOf/oneOf branches. */
export function acceptedTypes(s: SchemaObject): Set<string> {
  const out = new Set<string>();
  const t = s['type'] as string | string[] | undefined;
  if (typeof t === 'string') out.add(t);
  else if (Array.isArray(t)) for (const x of t) out.add(x);
  for (const k of ['anyOf', 'oneOf'] as const) {
    const branches = s[k] as SchemaObject[] | undefined;
    if (branches) for (const b of branches) for (const x of acceptedTypes(b)) out.add(x);
  }
  return out;
}

/** The coerced value, or the string itself when nothing applies. */
export function coerceScalar(value: string, types: ReadonlySet<string>): Json {
  const trimmed = value.trim();
  if ((types.has('integer') || types.has('number')) && DECIMAL.test(trimmed)) return Number(trimmed);
  if (types.has('boolean') && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  if (types.has('null') && (trimmed === '' || trimmed === 'null' || trimmed === '~')) return null;
  return value;
}

/**
 * Coerces, in place, each expanded value (by JSON pointer) according to the schema.
 * Pointers must address strings inside `data`.
 */
export function coerceExpanded(data: Json, pointers: Iterable<string>, schema: SchemaObject): void {
  for (const pointer of pointers) {
    const segments = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const s = schemaAt(schema, segments);
    if (!s) continue;
    let parent: Json = data;
    for (const seg of segments.slice(0, -1)) parent = (parent as Record<string, Json>)[seg] as Json;
    const last = segments[segments.length - 1]!;
    const container = parent as Record<string, Json>;
    const v = container[last];
    if (typeof v !== 'string') continue;
    const coerced = coerceScalar(v, acceptedTypes(s));
    if (coerced !== v) container[last] = coerced;
  }
}
