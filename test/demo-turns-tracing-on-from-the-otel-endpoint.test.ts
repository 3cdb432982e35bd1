// npm start with OTEL_EXPORTER_OTLP_ENDPOINT: the demo's routes file is routes.yaml plus
// server.tracing (scripts/lib/demo/tracing.ts), and it is a valid config.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/config/load.js';
import { tracesEndpoint, withTracing } from '../scripts/lib/demo/tracing.js';

describe('the demo with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('names the traces URL from the base endpoint or the traces one, else none', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' })).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/x' })).toBe('http://b:4318/x');
    expect(tracesEndpoint({})).toBeNull();
  });

  it("routes.yaml plus server.tracing is a valid config with the tracing on", () => {
    const text = withTracing(readFileSync(new URL('../routes.yaml', import.meta.url), 'utf8'), 'http://127.0.0.1:4318/v1/traces');
    const r = parseConfig(text, 'routes.yaml', {});
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.server.tracing).toMatchObject({ otlpEndpoint: 'http://127.0.0.1:4318/v1/traces', serviceName: 'strangler-demo' });
  });

  it("keeps routes.yaml's lines where they are: an error in the copy names the line and column of routes.yaml", () => {
    const original = readFileSync(new URL('../routes.yaml', import.meta.url), 'utf8');
    const lines = original.split('\n');
    const typoAt = lines.findIndex((l) => /^\s+timeoutMs:/.test(l));
    expect(typoAt).toBeGreaterThan(20); // (below the server block)
    lines[typoAt] = lines[typoAt]!.replace('timeoutMs:', 'timeoutMS:');
    const typo = lines.join('\n');
    const direct = parseConfig(typo, 'routes.yaml', {});
    const viaCopy = parseConfig(withTracing(typo, 'http://127.0.0.1:4318/v1/traces'), '.routes.traced.yaml', {});
    expect(direct.ok || viaCopy.ok).toBe(false);
    if (direct.ok || viaCopy.ok) return;
    const at = (e: { line: number; column: number; path: string }) => [e.line, e.column, e.path];
    expect(viaCopy.errors.map(at)).toEqual(direct.errors.map(at));
    expect(direct.errors[0]!.line).toBe(typoAt + 1);
  });

  it('indents the block like the settings under server:, not like a comment among them', () => {
    const text = 'server:\n    # limits\n  port: 8080\n\nupstreams:\n  a: { url: "http://127.0.0.1:1" }\nroutes:\n  - { prefix: /, upstream: a }\n';
    const r = parseConfig(withTracing(text, 'http://c:4318/v1/traces'), 'routes.yaml', {});
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.server).toMatchObject({ port: 8080, tracing: { otlpEndpoint: 'http://c:4318/v1/traces' } });
  });
});
