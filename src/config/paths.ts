// Paths inside the config tree, in the two spellings the loader needs:
// - JSON pointers (`/routes/2/retry/attempts`), the key ajv reports errors by and the key of the
//   position table;
// - display paths (`routes[2].retry.attempts`, `upstreams.users.url`), what a person reads.

export type Segment = string | number;

/** RFC 6901 JSON pointer; the root is the empty string. */
export function toPointer(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) out += '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

/** `routes[2].retry.attempts`; a key that is not a plain word is quoted: `upstreams["a.b"]`. */
export function toDisplayPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The pointer of the parent, or undefined for the root. */
export function parentPointer(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/** True when `a` is `b` or one of its ancestors (on segment boundaries). */
export function isAncestorOrSelf(a: string, b: string): boolean {
  return a === b || b.startsWith(a + '/');
}

