// What went wrong with one upstream attempt, in the words of `retry.on` (pure). `cancelled` is the
// client leaving: never retried, never a failure of the upstream (the breaker does not count it).

export type FailureKind = 'connect-error' | 'reset' | 'timeout' | 'cancelled';

/** Error codes meaning the request never reached the upstream: replaying it is always safe. */
const CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** An attempt that ended without response headers. */
export class UpstreamFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamFailure';
    this.kind = kind;
  }
}

/** A connect error, or else the unsafe kind: anything else broke an exchange in flight. */
function classifyError(err: Error): FailureKind {
  return CONNECT.has((err as { code?: string }).code ?? '') ? 'connect-error' : 'reset';
}

/** An undici error as the failure of an attempt at `upstream` that got no response head. */
export function failureOf(err: Error, upstream: string): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err;
  const kind = classifyError(err);
  const code = (err as { code?: string }).code ?? '';
  const message = kind === 'connect-error'
    ? `upstream '${upstream}' is unreachable (${code})`
    : code === 'ERR_ASSERTION' // undici's own check of a response it cannot take (a status below 100)
      ? `upstream '${upstream}' sent a malformed response`
      : `upstream '${upstream}' failed before answering (${code || err.message})`;
  return new UpstreamFailure(kind, message, { cause: err });
}

export function timeoutFailure(upstream: string, timeoutMs: number, what = 'upstream'): UpstreamFailure {
  return new UpstreamFailure('timeout', `no response from ${what} '${upstream}' within ${timeoutMs} ms`);
}
