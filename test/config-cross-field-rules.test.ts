import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { LoadResult } from '../src/config/types.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/config/${name}`, import.meta.url)), 'utf8');

function errorsOf(r: LoadResult): { line: number; column: number; path: string; message: string }[] {
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.errors.map(({ line, column, path, message }) => ({ line, column, path, message }));
}

const upstreams = 'upstreams:\n  legacy:\n    url: http://127.0.0.1:8000\n  users:\n    url: http://127.0.0.1:8001\n';
const withRoutes = (routes: string): string => `${upstreams}routes:\n${routes}`;

describe('cross-field rules', () => {
  it('are all reported at once, each at the value that breaks them', () => {
    expect(errorsOf(parseConfig(fixture('cross-field.yaml'), 'r.yaml', {}))).toEqual([
      {
        line: 9,
        column: 13,
        path: 'defaults.fallback',
        message: "unknown upstream 'legcy' (did you mean 'legacy'? known upstreams: legacy, users, users-next)",
      },
      { line: 10, column: 42, path: 'defaults.retry.maxBackoffMs', message: 'must be >= backoffMs (100) (got 50)' },
      {
        line: 13,
        column: 15,
        path: 'routes[0].upstream',
        message: "unknown upstream 'user' (did you mean 'users'? known upstreams: legacy, users, users-next)",
      },
      {
        line: 14,
        column: 15,
        path: 'routes[0].fallback',
        message: "unknown upstream 'nowhere' (known upstreams: legacy, users, users-next)",
      },
      { line: 15, column: 5, path: 'routes[1]', message: 'duplicates routes[0] (prefix /api/users, all methods)' },
      // (routes[1]'s fallback, shadow and canary all name its own upstream, users: allowed, each
      // is off, which makes a cutover or a rollback one edit.)
      { line: 23, column: 5, path: 'routes[3]', message: 'duplicates routes[2] (prefix /api/orders, methods POST, GET)' },
      { line: 33, column: 43, path: 'routes[6].retry.maxBackoffMs', message: 'must be >= backoffMs (25) (got 10)' },
    ]);
  });

  it('allow one prefix with disjoint method lists, and one list next to a route without', () => {
    const r = parseConfig(
      withRoutes(
        [
          '  - { prefix: /api, upstream: users, methods: [GET] }',
          '  - { prefix: /api, upstream: legacy, methods: [POST, PUT] }',
          '  - { prefix: /api, upstream: legacy }',
          '  - { prefix: /api/x, upstream: legacy }',
          '  - { prefix: /API, upstream: legacy }',
        ].join('\n'),
      ),
      'r.yaml',
      {},
    );
    expect(r.ok).toBe(true);
  });

  it('name the first earlier route a later one duplicates, once', () => {
    const errors = errorsOf(
      parseConfig(
        withRoutes(['  - { prefix: /a, upstream: users }', '  - { prefix: /a, upstream: legacy }', '  - { prefix: /a, upstream: legacy }'].join('\n')),
        'r.yaml',
        {},
      ),
    );
    expect(errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'routes[1]: duplicates routes[0] (prefix /a, all methods)',
      'routes[2]: duplicates routes[0] (prefix /a, all methods)',
    ]);
  });

  it('accept maxBackoffMs equal to backoffMs, or either one alone', () => {
    const ok = (retry: string): boolean => parseConfig(withRoutes(`  - { prefix: /, upstream: users, retry: ${retry} }`), 'r.yaml', {}).ok;
    expect(ok('{ backoffMs: 50, maxBackoffMs: 50 }')).toBe(true);
    expect(ok('{ backoffMs: 50 }')).toBe(true);
    expect(ok('{ maxBackoffMs: 5 }')).toBe(true);
    expect(ok('{ backoffMs: 51, maxBackoffMs: 50 }')).toBe(false);
  });

  it('do not repeat a mistake the schema already reported', () => {
    const errors = errorsOf(
      parseConfig(
        withRoutes(
          [
            '  - prefix: /a',
            '    upstream: 42', // a type error, not also an unknown upstream
            '    retry: { backoffMs: 100, maxBackoffMs: -1 }', // a range error, not also a backoff rule error
            '  - prefix: /b',
            '    upstream: users',
            '    methods: [GET, get]',
            '  - prefix: /b', // its twin has a bad method list: no duplicate error
            '    upstream: legacy',
            '    methods: [GET]',
          ].join('\n'),
        ),
        'r.yaml',
        {},
      ),
    );
    expect(errors.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'routes[0].upstream: must be an upstream name (got 42)',
      'routes[0].retry.maxBackoffMs: must be an integer >= 0 (got -1)',
      "routes[1].methods[1]: must be an HTTP method in uppercase letters, like GET (got 'get')",
    ]);
  });

  it('do not report every reference when upstreams itself is missing or empty', () => {
    const missing = errorsOf(parseConfig('routes:\n  - { prefix: /, upstream: users, fallback: legacy }\n', 'r.yaml', {}));
    expect(missing.map((e) => e.message)).toEqual(["missing required key 'upstreams'"]);
    const empty = errorsOf(parseConfig('upstreams: {}\nroutes:\n  - { prefix: /, upstream: users }\n', 'r.yaml', {}));
    expect(empty.map((e) => `${e.path}: ${e.message}`)).toEqual([
      'upstreams: must be a mapping of upstream names to { url: ... }, with at least one upstream (got an empty mapping)',
    ]);
  });

  it('do not flag a defaults fallback for the route whose upstream it is (the compiler drops it there)', () => {
    const text = `${upstreams}defaults:\n  fallback: legacy\nroutes:\n  - { prefix: /, upstream: legacy }\n`;
    expect(parseConfig(text, 'r.yaml', {}).ok).toBe(true);
  });
});

