// What went wrong with one upstream attempt, in the words of `retry.on` (pure). `cancelled` is the
// client leaving: never retried, never a failure of the upstream (the breaker does not count it).

export type FailureKind = 'connect-error' | 'reset' | 'timeout' | 'cancelled';

/** Error codes meaning the request never reached the upstream: replaying it is always safe. */
const CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The proxy refused the upstream's certificate (https upstreams, upstream tls): found in the
 *  handshake, before a byte of the request is sent, so replaying is safe as for a refused connect. */
const CERTIFICATE = /^(UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|CERT_|ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH$)/;

/** An attempt that ended without response headers. */
export class UpstreamFailure extends Error {
  readonly kind: FailureKind;
  /** A timeout that came while the request still waited for a connection of the upstream's pool. */
  readonly waitedForConnection: boolean;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown; waitedForConnection?: boolean }) {
    super(message, options);
    this.name = 'UpstreamFailure';
    this.kind = kind;
    this.waitedForConnection = options?.waitedForConnection === true;
  }
}

/** What a timeout adds when the request never got a connection: the cure is not the upstream's
 *  speed but its pool (`connections`), or the streams that hold its connections. */
const NO_CONNECTION = "; it never got a connection: all the upstream's `connections` were busy (open streams and long polls each hold one) or still connecting";

/** `f` (a timeout), said as one that came while the request waited for a connection. */
export function waitedForConnection(f: UpstreamFailure): UpstreamFailure {
  return new UpstreamFailure(f.kind, f.message + NO_CONNECTION, { cause: f.cause, waitedForConnection: true });
}

/** A connect error, or else the unsafe kind: anything else broke an exchange in flight. */
function classifyError(err: Error): FailureKind {
  const code = (err as { code?: string }).code ?? '';
  return CONNECT.has(code) || CERTIFICATE.test(code) ? 'connect-error' : 'reset';
}

/** An undici error as the failure of an attempt at `upstream` that got no response head. */
export function failureOf(err: Error, upstream: string): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err;
  const kind = classifyError(err);
  const code = (err as { code?: string }).code ?? '';
  const message = CERTIFICATE.test(code)
    ? `upstream '${upstream}' presented a certificate the proxy does not trust (${code}: ${err.message}); see its tls: ca, servername`
    : kind === 'connect-error'
    ? `upstream '${upstream}' is unreachable (${code})`
    : code === 'ERR_ASSERTION' // undici's own check of a response it cannot take (a status below 100)
      ? `upstream '${upstream}' sent a malformed response`
      : `upstream '${upstream}' failed before answering (${code || err.message})`;
  return new UpstreamFailure(kind, message, { cause: err });
}

export function timeoutFailure(upstream: string, timeoutMs: number, what = 'upstream', noConnection = false): UpstreamFailure {
  const f = new UpstreamFailure('timeout', `no response from ${what} '${upstream}' within ${timeoutMs} ms`);
  return noConnection ? waitedForConnection(f) : f;
}

/** The access line's `detail` of a failed exchange: the words of the client's error body, and the
 *  network error under them (`connect ECONNREFUSED 10.0.0.7:8001`: which address), which the
 *  client is not told. */
export function detailOf(message: string | undefined, cause: Error | null): string | undefined {
  const inner = cause?.cause instanceof Error ? cause.cause.message : undefined;
  if (message === undefined || inner === undefined || inner === '' || message.includes(inner)) return message;
  return `${message}: ${inner}`;
}
