import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const YAML = (url: string) => upstreamsYaml({ users: url, legacy: url }) + `
defaults:
  timeoutMs: 3000
routes:
  - prefix: /users
    upstream: users
    retry: { attempts: 3 }
    breaker: { consecutiveFailures: 4 }
    fallback: legacy
  - prefix: /
    upstream: legacy
`;

describe('admin API', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(YAML(up.url));
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('answers health and readiness', async () => {
    expect(await (await fetch(proxy.adminUrl + '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await fetch(proxy.adminUrl + '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('shows the live table with effective policies', async () => {
    const table = (await (await fetch(proxy.adminUrl + '/routes')).json()) as {
      version: string; file: string; loadedAt: string; routes: Record<string, unknown>[]; server: Record<string, unknown>;
    };
    expect(table.version).toMatch(/^[0-9a-f]{12}$/);
    // Where it listens (the ports given at start win over the file's 8080 and 9901).
    expect(table.server).toMatchObject({ port: proxy.port, adminPort: Number(new URL(proxy.adminUrl).port) });
    expect(table.server.legacyUpstream).toBe('legacy'); // (the default: the upstream named legacy, as /status has it)
    expect(table.file).toMatch(/routes\.yaml$/);
    expect(Number.isNaN(Date.parse(table.loadedAt))).toBe(false);
    expect(table.routes[0]).toMatchObject({
      prefix: '/users',
      upstream: 'users',
      timeoutMs: 3000,
      retry: { attempts: 3, backoffMs: 25 },
      breaker: { consecutiveFailures: 4, halfOpenAfterMs: 10000 },
      // Contract v2: the effective fallback says which methods it takes (short form: reads only).
      fallback: { upstream: 'legacy', methods: ['GET', 'HEAD', 'OPTIONS'] },
    });
  });

  it('exposes the contract metrics in Prometheus text format', async () => {
    await fetch(proxy.url + '/users/1');
    await fetch(proxy.url + '/users/1');
    const r = await fetch(proxy.adminUrl + '/metrics');
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    expect(text).toContain('strangler_requests_total{route="/users",upstream="users",method="GET",status="200"} 2');
    expect(text).toContain('strangler_request_duration_seconds_count{route="/users",upstream="users"} 2');
    expect(text).toContain('strangler_config_reloads_total{result="success"} 1');
    expect(text).toMatch(/strangler_config_info\{version="[0-9a-f]{12}"\} 1/);
    // One process, no --workers: it is the one worker (the series is there whatever the count).
    expect(text).toContain('strangler_workers{state="running"} 1');
  });

  it('answers an unknown admin path with the JSON error body (with its request id)', async () => {
    const r = await fetch(proxy.adminUrl + '/nope');
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'not_found', message: 'no admin endpoint GET /nope', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('is not reachable on the public port: those paths belong to the upstreams', async () => {
    const r = await fetch(proxy.url + '/metrics');
    expect(await r.text()).toBe('ok'); // the upstream answered, not the proxy
    expect(up.received.at(-1)!.url).toBe('/metrics');
  });
});

describe('admin token', () => {
  it('requires the bearer token everywhere but /healthz and /readyz', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy(YAML(up.url), { adminToken: 's3cret' });
    try {
      expect((await fetch(proxy.adminUrl + '/healthz')).status).toBe(200);
      expect((await fetch(proxy.adminUrl + '/readyz')).status).toBe(200);
      const denied = await fetch(proxy.adminUrl + '/routes');
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ error: 'unauthorized' });
      expect((await fetch(proxy.adminUrl + '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(proxy.adminUrl + '/routes', { headers: { authorization: 'Bearer s3cret' } });
      expect(ok.status).toBe(200);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
