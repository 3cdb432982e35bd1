// diffConfigs / formatChanges / routeKey: pure, on configs parsed from routes.yaml text.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { StranglerConfig } from '../src/config/types.js';
import { diffConfigs, formatChanges, routeKey } from '../src/routing/diff.js';

function cfg(yaml: string): StranglerConfig {
  const r = parseConfig(yaml, 'routes.yaml', {});
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.config;
}

const lines = (before: string, after: string): string[] => formatChanges(diffConfigs(cfg(before), cfg(after)));

const BEFORE = `
server:
  trustedProxies: 0
upstreams:
  legacy: { url: "http://a" }
  users: { url: "http://a" }
  old-svc: { url: "http://old" }
defaults:
  timeoutMs: 15000
routes:
  - prefix: /users
    upstream: users
    retry: { attempts: 3 }
  - prefix: /orders
    upstream: legacy
    shadow: { upstream: users, percent: 10 }
  - prefix: /old
    upstream: old-svc
`;

const AFTER = `
server:
  trustedProxies: 1
upstreams:
  legacy: { url: "http://a" }
  users: { url: "http://b" }
  users-next: { url: "http://10.0.0.7:8001" }
defaults:
  timeoutMs: 5000
routes:
  - prefix: /payments
    upstream: legacy
  - prefix: /users
    upstream: legacy
    timeoutMs: 2000
    retry: { attempts: 1 }
  - prefix: /orders
    upstream: legacy
`;

