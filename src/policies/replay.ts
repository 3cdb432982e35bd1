// Whether a request may be sent again (to a retry or to the fallback), as its attempts unfold.
// A replay is safe when the method is idempotent or the client sent an Idempotency-Key, or when
// nothing can have reached the upstream yet (every failure so far was a connect error); and the
// body must still be there: kept in memory, or a stream nothing has read yet.

import type { AttemptContext } from './route-policies.js';
import type { FailureKind } from '../forward/failure.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export class ReplayGuard implements AttemptContext {
  readonly requestId: string;
  readonly method: string;
  readonly #safeMethod: boolean;
  readonly #bodyKept: boolean;
  readonly #onBudgetDenied: () => void;
  #possiblySent = false;
  #stopped = false;
  #tries = 0;

  /** `onBudgetDenied`: told when the retry budget refused a retry the request was due. */
  constructor(requestId: string, method: string, hasIdempotencyKey: boolean, bodyKept: boolean, onBudgetDenied: () => void = () => {}) {
    this.requestId = requestId;
    this.method = method;
    this.#safeMethod = IDEMPOTENT.has(method) || hasIdempotencyKey;
    this.#bodyKept = bodyKept;
    this.#onBudgetDenied = onBudgetDenied;
  }

  /** An attempt failed with `kind`, or (kind 'status') got a response head. */
  note(kind: FailureKind | 'status'): void {
    this.#tries++;
    if (kind !== 'connect-error') this.#possiblySent = true;
  }

  /** Tries that have ended. */
  get tries(): number {
    return this.#tries;
  }

  budgetDenied(): void {
    this.#onBudgetDenied();
  }

  /** No more retries (timeoutMs spent, or the client left); the fallback may still be asked. */
  stop(): void {
    this.#stopped = true;
  }

  /** Whether the policies may retry now. */
  mayReplay(_kind?: FailureKind | 'status'): boolean {
    return !this.#stopped && this.mayResend();
  }

  /** Whether a try that may have reached the upstream (a timeout, a reset, a status) could be
   *  retried: only then does a try get a share of timeoutMs rather than all of it. */
  retriableOnceSent(): boolean {
    return this.#safeMethod && this.#bodyKept;
  }

  /** Whether the request may be sent again at all (to a retry or to the fallback). */
  mayResend(): boolean {
    if (!this.#bodyKept && this.#possiblySent) return false; // the stream was (maybe) read
    return this.#safeMethod || !this.#possiblySent;
  }
}
