// One proxied request's spans: the SERVER span (the client's traceparent as parent when valid)
// and one CLIENT span per upstream attempt (retries and the fallback are siblings under it).
// Built only when server.tracing is on (Tracing.request); with tracing off nothing here runs.
//
// Later additions hang off this object: a shadow copy's span linked to the request (`link()`),
// a forward-auth subrequest (`attempt()` with its own upstream), a WebSocket upgrade.

import { spanMethod } from './span-method.js';
import { methodLabel, OTHER_METHOD } from '../observability/method-label.js';
import { SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Span } from '@opentelemetry/api';
import { RecordedSpan, type SpanSink } from './recorded-span.js';
import { randomId } from '../util/random-hex.js';

export interface AttemptTarget {
  readonly name: string;
  /** An upstream's origin, like http://10.0.0.5:8080. */
  readonly origin: string;
}

export interface AttemptOptions {
  readonly canary?: boolean;
  readonly fallback?: boolean;
  /** Span name (default: method and upstream name). */
  readonly name?: string;
  /** The method sent, when not the request's (a forward-auth subrequest's GET). */
  readonly method?: string;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** Origins already parsed: the upstreams of the config (and its auth services), a handful. A URL
 *  parse per recording span cost about a microsecond; bounded all the same. */
const parsed = new Map<string, readonly [string, number]>();
const PARSED_MAX = 256;

/** Host (IPv6 without brackets) and port of an origin URL, the port the scheme's default when it names none. */
export function hostPort(origin: string): readonly [string, number] {
  let hp = parsed.get(origin);
  if (hp === undefined) {
    const u = new URL(origin);
    hp = [u.hostname.replace(/^\[|\]$/g, ''), u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port)];
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(origin, hp);
  }
  return hp;
}

const hex2 = (flags: number): string => (flags & 1 ? '01' : '00');

/** One upstream attempt's CLIENT span. `traceparent` is what the upstream is sent. */
export class AttemptSpan {
  readonly span: Span;
  readonly traceparent: string;
  /** False for a request not sampled: nothing here touches the span then (its methods are
   *  no-ops anyway, and keeping every call site on recording spans keeps them monomorphic). */
  readonly #recording: boolean;
  #ended = false;

  constructor(span: Span, recording = span.isRecording()) {
    this.span = span;
    this.#recording = recording;
    const c = span.spanContext();
    this.traceparent = `00-${c.traceId}-${c.spanId}-${hex2(c.traceFlags)}`;
  }

