// A collector that does not answer never slows or fails a request (its spans are counted as
// dropped, and told in the log); and the test receiver's protobuf reading agrees with the OTLP packages' own encoders.

import { afterEach, describe, expect, it } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { refusedPort, startProxy, startUpstream, upstreamsYaml } from './helpers/servers.js';
import { decodeJson, decodeProtobuf } from './helpers/otlp-receiver.js';
import { LOG } from '../src/observability/log-messages.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of open.splice(0).reverse()) await r.close();
});

describe('tracing with a dead collector', () => {
  it('answers every request; the spans it could not export are counted as dropped', async () => {
    const legacy = await startUpstream((_req, res) => res.end('ok'));
    open.push(legacy);
    const endpoint = `http://127.0.0.1:${await refusedPort()}/v1/traces`;
    const p = await startProxy(`server:\n  tracing: { otlpEndpoint: "${endpoint}" }\n` + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy }\n', { traceDelayMs: 5 });
    open.push(p);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${p.url}/d${i}`);
      expect(res.status).toBe(200);
      await res.text();
    }
    await p.proxy.store.current.tracing!.flush().catch(() => {});
    for (;;) {
      const text = await p.proxy.metrics.registry.metrics();
      const m = /strangler_trace_spans_dropped_total\{reason="[^"]+"\} (\d+)/.exec(text);
      if (m !== null && Number(m[1]) >= 10) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // And told, not only counted: one warning per reason (at most every 10 s), with the endpoint.
    const told = await p.logLine((l) => l.msg === LOG.tracingSpansDropped);
    expect(told).toMatchObject({ level: 'warn', endpoint, reason: expect.any(String), count: 1 });
  });
});

describe('the test receiver', () => {
  it('decodes the protobuf the OTLP serializer writes to the same spans as its JSON', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('t');
    const server = tracer.startSpan('GET /x', { kind: SpanKind.SERVER, attributes: { 'http.route': '/x', 'server.port': 8080, 'strangler.canary': true } });
    server.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream_unavailable' });
    server.end();
    const linked = tracer.startSpan('shadow', { kind: SpanKind.CLIENT, links: [{ context: server.spanContext() }] });
    linked.end();
    const spans = memory.getFinishedSpans();
    const fromProto = decodeProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
    const fromJson = decodeJson(JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()));
    expect(fromProto).toEqual(fromJson);
    expect(fromProto[0]).toMatchObject({ service: 'svc', kind: 2, status: { code: 2, message: 'upstream_unavailable' }, attributes: { 'server.port': 8080, 'strangler.canary': true } });
    expect(fromProto[1]!.links).toEqual([{ traceId: server.spanContext().traceId, spanId: server.spanContext().spanId }]);
    await provider.shutdown();
  });
});
