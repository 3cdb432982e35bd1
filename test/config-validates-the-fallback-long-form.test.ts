// `fallback: legacy` or `fallback: { upstream: legacy, methods: [...] }`: mistakes in the long
// form are reported at their own key with line and column; the effective methods follow the
// contract (reads only, except a canary's fallback to its own primary: every method).

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { LoadResult } from '../src/config/types.js';
import { effectiveConfig } from '../src/routing/effective.js';

const head = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\nroutes:\n  - prefix: /users\n    upstream: users\n';

const located = (r: LoadResult) => (r.ok ? [] : r.errors.map(({ line, column, path, message }) => ({ line, column, path, message })));

const routeEffective = (text: string) => {
  const r = parseConfig(text, 'routes.yaml', {});
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const e = effectiveConfig(r.config);
  if (!e.ok) throw new Error(JSON.stringify(e.issues));
  return e.effective.routes[0]!;
};

describe('the fallback long form', () => {
  it('reports a lowercase method and a repeated one at the list item; any uppercase method a route may list is taken', () => {
    const r = parseConfig(head + '    fallback:\n      upstream: legacy\n      methods: [GET, PROPFIND, get, GET]\n', 'routes.yaml', {});
    expect(located(r)).toEqual([
      { line: 9, column: 32, path: 'routes[0].fallback.methods[2]', message: "must be an HTTP method in uppercase letters, like GET (got 'get')" },
      { line: 9, column: 37, path: 'routes[0].fallback.methods[3]', message: "'GET' is listed twice (first at index 0)" },
    ]);
  });

  it('reports an empty method list', () => {
    const r = parseConfig(head + '    fallback: { upstream: legacy, methods: [] }\n', 'routes.yaml', {});
    expect(located(r)).toEqual([
      { line: 7, column: 44, path: 'routes[0].fallback.methods', message: 'must be a non-empty list of HTTP methods, like [GET, POST] (got an empty list)' },
    ]);
  });

  it('reports a missing upstream, an unknown key and an unknown upstream name', () => {
    expect(located(parseConfig(head + '    fallback: { methods: [GET] }\n', 'routes.yaml', {}))).toEqual([
      { line: 7, column: 5, path: 'routes[0].fallback', message: "missing required key 'upstream'" },
    ]);
    expect(located(parseConfig(head + '    fallback: { upstream: legacy, method: [GET] }\n', 'routes.yaml', {}))).toEqual([
      { line: 7, column: 35, path: 'routes[0].fallback.method', message: "unknown key 'method' (did you mean 'methods'?)" },
    ]);
    expect(located(parseConfig(head + 'defaults:\n  fallback: { upstream: legacyy }\n', 'routes.yaml', {}))).toEqual([
      {
        line: 8,
        column: 25,
        path: 'defaults.fallback.upstream',
        message: "unknown upstream 'legacyy' (did you mean 'legacy'? known upstreams: legacy, users)",
      },
    ]);
  });

  it('reports a value that is neither form', () => {
    expect(located(parseConfig(head + '    fallback: [legacy]\n', 'routes.yaml', {}))).toEqual([
      { line: 7, column: 15, path: 'routes[0].fallback', message: 'must be an upstream name (got a list)' },
    ]);
  });
});

describe('the methods a fallback takes', () => {
  it('short form: GET, HEAD, OPTIONS', () => {
    expect(routeEffective(head + '    fallback: legacy\n').fallback).toEqual({ upstream: 'legacy', methods: ['GET', 'HEAD', 'OPTIONS'] });
  });

  it('inherited from defaults, in either form', () => {
    expect(routeEffective(head + 'defaults:\n  fallback: legacy\n').fallback).toEqual({ upstream: 'legacy', methods: ['GET', 'HEAD', 'OPTIONS'] });
    expect(routeEffective(head + 'defaults:\n  fallback: { upstream: legacy, methods: [GET, POST] }\n').fallback).toEqual({ upstream: 'legacy', methods: ['GET', 'POST'] });
  });

  it('long form: as listed', () => {
    expect(routeEffective(head + '    fallback: { upstream: legacy, methods: [GET, PUT] }\n').fallback).toEqual({ upstream: 'legacy', methods: ['GET', 'PUT'] });
  });

  it("short form on a canary route whose fallback is its own primary: every method (null; the replay rule decides)", () => {
    const canary = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\n' +
      'routes:\n  - { prefix: /users, upstream: legacy, fallback: legacy, canary: { upstream: users, percent: 10 } }\n';
    expect(routeEffective(canary).fallback).toEqual({ upstream: 'legacy', methods: null });
    expect(routeEffective(canary.replace('fallback: legacy', 'fallback: { upstream: legacy, methods: [GET] }')).fallback).toEqual({ upstream: 'legacy', methods: ['GET'] });
  });

  it('short form on a canary route whose fallback is a third upstream: reads only', () => {
    const text = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\n  old: { url: http://127.0.0.1:8002 }\n' +
      'routes:\n  - { prefix: /users, upstream: legacy, fallback: old, canary: { upstream: users, percent: 10 } }\n';
    expect(routeEffective(text).fallback).toEqual({ upstream: 'old', methods: ['GET', 'HEAD', 'OPTIONS'] });
  });

  it("naming the route's own upstream (no canary): off, and said so only when the route writes it", () => {
    const own = routeEffective(head.replace('upstream: users', 'upstream: legacy') + '    fallback: { upstream: legacy, methods: [GET] }\n');
    expect(own).toMatchObject({ fallback: null, fallbackOff: true });
    const inherited = routeEffective(head.replace('upstream: users', 'upstream: legacy') + 'defaults:\n  fallback: legacy\n');
    expect(inherited).toMatchObject({ fallback: null, fallbackOff: false });
  });
});
