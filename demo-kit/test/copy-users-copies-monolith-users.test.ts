import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy, useTempDirs } from '../../legacy-monolith/test/helpers.js';
import { copyUsers } from '../copy-users.js';
import { writeJsonFileAtomic } from '../json-file.js';

const readStore = async (dir: string) => JSON.parse(await readFile(join(dir, 'store.json'), 'utf8'));

describe('copyUsers', () => {
  const legacy = useLegacy();
  const tempDir = useTempDirs();

  it('copies every monolith user, with the same ids, into an empty users store', async () => {
    await fetchJson(`${legacy.url}/users`, { body: { email: 'hedy@example.com', name: 'Hedy Lamarr' } });
    const legacyUsers = (await fetchJson(`${legacy.url}/users`)).body;
    const usersDir = await tempDir('users-');

    const result = await copyUsers(legacy.dataDir, usersDir);

    expect(result).toMatchObject({ copied: 4, added: 4, changed: 0, unchanged: 0 });
    expect(await readStore(usersDir)).toEqual({ users: legacyUsers, nextId: { users: 5 } });
  });

  it('is idempotent: a second run changes nothing and does not rewrite the file', async () => {
    const usersDir = await tempDir('users-');
    await copyUsers(legacy.dataDir, usersDir);
    const before = await stat(join(usersDir, 'store.json'));
    const content = await readStore(usersDir);

    const again = await copyUsers(legacy.dataDir, usersDir);

    expect(again).toMatchObject({ copied: 3, added: 0, changed: 0, unchanged: 3 });
    expect(await readStore(usersDir)).toEqual(content);
    expect((await stat(join(usersDir, 'store.json'))).mtimeMs).toBe(before.mtimeMs);
  });

  it('updates changed users and keeps users that only the users service has', async () => {
    const usersDir = await tempDir('users-');
    await writeJsonFileAtomic(join(usersDir, 'store.json'), {
      users: [
        { id: 1, email: 'ada@old.example.com', name: 'Ada' },
        { id: 9, email: 'new@example.com', name: 'Only In Users Service' },
      ],
      nextId: { users: 10 },
    });

    const result = await copyUsers(legacy.dataDir, usersDir);

    expect(result).toMatchObject({ copied: 3, added: 2, changed: 1, unchanged: 0 });
    const store = await readStore(usersDir);
    expect(store.users.map((u: { id: number }) => u.id)).toEqual([1, 2, 3, 9]);
    expect(store.users[0]).toEqual({ id: 1, email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(store.nextId).toEqual({ users: 10 });
  });

  it('fails with a clear message when the monolith has no store yet', async () => {
    const empty = await tempDir('legacy-');
    await expect(copyUsers(empty, await tempDir('users-'))).rejects.toThrow(/no monolith store at .*store\.json/);
  });
});
