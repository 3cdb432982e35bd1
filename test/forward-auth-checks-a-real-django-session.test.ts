// The forward-auth bridge against a real Django (Debian's python3-django): its own session
// cookie (`sessionid`, made by django.contrib.auth) is checked by a tiny whoami view, and the
// service behind the proxy gets the Django user's id, never the client's.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEcho } from './helpers/auth-monolith.js';
import { createDjangoProject, PYTHON, startDjango, type DjangoProject, type RealApp } from './helpers/real-apps.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';

// A logged-in session, as django.contrib.auth.login() would store it.
const SESSION_PY = `from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
u = User.objects.get(username='admin')
s = SessionStore()
s[SESSION_KEY] = str(u.pk)
s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = u.get_session_auth_hash()
s.create()
print(s.session_key)
`;

describe('forward auth against a real Django session', () => {
  let project: DjangoProject;
  let django: RealApp;
  let echo: Upstream;
  let proxy: TestProxy;
  let sessionid: string;

  beforeAll(async () => {
    // The proxy asks Django as 127.0.0.1:PORT (Host = the upstream's host).
    project = await createDjangoProject({ allowedHosts: ['127.0.0.1'] });
    [django, echo] = await Promise.all([startDjango(project), startEcho()]);
    const { stdout } = await promisify(execFile)(PYTHON, ['manage.py', 'shell', '-c', SESSION_PY], { cwd: project.dir, timeout: 30_000 });
    sessionid = stdout.trim().split('\n').at(-1)!;
    proxy = await startProxy(`upstreams:
  legacy: { url: "${django.url}" }
  app: { url: "${echo.url}" }
auth:
  django-session:
    forward: { upstream: legacy, path: /api/whoami, headers: [cookie], copyHeaders: [x-user-id, x-user-roles] }
routes:
  - { prefix: /, upstream: app, auth: django-session }
`);
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all([django?.close(), echo?.close()]);
    await project?.remove();
  }, 30_000);

  it("hands the service Django's user for a valid sessionid", async () => {
    const res = await fetch(`${proxy.url}/anything`, { headers: { cookie: `csrftoken=x; sessionid=${sessionid}`, 'x-user-id': '999' } });
    expect(res.status, django.output()).toBe(200);
    const seen = (await res.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-user-id']).toBe('1');
    expect(seen.headers['x-user-roles']).toBe('staff, superuser');
  });

  it("passes Django's 401 on for a missing or forged session", async () => {
    for (const cookie of [undefined, 'sessionid=forged']) {
      const res = await fetch(`${proxy.url}/anything`, { headers: cookie === undefined ? {} : { cookie } });
      expect(res.status, django.output()).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Session');
      expect(await res.json()).toEqual({ error: 'not signed in' });
    }
  });
});
