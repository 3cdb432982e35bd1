// One upgrade handshake at one upstream, through its undici pool (undici's controller API, as
// Attempt for plain requests). undici writes `Connection: upgrade` and `Upgrade: <protocol>`
// itself; a 101 hands over the upstream socket, any other answer is a plain response whose body
// is relayed. `timeoutMs` bounds the wait for the answer's head.

import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { failureOf, timeoutFailure, UpstreamFailure } from './failure.js';
import type { DispatchWithName, Target } from './attempt.js';

/** Told how the handshake went: exactly one of upgraded, answered or failed, first. */
export interface UpgradeListener {
  /** A 101: the upstream socket (bytes after the head already unshifted onto it). */
  upgraded(rawHeaders: Buffer[], socket: Duplex): void;
  /** Any other final answer: its head, then its body through data/end (or broken). */
  answered(statusCode: number, statusText: string, rawHeaders: Buffer[]): void;
  /** False: stop until `resume` is called. */
  data(chunk: Buffer, resume: () => void): boolean;
  end(): void;
  /** The answer's body broke off. */
  broken(err: Error): void;
  /** No answer: unreachable, reset, or not within timeoutMs. */
  failed(failure: UpstreamFailure): void;
}

export interface UpgradeRequest {
  readonly path: string;
  readonly headers: readonly string[];
  readonly protocol: string;
  readonly timeoutMs: number;
}

function onTimeout(u: UpgradeAttempt): void {
  u.timedOut();
}

export class UpgradeAttempt implements Dispatcher.DispatchHandler {
  readonly #upstream: Target;
  readonly #listener: UpgradeListener;
  #controller: Dispatcher.DispatchController | null = null;
  #pendingAbort: Error | null = null;
  #settled = false;
  /** A non-101 answer is being relayed. */
  #answered = false;
  #timer: NodeJS.Timeout | null = null;
  #timeoutMs = 0;

  constructor(upstream: Target, listener: UpgradeListener) {
    this.#upstream = upstream;
    this.#listener = listener;
  }

  send(req: UpgradeRequest): this {
    this.#timeoutMs = req.timeoutMs;
    if (req.timeoutMs > 0) this.#timer = setTimeout(onTimeout, req.timeoutMs, this);
    this.#upstream.pool.dispatch({ path: req.path, method: 'GET', headers: req.headers as string[], upgrade: req.protocol, servername: this.#upstream.servername } as DispatchWithName, this);
    return this;
  }

  timedOut(): void {
    this.#timer = null;
    this.abort(timeoutFailure(this.#upstream.name, this.#timeoutMs));
  }

  /** Stops the handshake (or the answer's body); one still waiting for its head fails with `err`. */
  abort(err: Error): void {
    if (!this.#settled) this.#fail(err instanceof UpstreamFailure ? err : new UpstreamFailure('cancelled', err.message, { cause: err }));
    if (this.#controller !== null) this.#controller.abort(err);
    else this.#pendingAbort = err;
  }

  #fail(failure: UpstreamFailure): void {
    this.#settle();
    this.#listener.failed(failure);
  }

  #settle(): void {
    this.#settled = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  // undici's handler API ----------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pendingAbort !== null) controller.abort(this.#pendingAbort);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, _statusCode: number, _headers: unknown, socket: Duplex): void {
    if (this.#settled) {
      socket.destroy();
      return;
    }
    this.#settle();
    this.#listener.upgraded(controller.rawHeaders as Buffer[], socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, _headers: unknown, statusMessage?: string): void {
    if (statusCode < 200 || this.#settled) return; // interim answers are skipped
    this.#settle();
    this.#answered = true;
    this.#listener.answered(statusCode, statusMessage ?? '', controller.rawHeaders as Buffer[]);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#listener.data(chunk, () => controller.resume())) controller.pause();
  }

  onResponseEnd(): void {
    this.#listener.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (!this.#settled) this.#fail(failureOf(err, this.#upstream.name));
    else if (this.#answered) this.#listener.broken(err);
  }
}
