import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchJson } from '../../../legacy-monolith/test/helpers.js';
import { useUsersService } from './users-service-under-test.js';

describe('the users service store', () => {
  const startUsers = useUsersService();

  it('starts empty, and keeps its users and id counter across a restart', async () => {
    const first = await startUsers({ legacyUrl: 'http://127.0.0.1:9' });
    expect((await fetchJson(`${first.url}/users`)).body).toEqual([]);
    const a = await fetchJson(`${first.url}/users`, { body: { email: 'a@example.com', name: 'A' } });
    const b = await fetchJson(`${first.url}/users`, { body: { email: 'b@example.com', name: 'B' } });
    await fetchJson(`${first.url}/users/2`, { method: 'DELETE' });
    await first.app.close();

    const second = await startUsers({ legacyUrl: 'http://127.0.0.1:9', dataDir: first.dataDir });
    expect((await fetchJson(`${second.url}/users`)).body).toEqual([a.body]);
    const c = await fetchJson(`${second.url}/users`, { body: { email: 'c@example.com', name: 'C' } });
    expect((c.body as { id: number }).id).toBe((b.body as { id: number }).id + 1);
    const stored = JSON.parse(await readFile(join(first.dataDir, 'store.json'), 'utf8'));
    expect(stored).toEqual({ users: [a.body, c.body], nextId: { users: 4 } });
  });
});
