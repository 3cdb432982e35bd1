// One request whose answer is collected, bounded in time and size: the shadow's copy of a
// mirrored request, or the noise probe's second request to the primary. The task (mirror.ts)
// only sees this file's narrow surface: startCopy() hands back a CopyHandle it can stop, and the
// outcome comes back once through CopySink.copyDone. How the request is sent (today undici's
// v1 dispatch handler) stays in here, so it can move to the shared attempt handler unseen.

import type { Dispatcher } from 'undici';
import { BodyCollector } from './body.js';
import type { Captured } from './diff.js';
import type { HeaderPick } from './header-pick.js';

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
  sink: CopySink, pool: Dispatcher, path: string, method: string, headers: readonly string[], body: Buffer | null,
  timeoutMs: number, cap: number, pick: HeaderPick,
): CopyHandle {
  return new Copy(sink, pool, path, method, headers, body, timeoutMs, cap, pick);
}

function copyTimedOut(copy: Copy): void {
  copy.stop('timeout');
}

/**
 * It is its own undici dispatch handler, like the primary's exchange: no promise, stream,
 * closure or abort signal per copy (measured: each of those showed in the primary's p99 through
 * the garbage collector, since copies share the event loop and heap with the primary).
 */
class Copy implements CopyHandle {
  readonly #sink: CopySink;
  readonly #pick: HeaderPick;
  readonly #body: BodyCollector;
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;
  #abort: ((err?: Error) => void) | null = null;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> = {};

  constructor(
    sink: CopySink, pool: Dispatcher, path: string, method: string, headers: readonly string[], body: Buffer | null,
    timeoutMs: number, cap: number, pick: HeaderPick,
  ) {
    this.#sink = sink;
    this.#pick = pick;
    this.#body = new BodyCollector(cap);
    this.#timer = setTimeout(copyTimedOut, timeoutMs, this);
    pool.dispatch({ path, method, headers: headers as string[], body }, this as unknown as Dispatcher.DispatchHandler);
  }

  stop(error: string): void {
    if (this.#settled) return;
    this.#settle({ error });
    this.#abort?.(new Error(error));
  }

  #settle(outcome: CopyOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#sink.copyDone(this, outcome);
  }

  // undici's dispatch handler ----------------------------------------------------------------

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#settled) abort(new Error('done'));
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.#status = statusCode;
    this.#headers = this.#pick.pick(raw);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#body.add(chunk);
    if (!this.#body.over) return true;
    this.stop('too_large');
    return false;
  }

  onComplete(): void {
    this.#settle({ answer: { status: this.#status, headers: this.#headers, body: this.#body.body }, ms: performance.now() - this.#started });
  }

  onError(err: Error): void {
    const code = (err as { code?: string }).code ?? '';
    this.#settle({ error: code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect_error' : 'reset' });
  }
}
