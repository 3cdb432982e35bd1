import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('access log', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('twelve bytes'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /app, upstream: app, prefixRewrite: /v2 }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('logs request id, method, path, route, upstream, status, bytes and duration, once', async () => {
    await (await fetch(proxy.url + '/app/items?token=secret', { headers: { 'x-request-id': 'log-1' } })).text();
    const line = await proxy.logLine((l) => l.requestId === 'log-1');
    expect(line).toMatchObject({
      level: 'info', msg: 'request', requestId: 'log-1', method: 'GET', path: '/app/items',
      route: '/app', upstream: 'app', status: 200, bytes: 12,
    });
    expect(typeof line.durationMs).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret'); // the query string is not logged
    expect(proxy.logs.filter((l) => l.requestId === 'log-1')).toHaveLength(1);
  });

  it('logs a proxy-made error at warn with its code', async () => {
    await (await fetch(proxy.url + '/nope', { headers: { 'x-request-id': 'log-2' } })).text();
    const line = await proxy.logLine((l) => l.requestId === 'log-2');
    expect(line).toMatchObject({ level: 'warn', status: 404, error: 'no_route', route: null });
  });
});
