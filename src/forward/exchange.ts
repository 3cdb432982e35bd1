// One request's trip to an upstream, as an undici dispatch handler (the callback API that undici's
// core calls directly, with raw header buffers and no per-chunk stream objects). It streams the
// upstream's response into the client's ServerResponse with backpressure, bounds the wait for
// response headers by the route's timeoutMs, and aborts the upstream request as soon as the client
// goes away. On routes with resilience policies it is managed instead (startManaged): attempts run
// in forward/resilient.ts and relay through it (ResponseSink); its timer and the client leaving
// tell them to stop.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledRoute } from '../routing/table.js';
import type { Upstream } from './pools.js';
import type { ResponseSink } from './attempt.js';
import type { ShadowTask } from '../shadow/mirror.js';
import { responseHeaders } from './headers.js';
import { sendError } from './respond.js';
import { STATUS_OF, type ErrorCode } from '../errors.js';
import { classifyError, UpstreamFailure } from '../policies/failure.js';

export interface ExchangeEnd {
  readonly status: number;
  readonly bytes: number;
  readonly error: ErrorCode | 'client_closed' | 'upstream_aborted' | null;
  readonly cause: Error | null;
}

/** How a resilient route's attempts are told to stop. */
export interface ManagedHooks {
  cancel(err: Error): void;
  timeout(): void;
}

export interface ExchangeHost {
  readonly draining: boolean;
  finished(x: Exchange, end: ExchangeEnd): void;
}

class ClientClosed extends Error {
  readonly code = 'STRANGLER_CLIENT_CLOSED';
}

const EXCHANGE = Symbol('strangler.exchange');

/** The exchange forwarding the request this response belongs to, if one is under way. */
export function exchangeOf(res: ServerResponse): Exchange | undefined {
  return (res as ServerResponse & { [EXCHANGE]?: Exchange })[EXCHANGE];
}

function onResponseClose(this: ServerResponse): void {
  exchangeOf(this)?.responseClosed();
}

function onTimeout(x: Exchange): void {
  x.timeout();
}

export class Exchange implements ResponseSink {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: CompiledRoute;
  readonly upstream: Upstream;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  /** Sent to the route's canary upstream (its outcome feeds the canary's halt window). */
  canary = false;
  /** Mirrored to the route's shadow: fed the answer as it is relayed (a bounded tee). */
  capture: ShadowTask | null = null;
  readonly #host: ExchangeHost;

  #abort: ((err?: Error) => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #resume: (() => void) | null = null;
  #status = 0;
  #bytes = 0;
  #done = false;
  /** Set when the exchange must end as soon as undici hands us the abort function. */
  #pendingAbort: Error | null = null;
  /** Set when the client's request turned out malformed mid-body (the server answered it). */
  #fault: ErrorCode | null = null;
  /** The upstream that answered (the fallback's, when it did). */
  #servedBy: Upstream;
  /** Resilient routes: ends the attempts when the client leaves or timeoutMs is spent. */
  #managed: ManagedHooks | null = null;

  constructor(
    host: ExchangeHost,
    req: IncomingMessage,
    res: ServerResponse,
    route: CompiledRoute,
    upstream: Upstream,
    requestId: string,
    method: string,
    path: string,
    startedAt: number,
  ) {
    this.#host = host;
    this.req = req;
    this.res = res;
    this.route = route;
    this.upstream = upstream;
    this.#servedBy = upstream;
    this.requestId = requestId;
    this.method = method;
    this.path = path;
    this.startedAt = startedAt;
  }

  /** Sends the request upstream. `headers` is a flat [name, value, ...] list. */
  start(path: string, headers: string[], body: IncomingMessage | Buffer | null): void {
    this.#timer = setTimeout(onTimeout, this.route.timeoutMs, this);
    this.#watchClient();
    this.upstream.pool.dispatch({ path, method: this.method, headers, body }, this);
  }

  /**
   * For routes with resilience policies: attempts run elsewhere (forward/resilient.ts) and
   * relay through this exchange once committed; `hooks` stop them when the client leaves or
   * timeoutMs is spent.
   */
  startManaged(hooks: ManagedHooks): void {
    this.#managed = hooks;
    this.#timer = setTimeout(onTimeout, this.route.timeoutMs, this);
    this.#watchClient();
  }

  stopTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #watchClient(): void {
    (this.res as ServerResponse & { [EXCHANGE]?: Exchange })[EXCHANGE] = this;
    this.res.once('close', onResponseClose);
  }

  get done(): boolean {
    return this.#done;
  }

  get servedBy(): Upstream {
    return this.#servedBy;
  }

  /** The answer came from another upstream (the fallback). */
  servedFrom(upstream: Upstream): void {
    this.#servedBy = upstream;
  }

  /** Ends the exchange with a proxy-made error (resilient routes). */
  fail(code: 'upstream_timeout' | 'upstream_unavailable' | 'circuit_open', message: string, cause: Error | null): void {
    if (!this.#done) this.#end(code, cause, message);
  }

  /** The client's connection closed: if the exchange is still going, abort the upstream side. */
  responseClosed(): void {
    if (!this.#done) this.#cancel(new ClientClosed('the client closed the connection'));
  }

  /** The server answered a framing error in the client's body: end, and log, as that. */
  clientFault(code: ErrorCode): void {
    this.#fault = code;
  }

  timeout(): void {
    this.#timer = null;
    if (this.#done || this.#status !== 0) return;
    if (this.#managed !== null) return this.#managed.timeout(); // the policies decide: fallback or 504
    const err = new UpstreamFailure('timeout', `no response from upstream '${this.upstream.name}' within ${this.route.timeoutMs} ms`);
    this.#end('upstream_timeout', err);
    this.#cancel(err);
  }

  #cancel(err: Error): void {
    if (!this.#done) this.#end(err instanceof ClientClosed ? 'client_closed' : 'upstream_aborted', err);
    if (this.#managed !== null) this.#managed.cancel(err);
    else if (this.#abort !== null) this.#abort(err);
    else this.#pendingAbort = err;
  }

  // undici handler API -------------------------------------------------------------------------

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#pendingAbort !== null) abort(this.#pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.#done) return false;
    if (statusCode < 200) return true; // informational responses are not relayed
    this.#resume = resume;
    this.relayHead(statusCode, rawHeaders, statusText, null);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.relayData(chunk, this.#resume!);
  }

  onComplete(): void {
    this.relayEnd();
  }

  // ResponseSink: the one path by which an upstream response reaches the client ----------------

  relayHead(statusCode: number, rawHeaders: Buffer[], statusText: string, extra: readonly string[] | null): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#status = statusCode;
    this.capture?.primaryHead(statusCode, rawHeaders);
    const headers = responseHeaders(rawHeaders, this.requestId, this.#host.draining);
    if (extra !== null) headers.push(...extra);
    this.res.writeHead(statusCode, statusText, headers);
  }

  relayData(chunk: Buffer, resume: () => void): boolean {
    if (this.#done) return false;
    this.#bytes += chunk.length;
    this.capture?.primaryData(chunk);
    if (this.res.write(chunk)) return true;
    this.res.once('drain', resume);
    return false;
  }

  relayEnd(): void {
    if (this.#done) return;
    this.res.end();
    this.#end(null, null);
  }

  relayError(err: Error): void {
    if (this.#done) return;
    // Mid-body failure: the client must see a broken response, never a truncated "complete" one.
    this.res.destroy(err);
    this.#end('upstream_aborted', err);
  }

  onError(err: Error): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#done) return;
    if (this.#status !== 0 || this.res.headersSent) return this.relayError(err);
    const code = (err as { code?: string }).code ?? '';
    const message = classifyError(err) === 'connect-error'
      ? `upstream '${this.upstream.name}' is unreachable (${code})`
      : `upstream '${this.upstream.name}' failed before answering (${code || err.message})`;
    this.#end('upstream_unavailable', err, message);
  }

  // --------------------------------------------------------------------------------------------

  #end(error: ExchangeEnd['error'], cause: Error | null, message?: string): void {
    this.#done = true;
    this.capture?.primaryEnd(error === null);
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if ((error === 'upstream_timeout' || error === 'upstream_unavailable' || error === 'circuit_open') && !this.res.headersSent) {
      this.#status = sendError(
        this.res, error, message ?? cause?.message ?? error, this.requestId, this.route.prefix, this.#host.draining,
      );
    }
    if (error === 'client_closed' && this.#fault !== null) {
      this.#host.finished(this, { status: STATUS_OF[this.#fault], bytes: 0, error: this.#fault, cause });
      return;
    }
    this.#host.finished(this, {
      status: error === 'client_closed' && this.#status === 0 ? 499 : this.#status,
      bytes: this.#bytes,
      error,
      cause,
    });
  }
}
