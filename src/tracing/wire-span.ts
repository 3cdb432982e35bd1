// An ended span as plain data, the shape it crosses to the export worker in (postMessage's
// structured clone copies data, not methods or classes), and back into the SDK's ReadableSpan
// there. Both directions are pure.

import { createTraceState, type Attributes, type HrTime, type Link, type SpanContext, type SpanKind, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** A SpanContext with its tracestate as its header value. */
export interface WireContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly isRemote?: boolean;
}

export interface WireSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly context: WireContext;
  readonly parent?: WireContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: readonly { readonly context: WireContext; readonly attributes?: Attributes }[];
  readonly events: readonly TimedEvent[];
  readonly dropped: readonly [attributes: number, events: number, links: number];
}

function wireContext(c: SpanContext): WireContext {
  const out: { -readonly [K in keyof WireContext]: WireContext[K] } = { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags };
  if (c.traceState !== undefined) out.traceState = c.traceState.serialize();
  if (c.isRemote !== undefined) out.isRemote = c.isRemote;
  return out;
}

function spanContext(w: WireContext): SpanContext {
  const out: SpanContext = { traceId: w.traceId, spanId: w.spanId, traceFlags: w.traceFlags };
  if (w.traceState !== undefined) out.traceState = createTraceState(w.traceState);
  if (w.isRemote !== undefined) out.isRemote = w.isRemote;
  return out;
}

export function toWire(s: ReadableSpan): WireSpan {
  const out: { -readonly [K in keyof WireSpan]: WireSpan[K] } = {
    name: s.name,
    kind: s.kind,
    context: wireContext(s.spanContext()),
    startTime: s.startTime,
    endTime: s.endTime,
    duration: s.duration,
    status: s.status,
    attributes: s.attributes,
    links: s.links.map((l) => (l.attributes === undefined ? { context: wireContext(l.context) } : { context: wireContext(l.context), attributes: l.attributes })),
    events: s.events,
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
  };
  if (s.parentSpanContext !== undefined) out.parent = wireContext(s.parentSpanContext);
  return out;
}

export function fromWire(w: WireSpan, resource: Resource, scope: InstrumentationScope): ReadableSpan {
  const context = spanContext(w.context);
  const links: Link[] = w.links.map((l) => (l.attributes === undefined ? { context: spanContext(l.context) } : { context: spanContext(l.context), attributes: l.attributes }));
  return {
    name: w.name,
    kind: w.kind,
    spanContext: () => context,
    ...(w.parent === undefined ? {} : { parentSpanContext: spanContext(w.parent) }),
    startTime: w.startTime,
    endTime: w.endTime,
    duration: w.duration,
    status: w.status,
    attributes: w.attributes,
    links,
    events: [...w.events],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: w.dropped[0],
    droppedEventsCount: w.dropped[1],
    droppedLinksCount: w.dropped[2],
  };
}
