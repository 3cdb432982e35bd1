// A route's resilience policies, built once per route state (so they survive a reload that does
// not change the route): cockatiel's retry around its circuit breaker, and the retry budget.
// Per-request conditions (replay safety, budget, a replayable body) travel on the attempt results
// and errors, where cockatiel's predicates read them.
// The whole-exchange timeout (timeoutMs, retries included) is the exchange's own single timer, not
// cockatiel's TimeoutPolicy: measured, that policy's per-request AbortController, abort listeners
// and Promise.race cost more than the rest of the resilient path together. On expiry the exchange
// stops further attempts and aborts the current one (policies/resilient.ts).

import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  retry,
  type RetryPolicy,
} from 'cockatiel';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ResolvedBreaker, ResolvedRetry } from '../routing/types.js';
import { RetryBudget } from './budget.js';
import { UpstreamFailure, type FailureKind } from '../forward/failure.js';
import { systemClock, type Clock } from '../util/clock.js';
import { LOG } from '../observability/log-messages.js';
import { LogAggregator } from '../observability/aggregate.js';

/** What a request tells its policies about itself. */
export interface AttemptContext {
  readonly requestId: string;
  readonly method: string;
  /** Records how an attempt ended, before the policies ask mayReplay(). */
  note(kind: FailureKind | 'status'): void;
  /** Whether the request may be sent again now (method, Idempotency-Key, what was sent, body kept). */
  mayReplay(kind: FailureKind | 'status'): boolean;
  /** Tries that have ended. */
  readonly tries: number;
  /** A retry it was due (a listed failure, replay safe, attempts left) that the budget refused. */
  budgetDenied(): void;
}

/** A finished attempt's response head, held (paused) until the policies decide. */
export interface AttemptOutcome {
  readonly ctx: AttemptContext;
  readonly status: number;
  /** Drops this response: drains a small body, aborts a large one. */
  discard(): void;
}

/** An attempt that failed before response headers. */
export class AttemptError extends UpstreamFailure {
  readonly ctx: AttemptContext;
  constructor(failure: UpstreamFailure, ctx: AttemptContext) {
    super(failure.kind, failure.message, { cause: failure.cause, waitedForConnection: failure.waitedForConnection });
    this.ctx = ctx;
  }
}

const STATE_VALUE: Record<number, number> = { [CircuitState.Closed]: 0, [CircuitState.Open]: 1, [CircuitState.HalfOpen]: 2 };
const STATE_NAME: Record<number, string> = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'isolated' };

export interface PolicyDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly route: string;
  readonly upstream: string;
  /** When the breaker opened and whether halfOpenAfterMs has passed (default: the system clock). */
  readonly clock?: Clock;
  /** Where the per-request lines (retrying, falling back) are aggregated; one per route, shared by
   *  its primary and canary policies (default: one of these policies' own). */
  readonly warnings?: LogAggregator;
}

export class RoutePolicies {
  readonly retry: ResolvedRetry;
  readonly breakerConfig: ResolvedBreaker | null;
  readonly budget: RetryBudget;
  readonly breaker: CircuitBreakerPolicy | null;
  /** Per-attempt timeout when `timeout` is retryable: the route's budget split across attempts. */
  readonly perTryMs: number;
  /** Per-request lines, at most one per reason per second (observability/aggregate.ts). */
  readonly warnings: LogAggregator;
  readonly #retry: RetryPolicy;
  readonly #retryable: ReadonlySet<string | number>;
  readonly #deps: PolicyDeps;
  readonly #clock: Clock;
  #openedAt = 0;
  #trialRequestId: string | null = null;
  /** No failure counted by the breaker since its last success (its consecutive count is 0). */
  #clean = true;
  /** A retry cockatiel has scheduled (announced in the log, with its delay), by request: the
   *  metric counts it once sent. The breaker may refuse it (then it takes nothing from the budget
   *  either), or the client leave during its backoff. */
  readonly #scheduled = new WeakMap<AttemptContext, string>();

