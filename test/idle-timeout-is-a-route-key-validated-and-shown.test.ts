import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { cli } from './helpers/cli.js';
import { startProxy, writeConfig, type TestProxy } from './helpers/servers.js';

const head = 'upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\n';

let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('idleTimeoutMs (contract v2: a route key, also under defaults; default 60000; 0 = none)', () => {
  it('rejects a negative or fractional value with file, line, column and YAML path', async () => {
    const file = await writeConfig(`${head}defaults:\n  idleTimeoutMs: 1.5\nroutes:\n  - prefix: /a\n    upstream: legacy\n    idleTimeoutMs: -1\n`);
    const r = await cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${file}:4:18 defaults\\.idleTimeoutMs: must be an integer >= 0 \\(got 1\\.5\\)`));
    expect(r.err).toMatch(new RegExp(`${file}:8:20 routes\\[0\\]\\.idleTimeoutMs: must be an integer >= 0 \\(got -1\\)`));
  });

  it('accepts 0 (none)', () => {
    expect(parseConfig(`${head}routes:\n  - { prefix: /sse, upstream: legacy, idleTimeoutMs: 0 }\n`, 'r.yaml', {}).ok).toBe(true);
  });

  it('strangler check shows each route\'s effective value: route beats defaults, defaults beat 60000', async () => {
    const file = await writeConfig(
      `${head}defaults: { idleTimeoutMs: 30000 }\nroutes:\n  - { prefix: /a, upstream: legacy }\n  - { prefix: /sse, upstream: legacy, idleTimeoutMs: 0 }\n`,
    );
    const r = await cli(['check', file]);
    expect(r.code).toBe(0);
    const line = (prefix: string) => r.out.split('\n').find((l) => l.trimStart().startsWith(prefix + ' '));
    expect(line('/a')).toContain('idle 30000ms');
    expect(line('/sse')).toContain('idle none');
    const json = await cli(['check', file, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ routes: [{ prefix: '/a', idleTimeoutMs: 30000 }, { prefix: '/sse', idleTimeoutMs: 0 }] });
  });

  it('/routes shows the effective value, 60000 when nothing sets it', async () => {
    proxy = await startProxy(`${head}routes:\n  - { prefix: /a, upstream: legacy }\n  - { prefix: /b, upstream: legacy, idleTimeoutMs: 250 }\n`);
    const table = (await (await fetch(proxy.adminUrl + '/routes')).json()) as { routes: { prefix: string; idleTimeoutMs: number }[] };
    expect(table.routes.find((r) => r.prefix === '/a')?.idleTimeoutMs).toBe(60000);
    expect(table.routes.find((r) => r.prefix === '/b')?.idleTimeoutMs).toBe(250);
  });
});
