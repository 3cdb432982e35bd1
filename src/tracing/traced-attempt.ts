// An Attempt with its CLIENT span: the forwarded traceparent carries the attempt span's id, the
// span records the response status, or the failure kind, and ends with the response (or the try).
// A request without a trace, or not sampled, gets a plain Attempt: nothing of this runs for it.

import { Attempt, type AttemptListener, type Body, type ResponseSink, type Target } from '../forward/attempt.js';
import type { UpstreamFailure } from '../forward/failure.js';
import type { AttemptSpan, AttemptTarget, RequestTrace } from './request-trace.js';

export interface AttemptSite {
  /** The request's trace (null: tracing off, or not this request). */
  readonly trace: RequestTrace | null;
  /** The request went to the route's canary side. */
  readonly canary: boolean;
}

/** A new try at `upstream`; `fallback`: it is the route's fallback. */
export function newAttempt(
  site: AttemptSite,
  upstream: Target & AttemptTarget,
  sink: ResponseSink,
  listener: AttemptListener,
  hold: ((status: number) => boolean) | null = null,
  extra: readonly string[] | null = null,
  fallback = false,
): Attempt {
  // (A request not sampled had its traceparent put in its headers once, by the handler.)
  if (site.trace === null || !site.trace.sampled) return new Attempt(upstream, sink, listener, hold, extra);
  const span = site.trace.attempt(upstream, { canary: site.canary && !fallback, fallback });
  return new TracedAttempt(span, upstream, sink, listener, hold, extra);
}

class SpanListener implements AttemptListener {
  constructor(readonly span: AttemptSpan, readonly inner: AttemptListener) {}

  attemptHead(a: Attempt): void {
    this.span.head(a.status);
    this.inner.attemptHead(a);
  }

  attemptFailed(a: Attempt, failure: UpstreamFailure): void {
    this.span.failed(failure.kind, failure.message);
    this.inner.attemptFailed(a, failure);
  }
}

export class TracedAttempt extends Attempt {
  readonly span: AttemptSpan;

  constructor(span: AttemptSpan, upstream: Target, sink: ResponseSink, listener: AttemptListener, hold: ((status: number) => boolean) | null, extra: readonly string[] | null) {
    super(upstream, sink, new SpanListener(span, listener), hold, extra);
    this.span = span;
  }

  override send(path: string, method: string, headers: readonly string[], body: Body, perTryMs = 0): this {
    return super.send(path, method, this.span.headers(headers), body, perTryMs);
  }

  override abort(err: Error): void {
    super.abort(err); // (a try without its head fails first: the span records that)
    this.span.end();
  }

  override onResponseEnd(): void {
    super.onResponseEnd();
    this.span.end();
  }

  override onResponseError(controller: Parameters<Attempt['onResponseError']>[0], err: Error): void {
    super.onResponseError(controller, err);
    this.span.end();
  }
}
