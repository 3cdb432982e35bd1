// A span strangler records itself: the OpenTelemetry API's Span for the code that writes it, and
// the SDK's ReadableSpan for the BatchSpanProcessor and the OTLP exporters that ship it.
//
// Why not the SDK's own Tracer and Span: strangler decides the sampling before any span exists
// (Tracing.request), so what the SDK's start path adds (the context API, the sampler chain, the
// attribute sanitiser run twice, its span metrics) is work already done or not needed. At
// sampleRatio 0.01 that path runs so rarely that V8 never optimises it and the caches have lost
// it: measured at 3,000 req/s, a sampled request's spans cost about 300 us of CPU through the SDK
// (about what the other 99 requests' tracing cost together), and about half that through this
// class. At sampleRatio 1.0 it saved 7-12 us per request. This class is the part of the SDK's
// Span that strangler's spans use (attributes, status, events, links, end), nothing more.

import { SpanStatusCode, type Attributes, type AttributeValue, type Exception, type HrTime, type Link, type Span, type SpanContext, type SpanKind, type SpanStatus, type TimeInput } from '@opentelemetry/api';
import { hrTime, hrTimeDuration, isTimeInput, timeInputToHrTime, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** Where an ended span goes, and what it is reported as. */
export interface SpanSink {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly processor: Pick<SpanProcessor, 'onEnd'>;
}

export class RecordedSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime = hrTime();
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[] = [];
  ended = false;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly #context: SpanContext;
  readonly #sink: SpanSink;

  /** `attributes`: a fresh object, the span's own from now on (not copied: a copy, key by key, was
   *  the costliest part of starting a span), its values all defined. */
  constructor(sink: SpanSink, name: string, kind: SpanKind, context: SpanContext, parent: SpanContext | undefined, attributes: Attributes, links: Link[] = []) {
    this.#sink = sink;
    this.name = name;
    this.kind = kind;
    this.#context = context;
    this.parentSpanContext = parent;
    this.links = links;
    this.resource = sink.resource;
    this.instrumentationScope = sink.scope;
    this.attributes = attributes;
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (!this.ended && value !== undefined && value !== null) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const [attributes, at] = isTimeInput(attributesOrTime) ? [{}, attributesOrTime] : [attributesOrTime ?? {}, time];
    this.events.push({ name, attributes, time: at === undefined ? hrTime() : timeInputToHrTime(at), droppedAttributesCount: 0 });
    return this;
  }

  addLink(link: Link): this {
    if (!this.ended) this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  /** As the SDK's: UNSET changes nothing, OK is final, a message only with ERROR. */
  setStatus(status: SpanStatus): this {
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.endTime = endTime === undefined ? hrTime() : timeInputToHrTime(endTime);
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      this.endTime = this.startTime;
      this.duration = [0, 0];
    }
    this.ended = true;
    this.#sink.processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception === 'string' ? { message: exception } : exception;
    const attributes: Attributes = {};
    if (e.name !== undefined || (e as { code?: unknown }).code !== undefined) attributes['exception.type'] = String((e as { code?: unknown }).code ?? e.name);
    if (e.message !== undefined) attributes['exception.message'] = e.message;
    if (e.stack !== undefined) attributes['exception.stacktrace'] = e.stack;
    this.addEvent('exception', attributes, time);
  }
}
