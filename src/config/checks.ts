// Checks on single string values that a regular expression would explain badly. Each returns
// undefined when the value is fine, else the message fragment a person reads ("must ...").
// The schema uses them as ajv formats (see schema.ts), so they run, and are reported, as part
// of schema validation.

import { quote } from './quote.js';
import { rewriteTemplateProblem, templateProblem } from './template-syntax.js';

const hasDotSegment = (p: string): boolean => p.split('/').some((seg) => seg === '.' || seg === '..');

/** A route prefix: `/`, or `/seg/seg` matched on whole segments against the normalised path;
 *  a segment may be a template, `{name}` (template-syntax.ts). */
export function prefixProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return `must start with '/' (got ${quote(p)})`;
  const common = pathCharProblem(p);
  if (common) return common;
  if (p.includes('%')) return `must not contain '%': write the path decoded, prefixes match the normalised path (got ${quote(p)})`;
  if (hasDotSegment(p)) return `must not contain '.' or '..' segments (got ${quote(p)})`;
  if (p.length > 1 && p.endsWith('/')) {
    const bare = p.replace(/\/+$/, '') || '/';
    return `must not end with '/' (write ${bare}): prefixes match whole segments`;
  }
  return templateProblem(p);
}

/** A prefixRewrite: a path that replaces the matched prefix. A trailing '/' is allowed; `{name}`
 *  stands for the segment the prefix's template of that name matched. */
export function rewriteProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return `must start with '/' (got ${quote(p)})`;
  const common = pathCharProblem(p);
  if (common) return common;
  if (hasDotSegment(p)) return `must not contain '.' or '..' segments (got ${quote(p)})`;
  return rewriteTemplateProblem(p);
}

function pathCharProblem(p: string): string | undefined {
  if (/[\s\u0000-\u001f\u007f]/.test(p)) return `must not contain whitespace or control characters (got ${quote(p)})`;
  if (p.includes('?')) return `must not contain '?': the query string is not part of the path (got ${quote(p)})`;
  if (p.includes('#')) return `must not contain '#' (got ${quote(p)})`;
  if (p.includes('\\')) return `must not contain '\\' (got ${quote(p)})`;
  return undefined;
}

/** An upstream base URL: http(s)://host[:port], nothing else. */
export function upstreamUrlProblem(u: string): string | undefined {
  const absolute = `must be an absolute URL like http://127.0.0.1:8000 (got ${quote(u)})`;
  // `localhost:8000` parses as scheme "localhost:"; say what is missing instead.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(u)) return absolute;
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return absolute;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must use http: or https: (got ${quote(url.protocol)})`;
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (user:password@)';
  if (u.includes('?') || u.includes('#')) return `must not have a query or fragment (got ${quote(u)})`;
  if (url.pathname !== '/' && url.pathname !== '') {
    return `an upstream URL has no path; use prefixRewrite on the route (got path ${quote(url.pathname)})`;
  }
  return undefined;
}
