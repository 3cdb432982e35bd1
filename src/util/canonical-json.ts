// Canonical JSON text of a value: object keys sorted (by UTF-16 code units), no spaces,
// `undefined` properties left out as JSON.stringify does. Two values that are equal as JSON
// have the same canonical text. The one canonical JSON of the code base: the config version
// hashes it (config/version.ts), the shadow diff pairs elements of unordered arrays by it and
// merging reports breaks ties by it. Pure; imports nothing, so anything can import it.

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) {
    return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function') continue;
    parts.push(JSON.stringify(k) + ':' + canonicalJson(v));
  }
  return '{' + parts.join(',') + '}';
}

/** Order of two strings by UTF-16 code units (not locale): stable everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
