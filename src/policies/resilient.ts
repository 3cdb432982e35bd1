// Sending through a route's resilience policies (retry, breaker, fallback): the same Attempt as a
// route without them, wrapped. Keeps a small body so it can be replayed, runs tries through the
// route's policies, then lets the accepted response through, or sends the request to the fallback
// upstream, or answers the error. A route without policies never comes here.

import { failureCode } from '../errors.js';
import type { Attempt, AttemptListener, Body } from '../forward/attempt.js';
import { newAttempt } from '../tracing/traced-attempt.js';
import type { Exchange, Sending } from '../forward/exchange.js';
import { readBody, type BodyReader } from '../forward/read-body.js';
import { timeoutFailure, UpstreamFailure } from '../forward/failure.js';
import type { Upstream } from '../forward/pools.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { FallbackReason } from '../observability/known-series.js';
import { AttemptError, isBreakerOpen, type AttemptOutcome, type RoutePolicies } from './route-policies.js';
import { ReplayGuard } from './replay.js';
import { LOG } from '../observability/log-messages.js';
import { processBodyBudget, type BodyBudget } from './body-budget.js';

export interface ResilienceDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The bound on all kept request bodies (default: the process's, body-budget.ts). */
  readonly bodies?: BodyBudget;
}

export interface Outgoing {
  readonly path: string;
  readonly headers: string[];
  readonly hasBody: boolean;
  readonly hasIdempotencyKey: boolean;
  readonly maxBufferBytes: number;
  /** The body, already read (a mirrored write); null: read or stream it here. */
  readonly body: Buffer | null;
}

/**
 * One request's run through its route's policies. It is what the exchange stops (timeoutMs spent,
 * the client gone), the listener of each try, and the outcome the policies judge (the try whose
 * head is held until they decide).
 */
class ResilientRun implements Sending, AttemptListener, AttemptOutcome, BodyReader {
  readonly ctx: ReplayGuard;
  /** Set while the client's body is being read, before any try. */
  stopReading: ((err: Error) => void) | null = null;
  #current: Attempt | null = null;
  #over: UpstreamFailure | null = null;
  #primaryTries = 0;
  #resolve: ((o: AttemptOutcome) => void) | null = null;
  #reject: ((e: Error) => void) | null = null;
  /** A bare first try's result goes here, at once, without a promise (tryBare). */
  #settled: ((o: AttemptOutcome | null, err: AttemptError | null) => void) | null = null;

  constructor(
    readonly x: Exchange,
    readonly policies: RoutePolicies,
    readonly out: Outgoing,
    /** The body to send (replaced by the kept copy once it has been read). */
    public body: Body,
    bodyKept: boolean,
  ) {
    this.ctx = new ReplayGuard(x.requestId, x.method, out.hasIdempotencyKey, bodyKept, () => (x.retryBudgetExhausted = true));
  }

  get status(): number {
    return this.#current!.status;
  }

  discard(): void {
    this.#current!.discard();
  }

  abort(err: UpstreamFailure): void {
    this.#over ??= err;
    if (this.stopReading !== null) this.stopReading(err); // no try yet: the wait for the body ends
    this.ctx.stop();
    this.#current?.abort(err);
  }