describe('diffConfigs', () => {
  it('names every change, one line each: server, upstreams, defaults, routes in file order, removed last', () => {
    expect(lines(BEFORE, AFTER)).toEqual([
      'server.trustedProxies 0 -> 1',
      'upstream users: url http://a -> http://b',
      'upstream users-next added (http://10.0.0.7:8001)',
      'upstream old-svc removed',
      'defaults.timeoutMs 15000 -> 5000',
      'route /payments added (upstream legacy)',
      '/users: upstream users -> legacy',
      '/users: timeoutMs (unset) -> 2000',
      '/users: retry.attempts 3 -> 1',
      '/orders: shadow removed',
      'route /old removed',
    ]);
  });

  it('carries kind, route or upstream, key, before and after on each change', () => {
    const changes = diffConfigs(cfg(BEFORE), cfg(AFTER));
    const find = (text: string) => changes.find((c) => c.text === text);
    expect(find('server.trustedProxies 0 -> 1')).toEqual({
      kind: 'server-changed',
      key: 'trustedProxies',
      before: 0,
      after: 1,
      text: 'server.trustedProxies 0 -> 1',
    });
    expect(find('upstream users: url http://a -> http://b')).toMatchObject({
      kind: 'upstream-changed',
      upstream: 'users',
      key: 'url',
      before: 'http://a',
      after: 'http://b',
    });
    expect(find('upstream users-next added (http://10.0.0.7:8001)')).toMatchObject({
      kind: 'upstream-added',
      upstream: 'users-next',
      after: { url: 'http://10.0.0.7:8001' },
    });
    expect(find('upstream old-svc removed')).toMatchObject({ kind: 'upstream-removed', upstream: 'old-svc', before: { url: 'http://old' } });
    expect(find('defaults.timeoutMs 15000 -> 5000')).toMatchObject({ kind: 'defaults-changed', key: 'timeoutMs', before: 15000, after: 5000 });
    expect(find('route /payments added (upstream legacy)')).toMatchObject({
      kind: 'route-added',
      route: '/payments',
      after: { prefix: '/payments', upstream: 'legacy' },
    });
    expect(find('/users: retry.attempts 3 -> 1')).toMatchObject({ kind: 'route-changed', route: '/users', key: 'retry.attempts', before: 3, after: 1 });
    const unset = find('/users: timeoutMs (unset) -> 2000');
    expect(unset).toMatchObject({ kind: 'route-changed', route: '/users', key: 'timeoutMs', after: 2000 });
    expect(unset?.before).toBeUndefined();
    expect(find('/orders: shadow removed')).toMatchObject({
      kind: 'route-changed',
      route: '/orders',
      key: 'shadow',
      before: { upstream: 'users', percent: 10 },
    });
    expect(find('route /old removed')).toMatchObject({ kind: 'route-removed', route: '/old', before: { prefix: '/old', upstream: 'old-svc' } });
    expect(changes.map((c) => c.kind)).toEqual([
      'server-changed',
      'upstream-changed',
      'upstream-added',
      'upstream-removed',
      'defaults-changed',
      'route-added',
      'route-changed',
      'route-changed',
      'route-changed',
      'route-changed',
      'route-removed',
    ]);
  });

  it('finds nothing between a config and itself, or the same routes in another order', () => {
    expect(diffConfigs(cfg(BEFORE), cfg(BEFORE))).toEqual([]);
    const reordered = `
upstreams:
  legacy: { url: "http://a" }
routes:
  - { prefix: /b, upstream: legacy, retry: { attempts: 2, on: [reset, 502] } }
  - { prefix: /a, upstream: legacy, methods: [PUT, POST] }
`;
    const original = `
upstreams:
  legacy: { url: "http://a" }
routes:
  - { prefix: /a, upstream: legacy, methods: [POST, PUT] }
  - { prefix: /b, upstream: legacy, retry: { on: [reset, 502], attempts: 2 } }
`;
    expect(diffConfigs(cfg(original), cfg(reordered))).toEqual([]);
  });

  it('walks nested keys as dotted paths and prints lists compactly', () => {
    const before = `
upstreams:
  legacy: { url: "http://a" }
  users-next: { url: "http://n" }
routes:
  - prefix: /orders
    upstream: legacy
    shadow:
      upstream: users-next
      percent: 10
      methods: [GET, HEAD]
      compare: { headers: [content-type] }
`;
    const after = `
upstreams:
  legacy: { url: "http://a" }
  users-next: { url: "http://n" }
routes:
  - prefix: /orders
    upstream: legacy
    shadow:
      upstream: users-next
      percent: 100
      methods: [GET]
      compare:
        headers: [content-type, etag]
        ignore: ["$.createdAt", "$.items[*].id"]
`;
    expect(lines(before, after)).toEqual([
      '/orders: shadow.percent 10 -> 100',
      '/orders: shadow.methods [GET,HEAD] -> [GET]',
      '/orders: shadow.compare.headers [content-type] -> [content-type,etag]',
      '/orders: shadow.compare.ignore (unset) -> [$.createdAt,$.items[*].id]',
    ]);
  });

  it('says a mapping appeared or went as one line, and a scalar that went as (unset)', () => {
    const before = `
server: { shadowLog: null }
upstreams:
  legacy: { url: "http://a" }
  users: { url: "http://u" }
defaults:
  retry: { attempts: 1 }
routes:
  - prefix: /users
    upstream: legacy
    timeoutMs: 2000
    retry: { attempts: 3, on: [connect-error, reset, timeout, 502, 503, 504] }
`;
    const after = `
server: { shadowLog: /var/log/shadow log.jsonl }
upstreams:
  legacy: { url: "http://a" }
  users: { url: "http://u", connections: 64 }
defaults:
  retry: { attempts: 3 }
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10000 }
routes:
  - prefix: /users
    upstream: legacy
    preserveHost: true
    canary: { upstream: users, percent: 10, stickyOn: "header:x-user-id" }
`;
    expect(lines(before, after)).toEqual([
      'server.shadowLog null -> "/var/log/shadow log.jsonl"',
      'upstream users: connections (unset) -> 64',
      'defaults.retry.attempts 1 -> 3',
      'defaults.breaker added {consecutiveFailures: 5, halfOpenAfterMs: 10000}',
      '/users: preserveHost (unset) -> true',
      '/users: canary added {upstream: users, percent: 10, stickyOn: header:x-user-id}',
      '/users: timeoutMs 2000 -> (unset)',
      '/users: retry removed',
    ]);
  });

  it('reports a change under defaults once, not once per route it reaches', () => {
    const make = (t: number): string => `
upstreams:
  legacy: { url: "http://a" }
defaults: { timeoutMs: ${t} }
routes:
  - { prefix: /a, upstream: legacy }
  - { prefix: /b, upstream: legacy }
`;
    expect(lines(make(15000), make(5000))).toEqual(['defaults.timeoutMs 15000 -> 5000']);
  });

  it('tells routes apart by prefix and method set: a new method list is another route', () => {
    const before = `
upstreams:
  legacy: { url: "http://a" }
  users: { url: "http://u" }
routes:
  - { prefix: /api, upstream: legacy }
  - { prefix: /api, upstream: users, methods: [PUT, POST] }
`;
    const sameSetOtherOrder = before.replace('[PUT, POST]', '[POST, PUT]');
    const upstreamChanged = before.replace('upstream: users, methods', 'upstream: legacy, methods');
    const narrowed = before.replace('[PUT, POST]', '[POST]');
    expect(lines(before, sameSetOtherOrder)).toEqual([]);
    expect(lines(before, upstreamChanged)).toEqual(['/api [POST,PUT]: upstream users -> legacy']);
    expect(lines(before, narrowed)).toEqual(['route /api [POST] added (upstream users)', 'route /api [POST,PUT] removed']);
  });
});

