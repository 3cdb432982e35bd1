// One server.tracing config's tracer: a BasicTracerProvider (parent-based ratio sampling) with the
// OTLP exporter behind a bounded batch queue. Never registered globally (no
// trace.setGlobalTracerProvider): the table holds it, so several proxies in one process (tests)
// keep their spans apart, and a reload with another config gets another Tracing.

import { ROOT_CONTEXT, SpanKind, type Attributes, type Context, type Link, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ResolvedTracing } from '../routing/defaults.js';
import { batchProcessor, exporterFor, type DropCounter } from './exporter.js';
import { RequestTrace } from './request-trace.js';

const propagator = new W3CTraceContextPropagator();

/** The client's headers as the propagator reads them (traceparent, tracestate). */
const getter: TextMapGetter<IncomingHttpHeaders> = {
  get: (carrier, key) => carrier[key],
  keys: (carrier) => Object.keys(carrier),
};

export interface TracingOptions {
  readonly dropped: DropCounter;
  /** How long spans wait to be batched (default 1 s; tests make it short). */
  readonly scheduledDelayMs?: number;
}

export class Tracing {
  readonly config: ResolvedTracing;
  readonly #provider: BasicTracerProvider;
  readonly #tracer: Tracer;

  constructor(config: ResolvedTracing, opts: TracingOptions) {
    this.config = config;
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      sampler: new ParentBasedSampler({ root: new LinkedSampler(new TraceIdRatioBasedSampler(config.sampleRatio)) }),
      spanProcessors: [batchProcessor(exporterFor(config), opts.dropped, opts.scheduledDelayMs)],
    });
    this.#tracer = this.#provider.getTracer('strangler');
  }

  /** The server span of a request, its parent the client's `traceparent` when that is valid.
   *  `route`: the route's prefix (http.route; null: no route took it); `path`: the path asked
   *  for; `host`: as named. */
  request(req: IncomingMessage, route: string | null, path: string, host: string | null, canary: boolean): RequestTrace {
    const headers = req.headers;
    const parent = headers.traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, headers, getter);
    const method = req.method!;
    // The attributes only for a span that records (the ratio sampler reads none of them): an
    // unsampled request costs a span id and its context, not an attribute map.
    const span = this.#tracer.startSpan(route === null ? method : `${method} ${route}`, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) {
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
    }
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
 *  its trace is never missing from a sampled request's nor present without it; others by ratio. */
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
