// GET /status counts a request answered over HTTP/2 where it counts one over HTTP/1.1 (the access
// log, which every answered request passes once): both agree with strangler_requests_total.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { metric } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import type { MigrationStatus } from '../src/status/types.js';

describe('GET /status over HTTP/2 and HTTP/1.1', () => {
  let up: Upstream, proxy: TestProxy, front: TlsFront;
  beforeAll(async () => {
    up = await startUpstream((req, res) => res.writeHead(req.url!.includes('boom') ? 503 : 200).end('ok'));
    proxy = await startProxy(upstreamsYaml({ legacy: up.url, users: up.url }) + 'routes:\n  - { prefix: /users, upstream: users }\n');
    front = await startTlsFront(proxy);
  });
  afterAll(async () => {
    await front?.close();
    await proxy?.close();
    await up?.close();
  });

  it('counts both, errors included, as /metrics does', async () => {
    const s = await h2Connect(front.url, front.ca);
    try {
      for (const path of ['/users/1', '/users/2', '/users/boom']) expect((await h2Request(s, { ':path': path })).status).toBeGreaterThan(0);
    } finally {
      s.destroy();
    }
    for (const path of ['/users/3', '/users/4']) await (await fetch(proxy.url + path)).arrayBuffer();
    const status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
    const side = status.routes[0]!.sides[0]!;
    expect(side.requests).toBe(await metric(proxy.adminUrl, 'strangler_requests_total', { route: '/users', upstream: 'users' }));
    expect(side).toMatchObject({ upstream: 'users', role: 'primary', requests: 5, errorRate: 0.2 });
    expect(status.progress.last5m).toEqual({ requests: 5, nonLegacy: 5, share: 1 });
  });
});