describe('upstream URLs', () => {
  const urlError = (url: string): string | undefined => {
    const r = parseConfig(`upstreams:\n  a:\n    url: "${url}"\nroutes:\n  - { prefix: /, upstream: a }\n`, 'r.yaml', {});
    if (r.ok) return undefined;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 3, column: 10, path: 'upstreams.a.url' });
    return r.errors[0]?.message;
  };

  it('accept http and https, with or without a port and a trailing /', () => {
    for (const url of ['http://127.0.0.1:8000', 'https://users.internal', 'http://[::1]:8080/', 'HTTP://Example.COM']) {
      expect(urlError(url), url).toBeUndefined();
    }
  });

  it('reject anything else with a reason', () => {
    expect(urlError('127.0.0.1:8000')).toBe("must be an absolute URL like http://127.0.0.1:8000 (got '127.0.0.1:8000')");
    expect(urlError('localhost:8000')).toBe("must be an absolute URL like http://127.0.0.1:8000 (got 'localhost:8000')");
    expect(urlError('http://')).toBe("must be an absolute URL like http://127.0.0.1:8000 (got 'http://')");
    expect(urlError('users')).toBe("must be an absolute URL like http://127.0.0.1:8000 (got 'users')");
    expect(urlError('ftp://files')).toBe("must use http: or https: (got 'ftp:')");
    expect(urlError('http://me:secret@host')).toBe('must not contain credentials (user:password@)');
    expect(urlError('http://host/?a=1')).toBe("must not have a query or fragment (got 'http://host/?a=1')");
    expect(urlError('http://host#x')).toBe("must not have a query or fragment (got 'http://host#x')");
    expect(urlError('http://host:8000/api')).toBe("an upstream URL has no path; use prefixRewrite on the route (got path '/api')");
  });
});

describe('a fallback to the route\'s own upstream', () => {
  const base = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  users: { url: http://127.0.0.1:8001 }\nroutes:\n';

  // Contract v2: it was an error; it is now off, so that a rollback is one edit of `upstream:`.
  it('is accepted without a canary, and off: it could not help', () => {
    for (const fallback of ['legacy', '{ upstream: legacy, methods: [GET] }']) {
      const r = parseConfig(base + `  - { prefix: /u, upstream: legacy, fallback: ${fallback} }\n`, 'routes.yaml', {});
      expect(r.ok).toBe(true);
    }
  });

  it('is accepted with a canary: it sends a failing canary request back to the primary', () => {
    const r = parseConfig(base + '  - { prefix: /u, upstream: legacy, fallback: legacy, canary: { upstream: users, percent: 10 } }\n', 'routes.yaml', {});
    expect(r.ok).toBe(true);
  });
});

describe('a shadow of the route\'s own upstream', () => {
  it('is accepted (the shadow is off), so that a cutover is one edit of `upstream:`', () => {
    const r = parseConfig(
      'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n  orders: { url: http://127.0.0.1:8002 }\n' +
        'routes:\n  - { prefix: /orders, upstream: orders, shadow: { upstream: orders } }\n',
      'routes.yaml',
      {},
    );
    expect(r.ok).toBe(true);
  });
});
