// A batch of ended spans as plain data, the shape it crosses to the export worker in, and back
// into the SDK's ReadableSpans there. Both directions are pure.
//
// Why one flat array of numbers and strings, not an object per span: postMessage's structured
// clone writes every object's property names out again, key by key, and the receiving thread
// builds every object anew. A span as objects (its context, times, status, attributes, links,
// events) cost 3.2-3.6 us to post; the same span as a run of values in one array, with its name
// and attribute keys sent once per batch as indexes into a string table, 1.0-1.3 us (measured
// posting batches of 512 proxy spans to a worker). At sampleRatio 1.0 a request has two spans.
//
// The layout, per span, read back in the same order (`ctx` = traceId, spanId, traceFlags,
// traceState header value or undefined, isRemote or undefined; `attrs` = count, then key index
// and value pairs, or -1 for none; `time` = seconds, nanoseconds):
//   name index, kind, ctx, 0 | 1 then ctx (the parent), start time, end time, duration,
//   status code, status message or undefined, attrs, link count then per link (ctx, attrs),
//   event count then per event (name index, time, attrs, droppedAttributesCount or undefined),
//   dropped attributes, dropped events, dropped links.

import { createTraceState, type Attributes, type AttributeValue, type HrTime, type Link, type SpanContext, type SpanKind, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

type Value = string | number | boolean | undefined | AttributeValue;

export interface WireBatch {
  /** Span names, event names and attribute keys, each once. */
  readonly strings: readonly string[];
  readonly values: readonly Value[];
}

/** Writes one batch. */
class Writer {
  readonly values: Value[] = [];
  readonly #index = new Map<string, number>();

  string(s: string): void {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.#index.size;
      this.#index.set(s, i);
    }
    this.values.push(i);
  }

  strings(): string[] {
    return [...this.#index.keys()];
  }

  context(c: SpanContext): void {
    this.values.push(c.traceId, c.spanId, c.traceFlags, c.traceState?.serialize(), c.isRemote);
  }

  time(t: HrTime): void {
    this.values.push(t[0], t[1]);
  }

  attributes(a: Attributes | undefined): void {
    if (a === undefined) return void this.values.push(-1);
    const at = this.values.length;
    this.values.push(0);
    let n = 0;
    for (const key in a) {
      this.string(key);
      this.values.push(a[key]);
      n++;
    }
    this.values[at] = n;
  }
}

export function toWire(spans: readonly ReadableSpan[]): WireBatch {
  const w = new Writer();
  const v = w.values;
  for (const s of spans) {
    w.string(s.name);
    v.push(s.kind);
    w.context(s.spanContext());
    if (s.parentSpanContext === undefined) v.push(0);
    else {
      v.push(1);
      w.context(s.parentSpanContext);
    }
    w.time(s.startTime);
    w.time(s.endTime);
    w.time(s.duration);
    v.push(s.status.code, s.status.message);
    w.attributes(s.attributes);
    v.push(s.links.length);
    for (const l of s.links) {
      w.context(l.context);
      w.attributes(l.attributes);
    }
    v.push(s.events.length);
    for (const e of s.events) {
      w.string(e.name);
      w.time(e.time);
      w.attributes(e.attributes);
      v.push(e.droppedAttributesCount);
    }
    v.push(s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount);
  }
  return { strings: w.strings(), values: v };
}

/** Reads one batch, in the order Writer wrote it. */
class Reader {
  #at = 0;
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly Value[],
  ) {}

  get done(): boolean {
    return this.#at >= this.values.length;
  }

  value(): Value {
    return this.values[this.#at++];
  }

  number(): number {
    return this.values[this.#at++] as number;
  }

  string(): string {
    return this.strings[this.number()]!;
  }

  context(): SpanContext {
    const out: SpanContext = { traceId: this.value() as string, spanId: this.value() as string, traceFlags: this.number() };
    const state = this.value() as string | undefined;
    const remote = this.value() as boolean | undefined;
    if (state !== undefined) out.traceState = createTraceState(state);
    if (remote !== undefined) out.isRemote = remote;
    return out;
  }

  time(): HrTime {
    return [this.number(), this.number()];
  }

  attributes(): Attributes | undefined {
    const n = this.number();
    if (n < 0) return undefined;
    const out: Attributes = {};
    for (let i = 0; i < n; i++) {
      const key = this.string();
      const value = this.value() as AttributeValue;
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }
}

export function fromWire(batch: WireBatch, resource: Resource, scope: InstrumentationScope): ReadableSpan[] {
  const r = new Reader(batch.strings, batch.values);
  const out: ReadableSpan[] = [];
  while (!r.done) {
    const name = r.string();
    const kind = r.number() as SpanKind;
    const context = r.context();
    const parent = r.number() === 1 ? r.context() : undefined;
    const startTime = r.time();
    const endTime = r.time();
    const duration = r.time();
    const code = r.number();
    const message = r.value() as string | undefined;
    const status: SpanStatus = message === undefined ? { code } : { code, message };
    const attributes = r.attributes() ?? {};
    const links: Link[] = [];
    for (let n = r.number(); n > 0; n--) {
      const linked = r.context();
      const a = r.attributes();
      links.push(a === undefined ? { context: linked } : { context: linked, attributes: a });
    }
    const events: TimedEvent[] = [];
    for (let n = r.number(); n > 0; n--) events.push(event(r));
    out.push(new ShippedSpan(name, kind, context, parent, startTime, endTime, duration, status, attributes, links, events, resource, scope, r.number(), r.number(), r.number()));
  }
  return out;
}

/** A span as the worker hands it to the OTLP exporter. (A class: one shape, and its
 *  spanContext() a method rather than a closure per span.) */
class ShippedSpan implements ReadableSpan {
  readonly ended = true;
  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
    readonly duration: HrTime,
    readonly status: SpanStatus,
    readonly attributes: Attributes,
    readonly links: Link[],
    readonly events: TimedEvent[],
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    readonly droppedAttributesCount: number,
    readonly droppedEventsCount: number,
    readonly droppedLinksCount: number,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }
}

function event(r: Reader): TimedEvent {
  const name = r.string();
  const time = r.time();
  const attributes = r.attributes();
  const dropped = r.value() as number | undefined;
  const out: TimedEvent = { name, time };
  if (attributes !== undefined) out.attributes = attributes;
  if (dropped !== undefined) out.droppedAttributesCount = dropped;
  return out;
}
