// The README's pair: a `methods: [GET, HEAD]` route beside the same prefix's route without
// methods. The status keeps its figures by label, and it showed one row per route, each with all
// of the label's requests: a reader adding the rows counted every request twice. One row per
// label now, with the sides of both routes, and `cut over` only once every route of it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import type { MigrationStatus, RouteStatus } from '../src/status/types.js';

describe('GET /status with routes sharing a prefix', () => {
  let legacy: Upstream, svc: Upstream, proxy: TestProxy, status: MigrationStatus;
  /** The sides that answered clients (a shadow copy's count arrives on its own time). */
  const requests = (r: RouteStatus) => Object.fromEntries(r.sides.filter((s) => s.role !== 'shadow').map((s) => [`${s.upstream} ${s.role}`, s.requests]));

  beforeAll(async () => {
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    svc = await startUpstream((_req, res) => res.end('service'));
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, svc: svc.url }) +
        'routes:\n' +
        '  - prefix: /orders\n    methods: [GET, HEAD]\n    upstream: legacy\n    canary: { upstream: svc, percent: 100 }\n' +
        '  - prefix: /orders\n    upstream: legacy\n' +
        '  - prefix: /users\n    methods: [GET]\n    upstream: svc\n    shadow: { upstream: legacy }\n' +
        '  - prefix: /users\n    upstream: legacy\n' +
        '  - prefix: /\n    upstream: legacy\n',
    );
    for (const path of ['/orders/1', '/orders/2', '/orders/3', '/users/1', '/users/2', '/users/3']) await (await fetch(proxy.url + path)).arrayBuffer();
    for (const path of ['/orders', '/orders', '/users']) await (await fetch(proxy.url + path, { method: 'POST', body: 'x' })).arrayBuffer();
    status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([legacy?.close(), svc?.close()]);
  });

  it('has one row per prefix, whose sides add up to the requests sent', () => {
    expect(status.routes.map((r) => r.label)).toEqual(['/orders', '/users', '/']);
    const orders = status.routes[0]!;
    expect(requests(orders)).toEqual({ 'legacy primary': 2, 'svc canary': 3 });
    expect(orders.stageText).toBe('canary 100%');
    expect(status.progress.sinceStart.requests).toBe(9);
  });

  it('calls a prefix cut over only once all of its routes are, and never legacy shadowing to itself', () => {
    const users = status.routes[1]!;
    expect(requests(users)).toEqual({ 'legacy primary': 1, 'svc primary': 3 });
    expect(users.stage).toBe('legacy');
    expect(users.upstream).toBe('legacy');
    expect(users.shadow).toBeNull(); // (the cut-over GET route's reverse shadow is a side, not the row's)
    expect(users.sides.map((s) => `${s.upstream} ${s.role}`)).toContain('legacy shadow');
    expect(status.progress.routes).toMatchObject({ total: 3, cutOver: 0 });
  });
});
