import { describe, expect, it } from 'vitest';
import { prefixProblem, rewriteProblem } from '../src/config/checks.js';
import { parseConfig } from '../src/config/load.js';
import type { LoadResult } from '../src/config/types.js';

const head = 'upstreams:\n  legacy:\n    url: http://127.0.0.1:8000\n  users:\n    url: http://127.0.0.1:8001\n';

function only(r: LoadResult): string {
  if (r.ok) return 'ok';
  expect(r.errors, JSON.stringify(r.errors)).toHaveLength(1);
  return `${r.errors[0]!.path}: ${r.errors[0]!.message}`;
}

/** One route with extra keys (flow YAML), checked alone. */
const route = (extra: string): string => only(parseConfig(`${head}routes:\n  - { prefix: /api, upstream: users, ${extra} }\n`, 'r.yaml', {}));
const server = (extra: string): string => only(parseConfig(`server: { ${extra} }\n${head}routes:\n  - { prefix: /, upstream: legacy }\n`, 'r.yaml', {}));

describe('server', () => {
  it.each([
    ['port: 0', 'ok'],
    ['port: 65535', 'ok'],
    ['port: 65536', 'server.port: must be an integer between 0 and 65535 (got 65536)'],
    ['port: 80.5', 'server.port: must be an integer between 0 and 65535 (got 80.5)'],
    ['adminPort: -1', 'server.adminPort: must be an integer between 0 and 65535 (got -1)'],
    ['host: ""', "server.host: must be a non-empty string (got '')"],
    ['adminHost: 127', 'server.adminHost: must be a non-empty string (got 127)'],
    ['drainTimeoutMs: -5', 'server.drainTimeoutMs: must be an integer >= 0 (got -5)'],
    ['trustedProxies: true', 'server.trustedProxies: must be an integer >= 0 (got true)'],
    ['maxBufferBytes: 1kb', "server.maxBufferBytes: must be an integer between 0 and 16777216 (got '1kb')"],
    ['escapedSlashes: keep', 'ok'],
    ['escapedSlashes: decode', "server.escapedSlashes: must be one of reject, keep (got 'decode')"],
    ['shadowLog: null', 'ok'],
    ['shadowLog: /var/log/shadow.jsonl', 'ok'],
    ['shadowLog: [a]', 'server.shadowLog: must be a string or null (got a list)'],
    ['maxBufferBytes: 16777216', 'ok'],
    // A shadow compare parses a kept body in one go on the event loop: 100 MB stalled every request 7 s.
    ['maxBufferBytes: 134217728', 'server.maxBufferBytes: must be an integer between 0 and 16777216 (got 134217728)'],
    ['maxHeaderBytes: 1023', 'server.maxHeaderBytes: must be an integer between 1024 and 1048576 (got 1023)'],
    ['maxHeaderBytes: 1048576', 'ok'],
    ['maxHeadersCount: 0', 'server.maxHeadersCount: must be an integer between 1 and 10000 (got 0)'],
    ['maxHeadersCount: 10001', 'server.maxHeadersCount: must be an integer between 1 and 10000 (got 10001)'],
    ['headersTimeoutMs: -1', 'server.headersTimeoutMs: must be an integer >= 0 (got -1)'],
    ['requestTimeoutMs: 0', 'ok'],
    ['keepAliveTimeoutMs: x', "server.keepAliveTimeoutMs: must be an integer >= 0 (got 'x')"],
  ])('%s -> %s', (yaml, expected) => {
    expect(server(yaml)).toBe(expected);
  });

  it('must be a mapping', () => {
    expect(only(parseConfig(`server: 8080\n${head}routes:\n  - { prefix: /, upstream: legacy }\n`, 'r.yaml', {}))).toBe('server: must be a mapping (got 8080)');
  });
});

