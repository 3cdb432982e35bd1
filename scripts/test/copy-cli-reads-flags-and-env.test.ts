import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLegacy, useTempDirs } from '../../legacy-monolith/test/helpers.js';
import { runBuilt } from '../lib/test/built-process.js';

// npm run copy-users and npm run copy-orders: the same CLI (demo-kit/copy-cli.ts) over two stores.
describe.each([
  { name: 'copy-users', what: 'users', env: 'USERS_DATA_DIR', count: 3 },
  { name: 'copy-orders', what: 'orders', env: 'ORDERS_DATA_DIR', count: 4 },
])('node dist/scripts/$name.js', ({ name, what, env, count }) => {
  const legacy = useLegacy();
  const tempDir = useTempDirs();

  it(`takes the data dirs from --from/--to and prints how many ${what} it copied`, async () => {
    const dir = await tempDir(`${what}-`);
    const run = runBuilt(`scripts/${name}.js`, { args: ['--from', legacy.dataDir, '--to', dir] });

    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.lines).toEqual([
      `copied ${count} ${what} from ${join(legacy.dataDir, 'store.json')} to ${join(dir, 'store.json')} (${count} new, 0 changed, 0 unchanged)`,
    ]);
    expect(JSON.parse(await readFile(join(dir, 'store.json'), 'utf8'))[what]).toHaveLength(count);
  });

  it(`takes them from LEGACY_DATA_DIR and ${env}`, async () => {
    const dir = await tempDir(`${what}-`);
    const run = runBuilt(`scripts/${name}.js`, { env: { LEGACY_DATA_DIR: legacy.dataDir, [env]: dir } });

    expect((await run.exited).code).toBe(0);
    expect(run.lines[0]).toMatch(new RegExp(`^copied ${count} ${what} `));
  });

  it(`defaults to .data/legacy and .data/${what} under the current directory`, async () => {
    const cwd = await tempDir('cwd-');
    const run = runBuilt(`scripts/${name}.js`, { cwd, env: { LEGACY_DATA_DIR: '', [env]: '' } });

    expect((await run.exited).code).toBe(1);
    expect(run.lines[0]).toBe(`${name}: no monolith store at ${join(cwd, '.data/legacy/store.json')}: start the legacy monolith once (it seeds its store) or pass its data dir`);
  });
});
