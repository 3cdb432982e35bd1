// Where two JSON documents differ, one line per JSON path (paths written like a shadow
// compare's: $, $[0].userId), from the monolith's answer (left) to the orders service's (right):
//   "$[0].userId: missing"            only the monolith has it
//   "$[0].user_id: extra"             only the orders service has it
//   "$[0].createdAt: string -> number" the type changed
//   "$.quantity: 1 -> 2"               same type, another value
export function jsonDifferences(legacy: unknown, orders: unknown, path = '$'): string[] {
  const left = kind(legacy);
  const right = kind(orders);
  if (left !== right) return [`${path}: ${left} -> ${right}`];
  if (left === 'array') {
    const a = legacy as unknown[];
    const b = orders as unknown[];
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.push(`${path}[${i}]: missing`);
      else if (i >= a.length) out.push(`${path}[${i}]: extra`);
      else out.push(...jsonDifferences(a[i], b[i], `${path}[${i}]`));
    }
    return out;
  }
  if (left === 'object') {
    const a = legacy as Record<string, unknown>;
    const b = orders as Record<string, unknown>;
    const out: string[] = [];
    for (const key of Object.keys(a)) {
      out.push(...(key in b ? jsonDifferences(a[key], b[key], `${path}.${key}`) : [`${path}.${key}: missing`]));
    }
    for (const key of Object.keys(b)) if (!(key in a)) out.push(`${path}.${key}: extra`);
    return out;
  }
  return legacy === orders ? [] : [`${path}: ${JSON.stringify(legacy)} -> ${JSON.stringify(orders)}`];
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
