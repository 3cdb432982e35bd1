// One server.tracing config's spans: sampled here (parent-based, else the ratio), recorded as
// RecordedSpans (recorded-span.ts says why not the SDK's Tracer), and shipped by the SDK's
// BatchSpanProcessor (a bounded queue) to the OTLP exporter in a worker thread
// (worker-exporter.ts). Nothing is registered globally: the table holds its Tracing, so several
// proxies in one process (tests) keep their spans apart, and a reload with another config gets
// another Tracing.

import { spanMethod } from './span-method.js';
import { methodLabel, OTHER_METHOD } from '../observability/method-label.js';
import { isSpanContextValid, ROOT_CONTEXT, SpanKind, TraceFlags, trace as api, type Attributes, type SpanContext, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import type { ResolvedTracing } from '../routing/defaults.js';
import { batchProcessor, type DropCounter } from './exporter.js';
import { RecordedSpan, type SpanSink } from './recorded-span.js';
import { RequestTrace } from './request-trace.js';
import { randomId } from '../util/random-hex.js';
import { WorkerSpanExporter } from './worker-exporter.js';

const propagator = new W3CTraceContextPropagator();

/** The client's trace context fields, as the propagator reads them. */
interface TraceFields {
  traceparent?: string;
  tracestate?: string;
}

const getter: TextMapGetter<TraceFields> = {
  get: (carrier, key) => (key === 'traceparent' ? carrier.traceparent : key === 'tracestate' ? carrier.tracestate : undefined),
  keys: (carrier) => Object.keys(carrier),
};

/** traceparent and tracestate from the raw header list; null without a traceparent. Read from
 *  rawHeaders: `req.headers` is built lazily by node:http, and nothing else on the plain path
 *  asks for it (building it cost more than the rest of the unsampled path). */
function traceFields(raw: readonly string[]): TraceFields | null {
  let out: TraceFields | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // (Headers of these lengths are common, user-agent and connection among them: only a name
    // starting with t or T is lower-cased and compared.)
    if ((name.length !== 11 && name.length !== 10) || (name.charCodeAt(0) | 0x20) !== 116) continue;
    const lower = name.toLowerCase();
    if (lower === 'traceparent') (out ??= {}).traceparent ??= raw[i + 1]!;
    else if (lower === 'tracestate') {
      const f = (out ??= {});
      f.tracestate = f.tracestate === undefined ? raw[i + 1]! : `${f.tracestate},${raw[i + 1]!}`;
    }
  }
  return out?.traceparent === undefined ? null : out;
}

export interface TracingOptions {
  readonly dropped: DropCounter;
  /** How long spans wait to be batched (default 5 s; tests make it short). */
  readonly scheduledDelayMs?: number;
  /** The chance behind sampleRatio for requests without a parent (default Math.random). */
  readonly random?: () => number;
  /** Told why, when the export worker stops before shutdown. */
  readonly onWorkerLost?: (reason: string) => void;
}

export class Tracing {
  readonly config: ResolvedTracing;
  readonly #processor: BatchSpanProcessor;
  readonly #sink: SpanSink;
  readonly #random: () => number;

  constructor(config: ResolvedTracing, opts: TracingOptions) {
    this.config = config;
    this.#random = opts.random ?? Math.random;
    this.#processor = batchProcessor(new WorkerSpanExporter(config, opts.onWorkerLost), opts.dropped, opts.scheduledDelayMs);
    this.#sink = { resource: resourceFromAttributes({ 'service.name': config.serviceName }), scope: { name: 'strangler' }, processor: this.#processor };
  }

  /** The server span of a request, its parent the client's `traceparent` when that is valid.
   *  `route`: the route's prefix (http.route; null: no route took it); `path`: the path asked
   *  for; `host`: as named. */
  request(req: IncomingMessage, route: string | null, path: string, host: string | null, canary: boolean): RequestTrace {
    // Parent-based: the client's flag when it sent a valid traceparent; else the ratio. A request
    // not sampled gets ids and a traceparent, and no span.
    const fields = traceFields(req.rawHeaders);
    const parent = fields === null ? undefined : api.getSpanContext(propagator.extract(ROOT_CONTEXT, fields, getter));
    if (parent === undefined || !isSpanContextValid(parent)) {
      return this.config.sampleRatio >= 1 || this.#random() < this.config.sampleRatio
        ? this.#sampled(req, route, path, host, canary, null)
        : RequestTrace.unsampled(randomId(16), randomId(8), req.method!, fields !== null);
    }
    return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED
      ? this.#sampled(req, route, path, host, canary, parent)
      : RequestTrace.unsampled(parent.traceId, randomId(8), req.method!, true);
  }

  /** A sampled request's server span. Its own method: at a low sampleRatio this runs rarely, and
   *  kept out of request() it neither swells the code every request runs nor, when it comes,
   *  meets that code's optimised form without type feedback (a deoptimisation each time). */
  #sampled(req: IncomingMessage, route: string | null, path: string, host: string | null, canary: boolean, parent: SpanContext | null): RequestTrace {
    const label = methodLabel(req.method!);
    const method = spanMethod(req.method!);
    // (One literal, its keys always in this order: an object spread and keys added to its copy
    // made V8 store each key the slow way, 2-3 us per request.)
    const attributes: Attributes = {
      'http.request.method': label,
      'url.path': path,
      'network.protocol.version': req.httpVersion === '2.0' ? '2' : req.httpVersion,
      'strangler.canary': canary,
    };
    if (label === OTHER_METHOD) attributes['http.request.method_original'] = req.method!;
    if (route !== null) attributes['http.route'] = route;
    if (host !== null) attributes['server.address'] = hostName(host);
    const port = req.socket?.localPort; // (a getsockname call, once per connection: node:net keeps its answer)
    if (port !== undefined) attributes['server.port'] = port;
    const context = { traceId: parent?.traceId ?? randomId(16), spanId: randomId(8), traceFlags: TraceFlags.SAMPLED, traceState: parent?.traceState };
    const span = new RecordedSpan(this.#sink, route === null ? method : `${method} ${route}`, SpanKind.SERVER, context, parent ?? undefined, attributes);
    return RequestTrace.sampled(this.#sink, span, req.method!);
  }

  /** Exports what is queued (bounded by the exporter's timeout). */
  flush(): Promise<void> {
    return this.#processor.forceFlush();
  }

  /** Flushes, then stops the exporter; spans ended after this are dropped. */
  shutdown(): Promise<void> {
    return this.#processor.shutdown();
  }
}

/** `host[:port]` or `[v6]:port` without its port. */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