describe('routeKey', () => {
  it('is the prefix alone without methods, and the prefix with the sorted methods otherwise', () => {
    expect(routeKey({ prefix: '/users' })).toBe('/users');
    expect(routeKey({ prefix: '/api', methods: ['PUT', 'POST'] })).toBe('/api [POST,PUT]');
    expect(routeKey({ prefix: '/api', methods: ['POST', 'PUT'] })).toBe(routeKey({ prefix: '/api', methods: ['PUT', 'POST'] }));
    expect(routeKey({ prefix: '/api', methods: ['POST'] })).not.toBe(routeKey({ prefix: '/api' }));
  });

  it('labels the routes in diffConfigs', () => {
    const changes = diffConfigs(
      cfg(`
upstreams: { legacy: { url: "http://a" } }
routes: [{ prefix: /api, upstream: legacy, methods: [PUT, POST], timeoutMs: 1 }]
`),
      cfg(`
upstreams: { legacy: { url: "http://a" } }
routes: [{ prefix: /api, upstream: legacy, methods: [PUT, POST], timeoutMs: 2 }]
`),
    );
    expect(changes).toEqual([
      { kind: 'route-changed', route: '/api [POST,PUT]', key: 'timeoutMs', before: 1, after: 2, text: '/api [POST,PUT]: timeoutMs 1 -> 2' },
    ]);
  });
});

describe('formatChanges', () => {
  it('is the text of each change, in order', () => {
    const changes = diffConfigs(cfg(BEFORE), cfg(AFTER));
    expect(formatChanges(changes)).toEqual(changes.map((c) => c.text));
    expect(formatChanges([])).toEqual([]);
  });
});

describe('a changed upstream on a route whose canary block stayed', () => {
  const route = (upstream: string) => `
upstreams:
  legacy: { url: "http://a" }
  orders: { url: "http://b" }
routes:
  - prefix: /orders
    upstream: ${upstream}
    canary: { upstream: orders, percent: 50 }
`;

  it('says the rollback turns the canary on again, and the cutover turns it off', () => {
    // Cut over with the canary block left in place: the canary names the route's own upstream.
    expect(lines(route('legacy'), route('orders'))).toEqual(["/orders: upstream legacy -> orders (its canary, naming the route's own upstream now, is off)"]);
    // The one-line rollback: the canary's 50% go to orders again, which the line must say.
    expect(lines(route('orders'), route('legacy'))).toEqual(['/orders: upstream orders -> legacy (its canary to orders is on again: 50% of requests go there; remove the canary block to send none)']);
  });

  it('says what a new route sends elsewhere: its canary and its shadow', () => {
    const before = 'upstreams:\n  legacy: { url: "http://a" }\n  orders: { url: "http://b" }\nroutes:\n  - prefix: /orders\n    upstream: legacy\n';
    const after = before +
      '  - prefix: /orders\n    methods: [GET, HEAD]\n    upstream: legacy\n    canary: { upstream: orders, percent: 50 }\n' +
      '  - prefix: /stock\n    upstream: legacy\n    shadow: { upstream: orders }\n';
    expect(lines(before, after)).toEqual([
      'route /orders [GET,HEAD] added (upstream legacy, canary orders 50%)',
      'route /stock added (upstream legacy, shadow orders)',
    ]);
  });
});
