// `strangler status` and `strangler report` with no --admin and no ADMIN_PORT asked
// 127.0.0.1:9901 whatever the routes file said: a proxy whose routes.yaml moves its admin port
// (server.adminPort) was "not reachable" until the user found the flag. They now read the port
// (and host) the routes file names (STRANGLER_CONFIG, else ./routes.yaml), as `serve` listens.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream;
let proxy: TestProxy;
let file: string;
beforeAll(async () => {
  up = await startUpstream((_req, res) => res.end('ok'));
  proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, shadow: { upstream: app } }\n');
  // The routes file an operator would run the CLI next to: it names the proxy's admin port.
  file = path.join(path.dirname(proxy.file), 'operator-routes.yaml');
  await writeFile(file, `server: { adminPort: ${new URL(proxy.adminUrl).port} }\n` + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

describe('the admin status and report read by default', () => {
  it('is the one the routes file names', async () => {
    const status = await cli(['status', '--json'], { STRANGLER_CONFIG: file });
    expect(status.err).toBe('');
    expect(status.code).toBe(0);
    expect((JSON.parse(status.out) as { version: string }).version).toBe(proxy.proxy.store.current.version);
    const report = await cli(['report', '--json'], { STRANGLER_CONFIG: file });
    expect(report.err).toBe('');
    expect(report.code).toBe(0);
  });

  it('ADMIN_PORT still wins over the file', async () => {
    const status = await cli(['status', '--json'], { STRANGLER_CONFIG: file, ADMIN_PORT: '1' });
    expect(status.code).not.toBe(0);
    expect(status.err).toContain('127.0.0.1:1');
  });

  it('says so when the routes file is not valid, and asks the default', async () => {
    const bad = path.join(path.dirname(proxy.file), 'half-edited.yaml');
    await writeFile(bad, 'server: { adminPort: 70000 }\n');
    const status = await cli(['status', '--json', '--token', 'x'], { STRANGLER_CONFIG: bad });
    expect(status.err).toContain(`strangler: ${bad} is not valid (strangler check ${bad} says why): asking http://127.0.0.1:9901`);
  });
});
