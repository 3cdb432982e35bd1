// A shadow copy's span (tracing on): its own trace, LINKED to the request's server span rather
// than under it, since the copy is not part of the client's answer and must never look like time
// the client waited. It covers the copy's life until the comparison's event (match, mismatch,
// shadow_error, skipped), which it carries as strangler.shadow.result; the shadow upstream is
// sent a traceparent naming it.

import { SpanStatusCode } from '@opentelemetry/api';
import { AttemptSpan, hostPort } from '../tracing/request-trace.js';
import type { MirroredRequest } from './event.js';
import type { ShadowEvent } from './log-line.js';
import type { ShadowTarget } from './state.js';

/** The copy's span (null: the request is not traced). */
export function shadowSpan(req: MirroredRequest, upstream: ShadowTarget): AttemptSpan | null {
  const trace = req.trace;
  if (trace == null) return null;
  const [address, port] = hostPort(upstream.origin);
  return new AttemptSpan(
    trace.link(`${req.method} ${upstream.name} (shadow)`, {
      'http.request.method': req.method,
      'url.path': req.shadowPath,
      'server.address': address,
      'server.port': port,
      'strangler.upstream': upstream.name,
      'strangler.route': req.route,
      'strangler.shadow': true,
    }),
  );
}

/** Ends the span with the task's one event. */
export function endShadowSpan(span: AttemptSpan, event: ShadowEvent): void {
  const s = span.span;
  s.setAttribute('strangler.shadow.result', event.result);
  if (event.reason !== undefined) s.setAttribute('strangler.shadow.reason', event.reason);
  if (event.shadowStatus !== null) s.setAttribute('http.response.status_code', event.shadowStatus);
  if (event.primaryStatus !== null) s.setAttribute('strangler.shadow.primary_status', event.primaryStatus);
  if (event.differences !== undefined) s.setAttribute('strangler.shadow.differences', event.differences.length);
  if (event.result === 'shadow_error') s.setStatus({ code: SpanStatusCode.ERROR, message: event.reason ?? 'shadow_error' });
  span.end();
}
