// The access line, serialised by hand. It is the one log line written per request, so it skips
// pino's generic object serialiser (measured: ~4.5 us of CPU per request, most of our overhead
// over a bare forwarder) and is written, as the same JSON shape pino would produce, through the
// same logger's level check, bindings (pid, hostname), time function and destination; into the
// process log's chunk as bytes, without a string between (json-bytes.ts).

import pino, { type Logger } from 'pino';
import { LOG } from './log-messages.js';
import { Batching } from './logger.js';
import { MAX_BYTES_PER_CHAR, putNumber, putString, putStringOrNull, putText } from './json-bytes.js';

export interface AccessFields {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly route: string | null;
  readonly upstream: string | null;
  readonly status: number;
  readonly bytes: number;
  /** Written rounded to the microsecond. */
  readonly durationMs: number;
  readonly error: string | null;
  /** With an error: what went wrong in words, as the client's error body says it (the cause:
   *  `connect ECONNREFUSED 127.0.0.1:8001`, `getaddrinfo ENOTFOUND ...`, a certificate problem). */
  readonly detail?: string;
  /** With server.tracing on: the request's trace id. */
  readonly traceId?: string | null;
  /** The client's address after the trustedProxies rules (absent: not known, a test-built line). */
  readonly clientIp?: string;
  /** The User-Agent as sent; written without control characters, at most USER_AGENT_MAX long. */
  readonly userAgent?: string;
  /** The protocol the client spoke (HTTP/1.1, HTTP/1.0, HTTP/2.0), when known. */
  readonly protocol?: string;
  // Flags, as Envoy puts them in its access log; each written only when set (a short line otherwise).
  /** Extra attempts sent after the first (> 0 only). */
  readonly retried?: number;
  /** A retry the request was due was refused by the route's retry budget. */
  readonly retryBudgetExhausted?: boolean;
  /** The fallback upstream answered. */
  readonly fellBack?: boolean;
  /** A shadow copy of the request was sent. */
  readonly shadowed?: boolean;
  /** On a canary route: the side that took the request. */
  readonly canary?: 'primary' | 'canary';
  /** Refused, or sent to the fallback, because the breaker was open. */
  readonly breakerOpen?: boolean;
  /** Tries sent again because the upstream closed the connection under them (> 0 only). */
  readonly replays?: number;
}

export const USER_AGENT_MAX = 256;
export const DETAIL_MAX = 300;
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Text from outside (a User-Agent, an error message) as the access line carries it: control
 *  characters dropped, at most `max` long. */
function clean(text: string, max: number): string {
  return (text.length > max * 2 ? text.slice(0, max * 2) : text).replace(CONTROL, '').slice(0, max);
}

/** A User-Agent as the access line carries it: control characters dropped, at most USER_AGENT_MAX. */
export function cleanUserAgent(ua: string): string {
  return clean(ua, USER_AGENT_MAX);
}

