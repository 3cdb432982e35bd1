// One try of a request at one upstream: the undici dispatch handler of every plain request
// (undici's controller API; upgrades have their own, upgrade-attempt.ts). The primary, every retry, the fallback, the canary and the shadow copies are
// each one Attempt; what differs is where the answer goes (its ResponseSink) and who hears how
// it went (its AttemptListener).
//
// A response whose status the listener may act on (`hold(status)`: a retryable status, a 5xx
// with a breaker or fallback) is held paused at its head until commit() relays it or discard()
// drops it (draining a small body so the keep-alive socket stays usable). Any other response is
// relayed at once. Nothing reaches the sink before that.

import type { IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import { failureOf, UpstreamFailure, waitedForConnection } from './failure.js';
import { deadlinesOf, type Deadline } from '../util/deadlines.js';

/** Where a relayed response goes: the client (Exchange), or a shadow copy's collector. */
export interface ResponseSink {
  relayHead(statusCode: number, rawHeaders: Buffer[], statusText: string, extra: readonly string[] | null): void;
  /** False: stop until `resume` is called. */
  relayData(chunk: Buffer, resume: () => void): boolean;
  relayEnd(): void;
  relayError(err: Error): void;
  /** An upstream's `103 Early Hints` (the client's side forwards it; others ignore it). */
  relayEarlyHints?(rawHeaders: Buffer[]): void;
  /** The request was sent again: the upstream closed the connection under it (replayOnClose). */
  replayed?(): void;
}

/** Told how an attempt went, once: it got a response head, or it failed without one. */
export interface AttemptListener {
  attemptHead(a: Attempt): void;
  attemptFailed(a: Attempt, failure: UpstreamFailure): void;
}

export type Body = Buffer | IncomingMessage | null;

/** Where an attempt goes: an upstream's name (for messages) and its connection pool. */
/** undici's Request reads `servername` from the dispatch options (lib/core/request.js); its types omit it. */
export type DispatchWithName = Dispatcher.DispatchOptions & { servername?: string | undefined };

export interface Target {
  readonly name: string;
  readonly pool: Dispatcher;
  /** An https upstream's SNI name (pools.ts), sent with every request. */
  readonly servername?: string;
}

/** A discarded response body up to this size is read and dropped to keep its socket... */
const DRAIN_MAX_BYTES = 65_536;
/** ...if it arrives within this long; a body that stalls is aborted, freeing its pool slot. */
const DRAIN_MAX_MS = 1_000;

const NEVER = (): boolean => false;

/** Methods a request without a body may be sent again with (RFC 9110 9.2.2, as Go's Transport). */
const REPLAY_SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** The upstream closed the connection before a byte of an answer: a kept-alive connection it
 *  closed as idle while the request was on its way (gunicorn closes idle ones after 2 s, below the
 *  pool's keepAliveMs), or it reset it. */
const CLOSED_UNDER_IT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

function replayOnClose(a: Attempt): void {
  a.replay();
}

function onDrainTimeout(a: Attempt): void {
  a.abort(new Error('the discarded response body stalled'));
}

export class Attempt implements Dispatcher.DispatchHandler {
  /** Headers are read raw (controller.rawHeaders): undici, patched, skips parsing them into an
   *  object this never reads (patches/undici+7.30.2.patch; ~1.2 us per response). */
  readonly rawHeadersOnly = true;
  readonly upstream: Target;
  status = 0;
  rawHeaders: Buffer[] = [];
  statusText = '';
  readonly #sink: ResponseSink;
  readonly #listener: AttemptListener;
  readonly #hold: (status: number) => boolean;
  readonly #extraHeaders: readonly string[] | null;
  #controller: Dispatcher.DispatchController | null = null;
  #pendingAbort: Error | null = null;
  #resume: (() => void) | null = null;
  /** Relaying to the sink (committed). */
  #relaying = false;
  #draining = false;
  #drainedBytes = 0;
  /** The listener has been told (head or failure). */
  #settled = false;
  /** The upstream's response ended while held (HEAD, 204, 304, or a drained body). */
  #complete = false;
  /** A try's share of timeoutMs (util/deadlines.ts), until its head; #timer: a discarded body's drain. */
  #tryDeadline: Deadline | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** A bodiless GET, HEAD, OPTIONS or TRACE not yet sent again: its dispatch, for one replay. */
  #again: DispatchWithName | null = null;
  /** The connection it went out on had carried a request before (kept alive). */
  #reused = false;

  constructor(
    upstream: Target,
    sink: ResponseSink,
    listener: AttemptListener,
    hold: ((status: number) => boolean) | null = null,
    extraHeaders: readonly string[] | null = null,
  ) {
    this.upstream = upstream;
    this.#sink = sink;
    this.#listener = listener;
    this.#hold = hold ?? NEVER;
    this.#extraHeaders = extraHeaders;
  }

  /** Sends the request; `perTryMs` > 0 bounds the wait for this try's response head. */
  send(path: string, method: string, headers: readonly string[], body: Body, perTryMs = 0): this {
    if (perTryMs > 0) this.#tryDeadline = deadlinesOf(perTryMs).add(this);
    const options: DispatchWithName = { path, method, headers: headers as string[], body, servername: this.upstream.servername };
    if (body === null && REPLAY_SAFE.has(method)) this.#again = options;
    this.upstream.pool.dispatch(options, this);
    return this;
  }

  /** Sends the request again, once (replayOnClose): on the next turn, out of undici's callback. */
  replay(): void {
    if (this.#settled || this.#again === null) return; // (the client left, or the try timed out, meanwhile)
    const options = this.#again;
    this.#again = null;
    this.#controller = null;
    this.#sink.replayed?.();
    this.upstream.pool.dispatch(options, this);
  }

  get committed(): boolean {
    return this.#relaying;
  }

  /** This try's share of timeoutMs passed without a response head. */
  deadlinePassed(): void {
    this.#tryDeadline = null;
    if (!this.#settled) this.abort(new UpstreamFailure('timeout', `no response from upstream '${this.upstream.name}' within this try's share of timeoutMs`));
  }

  /** Stops this try; one still waiting for its head fails with `err` (an UpstreamFailure keeps its kind). */
  abort(err: Error): void {
    if (!this.#settled) {
      const f = err instanceof UpstreamFailure ? err : new UpstreamFailure('reset', err.message, { cause: err });
      // (undici calls onRequestStart as it writes the request on a connection.)
      this.#fail(f.kind === 'timeout' && this.#controller === null && !f.waitedForConnection ? waitedForConnection(f) : f);
    }
    if (this.#controller !== null) this.#controller.abort(err);
    else this.#pendingAbort = err;
  }

  /** Relays the held response to the sink. */
  commit(): void {
    this.#relaying = true;
    this.#sink.relayHead(this.status, this.rawHeaders, this.statusText, this.#extraHeaders);
    if (this.#complete) this.#sink.relayEnd(); // ended while held (HEAD, 204, 304)
    else this.#controller!.resume();
  }

  /** Drops the held response. */
  discard(): void {
    if (this.#complete) return;
    const length = Number(headerValue(this.rawHeaders, 'content-length') ?? NaN);
    if (length <= DRAIN_MAX_BYTES) {
      this.#draining = true;
      this.#timer = setTimeout(onDrainTimeout, DRAIN_MAX_MS, this);
      this.#controller!.resume();
    } else {
      this.abort(new Error('response discarded'));
    }
  }

  #fail(failure: UpstreamFailure): void {
    this.#settled = true;
    this.#clearTimer();
    this.#listener.attemptFailed(this, failure);
  }

  #clearTimer(): void {
    this.#tryDeadline?.cancel();
    this.#tryDeadline = null;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #resumer(): () => void {
    const c = this.#controller!;
    return (this.#resume ??= () => c.resume());
  }

  // undici's handler API ----------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController, context?: { readonly reusedSocket?: boolean }): void {
    this.#controller = controller;
    // (undici, patched, says whether the connection carried a request before: patches/undici+7.30.2.patch.)
    this.#reused = context?.reusedSocket === true;
    if (this.#pendingAbort !== null) controller.abort(this.#pendingAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, _headers: unknown, statusMessage?: string): void {
    if (statusCode < 200) {
      // Interim: 103 is forwarded (from any try: hints are only hints); the others are skipped,
      // a 100 too (the client's own 100 is the proxy's; patches/undici+7.30.2.patch lets one through).
      if (statusCode === 103 && !this.#settled) this.#sink.relayEarlyHints?.(controller.rawHeaders as Buffer[]);
      return;
    }
    if (this.#settled) return controller.pause();
    this.#settled = true;
    this.#clearTimer();
    this.status = statusCode;
    this.rawHeaders = controller.rawHeaders as Buffer[];
    this.statusText = statusMessage ?? '';
    if (this.#hold(statusCode)) {
      controller.pause(); // until commit() or discard()
    } else {
      this.#relaying = true;
      this.#sink.relayHead(statusCode, this.rawHeaders, this.statusText, this.#extraHeaders);
    }
    this.#listener.attemptHead(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#relaying) {
      if (!this.#sink.relayData(chunk, this.#resumer())) controller.pause();
    } else if (this.#draining) {
      this.#drainedBytes += chunk.length;
      if (this.#drainedBytes > DRAIN_MAX_BYTES) this.abort(new Error('discarded body too long'));
    } else {
      controller.pause();
    }
  }

  onResponseEnd(): void {
    this.#clearTimer();
    if (this.#relaying) this.#sink.relayEnd();
    else this.#complete = true;
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    // A 304 or 204 has no body whatever its Content-Length says (a 304 may carry the 200's, RFC
    // 9110 8.6); undici reads none, then fails the length check. The response is complete.
    if ((this.status === 304 || this.status === 204) && (err as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      return this.onResponseEnd();
    }
    // A replay-safe request whose kept-alive connection the upstream closed before any answer goes
    // once more, on another connection, as nginx does for a kept-alive connection and Go's Transport
    // for a reused one: nothing of it was answered, and the method may be repeated (RFC 9110 9.2.2).
    // A new connection's reset is the upstream's failure, retried only as retry.on says.
    if (!this.#settled && this.#reused && this.#again !== null && CLOSED_UNDER_IT.has((err as { code?: string }).code ?? '')) return process.nextTick(replayOnClose, this);
    this.#clearTimer();
    if (!this.#settled) this.#fail(failureOf(err, this.upstream.name));
    else if (this.#relaying) this.#sink.relayError(err);
  }
}

function headerValue(raw: readonly Buffer[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === lowerName.length && raw[i]!.toString('latin1').toLowerCase() === lowerName) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}
