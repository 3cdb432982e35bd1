// A request waiting on its route's gate (a forward-auth call, a JWKS fetch) has no exchange yet.
// Meanwhile its client may leave, or the server may answer it: Node's requestTimeout or a bad
// request body over HTTP/1.1 (the clientError path), requestTimeoutMs over HTTP/2. An answer
// given meanwhile is the request's one answer and one access line (route and path known), the
// gate's work is cancelled, and its late decision is dropped. Kept as a field of the response,
// as the exchange is once the request is sent.

import type { ServerResponse } from 'node:http';
import type { AccessOnlyCode, ErrorCode } from '../errors.js';
import { sendError } from './respond.js';

const WAIT = Symbol('strangler.gateWait');

type Waiting = ServerResponse & { [WAIT]?: GateWait };

/** What happened while the gate decided: nothing (act on the decision), the client left, or the
 *  server answered the request (its line is written). */
export type WaitOutcome = 'waiting' | 'gone' | 'answered';

export function gateWaitOf(res: ServerResponse): GateWait | undefined {
  return (res as Waiting)[WAIT];
}

export class GateWait {
  readonly requestId: string;
  readonly route: string;
  readonly #res: ServerResponse;
  readonly #abort: AbortController | null;
  readonly #answered: (status: number, code: ErrorCode | AccessOnlyCode) => void;
  #outcome: WaitOutcome = 'waiting';

  /** `abort`: cancels the gate's work (null: nothing of it waits on the client); `answered`: writes
   *  the access line of a request the server answered meanwhile. */
  constructor(res: ServerResponse, requestId: string, route: string, abort: AbortController | null, answered: (status: number, code: ErrorCode | AccessOnlyCode) => void) {
    this.#res = res;
    this.requestId = requestId;
    this.route = route;
    this.#abort = abort;
    this.#answered = answered;
    (res as Waiting)[WAIT] = this;
    res.once('close', this.#closed);
  }

  /** The gate decided: what happened meanwhile. The wait is over either way. */
  end(): WaitOutcome {
    this.#res.off('close', this.#closed);
    (this.#res as Waiting)[WAIT] = undefined;
    return this.#outcome;
  }

  /** The server answered the request on its own (`status` and `code`: what the client was sent). */
  answered(status: number, code: ErrorCode): void {
    if (this.#outcome !== 'waiting') return;
    this.#outcome = 'answered';
    this.#abort?.abort();
    this.#answered(status, code);
  }

  /** requestTimeoutMs passed (HTTP/2: the proxy's own bound): answered 408 request_timeout, and
   *  the stream ends once the answer is out (the rest of the upload goes unread). */
  timedOut(message: string): void {
    if (this.#outcome !== 'waiting' || this.#res.headersSent) return;
    this.answered(sendError(this.#res, 'request_timeout', message, this.requestId, this.route, true), 'request_timeout');
  }

  readonly #closed = (): void => {
    if (this.#outcome !== 'waiting') return;
    this.#outcome = 'gone';
    this.#abort?.abort();
  };
}