/** ".001" to ".999" without trailing zeros, by thousandths of a millisecond ("" for none). */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`));

/** A duration in milliseconds to the microsecond, spelled as JSON.stringify spells the rounded
 *  number, but from integers: turning a fractional double into text cost ~0.1 us of each line. */
export function msText(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 1e15)) return `${us / 1000}`; // (NaN, negative, beyond any request: as numbers print)
  const whole = Math.floor(us / 1000);
  return `${whole}${THOUSANDTHS[us - whole * 1000]!}`;
}

/** A line's fields but its duration, which the writer is handed apart (an access line is built
 *  once, by whoever ends the request: the writer reads its fields where they are). */
export type AccessLineFields = Omit<AccessFields, 'durationMs'>;

/** The most bytes of a line besides its values' characters (the keys, numbers, flags and braces). */
const FIXED_BYTES = 512;

/** What a line's values need cleaned, once (the bound and the writing both read them). */
interface Cleaned {
  detail: string | undefined;
  userAgent: string | undefined;
}

/** The most bytes the line can take (each value's characters at their widest). */
function boundOf(f: AccessLineFields, c: Cleaned, prefix: number): number {
  const chars = prefix + f.requestId.length + f.method.length + f.path.length + (f.route?.length ?? 0) + (f.upstream?.length ?? 0) +
    (f.error?.length ?? 0) + (c.detail?.length ?? 0) + (f.traceId?.length ?? 0) + (f.clientIp?.length ?? 0) + (c.userAgent?.length ?? 0) + (f.protocol?.length ?? 0);
  return FIXED_BYTES + MAX_BYTES_PER_CHAR * chars;
}

function cleaned(f: AccessLineFields): Cleaned {
  return {
    detail: f.detail === undefined || f.error === null ? undefined : clean(f.detail, DETAIL_MAX),
    userAgent: f.userAgent === undefined ? undefined : cleanUserAgent(f.userAgent),
  };
}

const REQUEST = `,"msg":"${LOG.request}","requestId":`;

/** The fields after pino's prefix, msg first, as `logger.info({ msg: LOG.request, ... })` writes
 *  them, as bytes from `at` (room made by the caller: boundOf); returns the end. A detail is
 *  written only beside an error; the flags only when set, in their declared order. */
function putBody(b: Buffer, at: number, f: AccessLineFields, c: Cleaned, durationMs: number): number {
  let p = putText(b, at, REQUEST);
  p = putString(b, p, f.requestId);
  p = putString(b, putText(b, p, ',"method":'), f.method);
  p = putString(b, putText(b, p, ',"path":'), f.path);
  p = putStringOrNull(b, putText(b, p, ',"route":'), f.route);
  p = putStringOrNull(b, putText(b, p, ',"upstream":'), f.upstream);
  p = putNumber(b, putText(b, p, ',"status":'), f.status);
  p = putNumber(b, putText(b, p, ',"bytes":'), f.bytes);
  p = putText(b, putText(b, p, ',"durationMs":'), msText(durationMs));
  if (f.error !== null) p = putString(b, putText(b, p, ',"error":'), f.error);
  if (c.detail !== undefined) p = putString(b, putText(b, p, ',"detail":'), c.detail);
  if (f.traceId != null) p = putString(b, putText(b, p, ',"traceId":'), f.traceId);
  if (f.clientIp !== undefined) p = putString(b, putText(b, p, ',"clientIp":'), f.clientIp);
  if (c.userAgent !== undefined) p = putString(b, putText(b, p, ',"userAgent":'), c.userAgent);
  if (f.protocol !== undefined) p = putString(b, putText(b, p, ',"protocol":'), f.protocol);
  if (f.retried !== undefined && f.retried > 0) p = putNumber(b, putText(b, p, ',"retried":'), f.retried);
  if (f.retryBudgetExhausted === true) p = putText(b, p, ',"retryBudgetExhausted":true');
  if (f.fellBack === true) p = putText(b, p, ',"fellBack":true');
  if (f.shadowed === true) p = putText(b, p, ',"shadowed":true');
  if (f.canary !== undefined) p = putString(b, putText(b, p, ',"canary":'), f.canary);
  if (f.breakerOpen === true) p = putText(b, p, ',"breakerOpen":true');
  if (f.replays !== undefined && f.replays > 0) p = putNumber(b, putText(b, p, ',"replays":'), f.replays);
  b[p] = 0x7d; // }
  b[p + 1] = 0x0a; // \n
  return p + 2;
}

/** The fields after pino's prefix, as text (what putBody writes). */
export function accessLineBody(f: AccessLineFields, durationMs: number): string {
  const c = cleaned(f);
  const b = Buffer.allocUnsafe(boundOf(f, c, 0));
  return b.toString('utf8', 0, putBody(b, 0, f, c, durationMs));
}

type Internals = Logger & {
  [pino.symbols.streamSym]: { write(line: string): unknown };
  [pino.symbols.chindingsSym]: string;
  [pino.symbols.timeSym]: () => string;
};

export class AccessLineWriter {
  readonly #logger: Internals;

  constructor(logger: Logger) {
    this.#logger = logger as Internals;
  }

  write(level: 'info' | 'warn', fields: AccessLineFields, durationMs: number): void {
    const l = this.#logger;
    if (!l.isLevelEnabled(level)) return;
    const head = level === 'info' ? INFO : WARN;
    const time = l[pino.symbols.timeSym]();
    const bindings = l[pino.symbols.chindingsSym];
    const c = cleaned(fields);
    const bound = boundOf(fields, c, head.length + time.length + bindings.length);
    const stream = l[pino.symbols.streamSym];
    // The process's log (logger.ts Batching): written into its chunk, unless longer than a chunk.
    const at = stream instanceof Batching ? stream.room(bound) : -1;
    if (at >= 0) {
      const chunk = (stream as Batching).chunk;
      return (stream as Batching).wrote(putBody(chunk, putText(chunk, putText(chunk, putText(chunk, at, head), time), bindings), fields, c, durationMs));
    }
    const b = Buffer.allocUnsafe(bound);
    stream.write(b.toString('utf8', 0, putBody(b, putText(b, putText(b, putText(b, 0, head), time), bindings), fields, c, durationMs)));
  }
}

const INFO = '{"level":"info"';
const WARN = '{"level":"warn"';
