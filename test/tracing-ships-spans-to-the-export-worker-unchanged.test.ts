// Spans reach the OTLP exporter in a worker thread as plain data (wire-span.ts): what the worker
// serialises must be byte for byte what the proxy's own spans would serialise to. And the
// exporter in front of the worker answers every batch, even when the worker is gone, and says why
// it went.

import { describe, expect, it } from 'vitest';
import { createTraceState, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { RecordedSpan, type SpanSink } from '../src/tracing/recorded-span.js';
import { fromWire, toWire } from '../src/tracing/wire-span.js';
import { WorkerSpanExporter } from '../src/tracing/worker-exporter.js';

const resource = resourceFromAttributes({ 'service.name': 'strangler' });
const scope = { name: 'strangler' };

function spans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const sink: SpanSink = { resource, scope, processor: { onEnd: (s) => ended.push(s) } };
  const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState('vendor=x,other=y') };
  const server = new RecordedSpan(sink, 'GET /orders', SpanKind.SERVER, { traceId: parent.traceId, spanId: 'a1b2c3d4e5f60718', traceFlags: 1, traceState: parent.traceState }, parent, { 'http.route': '/orders', 'server.port': 8080 });
  server.addEvent('retry', { 'strangler.try': 2 });
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream_timeout' });
  server.end();
  const copy = new RecordedSpan(sink, 'GET next (shadow)', SpanKind.CLIENT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }, undefined, { 'strangler.shadow': true }, [{ context: server.spanContext() }]);
  copy.end();
  return ended;
}

describe('the export worker', () => {
  it('serialises the plain copy of a batch to the same OTLP bytes as the spans themselves', () => {
    const batch = spans();
    const copied = fromWire(structuredClone(toWire(batch)), resource, scope);
    const original = Buffer.from(ProtobufTraceSerializer.serializeRequest(batch)!);
    expect(Buffer.from(ProtobufTraceSerializer.serializeRequest(copied)!).equals(original)).toBe(true);
    expect(copied[0]!.spanContext().traceState?.serialize()).toBe('vendor=x,other=y');
    expect(copied[0]!.parentSpanContext).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: true });
  });

  it('answers every batch: one the worker could not send fails with the reason, and after shutdown nothing waits', async () => {
    const exporter = new WorkerSpanExporter({ otlpEndpoint: 'http://127.0.0.1:9/v1/traces', protocol: 'http/protobuf', sampleRatio: 1, serviceName: 'strangler' });
    const first = await new Promise<ExportResult>((resolve) => exporter.export(spans(), resolve));
    expect(first.code).toBe(ExportResultCode.FAILED);
    expect(first.error?.message).toMatch(/ECONNREFUSED|connect|timed out/i);
    await exporter.shutdown();
    const after = await new Promise<ExportResult>((resolve) => exporter.export(spans(), resolve));
    expect(after.code).toBe(ExportResultCode.FAILED);
  });

  it('says why when its worker stops: a batch fails with the reason, and the owner is told once per worker', async () => {
    const told: string[] = [];
    const exporter = new WorkerSpanExporter({ otlpEndpoint: 'not a url', protocol: 'http/protobuf', sampleRatio: 1, serviceName: 'strangler' }, (why) => told.push(why));
    const r = await new Promise<ExportResult>((resolve) => exporter.export(spans(), resolve));
    expect(r.code).toBe(ExportResultCode.FAILED);
    expect(r.error?.message).toMatch(/export worker/);
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(told[0]).toMatch(/could not parse/i);
    await exporter.shutdown();
  });
});
