// The sampling decision is made before the SDK is asked for a span: a request without a parent is
// sampled with probability sampleRatio (an injected chance here), one with a parent follows its
// flag. A request not sampled starts no span at all, yet has a trace id (the access line's) and
// forwards a traceparent naming the proxy with flag 00.
import type { IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { Tracing } from '../src/tracing/tracing.js';

const dropped = { inc: () => {} };
let chance = 0;
const tracing = new Tracing(
  { otlpEndpoint: 'http://127.0.0.1:9/v1/traces', protocol: 'http/json', sampleRatio: 0.25, serviceName: 'strangler' },
  { dropped, random: () => chance },
);
afterAll(() => tracing.shutdown().catch(() => {}));

const request = (headers: Record<string, string> = {}): IncomingMessage =>
  ({ rawHeaders: Object.entries(headers).flat(), method: 'GET', httpVersion: '1.1', socket: { localPort: 8080 } }) as unknown as IncomingMessage;
const target = { name: 'users', origin: 'http://127.0.0.1:8001' };

describe('sampling', () => {
  it('samples a request without a parent when the chance falls under sampleRatio', () => {
    chance = 0.2;
    const t = tracing.request(request(), '/users', '/users/1', 'example.test', false);
    expect(t.sampled).toBe(true);
    expect(t.server.isRecording()).toBe(true);
    expect(t.attempt(target).traceparent).toMatch(new RegExp(`^00-${t.traceId}-[0-9a-f]{16}-01$`));
    t.end(200, null, 'users');
  });

  it('starts no span for one above it, and still forwards a traceparent of its own, flag 00', () => {
    chance = 0.3;
    const t = tracing.request(request(), '/users', '/users/1', 'example.test', false);
    expect(t.sampled).toBe(false);
    expect(t.server.isRecording()).toBe(false);
    expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
    const a = t.attempt(target);
    expect(a.traceparent).toMatch(new RegExp(`^00-${t.traceId}-[0-9a-f]{16}-00$`));
    expect(t.attempt(target)).toBe(a); // every attempt of it shares the one traceparent
    expect(a.span.isRecording()).toBe(false);
  });

  it("follows a client's flag whatever the chance", () => {
    chance = 0.99;
    const sampled = tracing.request(request({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), '/users', '/u', null, false);
    expect(sampled.sampled).toBe(true);
    expect(sampled.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    sampled.end(200, null, null);
    chance = 0;
    const not = tracing.request(request({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' }), '/users', '/u', null, false);
    expect(not.sampled).toBe(false);
    expect(not.attempt(target).traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
  });
});
