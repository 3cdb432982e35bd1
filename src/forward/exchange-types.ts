// How an exchange (exchange.ts) ends, and what it stops: kept apart so that exchange.ts stays small.

import type { AccessOnlyCode, ErrorCode } from '../errors.js';
import type { UpstreamFailure } from './failure.js';

export interface ExchangeEnd {
  readonly status: number;
  readonly bytes: number;
  readonly error: ErrorCode | AccessOnlyCode | null;
  readonly cause: Error | null;
  /** With an error: the words the client's error body has (or the cause's, when no body went). */
  readonly detail?: string;
  /** The upstream broke its response off mid-body (its connection died, or its body fell silent
   *  for idleTimeoutMs), not the client: a failure whatever the status (access-log.ts). */
  readonly upstreamBroke?: boolean;
}

/** Whatever is sending the request upstream: told to stop when timeoutMs is spent or the client leaves. */
export interface Sending {
  /** `err` is an UpstreamFailure of kind 'timeout' (timeoutMs spent) or 'cancelled' (the client left). */
  abort(err: UpstreamFailure): void;
}

/** What is fed the primary's answer as the exchange relays it: the shadow's task, a recording,
 *  or both (AnswerTaps). `sent`: a shadow copy went out (the access line's flag). */
export interface AnswerTap {
  readonly sent: boolean | undefined;
  primaryHead(status: number, raw: readonly Buffer[]): void;
  primaryData(chunk: Buffer): void;
  /** `ok`: the answer ended complete (no error, the client still there). */
  primaryEnd(ok: boolean): void;
}
