// An extraction boundary that is not a prefix, on real apps: the users capability moves from a
// Django monolith to a FastAPI service, but the user details (which still need the monolith's
// data) stay on Django. The routes.yaml a user would write:
//   /                          -> legacy (Django)
//   /api/users                 -> users (FastAPI, prefixRewrite /users)
//   /api/users/{id}/details    -> legacy (a path template, contract v2: more specific wins)
// Django's ALLOWED_HOSTS names the public host only; default route settings throughout.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDjangoProject, startDjango, startFastApiShop, type DjangoProject, type RealApp } from './helpers/real-apps.js';
import { startProxy, type TestProxy } from './helpers/servers.js';

describe('a path template keeps /api/users/{id}/details on Django while /api/users moves to FastAPI', () => {
  let project: DjangoProject;
  let django: RealApp;
  let shop: RealApp;
  let proxy: TestProxy;
  let origin: string;

  beforeAll(async () => {
    project = await createDjangoProject({ allowedHosts: ['localhost'] });
    [django, shop] = await Promise.all([startDjango(project), startFastApiShop()]);
    proxy = await startProxy(`upstreams:
  legacy:
    url: ${django.url}
  users:
    url: ${shop.url}
routes:
  - prefix: /
    upstream: legacy
  - prefix: /api/users
    upstream: users
    prefixRewrite: /users
  - prefix: /api/users/{id}/details
    upstream: legacy
`);
    origin = `http://localhost:${proxy.port}`;
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all([django?.close(), shop?.close()]);
    await project?.remove();
  }, 30_000);

  async function getJson(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(origin + path, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() };
  }

  it('answers a user from the FastAPI service', async () => {
    const { status, body } = await getJson('/api/users/1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 1, name: 'Ada Lovelace' });
  });

  it("answers the user's details from Django, whatever the id", async () => {
    const { status, body } = await getJson('/api/users/1/details');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 1, username: project.admin.username, servedBy: 'django', self: `${origin}/api/users/1/details` });
    const missing = await fetch(`${origin}/api/users/999/details`, { signal: AbortSignal.timeout(10_000) });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('server')).toMatch(/^WSGIServer\//);
  });

  it("keeps the user's other sub-paths on the FastAPI service", async () => {
    const { status, body } = await getJson('/api/users/1/orders');
    expect(status).toBe(200);
    expect(body).toMatchObject({ items: [{ id: 10, total: 42 }] });
  });

  it('leaves the rest on Django', async () => {
    const res = await fetch(`${origin}/admin/login/`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Django administration');
  });
});
