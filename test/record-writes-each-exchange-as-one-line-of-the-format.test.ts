// A recorded exchange is one JSON line of the recording format (v1): the request as the client
// sent it and as it went upstream, the primary's answer, headers lower-cased with repeats as
// arrays and secrets redacted, JSON bodies with their redactJson paths replaced, a body over
// maxBodyBytes truncated and marked, binary bodies in base64. Only the route's methods and its
// percent are recorded (the draw is injected), and a client that leaves mid-answer is not.

import http from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, recordedLines, send } from './helpers/recorded-lines.js';

let upstream: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

const BINARY = Buffer.from([0xff, 0x00, 0xfe, 0x01, 0x80]);

async function start(random?: () => number) {
  upstream = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url!.startsWith('/bin')) {
        res.setHeader('content-type', 'application/octet-stream');
        return res.end(BINARY);
      }
      if (req.url!.startsWith('/big')) return res.end('x'.repeat(100));
      if (req.url!.startsWith('/stall')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.write('part'); // and never ends
      }
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ token: 'secret-token', url: req.url, got: Buffer.concat(chunks).toString() }));
    });
  });
  const clock = testClock(Date.parse('2026-12-03T10:00:00.000Z'));
  proxy = await startProxy(
    upstreamsYaml({ legacy: upstream.url }) +
      `routes:
  - prefix: /orders
    upstream: legacy
    prefixRewrite: /api/orders
    record:
      file: ./capture/orders.jsonl
      methods: [GET, POST]
      redactJson: ["$.card.number", "$.token"]
  - prefix: /bin
    upstream: legacy
    record: { file: ./capture/bin.jsonl }
  - prefix: /big
    upstream: legacy
    record: { file: ./capture/big.jsonl, maxBodyBytes: 16, redactJson: ["$.a"] }
  - prefix: /sampled
    upstream: legacy
    record: { file: ./capture/sampled.jsonl, percent: 50 }
  - prefix: /stall
    upstream: legacy
    record: { file: ./capture/stall.jsonl }
  - prefix: /plain
    upstream: legacy
`,
    { clock, ...(random === undefined ? {} : { random }) },
  );
  return (name: string) => path.join(path.dirname(proxy!.file), 'capture', name);
}

