import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLegacy, useTempDirs } from '../../legacy-monolith/test/helpers.js';
import { runBuilt } from '../lib/test/built-process.js';

describe('node dist/scripts/copy-users.js (npm run copy-users)', () => {
  const legacy = useLegacy();
  const tempDir = useTempDirs();

  it('takes the data dirs from --from/--to and prints how many users it copied', async () => {
    const usersDir = await tempDir('users-');
    const run = runBuilt('scripts/copy-users.js', { args: ['--from', legacy.dataDir, '--to', usersDir] });

    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.lines).toEqual([
      `copied 3 users from ${join(legacy.dataDir, 'store.json')} to ${join(usersDir, 'store.json')} (3 new, 0 changed, 0 unchanged)`,
    ]);
    expect(JSON.parse(await readFile(join(usersDir, 'store.json'), 'utf8')).users).toHaveLength(3);
  });

  it('takes them from LEGACY_DATA_DIR and USERS_DATA_DIR', async () => {
    const usersDir = await tempDir('users-');
    const run = runBuilt('scripts/copy-users.js', { env: { LEGACY_DATA_DIR: legacy.dataDir, USERS_DATA_DIR: usersDir } });

    expect((await run.exited).code).toBe(0);
    expect(run.lines[0]).toMatch(/^copied 3 users /);
  });

  it('defaults to .data/legacy and .data/users under the current directory', async () => {
    const cwd = await tempDir('cwd-');
    const run = runBuilt('scripts/copy-users.js', { cwd, env: { LEGACY_DATA_DIR: '', USERS_DATA_DIR: '' } });

    expect((await run.exited).code).toBe(1);
    expect(run.lines[0]).toBe(`copy-users: no monolith store at ${join(cwd, '.data/legacy/store.json')}: start the legacy monolith once (it seeds its store) or pass its data dir`);
  });
});
