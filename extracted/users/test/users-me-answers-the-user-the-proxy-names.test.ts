import { describe, expect, it } from 'vitest';
import { copyUsers } from '../../../demo-kit/copy-users.js';
import { fetchJson, useLegacy, useTempDirs } from '../../../legacy-monolith/test/helpers.js';
import { useUsersService } from './users-service-under-test.js';

// GET /users/me reads X-User-Id, which only the proxy's forward authenticator writes (it asked
// the monolith who the session cookie is).
describe('GET /users/me on the users service', () => {
  const legacy = useLegacy();
  const startUsers = useUsersService();
  const tempDir = useTempDirs();

  it('answers the user X-User-Id names, 401 without it, 404 for an unknown id', async () => {
    const dataDir = await tempDir('users-');
    await copyUsers(legacy.dataDir, dataDir);
    const users = await startUsers({ legacyUrl: legacy.url, dataDir });

    const me = await fetchJson(`${users.url}/users/me`, { method: 'GET', headers: { 'x-user-id': '2' } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: 2, email: 'grace@example.com', name: 'Grace Hopper' });
    expect((await fetchJson(`${users.url}/users/me`, { method: 'GET' })).status).toBe(401);
    expect((await fetchJson(`${users.url}/users/me`, { method: 'GET', headers: { 'x-user-id': '99' } })).status).toBe(404);
    expect((await fetchJson(`${users.url}/users/1`, { method: 'GET' })).status).toBe(200);
  });
});
