// The sampling decision is made before the SDK is asked for a span: a request without a parent is
// sampled with probability sampleRatio (an injected chance here), one with a parent follows its
// flag. A request not sampled starts no span at all, yet has a trace id (the access line's) and
// forwards a traceparent naming the proxy with flag 00.
import type { IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { randomId } from '../src/util/random-hex.js';
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

  it('reads traceparent and tracestate whatever the case of their names, past headers of the same length', () => {
    chance = 0.99;
    const t = tracing.request(
      request({ 'User-Agent': 'x', Connection: 'keep-alive', 'Content-MD5': 'x', TraceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', TRACESTATE: 'v=1' }),
      '/users',
      '/u',
      null,
      false,
    );
    expect(t.sampled).toBe(true);
    expect(t.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(t.server.spanContext().traceState?.get('v')).toBe('1');
    t.end(200, null, null);
  });
});

describe('trace and span ids', () => {
  it('are lower-case hex of their size, and none repeats across several refills of the random pool', () => {
    // 3,000 of each (72,000 random bytes): the pool of 16 KiB is refilled 4 times on the way.
    const ids = Array.from({ length: 3000 }, () => [randomId(16), randomId(8)]).flat();
    for (const [i, id] of ids.entries()) expect(id).toMatch(i % 2 === 0 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a request not sampled still gets its own: a trace id and a span id in its traceparent', () => {
    chance = 0.99;
    const [a, b] = [tracing.request(request(), '/users', '/u', null, false), tracing.request(request(), '/users', '/u', null, false)];
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.attempt(target).traceparent.slice(36, 52)).not.toBe(b.attempt(target).traceparent.slice(36, 52));
  });
});
