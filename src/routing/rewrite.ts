// The path a route forwards (pure): the matched prefix replaced by prefixRewrite, the rest of the
// path kept. Compiled once per route and table: a route without prefixRewrite forwards the path
// as it is; a literal prefix cuts its own length; a template prefix cuts as many segments as it
// has and fills the rewrite's `{name}`s with the segments its templates matched.

import { isTemplate, prefixSegments, splitRewrite } from '../config/template-syntax.js';

/** Normalised request path (no query) -> the path to send upstream (no query). */
export type PathRewrite = (path: string) => string;

const keepPath: PathRewrite = (path) => path;

export function compileRewrite(prefix: string, rewrite: string | null): PathRewrite {
  if (rewrite === null) return keepPath;
  if (!isTemplate(prefix)) return (path) => rewritePath(path, prefix, rewrite);
  return templateRewrite(prefix, rewrite);
}

/** A literal prefix replaced by prefixRewrite, the rest kept. */
export function rewritePath(path: string, prefix: string, rewrite: string | null): string {
  if (rewrite === null) return path;
  return joinRest(rewrite, prefix === '/' ? path : path.slice(prefix.length));
}

function templateRewrite(prefix: string, rewrite: string): PathRewrite {
  const segments = prefixSegments(prefix);
  const { texts, names } = splitRewrite(rewrite);
  const at = names.map((name) => {
    const i = segments.findIndex((s) => 'param' in s && s.param === name);
    // The rules reject such a file; this guards a hand-built config.
    if (i === -1) throw new Error(`prefixRewrite ${rewrite} uses {${name}}, which prefix ${prefix} does not define`);
    return i;
  });
  const count = segments.length;
  return (path) => {
    // The matcher took `count` whole segments, so each is there.
    const values: string[] = [];
    let slash = 0;
    for (let i = 0; i < count; i++) {
      let end = path.indexOf('/', slash + 1);
      if (end === -1) end = path.length;
      values.push(path.slice(slash + 1, end));
      slash = end;
    }
    let head = texts[0]!;
    for (let k = 0; k < at.length; k++) head += values[at[k]!]! + texts[k + 1]!;
    return joinRest(head, path.slice(slash));
  };
}

/** The rewritten prefix followed by the rest of the path, with one '/' between them. */
function joinRest(head: string, rest: string): string {
  if (rest === '') return head;
  if (head.endsWith('/') && rest.startsWith('/')) return head + rest.slice(1);
  if (rest.startsWith('/')) return head + rest;
  return head.endsWith('/') ? head + rest : head + '/' + rest;
}