describe('upstreams', () => {
  const upstream = (entry: string): string => only(parseConfig(`upstreams:\n  ${entry}\nroutes:\n  - { prefix: /, upstream: a }\n`, 'r.yaml', {}));
  it.each([
    ['a: { url: http://a, connections: 1, keepAliveMs: 0, connectTimeoutMs: 1 }', 'ok'],
    ['a: { url: http://a, connections: 0 }', 'upstreams.a.connections: must be an integer >= 1 (got 0)'],
    ['a: { url: http://a, keepAliveMs: -1 }', 'upstreams.a.keepAliveMs: must be an integer >= 0 (got -1)'],
    ['a: { url: http://a, connectTimeoutMs: 0 }', 'upstreams.a.connectTimeoutMs: must be an integer >= 1 (got 0)'],
    ['a: { connections: 2 }', "upstreams.a: missing required key 'url'"],
    ['a: http://a', "upstreams.a: must be a mapping (got 'http://a')"],
    ['a: { url: 8000 }', 'upstreams.a.url: must be a string (got 8000)'],
  ])('%s -> %s', (yaml, expected) => {
    expect(upstream(yaml)).toBe(expected);
  });

  it('names must be [a-z0-9-]+', () => {
    const text = 'upstreams:\n  a:\n    url: http://a\n  my.svc:\n    url: http://b\nroutes:\n  - { prefix: /, upstream: a }\n';
    expect(only(parseConfig(text, 'r.yaml', {}))).toBe('upstreams["my.svc"]: the name must be lowercase letters, digits and \'-\' only (got \'my.svc\')');
  });
});