  /** One try at `upstream`: resolves with this run once its head arrives, rejects with an AttemptError. */
  try(upstream: Upstream, hold: ((status: number) => boolean) | null, extra: readonly string[] | null, perTryMs: number): Promise<AttemptOutcome> {
    if (this.#over !== null) return Promise.reject(new AttemptError(this.#over, this.ctx)); // no try after the end
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      if (upstream === this.x.upstream && this.#primaryTries++ > 0) {
        this.x.retried++; // (the access line's; the metric's as it goes out)
        this.policies.retrySent(this.ctx);
      }
      this.#current = newAttempt(this.x, upstream, this.x, this, hold, extra, upstream !== this.x.upstream);
      this.#current.send(this.out.path, this.x.method, this.out.headers, this.body, perTryMs);
    });
  }

  /** The first try, sent bare (RoutePolicies.sendsBare): `settled` is told its head or its failure
   *  as they come, with no promise in between (most requests end there). */
  tryBare(perTryMs: number, hold: (status: number) => boolean, settled: (o: AttemptOutcome | null, err: AttemptError | null) => void): void {
    if (this.#over !== null) return settled(null, new AttemptError(this.#over, this.ctx)); // no try after the end
    this.#settled = settled;
    this.#primaryTries++;
    this.#current = newAttempt(this.x, this.x.upstream, this.x, this, hold, null, false);
    this.#current.send(this.out.path, this.x.method, this.out.headers, this.body, perTryMs);
  }

  attemptHead(): void {
    this.ctx.note('status');
    const settled = this.#settled;
    if (settled === null) return this.#resolve!(this);
    this.#settled = null;
    settled(this, null);
  }

  attemptFailed(_a: Attempt, failure: UpstreamFailure): void {
    this.ctx.note(failure.kind);
    const err = new AttemptError(failure, this.ctx);
    const settled = this.#settled;
    if (settled === null) return this.#reject!(err);
    this.#settled = null;
    settled(null, err);
  }

  /** The fallback: sent anew, even after timeoutMs was spent on the primary. */
  startFallback(): void {
    this.#over = null;
  }

  get accepted(): Attempt {
    return this.#current!;
  }
}

export function sendResilient(x: Exchange, policies: RoutePolicies, out: Outgoing, deps: ResilienceDeps): void {
  const route = x.route;
  let body: Body = out.body;
  let toRead = -1; // the body's length, when it is read (kept) before any try
  let bodyKept = true;
  if (out.hasBody && out.body === null) {
    const length = Number(x.req.headers['content-length']);
    if (Number.isInteger(length) && length <= out.maxBufferBytes && (deps.bodies ?? processBodyBudget).keep(length, x.res)) {
      toRead = length;
    } else {
      body = x.req; // streams through; replayable only while nothing was read
      bodyKept = false;
    }
  }
  // A fallback to the upstream being tried (a canary route's primary side) cannot help; a method
  // the fallback does not take gets the error it would get without one.
  const fb = route.fallback;
  const fallbackTo = fb !== null && fb.upstream !== x.upstream && (fb.methods === null || fb.methods.has(x.method)) ? fb.upstream : null;
  const run = new ResilientRun(x, policies, out, body, bodyKept);
  const reading = toRead >= 0 ? readBody(x.req, toRead, run) : null;
  // The clock runs from here: a body that does not arrive within timeoutMs is answered 408 (no
  // upstream was contacted); a body that stalls for idleTimeoutMs ends the same way, by the
  // client socket's timer (Exchange.idle), whichever comes first.
  x.begin(run);
  if (reading === null) return tries(run, fallbackTo, deps);
  reading.then(
    (body) => {
      run.body = body;
      tries(run, fallbackTo, deps);
    },
    (err: unknown) => {
      // The client went away (the exchange has logged it), or its body did not arrive in time.
      if (err instanceof UpstreamFailure && err.kind === 'timeout') {
        x.requestTimedOut(`the request body did not arrive within ${route.timeoutMs} ms`);
      }
    },
  );
}

