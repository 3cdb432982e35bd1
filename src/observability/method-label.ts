// The `method` label of a metric: a method node:http knows (`http.METHODS`: GET, POST, PROPFIND,
// ...) keeps its name; any other is `_OTHER` (OpenTelemetry's convention for
// http.request.method), so a client sending made-up methods (HTTP/2 takes any token; node's
// HTTP/1.1 parser already refuses them) cannot grow a new series per method. The access line
// keeps the method as sent. Pure.

import { METHODS } from 'node:http';

export const OTHER_METHOD = '_OTHER';

const KNOWN: ReadonlySet<string> = new Set(METHODS);

export function methodLabel(method: string): string {
  return KNOWN.has(method) ? method : OTHER_METHOD;
}