describe('routes', () => {
  it('must be a non-empty list', () => {
    expect(only(parseConfig(`${head}routes: []\n`, 'r.yaml', {}))).toBe('routes: must be a non-empty list of routes (got an empty list)');
    expect(only(parseConfig(`${head}routes: { prefix: / }\n`, 'r.yaml', {}))).toBe('routes: must be a non-empty list of routes (got a mapping)');
  });

  it.each([
    ['methods: [GET, POST, PURGE]', 'ok'],
    ['methods: []', 'routes[0].methods: must be a non-empty list of HTTP methods, like [GET, POST] (got an empty list)'],
    ['methods: [GET, Post]', "routes[0].methods[1]: must be an HTTP method in uppercase letters, like GET (got 'Post')"],
    ['methods: [GET, POST, GET]', "routes[0].methods[2]: 'GET' is listed twice (first at index 0)"],
    ['methods: GET', "routes[0].methods: must be a non-empty list of HTTP methods, like [GET, POST] (got 'GET')"],
    ['prefixRewrite: /', 'ok'],
    ['prefixRewrite: /users/', 'ok'],
    ['prefixRewrite: users', "routes[0].prefixRewrite: must start with '/' (got 'users')"],
    ['prefixRewrite: "/a?b=1"', "routes[0].prefixRewrite: must not contain '?': the query string is not part of the path (got '/a?b=1')"],
    ['preserveHost: yes', "routes[0].preserveHost: must be true or false (got 'yes')"],
    ['timeoutMs: 0', 'routes[0].timeoutMs: must be an integer >= 1 (got 0)'],
    ['retry: { attempts: 10, backoffMs: 0, maxBackoffMs: 0, on: [], budgetPercent: 0 }', 'ok'],
    ['retry: { attempts: 11 }', 'routes[0].retry.attempts: must be an integer between 1 and 10 (got 11)'],
    ['retry: { attempts: 2.5 }', 'routes[0].retry.attempts: must be an integer between 1 and 10 (got 2.5)'],
    ['retry: { backoffMs: -1 }', 'routes[0].retry.backoffMs: must be an integer >= 0 (got -1)'],
    ['retry: { on: [connect-error, reset, timeout, 500, 599] }', 'ok'],
    ['retry: { on: [600] }', 'routes[0].retry.on[0]: must be one of connect-error, reset, timeout or an integer between 500 and 599 (got 600)'],
    ['retry: { on: [timeouts] }', "routes[0].retry.on[0]: must be one of connect-error, reset, timeout or an integer between 500 and 599 (got 'timeouts')"],
    ['retry: { on: timeout }', "routes[0].retry.on: must be a list (got 'timeout')"],
    ['retry: { budgetPercent: 100.5 }', 'routes[0].retry.budgetPercent: must be a number between 0 and 100 (got 100.5)'],
    ['retry: 3', 'routes[0].retry: must be a mapping (got 3)'],
    ['breaker: { consecutiveFailures: 0 }', 'routes[0].breaker.consecutiveFailures: must be an integer >= 1 (got 0)'],
    ['breaker: { halfOpenAfterMs: 0 }', 'routes[0].breaker.halfOpenAfterMs: must be an integer >= 1 (got 0)'],
    ['fallback: ""', "routes[0].fallback: must be an upstream name (got '')"],
    ['shadow: { upstream: legacy, percent: 0.5, methods: [GET], timeoutMs: 1, maxConcurrent: 1 }', 'ok'],
    ['shadow: { percent: 5 }', "routes[0].shadow: missing required key 'upstream'"],
    ['shadow: { upstream: legacy, percent: 101 }', 'routes[0].shadow.percent: must be a number between 0 and 100 (got 101)'],
    ['shadow: { upstream: legacy, methods: [get] }', "routes[0].shadow.methods[0]: must be an HTTP method in uppercase letters, like GET (got 'get')"],
    ['shadow: { upstream: legacy, prefixRewrite: /a/../b }', "routes[0].shadow.prefixRewrite: must not contain '.' or '..' segments (got '/a/../b')"],
    ['shadow: { upstream: legacy, timeoutMs: 0 }', 'routes[0].shadow.timeoutMs: must be an integer >= 1 (got 0)'],
    ['shadow: { upstream: legacy, maxConcurrent: 0 }', 'routes[0].shadow.maxConcurrent: must be an integer >= 1 (got 0)'],
    ['shadow: { upstream: legacy, compare: { headers: [Content-Type, etag], numericTolerance: 0.01, noiseProbe: 100 } }', 'ok'],
    ['shadow: { upstream: legacy, compare: { headers: ["content type"] } }', "routes[0].shadow.compare.headers[0]: must be a header name like x-user-id (got 'content type')"],
    ['shadow: { upstream: legacy, compare: { ignore: [footer, my-widget, "input[name=csrf]"], ignoreText: ["build \\\\d+"] } }', 'ok'], // not $: CSS selectors
    ['shadow: { upstream: legacy, compare: { ignore: [""] } }', "routes[0].shadow.compare.ignore[0]: must be a JSON path like $.items[*].id or a CSS selector like input[name=csrf] (got '')"],
    ['shadow: { upstream: legacy, compare: { unorderedArrays: ["tags"] } }', "routes[0].shadow.compare.unorderedArrays[0]: must be a JSON path starting with '$', like $.items[*].id (got 'tags')"],
    ['shadow: { upstream: legacy, compare: { numericTolerance: -0.1 } }', 'routes[0].shadow.compare.numericTolerance: must be a number >= 0 (got -0.1)'],
    ['shadow: { upstream: legacy, compare: { noiseProbe: 200 } }', 'routes[0].shadow.compare.noiseProbe: must be a number between 0 and 100 (got 200)'],
    ['canary: { upstream: legacy, percent: 0 }', 'ok'],
    ['canary: { upstream: legacy }', "routes[0].canary: missing required key 'percent'"],
    ['canary: { upstream: legacy, percent: -1 }', 'routes[0].canary.percent: must be a number between 0 and 100 (got -1)'],
    ['canary: { upstream: legacy, percent: 5, stickyOn: "cookie:session_id" }', 'ok'],
    ['canary: { upstream: legacy, percent: 5, stickyOn: x-user-id }', "routes[0].canary.stickyOn: must be header:NAME or cookie:NAME (got 'x-user-id')"],
    ['canary: { upstream: legacy, percent: 5, stickyOn: "query:id" }', "routes[0].canary.stickyOn: must be header:NAME or cookie:NAME (got 'query:id')"],
    ['canary: { upstream: legacy, percent: 5, forceHeader: "x canary" }', "routes[0].canary.forceHeader: must be a header name like x-user-id (got 'x canary')"],
    ['canary: { upstream: legacy, percent: 5, halt: { maxErrorRate: 1, minRequests: 1, windowMs: 1 } }', 'ok'],
    ['canary: { upstream: legacy, percent: 5, halt: { maxErrorRate: 5, minRequests: 1, windowMs: 1 } }', 'routes[0].canary.halt.maxErrorRate: must be a number between 0 and 1 (got 5)'],
    ['canary: { upstream: legacy, percent: 5, halt: { maxErrorRate: 0.1, minRequests: 0, windowMs: 1 } }', 'routes[0].canary.halt.minRequests: must be an integer >= 1 (got 0)'],
    ['canary: { upstream: legacy, percent: 5, halt: { maxErrorRate: 0.1, minRequests: 1, windowMs: 0 } }', 'routes[0].canary.halt.windowMs: must be an integer >= 1 (got 0)'],
    ['canary: { upstream: legacy, percent: 5, halt: { maxErrorRate: 0.1, windowMs: 1 } }', "routes[0].canary.halt: missing required key 'minRequests'"],
  ])('%s -> %s', (yaml, expected) => {
    expect(route(yaml)).toBe(expected);
  });

  it('defaults accept the route policies and check them the same way', () => {
    const text = (d: string): string => `defaults: { ${d} }\n${head}routes:\n  - { prefix: /, upstream: legacy }\n`;
    expect(only(parseConfig(text('timeoutMs: 15000, retry: { attempts: 1 }, breaker: { consecutiveFailures: 3 }, fallback: legacy, preserveHost: true'), 'r.yaml', {}))).toBe('ok');
    expect(only(parseConfig(text('retry: { attempts: 0 }'), 'r.yaml', {}))).toBe('defaults.retry.attempts: must be an integer between 1 and 10 (got 0)');
    expect(only(parseConfig(text('preserveHost: 1'), 'r.yaml', {}))).toBe('defaults.preserveHost: must be true or false (got 1)');
  });
});

