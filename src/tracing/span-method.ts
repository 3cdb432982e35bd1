// A span's method, as OpenTelemetry's HTTP conventions say: `http.request.method` is a method
// node:http knows, else `_OTHER` with the method as sent in `http.request.method_original`; the
// span name then says `HTTP` (a client's made-up methods, which HTTP/2 lets through, name no
// span kinds of their own in the user's tracing backend). Pure.

import { methodLabel, OTHER_METHOD } from '../observability/method-label.js';

/** The method as a span name starts with it. */
export function spanMethod(sent: string): string {
  const label = methodLabel(sent);
  return label === OTHER_METHOD ? 'HTTP' : label;
}
