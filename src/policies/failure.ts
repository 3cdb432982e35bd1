// What went wrong with one upstream attempt, in the words of `retry.on` (pure). `cancelled` is the
// client leaving: never retried, never a failure of the upstream (the breaker does not count it).

export type FailureKind = 'connect-error' | 'reset' | 'timeout' | 'cancelled';

/** Error codes meaning the request never reached the upstream: replaying it is always safe. */
const CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** The connection broke after the request may have been sent. */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** An attempt that ended without response headers. */
export class UpstreamFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamFailure';
    this.kind = kind;
  }
}

export function classifyError(err: Error): FailureKind {
  const code = (err as { code?: string }).code ?? '';
  if (CONNECT.has(code)) return 'connect-error';
  if (RESET.has(code)) return 'reset';
  return 'reset'; // anything else broke an exchange in flight: treat it as the unsafe kind
}

