// How values found in the file read inside a message: 'text', 42, true, null, a list, a mapping.
// Strings are single-quoted, cut to a readable length, and never contain a raw line break (an
// error stays on one line).

export function quote(s: string, max = 60): string {
  const cut = s.length > max ? s.slice(0, max - 3) + '...' : s;
  // Control characters are escaped: \n, \t, \u0000 ...
  const escaped = cut.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `'${escaped}'`;
}

export function describeValue(v: unknown, expandedFrom?: string): string {
  let s: string;
  if (typeof v === 'string') s = quote(v);
  else if (v === null || v === undefined) s = 'null';
  else if (Array.isArray(v)) s = v.length === 0 ? 'an empty list' : 'a list';
  else if (typeof v === 'object') s = Object.keys(v).length === 0 ? 'an empty mapping' : 'a mapping';
  else s = String(v);
  return expandedFrom === undefined ? s : `${s} from ${quote(expandedFrom)}`;
}