  /** `headers` (name, value pairs) with the client's traceparent replaced by this attempt's. */
  headers(headers: readonly string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i]!.length === 11 && headers[i]!.toLowerCase() === 'traceparent') continue;
      out.push(headers[i]!, headers[i + 1]!);
    }
    out.push('traceparent', this.traceparent);
    return out;
  }

  /** The response head arrived. */
  head(status: number): void {
    if (!this.#recording) return;
    this.span.setAttribute('http.response.status_code', status);
    if (status >= 500) {
      this.span.setAttribute('error.type', String(status));
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  /** No response: `kind` is the failure (connect-error, reset, timeout, cancelled). */
  failed(kind: string, message: string): void {
    if (this.#ended || !this.#recording) return;
    this.span.setAttribute('strangler.failure', kind);
    this.span.setAttribute('error.type', kind);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    this.end();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#recording) this.span.end();
  }
}

export class RequestTrace {
  readonly traceId: string;
  readonly sampled: boolean;
  /** The server span: null for a request not sampled, which records nothing. */
  readonly #server: RecordedSpan | null;
  /** Not sampled: the proxy's span id, and the traceparent every attempt forwards (flag 00). */
  readonly #spanId: string;
  readonly #traceparent: string;
  readonly #sink: SpanSink | null;
  readonly #method: string;
  /** The client sent a traceparent: the request's headers have one to replace. */
  readonly #clientTraceparent: boolean;
  #unsampled: AttemptSpan | null = null;

  private constructor(traceId: string, server: RecordedSpan | null, sink: SpanSink | null, method: string, spanId: string, clientTraceparent: boolean) {
    this.traceId = traceId;
    this.sampled = server !== null;
    this.#server = server;
    this.#sink = sink;
    this.#method = method;
    this.#spanId = spanId;
    this.#traceparent = server === null ? `00-${traceId}-${spanId}-00` : '';
    this.#clientTraceparent = clientTraceparent;
  }

  /** A sampled request: its server span records. */
  static sampled(sink: SpanSink, server: RecordedSpan, method: string): RequestTrace {
    const c = server.spanContext();
    return new RequestTrace(c.traceId, server, sink, method, c.spanId, false);
  }

  /** A request not sampled (by its parent's flag or the ratio): no span is made; its traceparent
   *  still names the proxy (`spanId`, flag 00). `clientTraceparent`: the client sent one. */
  static unsampled(traceId: string, spanId: string, method: string, clientTraceparent: boolean): RequestTrace {
    return new RequestTrace(traceId, null, null, method, spanId, clientTraceparent);
  }

  /** The server span; for a request not sampled, a non-recording stand-in. */
  get server(): Span {
    return this.#server ?? this.#standIn().span;
  }

  /** Not sampled: `headers` (built for this request, so changed in place when it can be) with
   *  the proxy's traceparent in place of the client's. */
  unsampledHeaders(headers: string[]): string[] {
    if (this.#clientTraceparent) return this.#standIn().headers(headers);
    headers.push('traceparent', this.#traceparent);
    return headers;
  }

  #standIn(): AttemptSpan {
    return (this.#unsampled ??= new AttemptSpan(trace.wrapSpanContext({ traceId: this.traceId, spanId: this.#spanId, traceFlags: TraceFlags.NONE }), false));
  }

  /** A CLIENT span for one try at `target`, child of the server span. A request not sampled
   *  records nothing: its attempts share one traceparent naming the server span, flag 00. */
  attempt(target: AttemptTarget, opts: AttemptOptions = {}): AttemptSpan {
    if (this.#server === null) return this.#standIn();
    const sent = opts.method ?? this.#method;
    const label = methodLabel(sent);
    const [address, port] = hostPort(target.origin);
    // (One literal, keys in one order: see Tracing's server span.)
    const attributes: Attributes = {
      'http.request.method': label,
      'server.address': address,
      'server.port': port,
      'network.protocol.version': '1.1',
      'strangler.upstream': target.name,
      'strangler.canary': opts.canary === true,
      'strangler.fallback': opts.fallback === true,
    };
    if (label === OTHER_METHOD) attributes['http.request.method_original'] = sent;
    if (opts.attributes !== undefined) Object.assign(attributes, opts.attributes);
    const parent = this.#server.spanContext();
    const context = { traceId: this.traceId, spanId: randomId(8), traceFlags: TraceFlags.SAMPLED, traceState: parent.traceState };
    return new AttemptSpan(new RecordedSpan(this.#sink!, opts.name ?? `${spanMethod(sent)} ${target.name}`, SpanKind.CLIENT, context, parent, attributes), true);
  }

  /** A span of work done for this request outside its answer (a shadow copy): its own trace root
   *  when `root`, linked to the server span (sampled when the request is); else a child of it.
   *  Not sampled: a non-recording span of a trace of its own. */
  link(name: string, attributes: Attributes = {}, root = true): Span {
    const traceId = root ? randomId(16) : this.traceId;
    if (this.#server === null) return trace.wrapSpanContext({ traceId, spanId: randomId(8), traceFlags: TraceFlags.NONE });
    const server = this.#server.spanContext();
    const context = { traceId, spanId: randomId(8), traceFlags: TraceFlags.SAMPLED };
    return new RecordedSpan(this.#sink!, name, SpanKind.CLIENT, context, root ? undefined : server, defined(attributes), [{ context: server }]);
  }

  /** The request ended: `error` is the proxy's error code (502, 503, 504... answers), if any. */
  end(status: number, error: string | null, upstream: string | null): void {
    const s = this.#server;
    if (s === null) return;
    if (status > 0) s.setAttribute('http.response.status_code', status);
    if (upstream !== null) s.setAttribute('strangler.upstream', upstream);
    if (error !== null && error !== 'client_closed') {
      s.setAttribute('strangler.error', error);
      s.setStatus({ code: SpanStatusCode.ERROR, message: error });
    } else if (status >= 500) {
      s.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (error === 'client_closed') s.setAttribute('strangler.error', error);
    s.end();
  }
}

/** `attributes` without its undefined or null values, as a new object (a span keeps the object
 *  it is given). */
function defined(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const key in attributes) {
    const v = attributes[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}
