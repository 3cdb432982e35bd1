// One request whose answer is collected, bounded in time and size: the shadow's copy of a
// mirrored request, or the noise probe's second request to the primary. It is sent by the same
// Attempt as every primary request; this file is the Attempt's sink (the bounded collector) and
// listener. The task (mirror.ts) only sees startCopy(), a CopyHandle it can stop, and one
// CopySink.copyDone per copy.

import { Attempt, type AttemptListener, type ResponseSink, type Target } from '../forward/attempt.js';
import type { UpstreamFailure } from '../forward/failure.js';
import { BodyCollector } from './body.js';
import type { Captured } from './diff.js';
import type { HeaderPick } from './header-pick.js';
import { deadlinesOf, type Deadline } from '../util/deadlines.js';

/** What a copy brought back: the answer as received (not decoded yet), or why there is none. */
export type CopyOutcome = { readonly answer: Captured; readonly ms: number } | { readonly error: string };

/** A copy in flight. */
export interface CopyHandle {
  /** Ends the copy now (`timeout`, `too_large`, `cancelled`): reported to the sink, the request aborted. */
  stop(error: string): void;
}

/** Told once per copy how it ended. */
export interface CopySink {
  copyDone(copy: CopyHandle, outcome: CopyOutcome): void;
}

/**
 * Sends `method path` with `headers` ([name, value, ...]) and `body` through `pool`, collects the
 * answer (its status, the headers `pick` names, the body up to `cap` bytes: over it the copy
 * ends `too_large`), gives up after `timeoutMs` (`timeout`), and reports to `sink` once.
 * Errors: `connect_error` (refused, connect timeout), `reset` (anything else on the way).
 */
export function startCopy(
  sink: CopySink, target: Target, path: string, method: string, headers: readonly string[], body: Buffer | null,
  timeoutMs: number, cap: number, pick: HeaderPick,
): CopyHandle {
  const copy = new Copy(sink, timeoutMs, cap, pick);
  copy.send(target, path, method, headers, body);
  return copy;
}

/**
 * No promise, stream, closure or abort signal per copy (measured: each of those showed in the
 * primary's p99 through the garbage collector, since copies share the event loop and heap with
 * the primary).
 */
class Copy implements CopyHandle, ResponseSink, AttemptListener {
  readonly #sink: CopySink;
  readonly #pick: HeaderPick;
  readonly #body: BodyCollector;
  readonly #started = performance.now();
  /** The copy's whole timeoutMs (util/deadlines.ts, as the primary's). */
  readonly #deadline: Deadline;
  #attempt: Attempt | null = null;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> = {};

  constructor(sink: CopySink, timeoutMs: number, cap: number, pick: HeaderPick) {
    this.#sink = sink;
    this.#pick = pick;
    this.#body = new BodyCollector(cap);
    this.#deadline = deadlinesOf(timeoutMs).add(this);
  }

  send(target: Target, path: string, method: string, headers: readonly string[], body: Buffer | null): void {
    this.#attempt = new Attempt(target, this, this).send(path, method, headers, body);
  }

  deadlinePassed(): void {
    this.stop('timeout');
  }

  stop(error: string): void {
    if (this.#settled) return;
    this.#settle({ error });
    this.#attempt?.abort(new Error(error));
  }

  #settle(outcome: CopyOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#deadline.cancel();
    this.#sink.copyDone(this, outcome);
  }

  // the Attempt's listener and sink ----------------------------------------------------------

  attemptHead(): void {}

  attemptFailed(_a: Attempt, failure: UpstreamFailure): void {
    const code = (failure.cause as { code?: string } | undefined)?.code;
    this.#settle({ error: code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect_error' : 'reset' });
  }

  relayHead(statusCode: number, raw: Buffer[]): void {
    this.#status = statusCode;
    this.#headers = this.#pick.pick(raw);
  }

  relayData(chunk: Buffer): boolean {
    this.#body.add(chunk);
    if (!this.#body.over) return true;
    this.stop('too_large');
    return false;
  }

  relayEnd(): void {
    this.#settle({ answer: { status: this.#status, headers: this.#headers, body: this.#body.body }, ms: performance.now() - this.#started });
  }

  relayError(): void {
    this.#settle({ error: 'reset' });
  }
}
