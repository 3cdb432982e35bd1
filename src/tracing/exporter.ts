// The span pipeline of one server.tracing config: a BatchSpanProcessor with a bounded queue in
// front of the OTLP/HTTP exporter for its protocol (which runs in a worker thread:
// worker-exporter.ts). Spans the processor drops (queue full) or fails to export are counted in
// strangler_trace_spans_dropped_total, read from the processor's own self-observability counter
// (its `selfObsMeterProvider` option): no private field is touched.

import { createNoopMeter, type Attributes, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ResolvedTracing } from '../routing/defaults.js';

/** Spans waiting for export; past this, new spans are dropped (and counted), never waited for. */
export const MAX_QUEUE_SIZE = 2048;
const MAX_BATCH = 512;
/** One export request's bound: a dead collector holds at most this long per batch. */
export const EXPORT_TIMEOUT_MS = 3_000;
/** How long ended spans wait for a batch to fill: the SDK's own default (OTEL_BSP_SCHEDULE_DELAY).
 *  A full batch (512) goes at once. */
export const DEFAULT_DELAY_MS = 5_000;

export interface DropCounter {
  inc(labels: { reason: string }, n: number): void;
}

/** The OTLP exporter itself (in the export worker). */
export function exporterFor(cfg: ResolvedTracing): SpanExporter {
  const opts = { url: cfg.otlpEndpoint, timeoutMillis: EXPORT_TIMEOUT_MS, concurrencyLimit: 4 };
  return cfg.protocol === 'http/json' ? new JsonExporter(opts) : new ProtoExporter(opts);
}

export function batchProcessor(exporter: SpanExporter, dropped: DropCounter, scheduledDelayMillis = DEFAULT_DELAY_MS): BatchSpanProcessor {
  const config = {
    maxQueueSize: MAX_QUEUE_SIZE,
    maxExportBatchSize: MAX_BATCH,
    scheduledDelayMillis,
    exportTimeoutMillis: EXPORT_TIMEOUT_MS + 500,
    selfObsMeterProvider: dropMeterProvider(dropped),
  };
  return new BatchSpanProcessor(exporter, config);
}

/** A MeterProvider whose only live instrument is the processor's `otel.sdk.processor.span.processed`
 *  counter: the increments that carry an `error.type` (queue_full, or an export error) are drops. */
function dropMeterProvider(dropped: DropCounter): MeterProvider {
  const noop = createNoopMeter();
  const counter: Counter = {
    add(n: number, attrs?: Attributes) {
      const reason = attrs?.['error.type'];
      if (reason !== undefined && n > 0) dropped.inc({ reason: String(reason) }, n);
    },
  };
  const meter: Meter = Object.assign(Object.create(noop) as Meter, { createCounter: () => counter });
  return { getMeter: () => meter };
}
