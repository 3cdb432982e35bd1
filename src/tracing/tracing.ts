// One server.tracing config's tracer: a BasicTracerProvider (parent-based ratio sampling) with the
// OTLP exporter behind a bounded batch queue. Never registered globally (no
// trace.setGlobalTracerProvider): the table holds it, so several proxies in one process (tests)
// keep their spans apart, and a reload with another config gets another Tracing.

import { isSpanContextValid, ROOT_CONTEXT, SpanKind, trace as api, type Attributes, type Context, type Link, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import type { ResolvedTracing } from '../routing/defaults.js';
import { batchProcessor, exporterFor, type DropCounter } from './exporter.js';
import { randomId, RequestTrace } from './request-trace.js';

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
    if (name.length !== 11 && name.length !== 10) continue;
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
  /** How long spans wait to be batched (default 1 s; tests make it short). */
  readonly scheduledDelayMs?: number;
  /** The chance behind sampleRatio for requests without a parent (default Math.random). */
  readonly random?: () => number;
}

export class Tracing {
  readonly config: ResolvedTracing;
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;
  readonly #random: () => number;

  constructor(config: ResolvedTracing, opts: TracingOptions) {
    this.config = config;
    this.#random = opts.random ?? Math.random;
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      // Request.request() has decided already: a root reaching the SDK is one to sample; a span
      // linked to a request (a shadow copy's) follows that request's flag.
      sampler: new ParentBasedSampler({ root: new LinkedSampler(new AlwaysOnSampler()) }),
      spanProcessors: [batchProcessor(exporterFor(config), opts.dropped, opts.scheduledDelayMs)],
    });
    this.#tracer = this.#provider.getTracer('strangler');
  }

  /** The server span of a request, its parent the client's `traceparent` when that is valid.
   *  `route`: the route's prefix (http.route; null: no route took it); `path`: the path asked
   *  for; `host`: as named. */
  request(req: IncomingMessage, route: string | null, path: string, host: string | null, canary: boolean): RequestTrace {
    const method = req.method!;
    // The sampling decision is made here, before the SDK is asked for anything: a request not
    // sampled starts no span at all (parent-based: the client's flag; else the ratio).
    const fields = traceFields(req.rawHeaders);
    const parent = fields === null ? null : propagator.extract(ROOT_CONTEXT, fields, getter);
    const parentContext = parent === null ? null : api.getSpanContext(parent);
    const valid = parentContext !== undefined && parentContext !== null && isSpanContextValid(parentContext);
    const sampled = valid ? (parentContext.traceFlags & 1) === 1 : this.config.sampleRatio >= 1 || this.#random() < this.config.sampleRatio;
    if (!sampled) return RequestTrace.unsampled(this.#tracer, valid ? parentContext.traceId : randomId(16), method);
    const span = this.#tracer.startSpan(route === null ? method : `${method} ${route}`, { kind: SpanKind.SERVER }, valid ? parent! : ROOT_CONTEXT);
    const port = req.socket?.localPort; // (a getsockname call: only for a span that records)
    span.setAttributes({
      'http.request.method': method,
      ...(route === null ? {} : { 'http.route': route }),
      'url.path': path,
      'network.protocol.version': req.httpVersion === '2.0' ? '2' : req.httpVersion,
      'strangler.canary': canary,
      ...(host === null ? {} : { 'server.address': hostName(host) }),
      ...(port === undefined ? {} : { 'server.port': port }),
    });
    return new RequestTrace(this.#tracer, span, method);
  }

  /** Exports what is queued (bounded by the exporter's timeout). */
  flush(): Promise<void> {
    return this.#provider.forceFlush();
  }

  /** Flushes, then stops the exporter; spans ended after this are dropped. */
  shutdown(): Promise<void> {
    return this.#provider.shutdown();
  }
}

/** A new root: a span linked to a request (a shadow copy's) is sampled when that request is, so
 *  its trace is never missing from a sampled request's nor present without it; any other root
 *  reaching the SDK was sampled already by Tracing.request. */
class LinkedSampler implements Sampler {
  constructor(readonly ratio: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (links.length === 0) return this.ratio.shouldSample(context, traceId, name, kind, attributes, links);
    return { decision: links[0]!.context.traceFlags & 1 ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return `LinkedSampler{${this.ratio.toString()}}`;
  }
}

/** `host[:port]` or `[v6]:port` without its port. */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
