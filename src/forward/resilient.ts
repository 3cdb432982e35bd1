// The request flow for routes with resilience policies (retry, breaker, fallback): keep a small
// body so it can be replayed, run attempts through the route's policies, then let the accepted
// response through, or send the request to the fallback upstream, or answer the error.
// Routes without policies never come here (they use Exchange.start: nothing extra on that path).

import type { IncomingMessage } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { UpstreamFailure } from '../policies/failure.js';
import { AttemptError, isBreakerOpen, type RoutePolicies } from '../policies/route-policies.js';
import { ReplayGuard } from '../policies/replay.js';
import type { CompiledRoute } from '../routing/table.js';
import { Attempt } from './attempt.js';
import type { Exchange } from './exchange.js';
import type { ShadowReports } from '../shadow/store.js';

export interface ResilienceDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly shadow: ShadowReports;
}

type FallbackReason = 'connect-error' | 'reset' | 'timeout' | 'cancelled' | 'circuit_open' | 'status_5xx';

/** Reads a body of known, bounded length into one buffer (so attempts can replay it). */
export function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks, length)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('the client aborted the request body')));
  });
}

export interface ResilientRequest {
  readonly path: string;
  readonly headers: string[];
  readonly req: IncomingMessage;
  readonly hasBody: boolean;
  readonly hasIdempotencyKey: boolean;
  readonly maxBufferBytes: number;
  /** The body, already read (a mirrored write); null: read or stream it here. */
  readonly body: Buffer | null;
}

export async function forwardResilient(
  x: Exchange,
  route: CompiledRoute,
  policies: RoutePolicies,
  r: ResilientRequest,
  deps: ResilienceDeps,
): Promise<void> {
  let body: Buffer | IncomingMessage | null = r.body;
  let reading: Promise<Buffer> | null = null;
  let bodyKept = true;
  if (r.hasBody && r.body === null) {
    const length = Number(r.req.headers['content-length']);
    if (Number.isInteger(length) && length <= r.maxBufferBytes) {
      reading = readBody(r.req, length);
    } else {
      body = r.req; // streams through; replayable only while nothing was read
      bodyKept = false;
    }
  }
  const guard = new ReplayGuard(x.requestId, x.method, r.hasIdempotencyKey, bodyKept);

  // The try in flight (or whose response is held or relayed). The exchange's timer (timeoutMs,
  // retries included) and the client leaving both end the attempts through it.
  let current: Attempt | null = null;
  let over: UpstreamFailure | null = null;
  const stop = (failure: UpstreamFailure): void => {
    over ??= failure;
    guard.stop();
    current?.abort(failure);
  };
  x.startManaged({
    cancel: (err) => stop(new UpstreamFailure('cancelled', err.message, { cause: err })),
    timeout: () => stop(new UpstreamFailure('timeout', `no response from upstream '${x.upstream.name}' within ${route.timeoutMs} ms`)),
  });
  if (reading !== null) {
    try {
      body = await reading;
    } catch {
      return; // the client went away; the exchange has logged it
    }
  }
  if (x.done) return;

  // A fallback to the upstream being tried (a canary route's primary side) cannot help.
  const fallbackTo = route.fallback !== null && route.fallback !== x.upstream ? route.fallback : null;
  const holds = (status: number): boolean => policies.holds(status, fallbackTo !== null);
  const attempt = (): Promise<Attempt> => {
    if (over !== null) return Promise.reject(new AttemptError(over, guard)); // no try after the end
    const a = new Attempt(guard, x.upstream, x, holds);
    current = a;
    return a.start(r.path, x.method, r.headers, body, policies.perTryMs);
  };

  let reason: FallbackReason;
  let failure: Error;
  try {
    const accepted = (await policies.execute(guard, attempt)) as Attempt;
    if (accepted.committed) return;
    if (x.done) return accepted.abort(new Error('the exchange is over'));
    if (accepted.status < 500 || fallbackTo === null || !guard.mayResend()) return accepted.commit();
    accepted.discard();
    reason = 'status_5xx';
    failure = new Error(`upstream '${x.upstream.name}' answered ${accepted.status}`);
  } catch (err) {
    if (x.done) return;
    failure = err as Error;
    reason = isBreakerOpen(err) ? 'circuit_open' : err instanceof AttemptError ? err.kind : 'reset';
    // (An open breaker sent nothing: that request may go to the fallback even if not idempotent.)
    if (fallbackTo === null || !guard.mayResend()) {
      return answerFailure(x, route, reason, failure);
    }
  }

  // The fallback: its own whole timeoutMs; anything it answers goes to the client.
  const to = fallbackTo!;
  deps.metrics.fallbacks.inc({ route: route.prefix, from: x.upstream.name, to: to.name, reason });
  deps.logger.warn({ msg: 'falling back', requestId: x.requestId, route: route.prefix, from: x.upstream.name, to: to.name, reason, cause: failure.message });
  x.stopTimer();
  x.servedFrom(to);
  const a = new Attempt(guard, to, x, () => false, ['x-strangler-fallback', to.name]);
  current = a;
  over = null;
  try {
    await a.start(r.path, x.method, r.headers, body, route.timeoutMs);
  } catch (err) {
    if (x.done) return;
    const kind = err instanceof AttemptError ? err.kind : 'reset';
    if (kind === 'timeout') x.fail('upstream_timeout', `no response from fallback upstream '${to.name}' within ${route.timeoutMs} ms`, err as Error);
    else x.fail('upstream_unavailable', `fallback upstream '${to.name}' failed too: ${(err as Error).message}`, err as Error);
  }
}

function answerFailure(x: Exchange, route: CompiledRoute, reason: FallbackReason, err: Error): void {
  const name = x.upstream.name;
  if (reason === 'circuit_open') x.fail('circuit_open', `the circuit breaker for upstream '${name}' is open`, err);
  else if (reason === 'timeout') x.fail('upstream_timeout', `no response from upstream '${name}' within ${route.timeoutMs} ms`, err);
  else x.fail('upstream_unavailable', err.message, err);
}