describe('a recorded exchange', () => {
  it('is one line: request and answer, query, headers, redaction of headers and JSON paths', async () => {
    const file = await start();
    const r = await send(proxy!.url + '/orders/42?x=1', 'GET', { authorization: 'Bearer abc', 'x-multi': ['a', 'b'], 'x-request-id': 'rec-1', cookie: 'sid=1' });
    expect(r.status).toBe(200);
    const posted = await send(proxy!.url + '/orders', 'POST', { 'content-type': 'application/json', 'x-request-id': 'rec-2' }, JSON.stringify({ card: { number: '4111', exp: '12/30' } }));
    expect(posted.status).toBe(200);
    await flushed(proxy!, file('orders.jsonl'));
    const lines = await recordedLines(file('orders.jsonl'));
    expect(lines).toHaveLength(2);
    const [get, post] = lines;
    expect(get).toEqual({
      v: 1,
      at: '2026-12-03T10:00:00.000Z',
      id: 'rec-1',
      route: '/orders',
      host: null,
      request: {
        method: 'GET',
        path: '/orders/42?x=1',
        upstreamPath: '/api/orders/42?x=1',
        headers: { host: `127.0.0.1:${proxy!.port}`, authorization: '<redacted>', 'x-multi': ['a', 'b'], 'x-request-id': 'rec-1', cookie: '<redacted>' },
        body: null,
      },
      response: {
        status: 200,
        upstream: 'legacy',
        durationMs: expect.any(Number),
        headers: {
          'content-type': 'application/json',
          'set-cookie': ['<redacted>', '<redacted>'],
          date: expect.any(String),
          'content-length': expect.any(String),
        },
        body: {
          encoding: 'utf8',
          data: JSON.stringify({ token: '<redacted>', url: '/api/orders/42?x=1', got: '' }),
          bytes: Number(get!.response.headers['content-length']),
          truncated: false,
        },
      },
      writes: expect.stringMatching(/^[0-9a-f]{8}:\d+$/), // (an extension: this process's writes to the upstream before it)
    });
    expect(get!.response.durationMs).toBeGreaterThanOrEqual(0);
    expect(Object.keys(get!.response.headers)).not.toContain('connection'); // hop-by-hop
    const sent = JSON.stringify({ card: { number: '4111', exp: '12/30' } });
    expect(post!.request).toMatchObject({
      method: 'POST',
      path: '/orders',
      upstreamPath: '/api/orders',
      body: { encoding: 'utf8', data: JSON.stringify({ card: { number: '<redacted>', exp: '12/30' } }), bytes: sent.length, truncated: false },
    });
    // The answer's `got` is a string, not an object at $.card.number: only $.token is redacted.
    expect(JSON.parse(post!.response.body.data)).toEqual({ token: '<redacted>', url: '/api/orders', got: sent });
  });

  it('holds a binary body as base64 and a body over maxBodyBytes truncated and marked', async () => {
    const file = await start();
    expect((await send(proxy!.url + '/bin', 'GET')).body).toEqual(BINARY);
    expect((await send(proxy!.url + '/big', 'GET')).body.toString()).toBe('x'.repeat(100));
    const big = await send(proxy!.url + '/big', 'GET', { accept: 'application/json' });
    expect(big.status).toBe(200);
    await flushed(proxy!, file('bin.jsonl'));
    await flushed(proxy!, file('big.jsonl'));
    const [bin] = await recordedLines(file('bin.jsonl'));
    expect(bin!.response.body).toEqual({ encoding: 'base64', data: BINARY.toString('base64'), bytes: 5, truncated: false });
    const [truncated] = await recordedLines(file('big.jsonl'));
    expect(truncated!.response.body).toEqual({ encoding: 'utf8', data: 'x'.repeat(16), bytes: 100, truncated: true });
  });

  it('never writes an unredacted body it could not redact: a truncated JSON body has data null', async () => {
    const body = JSON.stringify({ a: 'secret', b: 'x'.repeat(40) });
    upstream = await startUpstream((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
    proxy = await startProxy(
      upstreamsYaml({ legacy: upstream.url }) + 'routes:\n  - prefix: /big\n    upstream: legacy\n    record: { file: ./capture/big.jsonl, maxBodyBytes: 16, redactJson: ["$.a"] }\n',
    );
    const big = path.join(path.dirname(proxy.file), 'capture', 'big.jsonl');
    expect((await send(proxy.url + '/big', 'GET')).body.toString()).toBe(body);
    await flushed(proxy, big);
    const [line] = await recordedLines(big);
    expect(line!.response.body).toEqual({ encoding: 'utf8', data: null, bytes: body.length, truncated: true, redactionFailed: true });
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('records only the listed methods, percent of them by the injected draw', async () => {
    const draws = [0.49, 0.5, 0.1, 0.99];
    const file = await start(() => draws.shift()!);
    for (let i = 1; i <= 4; i++) expect((await send(proxy!.url + '/sampled', 'GET', { 'x-request-id': `s${i}` })).status).toBe(200);
    expect(draws).toEqual([]);
    expect((await send(proxy!.url + '/sampled', 'DELETE', { 'x-request-id': 'd' })).status).toBe(200); // not listed: no draw
    expect((await send(proxy!.url + '/orders', 'DELETE', { 'x-request-id': 'd2' })).status).toBe(200);
    expect((await send(proxy!.url + '/plain', 'GET')).status).toBe(200);
    await flushed(proxy!, file('sampled.jsonl'));
    await flushed(proxy!, file('orders.jsonl'));
    expect((await recordedLines(file('sampled.jsonl'))).map((l) => l.id)).toEqual(['s1', 's3']);
    expect(await recordedLines(file('orders.jsonl'))).toEqual([]);
    const metrics = await (await fetch(proxy!.adminUrl + '/metrics')).text();
    expect(metrics).toContain('strangler_recorded_total{route="/sampled"} 2');
  });

  it('is not written when the client leaves mid-answer', async () => {
    const file = await start();
    const req = http.get(proxy!.url + '/stall', { agent: false });
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    await once(res, 'data');
    const ended = proxy!.logLine((l) => l.path === '/stall' && l.status !== undefined && l.msg === 'request');
    req.destroy();
    expect(await ended).toMatchObject({ error: 'client_closed' });
    // The same route records a complete answer (the next request's line is the only one).
    expect((await send(proxy!.url + '/bin', 'GET')).status).toBe(200);
    await flushed(proxy!, file('stall.jsonl'));
    await flushed(proxy!, file('bin.jsonl'));
    expect(await recordedLines(file('stall.jsonl'))).toEqual([]);
    expect(await recordedLines(file('bin.jsonl'))).toHaveLength(1);
  });
});

describe('recording beside the other route features', () => {
  it('records a body kept for retries, and the primary answer of a shadowed route (still shadowed)', async () => {
    upstream = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(`primary ${Buffer.concat(chunks).toString()}`));
    });
    const shadow = await startUpstream((_req, res) => res.end('shadow'));
    try {
      proxy = await startProxy(
        upstreamsYaml({ legacy: upstream.url, next: shadow.url }) +
          `routes:
  - prefix: /retried
    upstream: legacy
    retry: { attempts: 2 }
    record: { file: ./r.jsonl, methods: [PUT] }
  - prefix: /shadowed
    upstream: legacy
    shadow: { upstream: next }
    record: { file: ./s.jsonl }
`,
      );
      const dir = path.dirname(proxy.file);
      expect((await send(proxy.url + '/retried', 'PUT', { 'x-request-id': 'p' }, 'hello')).body.toString()).toBe('primary hello');
      expect((await send(proxy.url + '/shadowed', 'GET', { 'x-request-id': 's' })).body.toString()).toBe('primary ');
      await flushed(proxy, path.join(dir, 'r.jsonl'));
      await flushed(proxy, path.join(dir, 's.jsonl'));
      const [put] = await recordedLines(path.join(dir, 'r.jsonl'));
      expect(put!.request.body).toEqual({ encoding: 'utf8', data: 'hello', bytes: 5, truncated: false });
      expect(put!.response.body.data).toBe('primary hello');
      const [get] = await recordedLines(path.join(dir, 's.jsonl'));
      expect(get!.response).toMatchObject({ status: 200, upstream: 'legacy', body: { data: 'primary ' } });
      expect(await proxy.logLine((l) => l.msg === 'request' && l.requestId === 's')).toMatchObject({ shadowed: true });
    } finally {
      await proxy?.close();
      proxy = undefined;
      await shadow.close();
    }
  });
});
