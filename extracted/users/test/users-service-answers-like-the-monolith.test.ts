import { describe, expect, it } from 'vitest';
import { copyUsers } from '../../../demo-kit/copy-users.js';
import { fetchJson, useLegacy, useTempDirs } from '../../../legacy-monolith/test/helpers.js';
import { useUsersService } from './users-service-under-test.js';

// After copy-users, the same request to either side gets the same status and body: that is
// what lets the proxy move /users from one to the other (and shadow-compare them) safely.
describe('the users service, seeded by copy-users', () => {
  const legacy = useLegacy();
  const startUsers = useUsersService();
  const tempDir = useTempDirs();

  it.each([
    ['GET', '/users', undefined],
    ['GET', '/users/1', undefined],
    ['GET', '/users/2/details', undefined],
    ['GET', '/users/99', undefined],
    ['GET', '/users/abc/details', undefined],
    ['POST', '/users', { email: 'nope' }],
    ['POST', '/users', { email: 'ADA@example.com', name: 'Ada again' }],
    ['POST', '/users', { email: 'radia@example.com', name: 'Radia Perlman' }],
    ['PUT', '/users/3', { name: 'Alan M. Turing' }],
    ['DELETE', '/users/3', undefined],
    ['PATCH', '/users/1', undefined],
  ])('%s %s answers the same status and body on both sides', async (method, path, body) => {
    const dataDir = await tempDir('users-');
    await copyUsers(legacy.dataDir, dataDir);
    const users = await startUsers({ legacyUrl: legacy.url, dataDir });

    const fromLegacy = await fetchJson(`${legacy.url}${path}`, { method, body });
    const fromUsers = await fetchJson(`${users.url}${path}`, { method, body });

    expect({ status: fromUsers.status, body: fromUsers.body }).toEqual({ status: fromLegacy.status, body: fromLegacy.body });
    expect(fromUsers.headers.get('content-type')).toBe(fromLegacy.headers.get('content-type'));
    expect(fromLegacy.headers.get('x-served-by')).toBe('legacy-monolith');
    expect(fromUsers.headers.get('x-served-by')).toBe('users-service');
  });
});
