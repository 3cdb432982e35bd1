// An authenticator kept across a reload must still be able to work: a forward authenticator whose
// upstream's pool is rebuilt (new `connections`, a new CA file...) is rebuilt with it (the old pool
// closes after its grace period), and a jwt authenticator whose public key file changed in place
// is rebuilt to read it. Each rate-limited route has buckets of its own, also two routes on one
// prefix told apart by their methods.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UpstreamPools } from '../src/forward/pools.js';
import { compileTable } from '../src/routing/compile.js';
import { loadRoutes } from '../src/routing/source.js';
import type { RouteTable } from '../src/routing/table.js';
import { Metrics } from '../src/observability/metrics.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { Writable } from 'node:stream';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const logger = createStreamLogger('error', new Writable({ write: (_c, _e, cb) => cb() }));
const pools = new UpstreamPools();
afterAll(() => pools.destroy());

async function table(yaml: string, file: string, previous: RouteTable | null): Promise<RouteTable> {
  const loaded = await loadRoutes(yaml, file, {});
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return compileTable(loaded, { pools, metrics: new Metrics(), logger, previous });
}

const pem = (): string => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('authenticators across a reload', () => {
  it('rebuild a forward authenticator whose upstream pool was rebuilt, and keep it otherwise', async () => {
    const yaml = (connections: number, timeoutMs = 1000): string =>
      `auth:\n  s: { forward: { upstream: legacy, path: /whoami, timeoutMs: ${timeoutMs} } }\n` +
      `upstreams:\n  legacy: { url: 'http://127.0.0.1:1', connections: ${connections} }\nroutes:\n  - { prefix: /, upstream: legacy, auth: s }\n`;
    const first = await table(yaml(8), '/tmp/r.yaml', null);
    const same = await table(yaml(8) + '\n# a comment\n', '/tmp/r.yaml', first);
    const repooled = await table(yaml(9), '/tmp/r.yaml', same);
    const a = (t: RouteTable) => t.identity.authenticators.get('s')!.authenticator;
    expect(a(same)).toBe(a(first));
    expect(a(repooled)).not.toBe(a(same));
  });

  it('rebuild a jwt authenticator whose public key file changed in place', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'strangler-key-'));
    const file = path.join(dir, 'routes.yaml');
    await writeFile(path.join(dir, 'key.pem'), pem());
    const yaml = `auth:\n  k: { jwt: { publicKey: key.pem, algorithms: [ES256] } }\nupstreams:\n  u: { url: 'http://127.0.0.1:1' }\nroutes:\n  - { prefix: /, upstream: u, auth: k }\n`;
    const first = await table(yaml, file, null);
    const again = await table(yaml + '# same\n', file, first);
    await writeFile(path.join(dir, 'key.pem'), pem());
    const rotated = await table(yaml + '# rotated\n', file, again);
    const a = (t: RouteTable) => t.identity.authenticators.get('k')!.authenticator;
    expect(a(again)).toBe(a(first));
    expect(a(rotated)).not.toBe(a(again));
  });
});

describe('rate-limit buckets', () => {
  let up: Upstream, proxy: TestProxy;
  afterAll(async () => {
    await proxy?.close();
    await up?.close();
  });

  it('belong to one route: GET /api and POST /api each have their own', async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(
      upstreamsYaml({ u: up.url }) +
        'routes:\n  - { prefix: /api, upstream: u, methods: [GET], rateLimit: { requestsPerSecond: 0.001, burst: 1 } }\n' +
        '  - { prefix: /api, upstream: u, methods: [POST], rateLimit: { requestsPerSecond: 0.001, burst: 1 } }\n',
    );
    const status = async (method: string): Promise<number> => {
      const r = await fetch(`${proxy.url}/api`, { method });
      await r.arrayBuffer();
      return r.status;
    };
    expect([await status('GET'), await status('POST'), await status('GET'), await status('POST')]).toEqual([200, 200, 429, 429]);
  });
});
