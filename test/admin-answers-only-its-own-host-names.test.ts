// DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1 reaches the admin port
// with `Host: evil.example`. The admin API answers only loopback names, its own address and the
// names in server.adminAllowedHosts (contract v2, "Edge", Admin API).
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A request with a Host header of our choosing (fetch may not set Host). */
function request(url: string, opts: { host?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.host !== undefined) headers.host = opts.host;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const yaml = (url: string, server = ''): string => `${server}${upstreamsYaml({ legacy: url })}routes:\n  - prefix: /\n    upstream: legacy\n`;

describe('admin API and the Host header', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(yaml(up.url, 'server:\n  adminAllowedHosts: [admin.internal, "fd00::1"]\n'));
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('refuses a foreign Host with 403 forbidden, as JSON, and never returns the config', async () => {
    for (const path of ['/config', '/routes', '/metrics', '/shadow/report', '/shadow', '/nowhere']) {
      const r = await request(proxy.adminUrl + path, { host: 'evil.example' });
      expect(r.status, path).toBe(403);
      const body = JSON.parse(r.body) as Record<string, string>;
      expect(body).toMatchObject({ error: 'forbidden' });
      expect(body.message).toContain('"evil.example"');
      expect(body.message).toContain('server.adminAllowedHosts');
      expect(body.requestId).toMatch(/\S/);
      expect(r.body).not.toContain('upstreams');
    }
    expect((await request(proxy.adminUrl + '/config', { host: 'evil.example:' + new URL(proxy.adminUrl).port })).status).toBe(403);
    expect((await request(proxy.adminUrl + '/config', { host: 'localhost.evil.example' })).status).toBe(403);
    expect((await request(proxy.adminUrl + '/config', { host: 'evil.example@localhost' })).status).toBe(403);
    expect((await request(proxy.adminUrl + '/reload', { host: 'evil.example', method: 'POST' })).status).toBe(403);
    // /healthz and /readyz stay open to any Host, as they are open without a token.
    expect((await request(proxy.adminUrl + '/healthz', { host: 'evil.example' })).status).toBe(200);
    expect((await request(proxy.adminUrl + '/readyz', { host: 'evil.example' })).status).toBe(200);
  });

  it('refuses an HTTP/1.0 request without a Host header', async () => {
    const r = await rawRequest(Number(new URL(proxy.adminUrl).port), 'GET /config HTTP/1.0\r\n\r\n');
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('upstreams');
  });

  it('answers loopback names and the names listed in server.adminAllowedHosts, on any port, and shows the list in /routes', async () => {
    for (const host of ['localhost', 'LOCALHOST:9901', 'localhost.', '127.0.0.1', '127.0.0.1:1', '[::1]', '[::1]:9901']) {
      expect((await request(proxy.adminUrl + '/config', { host })).status, host).toBe(200);
    }
    for (const host of ['admin.internal', 'Admin.Internal:9901', '[fd00::1]:80']) {
      expect((await request(proxy.adminUrl + '/config', { host })).status, host).toBe(200);
    }
    const table = JSON.parse((await request(proxy.adminUrl + '/routes')).body) as { server: Record<string, unknown> };
    expect(table.server.adminAllowedHosts).toEqual(['admin.internal', 'fd00::1']);
  });

  it('takes a changed adminAllowedHosts on reload', async () => {
    expect((await request(proxy.adminUrl + '/config', { host: 'ops.example' })).status).toBe(403);
    await writeFile(proxy.file, yaml(up.url, 'server:\n  adminAllowedHosts: [ops.example]\n'));
    const reload = await request(proxy.adminUrl + '/reload', { method: 'POST' });
    expect(reload.status).toBe(200);
    expect((await request(proxy.adminUrl + '/config', { host: 'ops.example' })).status).toBe(200);
    expect((await request(proxy.adminUrl + '/config', { host: 'admin.internal' })).status).toBe(403);
  });
});

describe('admin Host check with a token', () => {
  it('refuses a foreign Host even with the right token', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy(yaml(up.url), { adminToken: 's3cret' });
    try {
      const auth = { authorization: 'Bearer s3cret' };
      expect((await request(proxy.adminUrl + '/config', { host: 'evil.example', headers: auth })).status).toBe(403);
      expect((await request(proxy.adminUrl + '/config', { host: 'localhost', headers: auth })).status).toBe(200);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
