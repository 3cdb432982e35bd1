// How an exchange (exchange.ts) ends, and what it stops: kept apart so that exchange.ts stays small.

import type { AccessOnlyCode, ErrorCode } from '../errors.js';
import type { UpstreamFailure } from './failure.js';

export interface ExchangeEnd {
  readonly status: number;
  readonly bytes: number;
  readonly error: ErrorCode | AccessOnlyCode | null;
  readonly cause: Error | null;
}

/** Whatever is sending the request upstream: told to stop when timeoutMs is spent or the client leaves. */
export interface Sending {
  /** `err` is an UpstreamFailure of kind 'timeout' (timeoutMs spent) or 'cancelled' (the client left). */
  abort(err: UpstreamFailure): void;
}
