// The access line, serialised by hand. It is the one log line written per request, so it skips
// pino's generic object serialiser (measured: ~4.5 us of CPU per request, most of our overhead
// over a bare forwarder) and is written, as the same JSON shape pino would produce, through the
// same logger's level check, bindings (pid, hostname), time function and destination.

import pino, { type Logger } from 'pino';
import { LOG } from './log-messages.js';
import { timeFieldAt, type Batching } from './logger.js';

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

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** A string's JSON text between its quotes: itself, when nothing in it needs escaping (most
 *  fields), so the line's one template holds the quotes and no quoted copy is made per field. */
function esc(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s).slice(1, -1) : s;
}

/** What cleanUserAgent would drop, or esc() escape. */
const UA_TOUCHED = /["\\\u0000-\u001f\u007f]/;

/** A User-Agent as the line writes it: one test for the common one (short, nothing to drop or escape). */
function userAgentText(ua: string): string {
  return ua.length <= USER_AGENT_MAX && !UA_TOUCHED.test(ua) ? ua : esc(cleanUserAgent(ua));
}

/** The methods and protocols most lines carry: nothing to escape, nothing to test. */
const PLAIN = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0']);

function knownText(s: string): string {
  return PLAIN.has(s) ? s : esc(s);
}

/** A config name (a route's label, an upstream's) as JSON, or null: made once per name, a line
 *  repeating the last line's. */
class Quoted {
  #name: string | null = null;
  #text = 'null';

  of(name: string | null): string {
    if (name !== this.#name) {
      this.#name = name;
      this.#text = name === null ? 'null' : `"${esc(name)}"`;
    }
    return this.#text;
  }
}

const routeText = new Quoted();
const upstreamText = new Quoted();

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

/**
 * The fields after pino's prefix, msg first, as `logger.info({ msg: LOG.request, ... })` writes
 * them. A detail is written only beside an error; the optional fields and flags only when
 * present or set, in their declared order. One template: every piece is added to the line once.
 */
export function accessLineBody(f: AccessLineFields, durationMs: number): string {
  return (
    `,"msg":"${LOG.request}","requestId":"${esc(f.requestId)}","method":"${knownText(f.method)}","path":"${esc(f.path)}"` +
    `,"route":${routeText.of(f.route)},"upstream":${upstreamText.of(f.upstream)},"status":${f.status},"bytes":${f.bytes},"durationMs":${msText(durationMs)}` +
    `${f.error === null ? '' : `,"error":"${esc(f.error)}"${f.detail === undefined ? '' : `,"detail":"${esc(clean(f.detail, DETAIL_MAX))}"`}`}` +
    `${f.traceId == null ? '' : `,"traceId":"${f.traceId}"`}` +
    `${f.clientIp === undefined ? '' : `,"clientIp":"${esc(f.clientIp)}"`}` +
    `${f.userAgent === undefined ? '' : `,"userAgent":"${userAgentText(f.userAgent)}"`}` +
    `${f.protocol === undefined ? '' : `,"protocol":"${knownText(f.protocol)}"`}` +
    `${f.retried !== undefined && f.retried > 0 ? `,"retried":${f.retried}` : ''}` +
    `${f.retryBudgetExhausted === true ? ',"retryBudgetExhausted":true' : ''}${f.fellBack === true ? ',"fellBack":true' : ''}` +
    `${f.shadowed === true ? ',"shadowed":true' : ''}${f.canary === undefined ? '' : `,"canary":"${f.canary}"`}` +
    `${f.breakerOpen === true ? ',"breakerOpen":true' : ''}${f.replays !== undefined && f.replays > 0 ? `,"replays":${f.replays}` : ''}}\n`
  );
}

type Internals = Logger & {
  [pino.symbols.streamSym]: { write(line: string): unknown } | Batching;
  [pino.symbols.chindingsSym]: string;
  [pino.symbols.timeSym]: () => string;
};

export class AccessLineWriter {
  readonly #logger: Internals;

  constructor(logger: Logger) {
    this.#logger = logger as Internals;
  }

  /** Writes the line at once (the access log defers it into the process log itself: access-log.ts). */
  write(level: 'info' | 'warn', fields: AccessLineFields, durationMs: number): void {
    const text = this.text(level, fields, durationMs);
    if (text !== '') this.#logger[pino.symbols.streamSym].write(text);
  }

  /** The line as written ('' when the logger's level leaves it out). `at`: the wall-clock ms it
   *  was logged at, for a line made later into the process log (its loggers' time is logger.ts's). */
  readonly text = (level: 'info' | 'warn', fields: AccessLineFields, durationMs: number, at?: number): string => {
    const l = this.#logger;
    if (!l.isLevelEnabled(level)) return '';
    const time = at === undefined ? l[pino.symbols.timeSym]() : timeFieldAt(at);
    return `{"level":"${level}"${time}${l[pino.symbols.chindingsSym]}${accessLineBody(fields, durationMs)}`;
  };
}
