// Cross-site requests: a page elsewhere can make a browser POST to the admin port (a form or a
// simple fetch needs no preflight). A state-changing request whose Origin is not the admin's own
// is answered 403 forbidden, token or not (contract v2, "Edge", Admin API).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const YAML = (url: string): string =>
  `${upstreamsYaml({ legacy: url, next: url })}routes:\n  - prefix: /\n    upstream: legacy\n    shadow: { upstream: next }\n`;

const reloads = async (proxy: TestProxy, auth: Record<string, string> = {}): Promise<string> => {
  const text = await (await fetch(proxy.adminUrl + '/metrics', { headers: auth })).text();
  return text.split('\n').filter((l) => l.startsWith('strangler_config_reloads_total')).join('\n');
};

describe('admin API and the Origin header', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(YAML(up.url));
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('refuses POST /reload and POST /shadow/reset from another origin with 403 forbidden, and does not act', async () => {
    const before = await reloads(proxy);
    for (const origin of ['http://evil.example', 'https://evil.example', 'null', 'http://127.0.0.1:1', 'http://localhost' + ':' + new URL(proxy.adminUrl).port]) {
      for (const path of ['/reload', '/shadow/reset']) {
        const r = await fetch(proxy.adminUrl + path, { method: 'POST', headers: { origin } });
        expect(r.status, `${origin} ${path}`).toBe(403);
        const body = (await r.json()) as Record<string, string>;
        expect(body).toMatchObject({ error: 'forbidden' });
        expect(body.message).toContain(JSON.stringify(origin));
        expect(body.requestId).toMatch(/\S/);
      }
    }
    expect(await reloads(proxy)).toBe(before);
  });

  it("takes a POST from the admin's own origin, or from a client that sends no Origin", async () => {
    const own = new URL(proxy.adminUrl).origin;
    expect((await fetch(proxy.adminUrl + '/reload', { method: 'POST', headers: { origin: own } })).status).toBe(200);
    expect((await fetch(proxy.adminUrl + '/shadow/reset', { method: 'POST', headers: { origin: own } })).status).toBe(200);
    expect((await fetch(proxy.adminUrl + '/reload', { method: 'POST' })).status).toBe(200);
    // Reads are not state-changing: a foreign Origin on GET is left to the browser's same-origin rule.
    expect((await fetch(proxy.adminUrl + '/routes', { headers: { origin: 'http://evil.example' } })).status).toBe(200);
    // ...and the foreign-origin refusal above is not a refusal of every POST.
    expect((await fetch(proxy.adminUrl + '/reload', { method: 'POST', headers: { origin: 'http://evil.example' } })).status).toBe(403);
  });
});

describe('admin Origin check with a token', () => {
  it('refuses a cross-origin POST even with the right token', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const proxy = await startProxy(YAML(up.url), { adminToken: 's3cret' });
    try {
      const auth = { authorization: 'Bearer s3cret' };
      const before = await reloads(proxy, auth);
      const r = await fetch(proxy.adminUrl + '/reload', { method: 'POST', headers: { ...auth, origin: 'http://evil.example' } });
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ error: 'forbidden' });
      const noToken = await fetch(proxy.adminUrl + '/reload', { method: 'POST', headers: { origin: 'http://evil.example' } });
      expect(noToken.status).toBe(403);
      expect(await reloads(proxy, auth)).toBe(before);
      const own = new URL(proxy.adminUrl).origin;
      expect((await fetch(proxy.adminUrl + '/reload', { method: 'POST', headers: { ...auth, origin: own } })).status).toBe(200);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
