// A compare pattern the shadow cannot parse is a validation error with a line and a column, the
// same at every door: `strangler check`, a reload, and start-up. (It used to pass validation and
// then fail the compile without either.)
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startStrangler } from '../src/bootstrap.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { ConfigInvalidError } from '../src/routing/reloader.js';
import { Writable } from 'node:stream';
import { cli } from './helpers/cli.js';
import { startProxy, writeConfig, type TestProxy } from './helpers/servers.js';

const valid = `upstreams:
  legacy: { url: http://127.0.0.1:8000 }
  users: { url: http://127.0.0.1:8001 }
routes:
  - prefix: /users
    upstream: users
    shadow:
      upstream: legacy
      compare:
        ignore: ["$.createdAt"]
`;
// routes[0].shadow.compare.ignore[1] is `$.a[`: line 10, column 33.
const invalid = valid.replace('ignore: ["$.createdAt"]', 'ignore: ["$.createdAt", "$.a["]');
const where = 'routes\\[0\\]\\.shadow\\.compare\\.ignore\\[1\\]';

let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('an invalid JSON path in shadow.compare', () => {
  it('makes `strangler check` print file:line:column and the YAML path, and exit 1', async () => {
    const file = await writeConfig(invalid);
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^${file}:10:33 ${where}: invalid JSON path pattern: .*'\\$\\.a\\['`, 'm'));
    expect(r.err).toContain('1 error(s)');
  });

  it('is reported in unorderedArrays too', async () => {
    const file = await writeConfig(valid.replace('ignore: ["$.createdAt"]', 'unorderedArrays: ["$.tags", "$.b["]'));
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file}:10:37 routes\\[0\\]\\.shadow\\.compare\\.unorderedArrays\\[1\\]: `, 'm'));
  });

  it('makes POST /reload answer 422 with the located error, and the live table stays', async () => {
    proxy = await startProxy(valid);
    const liveVersion = proxy.proxy.store.current.version;
    await writeFile(proxy.file, invalid);
    const res = await fetch(proxy.adminUrl + '/reload', { method: 'POST' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { result: string; errors: { line: number; column: number; path: string; message: string }[] };
    expect(body.result).toBe('invalid');
    expect(body.errors).toEqual([
      expect.objectContaining({ line: 10, column: 33, path: 'routes[0].shadow.compare.ignore[1]', message: expect.stringContaining('invalid JSON path pattern') }),
    ]);
    expect(proxy.proxy.store.current.version).toBe(liveVersion);
    expect(await (await fetch(proxy.adminUrl + '/metrics')).text()).not.toContain('strangler_config_reloads_total{result="error"} 1');
  });

  it('stops start-up with a config error, not a compile failure', async () => {
    const file = await writeConfig(invalid);
    const silent = new Writable({ write: (_c, _e, cb) => cb() });
    const start = startStrangler({ configPath: file, logger: createStreamLogger('silent', silent), port: 0, adminPort: 0, env: {}, watch: false });
    const err = await start.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as ConfigInvalidError).errors).toEqual([expect.objectContaining({ line: 10, column: 33, path: 'routes[0].shadow.compare.ignore[1]' })]);
  });
});
