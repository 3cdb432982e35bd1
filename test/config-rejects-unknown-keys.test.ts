import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { closest, editDistance } from '../src/util/suggest.js';
import type { LoadResult } from '../src/config/types.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url)), 'utf8');

function errorsOf(r: LoadResult): { line: number; column: number; path: string; message: string }[] {
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.errors.map(({ line, column, path, message }) => ({ line, column, path, message }));
}

describe('unknown keys', () => {
  it('are errors at every level, at the key, with a did-you-mean when one is close', () => {
    // legacy-next is not an upstream either, but that is a rule error and still reported.
    expect(errorsOf(parseConfig(fixture('unknown-keys.yaml'), 'r.yaml', {}))).toEqual([
      { line: 1, column: 1, path: 'sever', message: "unknown key 'sever' (did you mean 'server'?)" },
      { line: 4, column: 3, path: 'server.adminport', message: "unknown key 'adminport' (did you mean 'adminPort'?)" },
      {
        line: 5,
        column: 3,
        path: 'server.colour',
        message:
          "unknown key 'colour' (expected one of: port, host, adminPort, adminHost, adminAllowedHosts, drainTimeoutMs, shutdownDelayMs, workers, trustedProxies, maxBufferBytes, escapedSlashes, shadowLog, maxHeaderBytes, maxHeadersCount, headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, tls, http2, maxConcurrentStreams, rateLimitStore, tracing, legacyUpstream)",
      },
      { line: 9, column: 5, path: 'upstreams.legacy.conections', message: "unknown key 'conections' (did you mean 'connections'?)" },
      { line: 11, column: 3, path: 'defaults.timeout', message: "unknown key 'timeout' (did you mean 'timeoutMs'?)" },
      { line: 15, column: 5, path: 'routes[0].retires', message: "unknown key 'retires' (did you mean 'retry'?)" },
      { line: 16, column: 27, path: 'routes[0].retry.backof', message: "unknown key 'backof' (did you mean 'backoffMs'?)" },
      {
        line: 18,
        column: 17,
        path: 'routes[0].shadow.upstream',
        message: "unknown upstream 'legacy-next' (known upstreams: legacy)",
      },
      { line: 19, column: 18, path: 'routes[0].shadow.compare.ignored', message: "unknown key 'ignored' (did you mean 'ignore'?)" },
      {
        line: 21,
        column: 17,
        path: 'routes[0].canary.upstream',
        message: "unknown upstream 'legacy-next' (known upstreams: legacy)",
      },
      { line: 23, column: 66, path: 'routes[0].canary.halt.windw', message: "unknown key 'windw' (did you mean 'windowMs'?)" },
      { line: 26, column: 5, path: 'routes[1].method', message: "unknown key 'method' (did you mean 'methods'?)" },
    ]);
  });

  it('include keys that are valid elsewhere but not here', () => {
    const text = 'upstreams:\n  a:\n    url: http://a\n    prefix: /x\nroutes:\n  - prefix: /\n    upstream: a\n';
    expect(errorsOf(parseConfig(text, 'r.yaml', {}))).toEqual([
      {
        line: 4,
        column: 5,
        path: 'upstreams.a.prefix',
        message: "unknown key 'prefix' (expected one of: url, connections, keepAliveMs, connectTimeoutMs, tls)",
      },
    ]);
  });

  it('include keys of the route that are not allowed under defaults', () => {
    const text = 'defaults:\n  upstream: a\nupstreams:\n  a:\n    url: http://a\nroutes:\n  - prefix: /\n    upstream: a\n';
    expect(errorsOf(parseConfig(text, 'r.yaml', {}))[0]).toMatchObject({ line: 2, column: 3, path: 'defaults.upstream' });
  });

  it('cannot reach the prototype through __proto__', () => {
    const text = '__proto__: { polluted: true }\nupstreams:\n  a:\n    url: http://a\nroutes:\n  - prefix: /\n    upstream: a\n';
    expect(errorsOf(parseConfig(text, 'r.yaml', {}))[0]).toMatchObject({ line: 1, column: 1, message: expect.stringMatching(/^unknown key '__proto__'/) });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('did-you-mean', () => {
  it('measures edits case-insensitively', () => {
    expect(editDistance('retry', 'retry')).toBe(0);
    expect(editDistance('Retry', 'retry')).toBe(0);
    expect(editDistance('retires', 'retry')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only plausible typos', () => {
    expect(closest('retires', ['prefix', 'retry', 'breaker'])).toBe('retry');
    expect(closest('prefixrewrite', ['prefix', 'prefixRewrite'])).toBe('prefixRewrite');
    expect(closest('port', ['host'])).toBeUndefined();
    expect(closest('colour', ['port', 'host', 'adminPort'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
    expect(closest('b', ['a'])).toBeUndefined();
    expect(closest('B', ['b'])).toBe('b');
  });
});