describe('route prefixes', () => {
  const prefix = (p: string): string => only(parseConfig(`${head}routes:\n  - prefix: ${JSON.stringify(p)}\n    upstream: users\n`, 'r.yaml', {}));

  it.each(['/', '/api', '/api/users', '/api/v1.2', '/a-b_c~d', '/..hidden', '/a/.well-known'])('accepts %s', (p) => {
    expect(prefix(p)).toBe('ok');
  });

  it.each([
    ['api', "routes[0].prefix: must start with '/' (got 'api')"],
    ['', "routes[0].prefix: must start with '/' (got '')"],
    ['/api/', "routes[0].prefix: must not end with '/' (write /api): prefixes match whole segments"],
    ['/api//', "routes[0].prefix: must not end with '/' (write /api): prefixes match whole segments"],
    ['//', "routes[0].prefix: must not end with '/' (write /): prefixes match whole segments"],
    ['/api?x=1', "routes[0].prefix: must not contain '?': the query string is not part of the path (got '/api?x=1')"],
    ['/api#top', "routes[0].prefix: must not contain '#' (got '/api#top')"],
    ['/api%2Fx', "routes[0].prefix: must not contain '%': write the path decoded, prefixes match the normalised path (got '/api%2Fx')"],
    ['/api\\x', "routes[0].prefix: must not contain '\\' (got '/api\\x')"],
    ['/api x', "routes[0].prefix: must not contain whitespace or control characters (got '/api x')"],
    ['/api\tx', "routes[0].prefix: must not contain whitespace or control characters (got '/api\\tx')"],
    ['/api\nx', "routes[0].prefix: must not contain whitespace or control characters (got '/api\\nx')"],
    ['/a/./b', "routes[0].prefix: must not contain '.' or '..' segments (got '/a/./b')"],
    ['/a/../b', "routes[0].prefix: must not contain '.' or '..' segments (got '/a/../b')"],
    ['/a/..', "routes[0].prefix: must not contain '.' or '..' segments (got '/a/..')"],
    ['/.', "routes[0].prefix: must not contain '.' or '..' segments (got '/.')"],
  ])('rejects %j', (p, expected) => {
    expect(prefix(p)).toBe(expected);
  });

  it('must be a string', () => {
    expect(only(parseConfig(`${head}routes:\n  - { prefix: 42, upstream: users }\n`, 'r.yaml', {}))).toBe('routes[0].prefix: must be a string (got 42)');
  });

  it('checks and rewrites differ only in the trailing slash and %', () => {
    expect(prefixProblem('/a/')).toBeDefined();
    expect(rewriteProblem('/a/')).toBeUndefined();
    expect(rewriteProblem('/a%20b')).toBeUndefined();
    expect(rewriteProblem('/a b')).toBeDefined();
  });
});
