// One try of a request at one upstream, for routes with resilience policies. A response whose
// status the policies could act on (a retryable status, a 5xx with a breaker or fallback) is held
// paused at its head until they decide: commit() relays it to the client, discard() drops it
// (drains a small body so the keep-alive socket stays usable, aborts a large or unknown one).
// Any other response is committed at once, in onHeaders. Nothing reaches the client before commit.

import type { IncomingMessage } from 'node:http';
import type { AttemptContext, AttemptOutcome } from '../policies/route-policies.js';
import { AttemptError } from '../policies/route-policies.js';
import { classifyError, UpstreamFailure } from '../policies/failure.js';
import type { Upstream } from './pools.js';

/** Where a committed attempt's response goes. */
export interface ResponseSink {
  relayHead(statusCode: number, rawHeaders: Buffer[], statusText: string, extra: readonly string[] | null): void;
  relayData(chunk: Buffer, resume: () => void): boolean;
  relayEnd(): void;
  relayError(err: Error): void;
}

/** A discarded response body up to this size is read and dropped to keep its socket... */
const DRAIN_MAX_BYTES = 65_536;
/** ...if it arrives within this long; a body that stalls is aborted, freeing its pool slot. */
const DRAIN_MAX_MS = 1_000;

function onDrainTimeout(a: Attempt): void {
  a.abort(new Error('the discarded response body stalled'));
}

function onTryTimeout(a: Attempt): void {
  a.tryTimedOut();
}

export class Attempt implements AttemptOutcome {
  readonly ctx: AttemptContext;
  readonly upstream: Upstream;
  status = 0;
  #rawHeaders: Buffer[] = [];
  #statusText = '';
  #resume: (() => void) | null = null;
  #abort: ((err?: Error) => void) | null = null;
  #pendingAbort: Error | null = null;
  #sink: ResponseSink | null = null;
  #draining = false;
  #drainedBytes = 0;
  #settled = false;
  /** The upstream's response ended while held (HEAD, 204, 304, or a drained body). */
  #complete = false;
  #timer: NodeJS.Timeout | null = null;
  #resolve!: (a: Attempt) => void;
  #reject!: (e: Error) => void;
  readonly head: Promise<Attempt>;
  readonly #client: ResponseSink;
  readonly #holds: (status: number) => boolean;
  readonly #extraHeaders: readonly string[] | null;

  constructor(
    ctx: AttemptContext,
    upstream: Upstream,
    client: ResponseSink,
    holds: (status: number) => boolean,
    extraHeaders: readonly string[] | null = null,
  ) {
    this.ctx = ctx;
    this.upstream = upstream;
    this.#client = client;
    this.#holds = holds;
    this.#extraHeaders = extraHeaders;
    this.head = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Dispatches; `perTryMs` > 0 bounds the wait for headers of this try alone. */
  start(path: string, method: string, headers: string[], body: Buffer | IncomingMessage | null, perTryMs: number): Promise<Attempt> {
    if (perTryMs > 0) this.#timer = setTimeout(onTryTimeout, perTryMs, this);
    this.upstream.pool.dispatch({ path, method, headers, body }, this);
    return this.head;
  }

  get committed(): boolean {
    return this.#sink !== null;
  }

  tryTimedOut(): void {
    this.#timer = null;
    if (this.#settled) return;
    const err = new UpstreamFailure('timeout', `no response from upstream '${this.upstream.name}' within this try's share of timeoutMs`);
    this.#fail(err);
    this.abort(err);
  }

  /** Stops this try; one still waiting for headers fails with `err` (an UpstreamFailure keeps its kind). */
  abort(err: Error): void {
    if (!this.#settled) this.#fail(err instanceof UpstreamFailure ? err : new UpstreamFailure('reset', err.message, { cause: err }));
    if (this.#abort !== null) this.#abort(err);
    else this.#pendingAbort = err;
  }

  /** Relays the held response to the client. */
  commit(): void {
    this.#sink = this.#client;
    this.#client.relayHead(this.status, this.#rawHeaders, this.#statusText, this.#extraHeaders);
    if (this.#complete) this.#client.relayEnd(); // undici ended it while held (HEAD, 204, 304)
    else this.#resume!();
  }

  discard(): void {
    const length = Number(headerValue(this.#rawHeaders, 'content-length') ?? NaN);
    if (length <= DRAIN_MAX_BYTES && !this.#complete) {
      this.#draining = true;
      this.#timer = setTimeout(onDrainTimeout, DRAIN_MAX_MS, this);
      this.#resume!();
    } else if (!this.#complete) {
      this.abort(new Error('response discarded'));
    }
  }

  #fail(err: UpstreamFailure): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clearTimer();
    this.ctx.note(err.kind);
    this.#reject(new AttemptError(err, this.ctx));
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  // undici handler API -------------------------------------------------------------------------

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#pendingAbort !== null) abort(this.#pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    if (this.#settled) return false;
    this.#settled = true;
    this.#clearTimer();
    this.status = statusCode;
    this.#rawHeaders = rawHeaders;
    this.#statusText = statusText;
    this.#resume = resume;
    this.ctx.note('status');
    if (!this.#holds(statusCode)) {
      this.#sink = this.#client;
      this.#client.relayHead(statusCode, rawHeaders, statusText, this.#extraHeaders);
      this.#resolve(this);
      return true;
    }
    this.#resolve(this);
    return false; // paused until commit() or discard()
  }

  onData(chunk: Buffer): boolean {
    if (this.#sink !== null) return this.#sink.relayData(chunk, this.#resume!);
    if (this.#draining) {
      this.#drainedBytes += chunk.length;
      return this.#drainedBytes <= DRAIN_MAX_BYTES || (this.abort(new Error('discarded body too long')), false);
    }
    return false;
  }

  onComplete(): void {
    this.#clearTimer();
    if (this.#sink !== null) this.#sink.relayEnd();
    else this.#complete = true;
  }

  onError(err: Error): void {
    this.#clearTimer();
    if (!this.#settled) {
      this.#fail(err instanceof UpstreamFailure ? err : new UpstreamFailure(classifyError(err), `upstream '${this.upstream.name}' failed before answering (${(err as { code?: string }).code ?? err.message})`, { cause: err }));
      return;
    }
    if (this.#sink !== null) this.#sink.relayError(err);
  }
}

function headerValue(raw: readonly Buffer[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === lowerName.length && raw[i]!.toString('latin1').toLowerCase() === lowerName) return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}