  constructor(timeoutMs: number, retryCfg: ResolvedRetry, breakerCfg: ResolvedBreaker | null, deps: PolicyDeps) {
    this.retry = retryCfg;
    this.breakerConfig = breakerCfg;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.warnings = deps.warnings ?? new LogAggregator(deps.logger, { clock: this.#clock });
    this.budget = new RetryBudget(retryCfg.budgetPercent, { clock: this.#clock });
    const retryable = new Set<string | number>(retryCfg.on);
    this.#retryable = retryable;
    this.perTryMs = retryCfg.attempts > 1 && retryable.has('timeout') ? Math.floor(timeoutMs / retryCfg.attempts) : 0;

    const retryPolicy = retry(
      handleWhen((e) => e instanceof AttemptError && retryable.has(e.kind) && e.ctx.mayReplay(e.kind) && this.#budgetAllows(e.ctx)).orWhenResult(
        (r) => {
          const o = r as AttemptOutcome;
          return retryable.has(o.status) && o.ctx.mayReplay('status') && this.#budgetAllows(o.ctx);
        },
      ),
      {
        maxAttempts: retryCfg.attempts - 1,
        backoff: new ExponentialBackoff({ initialDelay: retryCfg.backoffMs, maxDelay: retryCfg.maxBackoffMs, generator: fullJitterGenerator }),
      },
    );
    retryPolicy.onRetry((r) => {
      const failed = 'error' in r ? (r.error as AttemptError) : (r.value as AttemptOutcome);
      const reason = 'error' in r ? (failed as AttemptError).kind : String((failed as AttemptOutcome).status);
      if (!('error' in r)) (failed as AttemptOutcome).discard();
      this.#scheduled.set(failed.ctx, reason);
      this.warnings.note('info', `${deps.upstream} ${reason}`, { msg: LOG.retrying, requestId: failed.ctx.requestId, route: deps.route, upstream: deps.upstream, reason, attempt: r.attempt + 1, delayMs: Math.round(r.delay) });
    });

    this.breaker = breakerCfg === null ? null : this.#buildBreaker(breakerCfg);
    this.#retry = retryPolicy;
  }

  /** The retry budget's yes; a no, to a request with attempts left, is told to the request (its
   *  access line's retryBudgetExhausted, as Envoy's URX flag). */
  #budgetAllows(ctx: AttemptContext): boolean {
    if (this.budget.allows()) return true;
    if (ctx.tries < this.retry.attempts) ctx.budgetDenied();
    return false;
  }

  /**
   * Whether a response with this status needs the policies' decision (a retry, a breaker failure,
   * the fallback); any other is relayed at once, without holding it.
   */
  holds(status: number, hasFallback: boolean): boolean {
    return status >= 500 ? this.breaker !== null || hasFallback || this.#retryable.has(status) : this.#retryable.has(status);
  }

  #buildBreaker(cfg: ResolvedBreaker): CircuitBreakerPolicy {
    const { logger, route, upstream } = this.#deps;
    const breaker: CircuitBreakerPolicy = circuitBreaker(
      // A client leaving is no failure of the upstream, except for the half-open trial: that one
      // proved nothing, so the breaker opens again for another halfOpenAfterMs (cockatiel would
      // close it on an error its filter does not handle).
      handleWhen((e) => e instanceof AttemptError && (e.kind !== 'cancelled' || breaker.state === CircuitState.HalfOpen)).orWhenResult(
        (r) => (r as AttemptOutcome).status >= 500,
      ),
      // The wait before the one trial is timed here (#throughBreaker), on this route's clock;
      // cockatiel's own wait (on Date.now) is zero, so it lets the trial through when we do.
      { halfOpenAfter: 0, breaker: new ConsecutiveBreaker(cfg.consecutiveFailures) },
    );
    breaker.onSuccess(() => {
      this.#clean = true;
    });
    breaker.onFailure(({ handled }) => {
      if (handled) this.#clean = false;
    });
    breaker.onBreak((reason) => {
      this.#openedAt = this.#clock.now();
      if ('isolated' in reason) return; // opened by hand: never done here
      const cause = 'error' in reason ? (reason.error as AttemptError) : (reason.value as AttemptOutcome);
      logger.warn({
        msg: LOG.breakerOpened, requestId: cause.ctx?.requestId ?? this.#trialRequestId, route, upstream,
        reason: 'error' in reason ? (cause as AttemptError).kind : `status ${(cause as AttemptOutcome).status}`,
        halfOpenAfterMs: cfg.halfOpenAfterMs,
      });
    });
    breaker.onReset(() => {
      logger.info({ msg: LOG.breakerClosed, requestId: this.#trialRequestId, route, upstream });
      this.#trialRequestId = null;
    });
    return breaker;
  }

  /** The upstream these policies send to (their metrics' label). */
  get upstream(): string {
    return this.#deps.upstream;
  }

  /** The breaker's state as strangler_breaker_state gives it (0 closed, 1 open, 2 half-open); null without one. */
  breakerValue(): number | null {
    return this.breaker === null ? null : (STATE_VALUE[this.breaker.state] ?? 1);
  }

  /** The breaker's state as /routes shows it. */
  describe(): object {
    return {
      breaker: this.breaker === null ? null : { state: STATE_NAME[this.breaker.state], openedAt: this.#openedAt === 0 ? null : new Date(this.#openedAt).toISOString() },
      retryBudget: this.budget.snapshot(),
      perTryTimeoutMs: this.perTryMs || null,
    };
  }

  /**
   * Runs attempts until one is accepted; resolves with it (possibly a 5xx the policies gave up on).
   * Rejects with AttemptError, or BrokenCircuitError (breaker open, or its one trial in flight).
   */
  execute(ctx: AttemptContext, attempt: () => Promise<AttemptOutcome>): Promise<AttemptOutcome> {
    if (!this.sendsBare()) return this.wrapped(ctx, attempt, null);
    const first = attempt();
    return first.then(
      (o) => this.afterBare(ctx, attempt, first, o),
      () => this.afterBare(ctx, attempt, first, null),
    );
  }

  /** What becomes of a first try sent bare (`o`: its head, null: it failed): a head retry and
   *  breaker would not act on stands as it is; any other head, and a failure, is their first try's
   *  to judge (the resilient run hands its bare try's result here as it comes). */
  afterBare(ctx: AttemptContext, attempt: () => Promise<AttemptOutcome>, first: Promise<AttemptOutcome>, o: AttemptOutcome | null): Promise<AttemptOutcome> {
    return o !== null && !this.#actsOn(o) ? first : this.wrapped(ctx, attempt, first);
  }

  /**
   * Counts the request in the retry budget, and says whether its first try goes out bare: when
   * the wrappers would let its success through untouched (no breaker, or a closed one that has
   * counted no failure since its last success: a success changes nothing there). A result they
   * would act on (a retryable status, a 5xx with a breaker, or a failure) is handed to them as their first (wrapped), so retries,
   * the breaker's count and its opening are what they were. (Measured: the wrappers' promises
   * cost ~4 us on every request of a route with policies.)
   */
  sendsBare(): boolean {
    this.budget.request();
    const breaker = this.breaker;
    return breaker === null || (breaker.state === CircuitState.Closed && this.#clean);
  }

  /** Whether retry or breaker would act on this head: a retryable status, or any 5xx with a breaker. */
  #actsOn(o: AttemptOutcome): boolean {
    return (this.breaker !== null && o.status >= 500) || this.#retryable.has(o.status);
  }

  /** Tries through retry and breaker; `first`: a first try already sent, its result theirs to judge. */
  wrapped(ctx: AttemptContext, attempt: () => Promise<AttemptOutcome>, first: Promise<AttemptOutcome> | null): Promise<AttemptOutcome> {
    let isFirst = true;
    return this.#retry.execute(() => {
      const retrying = !isFirst; // (a retry takes from the budget only when the breaker lets it go)
      const sent = isFirst ? first : null;
      isFirst = false;
      if (sent !== null) return this.#judged(sent);
      const run = this.breaker === null ? attempt() : this.#throughBreaker(this.breaker, ctx, attempt);
      if (run === null) return Promise.reject(new BrokenCircuitError());
      return retrying ? run.finally(this.budget.retry()) : run;
    }) as Promise<AttemptOutcome>;
  }

  /** A retry went out (the caller says so when it sends one): strangler_upstream_retries_total. */
  retrySent(ctx: AttemptContext): void {
    const reason = this.#scheduled.get(ctx);
    if (reason === undefined) return;
    this.#scheduled.delete(ctx);
    this.#deps.metrics.retries.inc({ route: this.#deps.route, upstream: this.#deps.upstream, reason });
  }

  /** A try sent bare, counted by the breaker as if sent through it (unless it opened meanwhile). */
  #judged(sent: Promise<AttemptOutcome>): Promise<AttemptOutcome> {
    const breaker = this.breaker;
    return breaker === null || breaker.state !== CircuitState.Closed ? sent : breaker.execute(() => sent);
  }

  /** The try through the breaker; null when the breaker refuses it (nothing is sent). */
  #throughBreaker(breaker: CircuitBreakerPolicy, ctx: AttemptContext, attempt: () => Promise<AttemptOutcome>): Promise<AttemptOutcome> | null {
    // Half-open lets exactly one trial through; cockatiel would queue the others behind it,
    // ours take the open-breaker path at once.
    if (breaker.state === CircuitState.HalfOpen) return null;
    if (breaker.state === CircuitState.Open) {
      if (this.#clock.now() - this.#openedAt < this.breakerConfig!.halfOpenAfterMs) return null;
      this.#trialRequestId = ctx.requestId;
      this.#deps.logger.info({ msg: LOG.breakerHalfOpen, requestId: ctx.requestId, route: this.#deps.route, upstream: this.#deps.upstream });
    }
    return breaker.execute(() => attempt());
  }
}

export function isBreakerOpen(e: unknown): boolean {
  return e instanceof BrokenCircuitError;
}