/** The tries through the route's policies, then the accepted answer, the fallback or the error. */
function tries(run: ResilientRun, fallbackTo: Upstream | null, deps: ResilienceDeps): void {
  const { x, policies } = run;
  if (x.done) return;
  const hold = (status: number): boolean => policies.holds(status, fallbackTo !== null);
  // A request no timeout could retry (a POST without Idempotency-Key, a streamed body) waits
  // its whole timeoutMs: a share would only cut it short, and it would still be answered 504.
  const perTryMs = run.ctx.retriableOnceSent() ? policies.perTryMs : 0;
  const attempt = (): Promise<AttemptOutcome> => run.try(x.upstream, hold, null, perTryMs);
  if (!policies.sendsBare()) return void judged(run, policies.wrapped(run.ctx, attempt, null), fallbackTo, deps);
  run.tryBare(perTryMs, hold, (o, err) => {
    // Relayed as it came: the head of nearly every request (one the policies would act on is held).
    if (o !== null && run.accepted.committed) return;
    // Else the policies say what becomes of it (a 5xx held for the fallback may stand as it is).
    const first = o !== null ? Promise.resolve(o) : Promise.reject(err!);
    first.catch(() => {}); // (judged by the wrappers once they run: never an unhandled rejection)
    void judged(run, policies.afterBare(run.ctx, attempt, first, o), fallbackTo, deps);
  });
}

/** Waits for the policies' run; the head they accepted goes to the client, unless a 5xx goes to
 *  the fallback; a failure goes to the fallback, or is answered. */
async function judged(run: ResilientRun, outcome: Promise<AttemptOutcome>, fallbackTo: Upstream | null, deps: ResilienceDeps): Promise<void> {
  const { x } = run;
  let failure: Error;
  try {
    await outcome;
    const accepted = run.accepted;
    if (accepted.committed) return;
    if (x.done) return accepted.abort(new Error('the exchange is over'));
    if (accepted.status < 500 || fallbackTo === null || !run.ctx.mayResend()) return accepted.commit();
    accepted.discard();
    failure = new Error(`upstream '${x.upstream.name}' answered ${accepted.status}`);
  } catch (err) {
    if (x.done) return;
    failure = err as Error;
    const reason: FallbackReason = isBreakerOpen(err) ? 'circuit_open' : err instanceof AttemptError ? err.kind : 'reset';
    if (reason === 'circuit_open') {
      x.breakerOpen = true;
      failure = new Error(`the circuit breaker for upstream '${x.upstream.name}' is open`, { cause: err }); // (not the library's wording)
    }
    // (An open breaker sent nothing: that request may go to the fallback even if not idempotent.)
    if (fallbackTo === null || !run.ctx.mayResend()) return answerFailure(x, reason, failure);
    return fallBack(run, fallbackTo, reason, failure, deps);
  }
  return fallBack(run, fallbackTo!, 'status_5xx', failure, deps);
}

/** The fallback: its own whole timeoutMs; anything it answers goes to the client. */
async function fallBack(run: ResilientRun, to: Upstream, reason: FallbackReason, failure: Error, deps: ResilienceDeps): Promise<void> {
  const { x, policies } = run;
  const route = x.route;
  deps.metrics.fallbacks.inc({ route: route.label, from: x.upstream.name, to: to.name, reason });
  policies.warnings.note('warn', `${x.upstream.name}>${to.name} ${reason}`, { msg: LOG.fallingBack, requestId: x.requestId, route: route.label, from: x.upstream.name, to: to.name, reason, cause: failure.message });
  x.stopTimer();
  x.servedFrom(to);
  run.startFallback();
  try {
    await run.try(to, null, ['x-strangler-fallback', to.name], route.timeoutMs);
  } catch (err) {
    if (x.done) return;
    const kind = err instanceof AttemptError ? err.kind : 'reset';
    const message = kind === 'timeout'
      ? timeoutFailure(to.name, route.timeoutMs, 'fallback upstream', (err as Partial<UpstreamFailure>).waitedForConnection).message
      : `fallback upstream '${to.name}' failed too: ${(err as Error).message}`;
    x.fail(failureCode(kind), message, err as Error);
  }
}

function answerFailure(x: Exchange, reason: Exclude<FallbackReason, 'status_5xx'>, err: Error): void {
  const message = reason === 'timeout' ? timeoutFailure(x.upstream.name, x.route.timeoutMs, 'upstream', (err as Partial<UpstreamFailure>).waitedForConnection).message : err.message;
  x.fail(failureCode(reason), message, err);
}
