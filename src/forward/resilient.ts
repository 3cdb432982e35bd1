// The request flow for routes with resilience policies (retry, breaker, fallback): keep a small
// body so it can be replayed, run attempts through the route's policies, then commit the accepted
// response to the client, or send the request to the fallback upstream, or answer the error.
// Routes without policies never come here (they use Exchange.start: nothing extra on that path).

import type { IncomingMessage } from 'node:http';
import { isTaskCancelledError } from 'cockatiel';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { AttemptError, isBreakerOpen, type RoutePolicies } from '../policies/route-policies.js';
import { ReplayGuard } from '../policies/replay.js';
import type { CompiledRoute } from '../routing/table.js';
import { Attempt } from './attempt.js';
import type { Exchange } from './exchange.js';

export interface ResilienceDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

type FallbackReason = 'connect-error' | 'reset' | 'timeout' | 'circuit_open' | 'status_5xx';

/** Reads a body of known, bounded length into one buffer (so attempts can replay it). */
function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks, length)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('the client aborted the request body')));
  });
}

export async function forwardResilient(
  x: Exchange,
  route: CompiledRoute,
  policies: RoutePolicies,
  path: string,
  headers: string[],
  req: IncomingMessage,
  hasBody: boolean,
  hasIdempotencyKey: boolean,
  maxBufferBytes: number,
  deps: ResilienceDeps,
): Promise<void> {
  const controller = new AbortController();
  x.startManaged((err) => controller.abort(err));

  let body: Buffer | IncomingMessage | null = null;
  let bodyKept = true;
  if (hasBody) {
    const length = Number(req.headers['content-length']);
    if (Number.isInteger(length) && length <= maxBufferBytes) {
      try {
        body = await readBody(req, length);
      } catch {
        return; // the client went away; the exchange has logged it
      }
    } else {
      body = req; // streams through; replayable only while nothing was read
      bodyKept = false;
    }
  }
  if (x.done) return;

  const guard = new ReplayGuard(x.requestId, x.method, hasIdempotencyKey, bodyKept);
  const attempt = (signal: AbortSignal): Promise<Attempt> =>
    new Attempt(guard, route.upstream).start(path, x.method, headers, body, signal, policies.perTryMs);

  let reason: FallbackReason;
  let failure: Error;
  try {
    const accepted = (await policies.execute(guard, attempt, controller.signal)) as Attempt;
    if (x.done) return accepted.discard();
    if (accepted.status < 500 || route.fallback === null || !guard.mayReplay('status')) {
      accepted.commit(x, null);
      return;
    }
    accepted.discard();
    reason = 'status_5xx';
    failure = new Error(`upstream '${route.upstream.name}' answered ${accepted.status}`);
  } catch (err) {
    if (x.done) return;
    failure = err as Error;
    reason = isBreakerOpen(err) ? 'circuit_open' : err instanceof AttemptError ? err.kind : isTaskCancelledError(err) ? 'timeout' : 'reset';
    // An open breaker sent nothing: the request may go to the fallback even if it is not idempotent.
    if (route.fallback === null || !(reason === 'circuit_open' ? guard.mayReplay('connect-error') : guard.mayReplay(reason))) {
      return answerFailure(x, route, reason, failure);
    }
  }
  return fallBack(x, route, guard, reason, failure, path, headers, body, controller.signal, deps);
}

function answerFailure(x: Exchange, route: CompiledRoute, reason: FallbackReason, err: Error): void {
  const name = route.upstream.name;
  if (reason === 'circuit_open') x.fail('circuit_open', `the circuit breaker for upstream '${name}' is open`, err);
  else if (reason === 'timeout') x.fail('upstream_timeout', `no response from upstream '${name}' within ${route.timeoutMs} ms`, err);
  else x.fail('upstream_unavailable', err.message, err);
}

async function fallBack(
  x: Exchange,
  route: CompiledRoute,
  guard: ReplayGuard,
  reason: FallbackReason,
  cause: Error,
  path: string,
  headers: string[],
  body: Buffer | IncomingMessage | null,
  signal: AbortSignal,
  deps: ResilienceDeps,
): Promise<void> {
  const to = route.fallback!;
  deps.metrics.fallbacks.inc({ route: route.prefix, from: route.upstream.name, to: to.name, reason });
  deps.logger.warn({ msg: 'falling back', requestId: x.requestId, route: route.prefix, from: route.upstream.name, to: to.name, reason, cause: cause.message });
  x.servedFrom(to);
  try {
    // The fallback gets the route's whole timeoutMs of its own.
    const answer = await new Attempt(guard, to).start(path, x.method, headers, body, signal, route.timeoutMs);
    if (x.done) return answer.discard();
    answer.commit(x, ['x-strangler-fallback', to.name]);
  } catch (err) {
    if (x.done) return;
    const kind = err instanceof AttemptError ? err.kind : 'reset';
    if (kind === 'timeout') x.fail('upstream_timeout', `no response from fallback upstream '${to.name}' within ${route.timeoutMs} ms`, err as Error);
    else x.fail('upstream_unavailable', `fallback upstream '${to.name}' failed too: ${(err as Error).message}`, err as Error);
  }
}
